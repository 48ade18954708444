"""What PHQ-9 and GAD-7 share: the 0–3 "over the last 2 weeks" scale (options, how answers are read, help),
and the closing question on how difficult the problems made daily life (asked, unscored, after the items)."""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from bot.instruments.base import ChoiceParser, Instrument, choice_phrases, option_number
from bot.parsing import COUNT, NO_WORDS, SOMETIMES_PHRASES, count, negated_at
from bot.questions import Choice, Question

CHOICES = (
    Choice(0, "Not at all", "0"),
    Choice(1, "Several days", "1"),
    Choice(2, "More than half the days", "2"),
    Choice(3, "Nearly every day", "3"),
)

PHRASES = choice_phrases(
    {
        **dict.fromkeys(
            (
                *NO_WORDS,
                "not at all",
                "none",
                "not really",
                "not once",
                "not ever",
                "no days",
                "none of the days",
                "not a single day",
                "not one single day",
                "not a day",
                "not even a day",
                "zero",
                "i dont",
                "i do not",
                "i havent",
                "i have not",
            ),
            0,
        ),
        **dict.fromkeys(
            (
                *SOMETIMES_PHRASES,
                "several days",
                "several",
                "some days",
                "some of the time",
                "some",
                "a few days",
                "a couple of days",
                "a couple days",
                "once",
            ),
            1,
        ),
        **dict.fromkeys(
            (
                "more than half the days",
                "more than half",
                "over half the days",
                "over half",
                "half the days",
                "half the time",
                "about half",
                "half",
                "most days",
                "most of the days",
                "most of the time",
                "more often than not",
                "more days than not",
                "often",
                "quite often",
                "pretty often",
                "very often",
                "frequently",
                "a lot",
                "alot",
                "lots",
                "usually",
                "every other day",
            ),
            2,
        ),
        **dict.fromkeys(
            (
                "nearly every day",
                "nearly everyday",
                "almost every day",
                "almost everyday",
                "most every day",
                "pretty much every day",
                "pretty much everyday",
                "every day",
                "everyday",
                "every single day",
                "all day every day",
                "all the time",
                "always",
                "almost always",
                "constantly",
                "constant",
                "daily",
                "24 7",
                "nonstop",
                "non stop",
                "each day",
                "the whole time",
                "the entire time",
                "every day of it",
            ),
            3,
        ),
    }
)

_DAYS = re.compile(
    rf"\b({COUNT})(?:\s*(?:or|to|-)\s*({COUNT}))?(\s*(?:days?|nights?|times?))?"
    rf"(\s+(?:a|per|each|every|in\s+a|of\s+the)\s+week)?\b",
    re.IGNORECASE,
)
# Stretches of time: the question's own 2 weeks ("in the last 2 weeks"), a rate ("every 2 weeks"), or how
# long it lasted ("the whole 2 weeks", "5 days in a row", "2 weeks").
_SPAN = re.compile(
    r"\b(?:(?P<whole>(?:the\s+)?(?:whole|entire|full)\s+(?:of\s+the\s+)?|all\s+(?:of\s+)?(?:the\s+)?|both\s+)"
    r"|(?P<rate>(?:every|each|per)\s+)|(?P<within>(?:for|in|over|during|within)\s+))?"
    rf"(?P<last>(?:the\s+)?(?:last|past)\s+)?(?P<n>{COUNT}|a|couple\s+of|couple)"
    r"\s*(?P<unit>days?|nights?|weeks?|months?)"
    r"(?P<row>\s+(?:straight|in\s+a\s+row|solid|running|nonstop|non\s+stop))?\b"
    r"(?!\s+(?:a|per|each|every|in\s+a|of\s+the)\s+week)",
    re.IGNORECASE,
)
_UNIT_DAYS = {"d": 1, "n": 1, "w": 7, "m": 30}


def _days_value(days: float) -> Optional[int]:
    """Option for a number of days out of the 14 asked about (half the days counts as "more than half")."""
    if not 0 <= days <= 14:
        return None
    return 0 if days == 0 else 1 if days < 7 else 2 if days < 12 else 3


def _spans(text: str) -> tuple[list[int], str]:
    """Readings of how long it lasted ("the whole 2 weeks", "2 weeks straight", "all 14 days": 3), and of
    "not in the last 2 weeks" (0). The 2 weeks the question asks about, or a rate ("every 2 weeks"), name no
    option: they are taken out so their number is not read as one."""
    values: list[int] = []

    def take(match: re.Match[str]) -> str:
        n, unit = match["n"].lower(), match["unit"][0].lower()
        days = (1 if n == "a" else 2 if n.startswith("couple") else count(n)) * _UNIT_DAYS[unit]
        negated = negated_at(match.string, match.start())
        if match["rate"]:  # "once every 2 weeks": how often is in the words before it
            return " "
        lasted = match["whole"] or match["row"]
        if (match["within"] or match["last"]) and not lasted:  # the time frame: "not in the last 2 weeks" is 0
            if negated and days >= 14:
                values.append(0)
            return " "
        if lasted or (unit == "w" and n != "a"):  # "the whole 2 weeks", "5 days in a row", "2 weeks"
            value = _days_value(min(days, 14))
            if not negated and value is not None:  # "not the whole 2 weeks": fewer days, but not how many
                values.append(value)
            return " "
        return match.group(0)  # "3 days": a count of days, read by _day_counts

    return values, _SPAN.sub(take, text)


