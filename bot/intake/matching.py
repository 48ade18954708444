"""Phrase tables for intake answers: longest phrase first, whole words, and a short look-back for negation.

`bot.parsing.find_phrases` answers "which phrases occur"; intake answers also need "was it negated" ("I'm
not depressed", "I don't have a therapist") and word-prefix phrases ("depress*" for depressed, depression,
depressing), so this module keeps its own small matcher on top of `normalise`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Iterable, Mapping, Optional, TypeVar

from bot.parsing import NUMBER_WORDS, looks_like_code, normalise, parse_yes_no

T = TypeVar("T")

# Words that, shortly before a phrase, say the phrase is absent: "not anxious", "never had a therapist".
NEGATORS = frozenset(
    "not no never nor without isn't aren't wasn't weren't don't doesn't didn't haven't hasn't won't wouldn't "
    "ain't".split()
)
# A negation does not reach past these: in "not depressed but anxious" (or "just anxious") only "depressed"
# is negated.
_BOUNDARIES = frozenset("but and though although however so yet just".split())
# Commas end a clause, except before words that carry the exclusion forward ("any time, except mornings").
_KEEP_TOGETHER = re.compile(r"[,;:]\s*(?=(?:except|but not|other than|besides)\b)", re.I)
_CLAUSE_END = re.compile(r"[.!?;,\n]+")


def match_form(text: str) -> str:
    """The form phrases are matched in: normalised, hyphens as spaces, possessive 's dropped."""
    norm = normalise(text).replace("-", " ")
    norm = re.sub(r"'s\b", "", norm)
    return re.sub(r"\s+", " ", norm).strip()


def readable(text: str, limit: int = 500) -> Optional[str]:
    """The answer trimmed, or None when it is empty, longer than any short answer, or looks like code."""
    text = (text or "").strip()
    return text if text and len(text) <= limit and not looks_like_code(text) else None


def has_letters(text: str) -> bool:
    """At least one letter in any script; emoji, digits and punctuation alone are not words."""
    return any(c.isalpha() for c in text)


def strip_symbols(text: str) -> str:
    """Text without emoji, pictographs and their joiners and modifiers, in composed form."""
    text = unicodedata.normalize("NFC", text)
    kept = (c for c in text if unicodedata.category(c) not in ("So", "Sk", "Cf", "Cs", "Co") and c != "\ufe0f")
    return "".join(kept)


def clauses(text: str) -> list[str]:
    return [part for part in _CLAUSE_END.split(_KEEP_TOGETHER.sub(" ", text)) if part.strip()]


def _pattern(phrase: str) -> str:
    """Regex for one phrase: a trailing * makes a word a prefix; apostrophes are optional ("cant")."""
    parts = []
    for word in phrase.split():
        prefix = word.endswith("*")
        body = re.escape(match_form(word.rstrip("*"))).replace("'", "'?")
        parts.append(body + (r"[a-z0-9'+]*" if prefix else ""))
    return r"(?<![^ ])" + " ".join(parts) + r"(?![^ ])"


@dataclass(frozen=True)
class Matches(Generic[T]):
    found: frozenset[T]  # values named and not negated
    negated: frozenset[T]  # values only ever named after a negator


@dataclass
class PhraseTable(Generic[T]):
    """value -> phrases. Longer phrases win ("manic depression" is bipolar, not depression)."""

    phrases: Mapping[T, Iterable[str]]
    negators: frozenset[str] = NEGATORS
    window: int = 3  # words looked back for a negator
    _compiled: list[tuple[re.Pattern[str], T]] = field(init=False, repr=False)
    _negators: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._negators = frozenset(word.replace("'", "") for word in self.negators)  # "dont" as "don't"
        pairs = [(phrase, value) for value, group in self.phrases.items() for phrase in group]
        pairs.sort(key=lambda pair: len(pair[0].rstrip("*")), reverse=True)
        self._compiled = [(re.compile(_pattern(phrase)), value) for phrase, value in pairs]

    def _negated(self, before: str) -> bool:
        for word in reversed(before.split()[-self.window :]):
            if word in _BOUNDARIES:
                return False
            if word.replace("'", "") in self._negators:
                return True
        return False

    def match(self, text: str) -> Matches[T]:
        found: set[T] = set()
        negated: set[T] = set()
        for clause in clauses(text):
            original = match_form(clause)
            working = original
            for pattern, value in self._compiled:
                for hit in pattern.finditer(working):
                    (negated if self._negated(original[: hit.start()]) else found).add(value)
                # Blank out what matched so a shorter phrase inside it does not match again.
                working = pattern.sub(lambda m: "_" * len(m.group()), working)
        return Matches(frozenset(found), frozenset(negated - found))


