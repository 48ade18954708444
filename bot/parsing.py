"""Reading short free-text answers: normalising, yes/no, numbers, forgiving look-ups.

Answers arrive from SMS and chat, so they are short, misspelt and full of shorthand. Everything here is
pure and fast: it runs on every message.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Iterable, Mapping, Optional, TypeVar

T = TypeVar("T")

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^a-z0-9'+\- ]+")

NUMBER_WORDS: Mapping[str, int] = {
    "zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}

YES_WORDS = frozenset(
    "yes y yeah yea yep yup ya yah ye yess yesss sure ok okay k affirmative definitely absolutely "
    "correct right true agree i agree of course certainly".split()
)
NO_WORDS = frozenset("no n nope nah na naw nay never negative".split())


def normalise(text: str) -> str:
    """Lower-case, strip accents and punctuation (keeping digits, ' + -), collapse spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("’", "'").replace("`", "'")
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    return normalise(text).split()


def parse_number(text: str) -> Optional[int]:
    """The single whole number in an answer ("34", "I'm 34", "thirty four"), or None.

    Two different numbers ("3 or 4") are ambiguous and give None.
    """
    norm = normalise(text)
    digits = re.findall(r"(?<![\d.])\d+(?![\d.])", norm)
    if digits:
        return int(digits[0]) if len(set(digits)) == 1 else None
    total, seen = 0, False
    for word in norm.replace("-", " ").split():
        if word in NUMBER_WORDS:
            value = NUMBER_WORDS[word]
            if seen and not (total % 10 == 0 and total >= 20 and value < 10):
                return None  # "two three": not one number
            total, seen = total + value, True
    return total if seen else None


def parse_yes_no(text: str) -> Optional[bool]:
    """True for yes, False for no, None when the answer says neither (or both)."""
    norm = normalise(text)
    if not norm:
        return None
    if norm in YES_WORDS:
        return True
    if norm in NO_WORDS:
        return False
    tokens = norm.split()
    no = any(t in NO_WORDS for t in tokens) or bool(re.match(r"i (don'?t|haven'?t|didn'?t|am not)\b", norm))
    yes = any(t in YES_WORDS for t in tokens) or (not no and bool(re.match(r"i (do|have|am|did)\b", norm)))
    if yes != no:
        return yes
    return None


def fuzzy_lookup(text: str, table: Mapping[str, T], cutoff: float = 0.84) -> Optional[T]:
    """Value of the table key that `text` names, forgiving small typos ("oregn" -> "oregon")."""
    norm = normalise(text)
    if norm in table:
        return table[norm]
    match = difflib.get_close_matches(norm, list(table), n=1, cutoff=cutoff)
    return table[match[0]] if match else None


def find_phrases(text: str, phrases: Iterable[str]) -> list[str]:
    """Phrases from `phrases` that occur in the text as whole words, longest first, no overlaps."""
    norm = f" {normalise(text)} "
    found: list[str] = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        needle = f" {normalise(phrase)} "
        if needle.strip() and needle in norm:
            found.append(phrase)
            norm = norm.replace(needle, " | ")
    return found
