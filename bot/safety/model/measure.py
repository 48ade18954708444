"""Held-out measurement: rates with Wilson intervals, thresholds, and the tables the report prints."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np

from bot.safety.model.head import Thresholds

Z95 = 1.959963984540054
CRISIS_FPR = 0.05  # targets from issue 13, on sources held out from training
CRISIS_RECALL = 0.95
CHECK_IN_RATE = 0.10
CATEGORY_RECALL = 0.90


def wilson(hits: int, total: int) -> tuple[float, float]:
    """Wilson score 95% interval of hits / total."""
    if total == 0:
        return (0.0, 1.0)
    p = hits / total
    centre = p + Z95**2 / (2 * total)
    spread = Z95 * math.sqrt(p * (1 - p) / total + Z95**2 / (4 * total**2))
    denominator = 1 + Z95**2 / total
    return ((centre - spread) / denominator, (centre + spread) / denominator)


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def value(self) -> Optional[float]:
        return self.hits / self.total if self.total else None

    def to_json(self) -> dict[str, object]:
        low, high = wilson(self.hits, self.total)
        return {
            "hits": self.hits,
            "n": self.total,
            "rate": None if self.value is None else round(self.value, 4),
            "ci95": [round(low, 4), round(high, 4)],
        }

    def text(self) -> str:
        if not self.total:
            return "-"
        low, high = wilson(self.hits, self.total)
        return f"{self.value:.3f} [{low:.2f}-{high:.2f}] ({self.hits}/{self.total})"


def rate(flags: Iterable[bool]) -> Rate:
    values = list(flags)
    return Rate(int(sum(bool(v) for v in values)), len(values))


def choose_thresholds(scores: np.ndarray, crisis: np.ndarray, check_in_rate: float = CHECK_IN_RATE) -> Thresholds:
    """The crisis threshold: the lowest that keeps the false-positive rate on `none` within CRISIS_FPR (the
    most recall it allows). The check-in threshold: the lowest below it that asks at most `check_in_rate` of
    `none` messages. Both halfway between neighbouring scores, so they do not sit on a training message."""
    negatives = np.sort(scores[~crisis])[::-1]
    crisis_at = _cut(negatives, int(math.floor(CRISIS_FPR * len(negatives))))
    below = negatives[negatives < crisis_at]
    check_in_at = _cut(below, int(math.floor(check_in_rate * len(negatives))))
    return Thresholds(crisis=crisis_at, check_in=min(check_in_at, crisis_at))


def _cut(descending: np.ndarray, allowed: int) -> float:
    """A value with exactly `allowed` of the scores at or above it (fewer where scores tie)."""
    if allowed >= len(descending):
        return float(descending[-1]) / 2 if len(descending) else 0.0
    upper = descending[allowed - 1] if allowed > 0 else 1.0
    return float((upper + descending[allowed]) / 2)


@dataclass(frozen=True)
class Tiers:
    """Each message's decision: 2 crisis path, 1 check-in, 0 nothing."""

    levels: np.ndarray

    @classmethod
    def of(cls, scores: np.ndarray, thresholds: Thresholds) -> Tiers:
        return cls(np.where(scores >= thresholds.crisis, 2, np.where(scores >= thresholds.check_in, 1, 0)))

    @staticmethod
    def of_levels(levels: np.ndarray, rules: np.ndarray, discounted: np.ndarray) -> np.ndarray:
        """A model's levels as bot.safety.model.tiers.assess routes them: the rules' crisis is a crisis; the
        model's crisis where `discounted` becomes a check-in."""
        return np.where(rules, 2, np.where(discounted & (levels == 2), 1, levels))


def summary(levels: np.ndarray, crisis: np.ndarray, mask: Optional[np.ndarray] = None) -> dict[str, Rate]:
    """Recall of the crisis path and of crisis-or-check-in on crisis messages; false-positive and check-in
    rates on the others."""
    if mask is None:
        mask = np.ones(len(levels), dtype=bool)
    positives, negatives = levels[mask & crisis], levels[mask & ~crisis]
    return {
        "recall": rate(positives == 2),
        "recall_with_check_in": rate(positives >= 1),
        "false_positive_rate": rate(negatives == 2),
        "check_in_rate": rate(negatives == 1),
    }


def by_category(
    levels: np.ndarray, crisis: np.ndarray, categories: Sequence[Optional[str]], mask: Optional[np.ndarray] = None
) -> dict[str, dict[str, Rate]]:
    """Per labelled category: for crisis ones the path and check-in recall, for the others the false-alarm
    and check-in rates."""
    table: dict[str, dict[str, Rate]] = {}
    kept = mask if mask is not None else [True] * len(levels)
    for name in sorted({c for c, keep in zip(categories, kept, strict=True) if c and keep}):
        chosen = np.array([c == name for c in categories]) & (mask if mask is not None else True)
        level = levels[chosen]
        if crisis[chosen].all():
            table[f"crisis/{name}"] = {"crisis_path": rate(level == 2), "crisis_or_check_in": rate(level >= 1)}
        else:
            table[f"none/{name}"] = {"crisis_path": rate(level == 2), "check_in": rate(level == 1)}
    return table
