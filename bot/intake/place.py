"""Which US state someone lives in: "Oregon", "OR", "oregn", "portland, or", "i live in washington state".

Two-letter codes are also everyday words ("in", "or", "me", "ok"), so a code counts only when it is the
whole answer, written in capitals inside a sentence ("I'm in WA"), or ends a short answer ("portland or").
"""

from __future__ import annotations

import difflib
import re
from itertools import pairwise
from typing import Optional

from bot.parsing import find_phrases, looks_like_code, normalise
from bot.program import US_STATES
from bot.questions import Parsed

_ALIASES = {
    "washington state": "WA",
    "washington dc": "DC",
    "dc": "DC",
    "d c": "DC",
    "the district": "DC",
    "cali": "CA",
    "calif": "CA",
    "mass": "MA",
    "jersey": "NJ",
    "nyc": "NY",
    "new york city": "NY",
    "penn": "PA",
    "pennsylvannia": "PA",
}
_NAMES: dict[str, str] = {**{normalise(name): code for code, name in US_STATES.items()}, **_ALIASES}
_CODES = {code.lower(): code for code in US_STATES}
# Lower-case codes that are, on their own, far more often a word than a state.
_WORD_CODES = frozenset({"ok", "hi", "oh", "me"})
_FILLER = frozenset(
    (
        "i live in we live in i'm in im in i am in we're in were in she lives in he lives in they live in "
        "from the state of currently right now based located my home is it's its usa us united states"
    ).split()
)
_MIN_FUZZY_WORD = 5  # shorter words must be exact: one typo in "iowa" or "ohio" makes another word
_FUZZY_CUTOFF = 0.84
_MAX_CHARS = 200
_SHORT_ANSWER_WORDS = 4


def _fuzzy(text: str) -> Optional[str]:
    match = difflib.get_close_matches(text, list(_NAMES), n=1, cutoff=_FUZZY_CUTOFF)
    return _NAMES[match[0]] if match else None


def _named(norm: str) -> set[str]:
    return {_NAMES[phrase] for phrase in find_phrases(norm, _NAMES)}


def _coded(raw: str, norm: str) -> set[str]:
    tokens = norm.split()
    if not raw.isupper():
        capitals = {t for t in re.findall(r"\b[A-Z]{2}\b", raw) if t in US_STATES}
        if capitals:
            return capitals
    last = tokens[-1] if tokens else ""
    if last in _CODES and len(tokens) <= _SHORT_ANSWER_WORDS and (len(tokens) > 1 or last not in _WORD_CODES):
        return {_CODES[last]}
    return set()


def _misspelt(norm: str) -> set[str]:
    words = [w for w in norm.split() if w not in _FILLER]
    whole = _fuzzy(" ".join(words)) if words else None
    if whole:
        return {whole}
    pieces = [w for w in words if len(w) >= _MIN_FUZZY_WORD] + [" ".join(p) for p in pairwise(words)]
    return {code for code in map(_fuzzy, pieces) if code}


def parse_state(text: str) -> Parsed:
    raw = (text or "").strip()
    if not raw or len(raw) > _MAX_CHARS or looks_like_code(raw):
        return Parsed.fail("Which US state do you live in? You can type the name, like Oregon, or the code, like OR.")
    norm = normalise(raw)
    for finder in (_named, lambda n: _coded(raw, n), _misspelt):
        codes = finder(norm)
        if len(codes) == 1:
            return Parsed(True, codes.pop())
        if codes:
            return Parsed.fail("I saw more than one state there. Which one state do you live in?")
    return Parsed.fail("I didn't recognise a US state there. You can type the name, like Oregon, or the code, like OR.")
