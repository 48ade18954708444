"""`iop-intake crisis-scan`: run the bot's crisis detector (the learned model with the rules as a second opinion,
bot/safety/model/tiers.py) over many messages, and measure it when they are labelled.

Input is plain text (one message a line) or JSON Lines ({"text", optional "id", "label": crisis|none,
"category"}). Output never repeats a message's text: one JSON object per message with its id (the
input's `id`, else the line number), the decision (crisis path, check-in or neither), the category, the rules'
flags and the model's score.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Optional, TextIO

from bot.safety.model.tiers import Assessment, Tier, assess

CRISIS_LABEL, NONE_LABEL = "crisis", "none"


@dataclass(frozen=True)
class Message:
    id: str
    text: str
    label: Optional[bool] = None  # True: crisis, False: none, None: unlabelled
    category: Optional[str] = None


def _label(value: object, where: str) -> Optional[bool]:
    if value is None:
        return None
    if value in (CRISIS_LABEL, True):
        return True
    if value in (NONE_LABEL, False):
        return False
    raise ValueError(f"{where}: label must be {CRISIS_LABEL!r} or {NONE_LABEL!r}, not {value!r}")


def read_messages(lines: Iterable[str]) -> Iterator[Message]:
    """Messages from plain lines or JSON Lines (a line that starts with "{" is JSON); blank lines skipped."""
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        if not line.lstrip().startswith("{"):
            yield Message(str(number), line)
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"line {number}: not valid JSON ({error.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise ValueError(f'line {number}: a JSON line needs a string "text"')
        yield Message(
            str(row.get("id", number)), row["text"], _label(row.get("label"), f"line {number}"), row.get("category")
        )


def result(message: Message, reading: Assessment) -> dict[str, object]:
    """The output line for one message (no text)."""
    return {
        "id": message.id,
        "crisis": reading.tier is Tier.CRISIS,
        "check_in": reading.tier is Tier.CHECK_IN,
        "category": reading.category,
        "flags": list(reading.rules.flags),
        "model_score": round(reading.prediction.crisis, 4),
    }


@dataclass
class Tally:
    total: int = 0
    flagged: int = 0

    @property
    def rate(self) -> Optional[float]:
        return self.flagged / self.total if self.total else None


@dataclass
class Scores:
    """Confusion counts overall and per labelled category."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    checked_crisis: int = 0  # crisis messages that got the check-in question instead of the crisis path
    checked_none: int = 0  # other messages that got the check-in question
    by_category: dict[tuple[bool, str], Tally] = field(default_factory=dict)

    def add(self, message: Message, crisis: bool, check_in: bool = False) -> None:
        if message.label is None:
            return
        if message.label:
            self.true_positive += crisis
            self.false_negative += not crisis
            self.checked_crisis += check_in and not crisis
        else:
            self.false_positive += crisis
            self.true_negative += not crisis
            self.checked_none += check_in and not crisis
        tally = self.by_category.setdefault((message.label, message.category or "-"), Tally())
        tally.total += 1
        tally.flagged += crisis

    @property
    def labelled(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    @property
    def recall(self) -> Optional[float]:
        positives = self.true_positive + self.false_negative
        return self.true_positive / positives if positives else None

    @property
    def recall_with_check_in(self) -> Optional[float]:
        """Crisis messages that reached the crisis path or were asked directly."""
        positives = self.true_positive + self.false_negative
        return (self.true_positive + self.checked_crisis) / positives if positives else None

    @property
    def check_in_rate(self) -> Optional[float]:
        negatives = self.false_positive + self.true_negative
        return self.checked_none / negatives if negatives else None

    @property
    def precision(self) -> Optional[float]:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else None

    @property
    def false_positive_rate(self) -> Optional[float]:
        negatives = self.false_positive + self.true_negative
        return self.false_positive / negatives if negatives else None


def scan_lines(lines: Iterable[str], out: TextIO, detector: Callable[[str], Assessment] = assess) -> Scores:
    """Write one JSON line per message to `out`; return the scores over the labelled ones."""
    scores = Scores()
    for message in read_messages(lines):
        reading = detector(message.text)
        out.write(json.dumps(result(message, reading)) + "\n")
        scores.add(message, reading.tier is Tier.CRISIS, reading.tier is Tier.CHECK_IN)
    return scores


def _figure(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f}"


def report(scores: Scores) -> str:
    """Recall, precision and false-positive rate, then a table per labelled category.

    For a crisis category the rate is its recall; for a non-crisis one, its false-positive rate.
    """
    lines = [
        f"messages {scores.labelled}: crisis {scores.true_positive + scores.false_negative}, "
        f"none {scores.false_positive + scores.true_negative}",
        f"recall {_figure(scores.recall)}  precision {_figure(scores.precision)}  "
        f"false-positive rate {_figure(scores.false_positive_rate)}  "
        f"(missed {scores.false_negative}, false alarms {scores.false_positive})",
        f"with the check-in question: recall {_figure(scores.recall_with_check_in)}  "
        f"check-in rate {_figure(scores.check_in_rate)}",
        "",
        f"{'label':<7} {'category':<24} {'n':>5} {'flagged':>8} {'rate':>7}  measure",
    ]
    for (label, category), tally in sorted(scores.by_category.items(), key=lambda item: (not item[0][0], item[0][1])):
        measure = "recall" if label else "false-positive rate"
        lines.append(
            f"{CRISIS_LABEL if label else NONE_LABEL:<7} {category:<24} {tally.total:>5} "
            f"{tally.flagged:>8} {_figure(tally.rate):>7}  {measure}"
        )
    return "\n".join(lines)
