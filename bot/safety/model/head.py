"""The trained head over a sentence embedding: how likely a crisis is, and which kind.

Two logistic regressions, because the labels allow no more: the binary one (crisis / none) learns from
every labelled message; the category one (a softmax over the eight crisis categories of
bot.safety.lexicon.Category) learns only from the crisis messages whose category is known (the
development set and the project's cases). Per class: P(none) = 1 - p, P(c) = p * P(c | crisis).

Stored as JSON beside this file (head.json), written by `iop-intake crisis train`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bot.safety.lexicon import Category

NONE = "none"
CATEGORIES = tuple(category.value for category in Category)
CLASSES = CATEGORIES + (NONE,)
HEAD_FILE = Path(__file__).resolve().parent / "head.json"
FORMAT = 1


class Prediction(NamedTuple):
    crisis: float  # probability that the message needs the crisis response
    category: str  # the most likely crisis category, were it one (a bot.safety.lexicon.Category value)
    probabilities: dict[str, float]  # every class of CLASSES, "none" included; they sum to 1


@dataclass(frozen=True)
class Thresholds:
    crisis: float  # at or above: the crisis path
    check_in: float  # at or above (and below crisis): ask directly


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # no overflow warnings for large |z|


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Head:
    encoder: str  # data.ENCODER_KEY of the embeddings it was trained on
    weights: np.ndarray  # (384,)
    bias: float
    category_weights: np.ndarray  # (8, 384), rows in CATEGORIES order
    category_bias: np.ndarray  # (8,)
    thresholds: Thresholds

    def crisis(self, vectors: np.ndarray) -> np.ndarray:
        """P(crisis) for each row of `vectors` (n, 384)."""
        return sigmoid(vectors.astype(np.float64) @ self.weights + self.bias)

    def categories(self, vectors: np.ndarray) -> np.ndarray:
        """P(category | crisis), (n, 8)."""
        return softmax(vectors.astype(np.float64) @ self.category_weights.T + self.category_bias)

    def predict(self, vector: np.ndarray) -> Prediction:
        p = float(self.crisis(vector[None, :])[0])
        given = self.categories(vector[None, :])[0]
        probabilities = {name: p * float(q) for name, q in zip(CATEGORIES, given)}
        probabilities[NONE] = 1.0 - p
        return Prediction(p, CATEGORIES[int(np.argmax(given))], probabilities)

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "encoder": self.encoder,
            "crisis": {"weights": _floats(self.weights), "bias": _float(self.bias)},
            "category": {"labels": list(CATEGORIES), "weights": [_floats(row) for row in self.category_weights],
                         "bias": _floats(self.category_bias)},
            "thresholds": {"crisis": _float(self.thresholds.crisis), "check_in": _float(self.thresholds.check_in)},
        }

    @classmethod
    def from_json(cls, data: dict) -> "Head":
        if data.get("format") != FORMAT or data["category"]["labels"] != list(CATEGORIES):
            raise ValueError("head.json was written for other categories or another format: retrain it "
                             "(iop-intake crisis train)")
        return cls(
            encoder=data["encoder"],
            weights=np.array(data["crisis"]["weights"], dtype=np.float64),
            bias=float(data["crisis"]["bias"]),
            category_weights=np.array(data["category"]["weights"], dtype=np.float64),
            category_bias=np.array(data["category"]["bias"], dtype=np.float64),
            thresholds=Thresholds(**data["thresholds"]),
        )


def _float(value: float) -> float:
    """8 significant digits: the same bytes on every run and machine, and no loss that matters."""
    return float(f"{float(value):.8g}")


def _floats(values: np.ndarray) -> list[float]:
    return [_float(value) for value in values]


def rounded(head: Head) -> Head:
    """The head exactly as it will be read back from JSON (what the reported figures must be measured on)."""
    return Head.from_json(json.loads(json.dumps(head.to_json())))


def load_head(path: Path = HEAD_FILE) -> Head:
    return Head.from_json(json.loads(path.read_text(encoding="utf-8")))
