"""The leaner classifier input is exactly Rasa's: same columns, same values, same order."""

from __future__ import annotations

import numpy as np
import scipy.sparse
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from rasa_edge.nlu.classifier import SentenceLogisticRegression


def message(seed: int, with_dense: bool) -> Message:
    rng = np.random.default_rng(seed)
    msg = Message(data={TEXT: "some words here"})
    for origin, width in (("regex", 3), ("words", 7), ("chars", 11)):
        msg.add_features(
            Features(scipy.sparse.coo_matrix(rng.integers(0, 3, (3, width))), FEATURE_TYPE_SEQUENCE, TEXT, origin)
        )
        msg.add_features(
            Features(scipy.sparse.coo_matrix(rng.integers(0, 3, (1, width))), FEATURE_TYPE_SENTENCE, TEXT, origin)
        )
    if with_dense:
        msg.add_features(Features(rng.random((1, 4)), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    return msg


def test_the_input_matrix_is_the_same_as_rasas():
    for with_dense, count in ((False, 1), (False, 5), (True, 1), (True, 5)):
        messages = [message(seed, with_dense) for seed in range(count)]
        ours = SentenceLogisticRegression._create_X(None, messages)  # neither reads `self`
        rasas = LogisticRegressionClassifier._create_X(None, messages)
        assert ours.shape == rasas.shape
        assert np.array_equal(ours.toarray(), rasas.toarray())
