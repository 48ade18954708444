"""When someone could attend, how (in person or online), and whether getting there is a problem."""

from __future__ import annotations

import re
from typing import Optional

from bot.intake.matching import NEGATORS, UNSURE, PhraseTable, polar, readable
from bot.parsing import NUMBER_WORDS, normalise
from bot.program import PARTS_OF_DAY
from bot.questions import Parsed

TIMES = PARTS_OF_DAY  # ("morning", "afternoon", "evening", "weekend"): the program's tracks use the same parts
_SPAN = {"morning": (5, 12), "afternoon": (12, 17), "evening": (17, 24)}  # hours, 24-hour clock
_DAYTIME = tuple(_SPAN)
_ANY = "any"

# --- times of day ---------------------------------------------------------------------------------------

_TIMES = PhraseTable(
    {
        "morning": (
            "morning*",
            "mornin",
            "early",
            "before work",
            "before school",
            "before noon",
            "before lunch",
            "first thing",
        ),
        "afternoon": (
            "afternoon*",
            "after school",
            "after lunch",
            "after noon",
            "midday",
            "mid day",
            "noon",
            "lunch*",
            "early afternoon",
            "late afternoon",
        ),
        "evening": ("evening*", "night*", "after work", "after dinner", "tonight", "late"),
        "weekend": ("weekend*", "saturday*", "sunday*", "sat", "sats", "sun", "suns"),
        _ANY: (
            "any time",
            "anytime",
            "any time of day",
            "whenever",
            "all of them",
            "any of them",
            "all of the above",
            "flexible",
            "doesn't matter",
            "don't mind",
            "no preference",
            "all times",
            "all day",
            "whatever works",
        ),
    },
    # "I work mornings so afternoons", "any time except mornings", "can't do nights".
    negators=NEGATORS | frozenset("except besides can't cant cannot work working busy".split()),
)
_WHOLE_ANSWER_ANY = frozenset({"any", "all", "either", "both", "everything", "always", "anything"})
_ANYTHING_BUT = re.compile(r"\b(anything|any time|anytime|whenever)\s*,?\s*but\b", re.I)
_CLOCK = re.compile(
    r"(?:\b(after|past|before|until|till|til|by|at|around)\s+)?(?<![\d:])(\d{1,2})(?::([0-5]\d))?\s*"
    r"(a\.?m\b\.?|p\.?m\b\.?)?(?![\d:])",
    re.I,
)


def _hour(number: int, suffix: str) -> Optional[int]:
    """24-hour clock hour; with no am/pm, 1-8 means afternoon or evening ("after 5") and 9-11 morning."""
    if suffix:
        return None if number > 12 else number % 12 + (12 if suffix == "p" else 0)
    if number > 24:
        return None
    return number + 12 if 1 <= number <= 8 else number


def _clock_parts(text: str) -> set[str]:
    """Parts of the day named by clock times: "after 5" evening, "before 3" morning and afternoon."""
    parts: set[str] = set()
    for match in _CLOCK.finditer(text):
        word, number, _, suffix = match.groups()
        word = (word or "").lower()
        suffix = (suffix or "")[:1].lower()
        if not word and not suffix:
            continue  # a bare number is a count ("3 days"), not a time
        hour = _hour(int(number), suffix)
        if hour is None:
            continue
        for part, (start, end) in _SPAN.items():
            if word in ("after", "past"):
                hit = end > hour
            elif word in ("before", "until", "till", "til", "by"):
                hit = start < hour
            else:
                hit = start <= hour < end
            if hit:
                parts.add(part)
    return parts


def parse_times(text: str) -> Parsed:
    raw = _ANYTHING_BUT.sub(lambda m: f"{m.group(1)} except", readable(text) or "")
    hits = _TIMES.match(raw)
    wanted = (set(hits.found) | _clock_parts(raw)) - {_ANY}
    if _ANY in hits.found or normalise(raw) in _WHOLE_ANSWER_ANY:
        wanted = set(TIMES)
    wanted -= hits.negated
    if not wanted and hits.negated - {_ANY}:
        wanted = set(_DAYTIME) - hits.negated  # "not mornings": the rest of the weekday
    if not wanted:
        return Parsed.fail(
            "Which times could work: mornings, afternoons, evenings or weekends? You can pick more than one."
        )
    return Parsed(True, [part for part in TIMES if part in wanted])


# --- days a week --------------------------------------------------------------------------------------------

_WEEKDAY_NAMES = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "weds": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_DAY = "|".join(sorted(_WEEKDAY_NAMES, key=len, reverse=True))
_DAY_RANGE = re.compile(rf"\b({_DAY})s?\s*(?:-|to|through|thru|till|until)\s*({_DAY})s?\b")
_DAY_NAME = re.compile(rf"\b({_DAY})s?\b")
_GROUPS = (
    (re.compile(r"\b(?:every ?day|daily|all week|7 days|seven days|all days)\b"), range(7)),
    (re.compile(r"\b(?:weekdays?|m ?- ?f|mwf)\b"), None),  # resolved below: "mwf" is three days
    (re.compile(r"\bweekends?\b"), (5, 6)),
)
_COUNT_WORDS = {**{w: n for w, n in NUMBER_WORDS.items() if 1 <= n <= 20}, "once": 1, "twice": 2, "couple": 2}
_RANGE_WORDS = re.compile(r"\d\s*(?:-|to|or)\s*\d|\b(?:to|or)\b")
_HOURS = re.compile(r"\b(?:hours?|hrs?)\b")
_HOW_MANY_DAYS = "How many days a week, from 1 to 7? For example: 3, or mon wed fri."
_NO_DAYS = "Programs like this meet a few days a week. If no days work right now, you can say skip."


