"""AUDIT-C (the AUDIT's three alcohol consumption questions, Bush et al. 1998; public domain), verbatim.

The questions are about the past year, as the AUDIT asks them ("during this past year"): every item says so
in its stem, and the gate before it asks about any drinking in the past year.

Bands (0–12). The validated cut-offs are 4 or more for men and 3 or more for women; we do not ask sex, so
3 or more is read as "positive" for everyone (erring towards a clinician's look), and 8 or more as
"positive, high", the range where alcohol use is most likely to need its own care.
Item 1 "Never" scores the whole instrument 0: items 2 and 3 are not asked. A skipped item leaves no total
(no proration: with three items, one missing is a third of the answer).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from bot.instruments.base import ChoiceParser, Extractor, Instrument, choice_phrases, option_number
from bot.parsing import COUNT, count
from bot.questions import Choice, Question

WHY_ALCOHOL = (
    "Alcohol can affect mood, sleep and anxiety, so we ask everyone about it. It is not about judging; it "
    "helps the team offer the right support."
)
UNCLEAR = "Sorry, I wasn't sure which answer you meant."
OPTION_RANGE = 'The answer is a number from 0 to 4, or in words, like "monthly or less".'

# "twice a month", "3 times a week", "2-4 times a month": read as times per month.
_RATE = re.compile(
    rf"\b({COUNT})(?:\s*(?:or|to|-)\s*({COUNT}))?\s*(?:times?|x)?\s*(?:a|per|/|each|every|in\s+a)\s*"
    r"(day|night|week|month|year)s?\b",
    re.IGNORECASE,
)
_PER_MONTH = {"day": 30.0, "night": 30.0, "week": 52 / 12, "month": 1.0, "year": 1 / 12}


def _rates(option: Callable[[float], int]) -> Extractor:
    """Reads "N times a <period>" into the option `option` gives for that many times a month."""

    def extract(text: str) -> tuple[list[int], str]:
        values: list[int] = []

        def take(match: re.Match[str]) -> str:
            first, second, unit = match.groups()
            values.extend(option(count(c) * _PER_MONTH[unit.lower()]) for c in (first, second) if c)
            return " "

        return values, _RATE.sub(take, text)

    return extract


def _how_often(per_month: float) -> int:
    # 0 never; 1 monthly or less; 2 2-4 times a month (once a week too); 3 2-3 times a week; 4 4+ a week
    return 0 if per_month == 0 else 1 + bisect_right((1.5, 5.0, 14.0), per_month)


def _binge_how_often(per_month: float) -> int:
    # 0 never; 1 less than monthly; 2 monthly (1-3 a month); 3 weekly (up to 4 a week); 4 daily or almost
    return 0 if per_month == 0 else 1 + bisect_right((1.0, 4.0, 20.0), per_month)


def _drinks(number: float) -> Optional[int]:
    """A number of drinks on a typical day: 1-2, 3-4, 5-6, 7-9, 10 or more."""
    return bisect_left((2, 4, 6, 9), number) if number > 0 else None


# "I quit", "sober", "not anymore" are not "never": the questions are about the past year, and someone who
# stopped last week drank in it. Such answers are asked again with the options.
_NEVER = ("never", "no", "nope", "not at all", "none", "zero", "i dont drink", "dont drink", "i dont")
STEM = "These questions are about the past year."

FREQUENCY = Question(
    key="auditc_1",
    text="How often do you have a drink containing alcohol?",
    text_other="How often does {name} have a drink containing alcohol?",
    stem=STEM,
    parse=ChoiceParser(
        phrases=choice_phrases(
            {
                **dict.fromkeys(_NEVER, 0),
                **dict.fromkeys(
                    (
                        "monthly or less",
                        "monthly",
                        "less than monthly",
                        "rarely",
                        "hardly ever",
                        "once in a while",
                        "occasionally",
                        "special occasions",
                        "on special occasions",
                        "holidays",
                        "a few times a year",
                    ),
                    1,
                ),
                **dict.fromkeys(
                    (
                        "2 to 4 times a month",
                        "a few times a month",
                        "a couple of times a month",
                        "a couple times a month",
                        "weekly",
                        "every week",
                        "every other week",
                    ),
                    2,
                ),
                **dict.fromkeys(
                    (
                        "2 to 3 times a week",
                        "a few times a week",
                        "a couple of times a week",
                        "a couple times a week",
                        "weekends",
                        "on weekends",
                        "every weekend",
                    ),
                    3,
                ),
                **dict.fromkeys(
                    (
                        "4 or more times a week",
                        "4 plus times a week",
                        "every day",
                        "everyday",
                        "daily",
                        "nearly every day",
                        "almost every day",
                        "most days",
                        "every night",
                        "most nights",
                        "all the time",
                    ),
                    4,
                ),
            }
        ),
        from_number=option_number(0, 4),
        unclear=UNCLEAR,
        out_of_range=OPTION_RANGE,
        extract=_rates(_how_often),
    ),
    choices=(
        Choice(0, "Never", "0"),
        Choice(1, "Monthly or less", "1"),
        Choice(2, "2-4 times a month", "2"),
        Choice(3, "2-3 times a week", "3"),
        Choice(4, "4 or more times a week", "4"),
    ),
    why=WHY_ALCOHOL,
    help=(
        'You can pick an option or say it in your own words, like "twice a month" or "3 times a week". '
        "The options are: never; monthly or less; 2-4 times a month; 2-3 times a week; 4 or more times a week."
    ),
    instrument="auditc",
)

QUANTITY = Question(
    key="auditc_2",
    text="How many standard drinks containing alcohol do you have on a typical day?",
    text_other="How many standard drinks containing alcohol does {name} have on a typical day?",
    stem=f"{STEM} One standard drink is a 12 oz beer, a 5 oz glass of wine, or a 1.5 oz shot of liquor.",
    # A typed number here is a number of drinks, so the buttons send their own words, not 0-4.
    parse=ChoiceParser(
        phrases=choice_phrases(
            {
                "1 or 2": 0,
                "a couple": 0,
                "just one": 0,
                "3 or 4": 1,
                "a few": 1,
                "5 or 6": 2,
                "7 to 9": 3,
                "10 or more": 4,
            }
        ),
        from_number=_drinks,
        unclear="Sorry, I wasn't sure how many drinks you meant.",
        out_of_range="The answer is a number of drinks, like 2, or one of the options.",
    ),
    choices=(
        Choice(0, "1 or 2", "1 or 2"),
        Choice(1, "3 or 4", "3 or 4"),
        Choice(2, "5 or 6", "5 or 6"),
        Choice(3, "7 to 9", "7 to 9"),
        Choice(4, "10 or more", "10 or more"),
    ),
    why="How much someone drinks on a typical day helps the team see whether alcohol may be affecting "
    "health or treatment.",
    help=(
        'Please tell me roughly how many drinks on a day when there is drinking, like "3", or pick one: '
        "1 or 2; 3 or 4; 5 or 6; 7 to 9; 10 or more. One drink is a 12 oz beer, a 5 oz glass of wine or "
        "a 1.5 oz shot of liquor."
    ),
    instrument="auditc",
)

HEAVY = Question(
    key="auditc_3",
    text="How often do you have six or more drinks on one occasion?",
    text_other="How often does {name} have six or more drinks on one occasion?",
    stem=STEM,
    parse=ChoiceParser(
        phrases=choice_phrases(
            {
                **dict.fromkeys(_NEVER, 0),
                **dict.fromkeys(
                    (
                        "less than monthly",
                        "less than once a month",
                        "rarely",
                        "hardly ever",
                        "once in a while",
                        "occasionally",
                        "a few times a year",
                        "special occasions",
                        "on special occasions",
                        "holidays",
                    ),
                    1,
                ),
                **dict.fromkeys(
                    (
                        "monthly",
                        "every month",
                        "a couple of times a month",
                        "a couple times a month",
                        "a few times a month",
                    ),
                    2,
                ),
                **dict.fromkeys(
                    (
                        "weekly",
                        "every week",
                        "weekends",
                        "on weekends",
                        "every weekend",
                        "a few times a week",
                        "a couple of times a week",
                        "a couple times a week",
                    ),
                    3,
                ),
                **dict.fromkeys(
                    (
                        "daily or almost daily",
                        "daily",
                        "almost daily",
                        "every day",
                        "everyday",
                        "nearly every day",
                        "almost every day",
                        "most days",
                        "every night",
                        "most nights",
                    ),
                    4,
                ),
            }
        ),
        from_number=option_number(0, 4),
        unclear=UNCLEAR,
        out_of_range=OPTION_RANGE,
        extract=_rates(_binge_how_often),
    ),
    choices=(
        Choice(0, "Never", "0"),
        Choice(1, "Less than monthly", "1"),
        Choice(2, "Monthly", "2"),
        Choice(3, "Weekly", "3"),
        Choice(4, "Daily or almost daily", "4"),
    ),
    why="Having a lot to drink at one time carries its own risks, so we ask about it separately.",
    help=(
        "This is about times with six or more drinks, like a night out. You can say it in your own words, "
        'like "once a month", or pick one: never; less than monthly; monthly; weekly; daily or almost daily.'
    ),
    instrument="auditc",
)


@dataclass(frozen=True)
class AuditC(Instrument):
    def required(self, answers: Mapping[str, Any]) -> list[str]:
        keys = super().required(answers)
        return keys[:1] if answers.get(FREQUENCY.key) == 0 else keys  # "Never": nothing more to ask


AUDITC = AuditC(
    key="auditc",
    name="AUDIT-C",
    items=(FREQUENCY, QUANTITY, HEAVY),
    bands=((0, "negative"), (3, "positive"), (8, "positive, high")),
)
