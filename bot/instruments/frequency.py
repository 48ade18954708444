"""The 0–3 "over the last 2 weeks" scale that PHQ-9 and GAD-7 share: options, how answers are read, help."""
from __future__ import annotations

import re
from typing import Optional

from bot.instruments.base import ChoiceParser, choice_phrases, option_number
from bot.parsing import COUNT, count
from bot.questions import Choice, Question

CHOICES = (
    Choice(0, "Not at all", "0"),
    Choice(1, "Several days", "1"),
    Choice(2, "More than half the days", "2"),
    Choice(3, "Nearly every day", "3"),
)

PHRASES = choice_phrases({
    **dict.fromkeys((
        "not at all", "never", "no", "nope", "nah", "none", "not really", "not once", "not ever", "no days",
        "none of the days", "zero", "i dont", "i do not", "i havent", "i have not",
    ), 0),
    **dict.fromkeys((
        "several days", "several", "some days", "sometimes", "some of the time", "some", "a few days",
        "a few times", "a couple of times", "a couple times", "couple of times", "a couple of days",
        "a couple days", "once or twice", "once", "occasionally", "now and then", "now and again",
        "once in a while", "on and off", "off and on", "here and there", "at times", "rarely", "hardly ever",
        "a little", "a bit", "a little bit",
    ), 1),
    **dict.fromkeys((
        "more than half the days", "more than half", "over half the days", "over half", "half the days",
        "half the time", "about half", "half", "most days", "most of the days", "most of the time",
        "more often than not", "more days than not", "often", "quite often", "pretty often", "very often",
        "frequently", "a lot", "alot", "lots", "usually", "every other day",
    ), 2),
    **dict.fromkeys((
        "nearly every day", "nearly everyday", "almost every day", "almost everyday", "most every day",
        "pretty much every day", "pretty much everyday", "every day", "everyday", "every single day",
        "all day every day", "all the time", "always", "almost always", "constantly", "constant", "daily",
        "24 7", "nonstop", "non stop",
    ), 3),
})

_DAYS = re.compile(
    rf"\b({COUNT})(?:\s*(?:or|to|-)\s*({COUNT}))?(\s*(?:days?|times?))?"
    rf"(\s+(?:a|per|each|every|in\s+a|of\s+the)\s+week)?\b",
    re.IGNORECASE,
)


def _days_value(days: float) -> Optional[int]:
    """Option for a number of days out of the 14 asked about (half the days counts as "more than half")."""
    if not 0 <= days <= 14:
        return None
    return 0 if days == 0 else 1 if days < 7 else 2 if days < 12 else 3


def _day_counts(text: str) -> tuple[list[int], str]:
    """Readings of "3 days", "2 or 3 days", "5 days a week", "twice a week"."""
    values: list[int] = []

    def take(match: re.Match) -> str:
        first, second, unit, per_week = match.groups()
        counts = [count(c) for c in (first, second) if c]
        if not (unit or per_week or first.lower() in ("once", "twice")):
            return match.group(0)  # a bare number is the option itself: the parser reads it
        if per_week and max(counts) > 7:
            return match.group(0)
        readings = [_days_value(c * 2 if per_week else c) for c in counts]
        if None in readings:
            return match.group(0)  # "20 days": left as a number, which is out of range
        values.extend(r for r in readings if r is not None)
        return " "

    return values, _DAYS.sub(take, text)


PARSE = ChoiceParser(
    phrases=PHRASES,
    from_number=option_number(0, 3),
    unclear="Sorry, I wasn't sure which answer you meant.",
    out_of_range="The answer is a number from 0 to 3 (or the words, like \"several days\").",
    extract=_day_counts,
)

HELP = (
    "You can answer with a number or in your own words. 0 means not at all; 1 means several days (a few "
    "of the last 14); 2 means more than half the days (about a week or more); 3 means nearly every day. "
    "If none fits exactly, the closest one is fine."
)


def frequency_item(instrument: str, n: int, text: str, why: str, *, stem: str, stem_other: str,
                   other: Optional[str] = None, skippable: bool = True) -> Question:
    """One item answered on this scale; `other` is the wording about someone else when it differs."""
    return Question(
        key=f"{instrument}_{n}", text=text, text_other=other or text, parse=PARSE, choices=CHOICES, why=why,
        help=HELP, skippable=skippable, instrument=instrument, stem=stem, stem_other=stem_other,
    )
