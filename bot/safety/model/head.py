"""The trained head: how likely a crisis is, and which kind.

Three parts, each small, all in head.json (written by `iop-intake crisis train`):

- the sentence model over an embedding: a binary logistic regression (crisis / none) learnt from every
  labelled message, and a softmax over the eight crisis categories of bot.safety.lexicon.Category learnt
  from the crisis messages whose category is known (development set and project cases);
- the character model over the text: a logistic regression on character 2- to 5-grams inside words
  (TF-IDF), which reads what word pieces cannot: shorthand ("kms", "ctb"), misspellings, split words;
- the combiner: a logistic regression over both models' logits and the rules' reading of the message
  (crisis, discounted as negated / figurative / past, about someone else), learnt from held-out scores.

`predict` gives the sentence model alone; `decide` gives the combined probability, the one the
thresholds apply to (bot.safety.model.tiers). Per class: P(none) = 1 - p, P(c) = p * P(c | crisis).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple

import numpy as np

from bot.safety.lexicon import Category

NONE = "none"
CATEGORIES = tuple(category.value for category in Category)
CLASSES = CATEGORIES + (NONE,)
HEAD_FILE = Path(__file__).resolve().parent / "head.json"
FORMAT = 2
NGRAMS = (2, 5)
# Logits are clipped before they are combined: the sentence model's is recovered from a probability, which
# float64 holds exactly only this far from 0.
LOGIT_LIMIT = 30.0
# Rules that read their words as not counting (not a crisis, but the models may still say crisis).
DISCOUNTING_FLAGS = frozenset({"negated", "figurative", "historical"})
COMBINER_INPUTS = (
    "sentence",
    "chars",
    "sentence_if_discounted",
    "chars_if_discounted",
    "rules_crisis",
    "rules_discounted",
    "rules_third_party",
)
_SPACES = re.compile(r"\s+")


class Prediction(NamedTuple):
    crisis: float  # probability that the message needs the crisis response
    category: str  # the most likely crisis category, were it one (a bot.safety.lexicon.Category value)
    probabilities: dict[str, float]  # every class of CLASSES, "none" included; they sum to 1


@dataclass(frozen=True)
class Thresholds:
    crisis: float  # at or above: the crisis path
    check_in: float  # at or above (and below crisis): ask directly


@dataclass(frozen=True)
class RuleReading:
    """What the combiner takes from bot.safety.detector's Detection."""

    crisis: bool
    discounted: bool  # risk words read as negated, figurative or past, and no crisis found
    third_party: bool

    @classmethod
    def of(cls, crisis: bool, flags: Iterable[str]) -> RuleReading:
        flags = set(flags)
        return cls(crisis, not crisis and bool(DISCOUNTING_FLAGS & flags), "third_party" in flags)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # no overflow warnings for large |z|


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def logit(p: float) -> float:
    low = float(sigmoid(np.array(-LOGIT_LIMIT, dtype=np.float64)))
    p = min(max(p, low), 1.0 - low)
    return math.log(p / (1.0 - p))


def char_ngrams(text: str) -> dict[str, int]:
    """Counts of the character n-grams inside each word, the word padded with a space on both sides
    (scikit-learn's "char_wb"); lower case, curly apostrophes straight."""
    counts: dict[str, int] = {}
    low, high = NGRAMS
    for word in _SPACES.sub(" ", text.lower().replace("\u2019", "'")).split():
        padded = f" {word} "
        for n in range(low, min(high, len(padded)) + 1):
            for start in range(len(padded) - n + 1):
                gram = padded[start : start + n]
                counts[gram] = counts.get(gram, 0) + 1
    return counts


@dataclass(frozen=True)
class CharModel:
    """Logistic regression on L2-normalised TF-IDF (1 + log count) of a fixed n-gram vocabulary."""

    idf: Mapping[str, float]
    weights: Mapping[str, float]
    bias: float

    def logit(self, text: str) -> float:
        values = {
            gram: (1.0 + math.log(count)) * self.idf[gram]
            for gram, count in char_ngrams(text).items()
            if gram in self.idf
        }
        norm = math.sqrt(sum(value * value for value in values.values()))
        if not norm:
            return self.bias
        return sum(value * self.weights[gram] for gram, value in values.items()) / norm + self.bias


def combiner_inputs(
    sentence: np.ndarray, chars: np.ndarray, crisis: np.ndarray, discounted: np.ndarray, third_party: np.ndarray
) -> np.ndarray:
    """(n, len(COMBINER_INPUTS)) from the two models' logits and the rules' readings (n each)."""
    s = np.clip(np.asarray(sentence, dtype=np.float64), -LOGIT_LIMIT, LOGIT_LIMIT)
    c = np.clip(np.asarray(chars, dtype=np.float64), -LOGIT_LIMIT, LOGIT_LIMIT)
    d = np.asarray(discounted, dtype=np.float64)
    return np.stack(
        [s, c, s * d, c * d, np.asarray(crisis, dtype=np.float64), d, np.asarray(third_party, dtype=np.float64)], axis=1
    )


