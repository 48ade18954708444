"""Undoing the spellings people use for crisis words: typos, shorthand, censoring and split words.

Two steps, both cheap: `rewrite` runs on the raw text before tokenising (joins "my self", "self harm",
"sewer slide"; reads "k!ll" and "su*cide"), `Speller` runs per token after tokenising (typos within one
edit of a crisis word, SMS shorthand). Typo variants that are English words ("overdone") are left
alone, so an ordinary word is never read as a crisis word.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable, Mapping, Optional

# Joined or renamed before tokenising: each is one word to the patterns afterwards.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # Before "my self" is joined, so that "my self harm" stays the noun.
        (r"\bself[\s\-]*(harm(?:ing|ed|s)?|injur(?:y|ing|ies|e|ed)|mutilat\w*)\b", "selfharm"),
        (r"\b(my|me|him|her|your|them|our)[\s\-]+sel(f|ves)\b", r"\1sel\2"),
        (r"\bthemself\b|\bthemselfs\b", "themselves"),
        (r"\bs/h\b", "selfharm"),
        (r"\bsh[\-'](?:ing|ed|d)\b", "selfharm"),  # "sh-ing", "sh'd"
        (r"\bover[\s\-]+dos(e|ed|es|ing)\b", r"overdos\1"),  # "over dose"
        (r"\bsewer[\s\-]*slid(e|ing)\b", "suicide"),
        (r"\bsui[\s\-]?slide\b", "suicide"),
        (r"\bun[\s\-]alive\b", "unalive"),
        (r"\bself[\s\-]*delet(e|ing)\b", "unalive"),
        (r"\bkillmyself\b", "kill myself"),
        (r"\bimma\b", "i am going to"),
        (r"\bidc\b|\bidgaf\b", "i do not care"),
        (r"\b(want|wanna|need|going|ready|trying|wish)\s+2\b", r"\1 to"),  # "want 2 die", not "took 2 pills"
        (r"\*(\w+)\*", r"\1"),  # *emphasis*
        (r"([a-z])\1{2,}", r"\1"),  # "dieeee", "sooo"
        (r"\bo\.?d'd\b|\bo\.d\.'?d\b", "overdosed"),
        (r"\bo\.d\.", "od"),
    )
)

# Censored or "leet" spellings: a word with symbols or digits inside is matched against these shapes.
_CENSOR_TARGETS = (
    "kill",
    "killing",
    "killed",
    "suicide",
    "suicidal",
    "die",
    "dead",
    "unalive",
    "myself",
    "overdose",
    "cut",
    "cutting",
)
_LEET = {"1": "[il]", "!": "[il]", "3": "e", "0": "o", "4": "a", "@": "a", "$": "s", "5": "s", "*": "[a-z]"}
_CENSORED = re.compile(r"\b[a-z$@]*[a-z$@][*!1305@4$][a-z*!1305@4$]*[a-z]*")

# Shorthand and slang read as the word they stand for (one token to one token).
SHORTHAND: Mapping[str, str] = {
    "wanna": "want",
    "wana": "want",
    "wnt": "want",
    "wantto": "want",
    "kil": "kill",
    "kll": "kill",
    "kiil": "kill",
    "killl": "kill",
    "kilin": "killing",
    "killin": "killing",
    "ded": "dead",
    "dieing": "dying",
    "dyin": "dying",
    "urself": "yourself",
    "meself": "myself",
    "myslf": "myself",
    "mysef": "myself",
    "myseld": "myself",
    "unaliving": "unalive",
    "unalived": "unalive",
    "suicidial": "suicidal",
    "suicidle": "suicidal",
    "sucidal": "suicidal",
    "sucidial": "suicidal",
    "sucide": "suicide",
    "suiside": "suicide",
    "suicde": "suicide",
    "suecide": "suicide",
    "selfharming": "selfharm",
    "selfharmed": "selfharm",
    "selfharms": "selfharm",
    "overdosin": "overdosing",
    "overdoze": "overdose",
    "ovedose": "overdose",
    "rn": "now",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2nite": "tonight",
    "tonite": "tonight",
    "2day": "today",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "cos": "because",
    "pls": "please",
    "plz": "please",
    "ppl": "people",
    "every1": "everyone",
    "u": "you",
    "ur": "your",
    "r": "are",
    "ya": "you",
    "lyfe": "life",
    "dissapear": "disappear",
    "dissappear": "disappear",
}

# Typos within one edit of these are read as them; see `typo_table`.
TYPO_TARGETS = (
    "suicide",
    "suicidal",
    "suicides",
    "myself",
    "overdose",
    "overdosed",
    "overdosing",
    "selfharm",
    "unalive",
    "goodbye",
    "disappear",
)

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return deletes | swaps | replaces | inserts


def typo_table(is_word: Callable[[str], bool]) -> dict[str, str]:
    """Every one-edit typo of a target that is not itself an English word."""
    table: dict[str, str] = {}
    for target in TYPO_TARGETS:
        for variant in _one_edit(target):
            if variant != target and len(variant) >= 5 and not is_word(variant):
                table.setdefault(variant, target)
    return table


def _uncensor(match: re.Match[str]) -> str:
    word = match.group(0)
    shape = "".join(_LEET.get(ch, re.escape(ch)) for ch in word)
    hits = [target for target in _CENSOR_TARGETS if re.fullmatch(shape, target)]
    return hits[0] if len(hits) == 1 else word


def rewrite(text: str) -> str:
    """Lower-case, fold accents and curly quotes, and apply the rewrites above (before tokenising)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = _CENSORED.sub(_uncensor, text)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


class Speller:
    """Per-token spelling: shorthand first, then the one-edit typo table."""

    def __init__(self, is_word: Callable[[str], bool]) -> None:
        self._typos = typo_table(is_word)

    def correct(self, word: str) -> Optional[str]:
        fixed = SHORTHAND.get(word) or self._typos.get(word)
        return fixed if fixed and fixed != word else None