def _named_days(norm: str) -> set[int]:
    days: set[int] = set()
    for first, last in _DAY_RANGE.findall(norm):
        a, b = _WEEKDAY_NAMES[first], _WEEKDAY_NAMES[last]
        days |= set(range(a, b + 1)) if a <= b else set(range(a, 7)) | set(range(0, b + 1))
    norm = _DAY_RANGE.sub(" ", norm)
    days |= {_WEEKDAY_NAMES[name] for name in _DAY_NAME.findall(norm)}
    for pattern, group in _GROUPS:
        for found in pattern.findall(norm):
            days |= set(group if group is not None else (0, 2, 4) if found == "mwf" else range(5))
    return days


def _counted_days(norm: str) -> Optional[int]:
    """ "3", "three days", "twice a week"; a range "3-4" or "3 or 4" counts its lower end."""
    numbers = [int(d) for d in re.findall(r"(?<!\d)\d{1,2}(?!\d)", norm)]
    numbers += [_COUNT_WORDS[w] for w in norm.replace("-", " ").split() if w in _COUNT_WORDS]
    if len(numbers) == 1:
        return numbers[0]
    if len(numbers) == 2 and _RANGE_WORDS.search(norm):
        return min(numbers)
    return None


def parse_days(text: str) -> Parsed:
    norm = normalise(readable(text) or "")
    if not norm or re.search(r"\d{3,}", norm):
        return Parsed.fail(_HOW_MANY_DAYS)
    days = _named_days(norm)
    count = len(days) if days else (None if _HOURS.search(norm) else _counted_days(norm))
    if count == 0 or re.search(r"\b(?:none|zero|no days)\b", norm):
        return Parsed.fail(_NO_DAYS)
    if count is None:
        return Parsed.fail(_HOW_MANY_DAYS)
    if count > 7:
        return Parsed.fail("A week has 7 days: how many of them could work, from 1 to 7?")
    return Parsed(True, count)


# --- in person or online -------------------------------------------------------------------------------

_MODALITY = PhraseTable(
    {
        "in_person": (
            "in person",
            "inperson",
            "face to face",
            "f2f",
            "at the clinic",
            "at the office",
            "in the office",
            "on site",
            "onsite",
            "physically",
            "go in",
            "come in",
            "person",
        ),
        "telehealth": (
            "telehealth",
            "tele health",
            "telemed*",
            "online",
            "on line",
            "video",
            "zoom",
            "virtual*",
            "remote*",
            "from home",
            "at home",
            "computer",
            "on my phone",
            "webcam",
            "facetime",
            "teams",
        ),
        "either": (
            "either",
            "either one",
            "either way",
            "both",
            "whichever",
            "whatever",
            "any",
            "anything",
            "doesn't matter",
            "don't mind",
            "don't care",
            "no preference",
            "both work",
            "flexible",
        ),
    },
    negators=NEGATORS | frozenset("can't cant cannot hate".split()),
)


def parse_modality(text: str) -> Parsed:
    hits = _MODALITY.match(readable(text) or "")
    modes = set(hits.found)
    if "either" in modes or {"in_person", "telehealth"} <= modes:
        return Parsed(True, "either")
    if len(modes) == 1:
        return Parsed(True, modes.pop())
    ruled_out = hits.negated - {"either"}
    if not modes and len(ruled_out) == 1:  # "not in person": the other one
        return Parsed(True, ({"in_person", "telehealth"} - ruled_out).pop())
    return Parsed.fail("Would in person, online by video, or either work?")


# --- transport: True means getting there IS a problem ---------------------------------------------------

_TRANSPORT = PhraseTable(
    {
        True: (
            "yes",
            "yeah",
            "yep",
            "hard",
            "difficult",
            "tough",
            "tricky",
            "a problem",
            "problem",
            "an issue",
            "issue",
            "don't drive",
            "can't drive",
            "no car",
            "don't have a car",
            "no ride",
            "no rides",
            "need a ride",
            "no transportation",
            "no transport",
            "rely on",
            "depend on",
            "can't get there",
            "sometimes",
            "kind of",
            "kinda",
            "a bit",
            "far",
        ),
        False: (
            "no",
            "nope",
            "nah",
            "no problem",
            "not a problem",
            "not an issue",
            "no issue",
            "no issues",
            "not hard",
            "not difficult",
            "not too hard",
            "isn't hard",
            "wouldn't be hard",
            "isn't a problem",
            "wouldn't be a problem",
            "won't be a problem",
            "not really",
            "i have a car",
            "have a car",
            "i drive",
            "i can drive",
            "can get there",
            "i have a ride",
            "have a ride",
            "fine",
            "easy",
            "all good",
            "i'm good",
            "close by",
            "nearby",
            "walking distance",
            "not far",
            "drives me",
            "drive me",
        ),
        UNSURE: ("not sure", "unsure", "maybe", "idk", "i don't know", "don't know", "dunno", "depends"),
    },
    negators=frozenset(),
)


def parse_transport(text: str) -> Parsed:
    clean = readable(text)
    answer = polar(clean, _TRANSPORT) if clean else None
    if answer is None:
        return Parsed.fail(
            "Would getting to appointments be a problem? Say yes if it would be hard, or no if it's fine."
        )
    return Parsed(True, answer)
