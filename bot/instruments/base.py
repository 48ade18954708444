"""What every instrument has: items, skip logic, scoring; and the reader for multiple-choice answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from bot.parsing import UNSURE_PHRASES, PhraseTable, numbers
from bot.questions import DECLINED, SKIPPED, Parsed, Question

MAX_ANSWER_CHARS = 300  # an answer to one item is a few words; a long message is not read as a choice

# Readings a phrase table cannot hold ("3 days a week", "twice a month"): values found, and the text
# left for the phrase table once they are taken out.
Extractor = Callable[[str], tuple[list[int], str]]


def choice_phrases(entries: Mapping[str, Optional[int]]) -> PhraseTable[Optional[int]]:
    """The item's phrases, plus "not sure" and the like, which name no option ("I don't know" is not "I don't")."""
    return PhraseTable({**dict.fromkeys(UNSURE_PHRASES), **entries})


@dataclass(frozen=True)
class ChoiceParser:
    """Reads a free-text answer to a multiple-choice item into the chosen option's value.

    Accepts the option's words, paraphrases and typos (the phrase table), counts (the extractor) and a bare
    number (`from_number`: the button payload, or what the number means for this item). Two different
    readings in one answer ("3 or 4", "sometimes, nearly every day") are ambiguous: ask again.
    """

    phrases: PhraseTable[Optional[int]]  # from choice_phrases
    from_number: Callable[[float], Optional[int]]  # None: the number is not a valid answer here
    unclear: str  # note when nothing (or too much) was understood
    out_of_range: str  # note when the answer is only a number that is not an option
    extract: Optional[Extractor] = None

    def __call__(self, text: str) -> Parsed:
        if not text.strip() or len(text) > MAX_ANSWER_CHARS:
            return Parsed.fail(self.unclear)
        values, rest = self.extract(text) if self.extract else ([], text)
        found = self.phrases.find(rest)
        chosen = set(values) | {v for v in found.values if v is not None}
        numbered = [self.from_number(n) for n in numbers(found.rest)]
        if None in numbered and not chosen:
            return Parsed.fail(self.out_of_range)
        # Beside words, an invalid number is a count ("nearly every day, 7 days a week"), not a choice.
        chosen.update(v for v in numbered if v is not None)
        if chosen == {0} and any(found.negated):  # "no, not every day" is fewer days, not none
            return Parsed.fail(self.unclear)
        return Parsed(True, chosen.pop()) if len(chosen) == 1 else Parsed.fail(self.unclear)


def option_number(low: int, high: int) -> Callable[[float], Optional[int]]:
    """A bare number names the option with that score (what the buttons send)."""

    def read(number: float) -> Optional[int]:
        return int(number) if number.is_integer() and low <= number <= high else None

    return read


@dataclass(frozen=True)
class Score:
    total: Optional[int]
    band: Optional[str]  # human label, e.g. "moderate"
    answered: int  # required items with a real answer (not skipped)
    skipped: tuple[str, ...]  # required items skipped, or (safety items) declined
    complete: bool  # every required item asked, and the total (if the instrument has one) stands


@dataclass(frozen=True)
class Instrument:
    """A validated questionnaire whose total is the sum of its item scores.

    Skipped items: up to `max_prorated` of them, the total is prorated from the answered items
    (sum * number of items / number answered, rounded half up so a borderline total lands in the higher
    band and gets a clinician's look); beyond that the total means nothing and is None. A declined item
    (a safety question the person would not answer, like PHQ-9 item 9) counts as skipped here.
    """

    key: str
    name: str
    items: tuple[Question, ...]
    bands: tuple[tuple[int, str], ...] = ()  # (lowest total, label), lowest first
    max_prorated: int = 0

    def required(self, answers: Mapping[str, Any]) -> list[str]:
        """Item keys to ask given the answers so far, in order."""
        return [item.key for item in self.items]

    def score(self, answers: Mapping[str, Any]) -> Score:
        keys = self.required(answers)
        skipped = tuple(k for k in keys if answers.get(k) in (SKIPPED, DECLINED))
        given = [answers[k] for k in keys if answers.get(k) is not None and k not in skipped]
        if len(given) + len(skipped) < len(keys) or len(skipped) > self.max_prorated:
            return Score(None, None, len(given), skipped, False)
        total = sum(given)
        if skipped:
            n, m = len(self.items), len(given)
            total = (2 * total * n + m) // (2 * m)  # round(total * n / m), halves up, in whole numbers
        return Score(total, self.band(total), len(given), skipped, True)

    def band(self, total: int) -> str:
        return next(label for low, label in reversed(self.bands) if total >= low)

    def lowest(self, label: str) -> int:
        """The lowest total in band `label`: the cut-off the eligibility rules read (bot/eligibility.py)."""
        return next(low for low, name in self.bands if name == label)