def _day_counts(text: str) -> tuple[list[int], str]:
    """Readings of "3 days", "2 or 3 days", "5 days a week", "twice a week"; "not once", "not 1 day" are 0."""
    values: list[int] = []

    def take(match: re.Match[str]) -> str:
        first, second, unit, per_week = match.groups()
        counts = [count(c) for c in (first, second) if c]
        if negated_at(match.string, match.start()):
            # A negated count never becomes a positive option: "not one day" is none, "not 3 days" unclear.
            if counts == [1] and (unit or first.lower() == "once") and not per_week:
                values.append(0)
            return " "
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


def _counts(text: str) -> tuple[list[int], str]:
    spans, rest = _spans(text)
    days, rest = _day_counts(rest)
    return spans + days, rest


PARSE = ChoiceParser(
    phrases=PHRASES,
    from_number=option_number(0, 3),
    unclear="Sorry, I wasn't sure which answer you meant.",
    out_of_range='The answer is a number from 0 to 3 (or the words, like "several days").',
    extract=_counts,
)

HELP = (
    "You can answer with a number or in your own words. 0 means not at all; 1 means several days (a few "
    "of the last 14); 2 means more than half the days (about a week or more); 3 means nearly every day. "
    "If none fits exactly, the closest one is fine."
)


def frequency_item(
    instrument: str,
    n: int,
    text: str,
    why: str,
    *,
    stem: str,
    stem_other: str,
    other: Optional[str] = None,
    skippable: bool = True,
) -> Question:
    """One item answered on this scale; `other` is the wording about someone else when it differs."""
    return Question(
        key=f"{instrument}_{n}",
        text=text,
        text_other=other or text,
        parse=PARSE,
        choices=CHOICES,
        why=why,
        help=HELP,
        skippable=skippable,
        instrument=instrument,
        stem=stem,
        stem_other=stem_other,
    )


DIFFICULTY_CHOICES = (
    Choice(0, "Not difficult at all", "0"),
    Choice(1, "Somewhat difficult", "1"),
    Choice(2, "Very difficult", "2"),
    Choice(3, "Extremely difficult", "3"),
)
DIFFICULTY_PHRASES = choice_phrases(
    {
        **dict.fromkeys(
            (
                *NO_WORDS,
                "not difficult at all",
                "not at all difficult",
                "not difficult",
                "not hard at all",
                "not hard",
                "not at all",
                "not really",
                "none",
                "no difficulty",
                "no problem",
                "no problems",
                "not a problem",
                "easy",
                "fine",
            ),
            0,
        ),
        **dict.fromkeys(
            (
                "somewhat difficult",
                "somewhat hard",
                "somewhat",
                "a little difficult",
                "a little hard",
                "a bit difficult",
                "a bit hard",
                "slightly difficult",
                "slightly",
                "a little",
                "a lil",
                "a bit",
                "a little bit",
                "kind of",
                "kinda",
                "sort of",
                "sorta",
                "kind of hard",
                "kind of difficult",
                "mildly",
                "manageable",
                "not very difficult",
                "not very hard",
                "not too bad",
                "not too hard",
                "not that hard",
                "not that difficult",
                "not so bad",
            ),
            1,
        ),
        **dict.fromkeys(
            (
                "very difficult",
                "very hard",
                "very",
                "really difficult",
                "really hard",
                "quite difficult",
                "quite hard",
                "pretty difficult",
                "pretty hard",
                "very tough",
                "really tough",
                "a lot",
                "alot",
            ),
            2,
        ),
        **dict.fromkeys(
            (
                "extremely difficult",
                "extremely hard",
                "extremely",
                "impossible",
                "nearly impossible",
                "almost impossible",
                "incredibly difficult",
                "incredibly hard",
                "super hard",
                "unbearable",
                "cant function",
                "cant do anything",
            ),
            3,
        ),
        # How difficult, not said: asked again.
        **dict.fromkeys(("difficult", "hard", "tough")),
    }
)
DIFFICULTY_PARSE = ChoiceParser(
    phrases=DIFFICULTY_PHRASES,
    from_number=option_number(0, 3),
    unclear="Sorry, I wasn't sure which answer you meant.",
    out_of_range='The answer is a number from 0 to 3 (or the words, like "somewhat difficult").',
)
DIFFICULTY_WHY = (
    "How much these problems get in the way of work, home and the people around you helps the team "
    "see what kind of support would help."
)
DIFFICULTY_HELP = (
    "You can answer with a number or in your own words. 0 means not difficult at all; 1 means "
    "somewhat difficult; 2 means very difficult; 3 means extremely difficult."
)


def difficulty_item(instrument: str) -> Question:
    """The closing question of the PHQ-9 and the GAD-7, verbatim: not scored, so not one of the items."""
    return Question(
        key=f"{instrument}_difficulty",
        text="If you checked off any problems, how difficult have these problems made it for you to do your work, "
        "take care of things at home, or get along with other people?",
        text_other="If you checked off any problems, how difficult have these problems made it for {name} to do "
        "their work, take care of things at home, or get along with other people?",
        parse=DIFFICULTY_PARSE,
        choices=DIFFICULTY_CHOICES,
        why=DIFFICULTY_WHY,
        help=DIFFICULTY_HELP,
        skippable=True,
        instrument=instrument,
    )


def difficulty_due(instrument: Instrument, answers: Mapping[str, Any]) -> bool:
    """Whether to ask the instrument's difficulty question: the published forms ask it when any problem was
    checked, that is any item answered above 0."""
    return any(type(answers.get(item.key)) is int and answers[item.key] > 0 for item in instrument.items)