UNSURE = "unsure"


def polar(text: str, table: PhraseTable[Any]) -> Optional[bool]:
    """Yes/no from a table of True/False/UNSURE phrases, then the shared yes/no words; None if unclear.

    A definite answer outranks hedging ("not sure, maybe once a month" is a yes); both yes and no is unclear.
    """
    hits = table.match(text).found
    definite = hits & {True, False}
    if len(definite) == 1:
        return bool(next(iter(definite)))
    if definite or UNSURE in hits:
        return None
    return parse_yes_no(text)


# --- how long ago ---------------------------------------------------------------------------------------

UNIT_DAYS = {"day": 1, "night": 1, "week": 7, "month": 30, "year": 365}
_AMOUNT_WORDS = {
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "couple": 2,
    "a few": 3,
    "few": 3,
    "several": 3,
    "an": 1,
    "a": 1,
}
# Longest first, so "a couple of" is not read as "a".
AMOUNT = "|".join([r"\d+", *sorted(NUMBER_WORDS, key=len, reverse=True), *_AMOUNT_WORDS])
UNIT = r"(day|night|week|month|year)s?"
_HEDGE = r"(?:(?:about|almost|nearly|over|like|maybe|around|roughly|only|just|less than|more than) )?"
_AGO = re.compile(rf"\b{_HEDGE}({AMOUNT}) {UNIT} (?:ago|back)\b")
_SOME_AGO = re.compile(r"\b(day|week|month|year)s (?:ago|back)\b")  # "weeks ago": at least two
_WEEKDAY = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")  # "mondays" is a habit
_YEAR = re.compile(r"\b(?:in|since|during|back in) ((?:19|20)\d\d)\b")
# A point in time, as days before today. Vague ones take a typical value: what matters is only whether it
# falls within a window of a few weeks.
_WHEN = {
    "today": 0,
    "this morning": 0,
    "this afternoon": 0,
    "tonight": 0,
    "earlier today": 0,
    "just now": 0,
    "yesterday": 1,
    "last night": 1,
    "the other day": 2,
    "this week": 3,
    "earlier this week": 3,
    "last weekend": 5,
    "last week": 7,
    "this month": 15,
    "earlier this month": 15,
    "last month": 30,
    "this year": 180,
    "earlier this year": 180,
    "a while ago": 90,
    "a while back": 90,
    "last year": 365,
    "long ago": 730,
    "a long time ago": 730,
    "ages ago": 730,
    "years ago": 730,
    "as a teen": 1825,
    "as a teenager": 1825,
    "in high school": 1825,
    "in college": 1825,
    "when i was younger": 1825,
    "as a kid": 3650,
    "as a child": 3650,
    "when i was a kid": 3650,
    "when i was little": 3650,
    "growing up": 3650,
}
_WHEN_PATTERN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _WHEN), key=len, reverse=True)) + r")\b")


def amount_days(amount: str, unit: str) -> int:
    """Days in "3 weeks", "a couple of months", "ten days"; no amount ("for years") is at least two."""
    number = int(amount) if amount.isdigit() else NUMBER_WORDS.get(amount, _AMOUNT_WORDS.get(amount, 2))
    return number * UNIT_DAYS[unit]


def days_ago(text: str) -> list[int]:
    """Every point in time the text names, as days before today: "3 years ago", "yesterday", "last week",
    "on monday", "in 2019", "as a teen". Durations ("for 2 weeks") are not points in time."""
    norm = match_form(text)
    found: list[int] = []

    def take(match: re.Match[str]) -> str:
        found.append(amount_days(match.group(1), match.group(2)))
        return " "

    norm = _AGO.sub(take, norm)
    found += [2 * UNIT_DAYS[unit] for unit in _SOME_AGO.findall(norm)]
    norm = _SOME_AGO.sub(" ", norm)
    found += [_WHEN[phrase] for phrase in _WHEN_PATTERN.findall(norm)]
    found += [7 for _ in _WEEKDAY.findall(norm)]
    this_year = date.today().year
    found += [(this_year - int(year)) * 365 for year in _YEAR.findall(norm) if int(year) < this_year]
    return found