@dataclass(frozen=True)
class Head:
    encoder: str  # data.ENCODER_KEY of the embeddings it was trained on
    weights: np.ndarray  # (384,)
    bias: float
    category_weights: np.ndarray  # (8, 384), rows in CATEGORIES order
    category_bias: np.ndarray  # (8,)
    chars: CharModel
    combiner_weights: np.ndarray  # (len(COMBINER_INPUTS),)
    combiner_bias: float
    thresholds: Thresholds  # on the combined probability

    def crisis(self, vectors: np.ndarray) -> np.ndarray:
        """The sentence model's P(crisis) for each row of `vectors` (n, 384)."""
        return sigmoid(vectors.astype(np.float64) @ self.weights + self.bias)

    def categories(self, vectors: np.ndarray) -> np.ndarray:
        """P(category | crisis), (n, 8)."""
        return softmax(vectors.astype(np.float64) @ self.category_weights.T + self.category_bias)

    def combine(self, inputs: np.ndarray) -> np.ndarray:
        """The combined P(crisis) from combiner_inputs rows."""
        return sigmoid(inputs @ self.combiner_weights + self.combiner_bias)

    def predict(self, vector: np.ndarray) -> Prediction:
        """The sentence model alone."""
        return _prediction(float(self.crisis(vector[None, :])[0]), self.categories(vector[None, :])[0])

    def decide(self, vector: np.ndarray, text: str, rules: RuleReading) -> Prediction:
        """Sentence model, character model and the rules' reading combined: what the thresholds apply to."""
        sentence = logit(float(self.crisis(vector[None, :])[0]))
        inputs = combiner_inputs(
            np.array([sentence]),
            np.array([self.chars.logit(text)]),
            np.array([rules.crisis]),
            np.array([rules.discounted]),
            np.array([rules.third_party]),
        )
        return _prediction(float(self.combine(inputs)[0]), self.categories(vector[None, :])[0])

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "encoder": self.encoder,
            "crisis": {"weights": _floats(self.weights), "bias": _float(self.bias)},
            "category": {
                "labels": list(CATEGORIES),
                "weights": [_floats(row) for row in self.category_weights],
                "bias": _floats(self.category_bias),
            },
            "chars": {
                "ngrams": list(NGRAMS),
                "bias": _float(self.chars.bias),
                "idf_and_weight": {
                    gram: [_short(self.chars.idf[gram]), _short(weight)]
                    for gram, weight in sorted(self.chars.weights.items())
                },
            },
            "combiner": {
                "inputs": list(COMBINER_INPUTS),
                "weights": _floats(self.combiner_weights),
                "bias": _float(self.combiner_bias),
            },
            "thresholds": {"crisis": _float(self.thresholds.crisis), "check_in": _float(self.thresholds.check_in)},
        }

    @classmethod
    def from_json(cls, data: dict) -> Head:
        if (
            data.get("format") != FORMAT
            or data["category"]["labels"] != list(CATEGORIES)
            or data["chars"]["ngrams"] != list(NGRAMS)
            or data["combiner"]["inputs"] != list(COMBINER_INPUTS)
        ):
            raise ValueError(
                "head.json was written for other categories or another format: retrain it (iop-intake crisis train)"
            )
        grams = data["chars"]["idf_and_weight"]
        return cls(
            encoder=data["encoder"],
            weights=np.array(data["crisis"]["weights"], dtype=np.float64),
            bias=float(data["crisis"]["bias"]),
            category_weights=np.array(data["category"]["weights"], dtype=np.float64),
            category_bias=np.array(data["category"]["bias"], dtype=np.float64),
            chars=CharModel(
                {gram: float(pair[0]) for gram, pair in grams.items()},
                {gram: float(pair[1]) for gram, pair in grams.items()},
                float(data["chars"]["bias"]),
            ),
            combiner_weights=np.array(data["combiner"]["weights"], dtype=np.float64),
            combiner_bias=float(data["combiner"]["bias"]),
            thresholds=Thresholds(**data["thresholds"]),
        )


def _prediction(p: float, given: np.ndarray) -> Prediction:
    probabilities = {name: p * float(q) for name, q in zip(CATEGORIES, given, strict=True)}
    probabilities[NONE] = 1.0 - p
    return Prediction(p, CATEGORIES[int(np.argmax(given))], probabilities)


def _float(value: float) -> float:
    """8 significant digits: the same bytes on every run and machine, and no loss that matters."""
    return float(f"{float(value):.8g}")


def _short(value: float) -> float:
    """5 significant digits for the 20,000 n-grams: the head stays well under a megabyte."""
    return float(f"{float(value):.5g}")


def _floats(values: np.ndarray) -> list[float]:
    return [_float(value) for value in values]


def rounded(head: Head) -> Head:
    """The head exactly as it will be read back from JSON (what the reported figures must be measured on)."""
    return Head.from_json(json.loads(json.dumps(head.to_json())))


def load_head(path: Path = HEAD_FILE) -> Head:
    return Head.from_json(json.loads(path.read_text(encoding="utf-8")))
