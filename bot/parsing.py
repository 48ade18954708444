"""Reading short free-text answers: normalising, yes/no, numbers, forgiving phrase look-ups.

Answers arrive from SMS and chat, so they are short, misspelt and full of shorthand. Everything here is
pure and fast: it runs on every message.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Generic, Iterable, Mapping, Optional, TypeVar

T = TypeVar("T")

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"(?:(?!(?<=\d)\.(?=\d))[^a-z0-9'+\- ])+")  # a decimal point stays: "2.5"
_CLAUSE = re.compile(r"[,;:!?()]+|\.(?!\d)|\bbut\b|\bthough\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\d.])")

NUMBER_WORDS: Mapping[str, int] = {
    "zero": 0,
    "none": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}

# A count in digits or words, for other patterns to build on ("3", "three", "once", "twice"); see count().
COUNT = r"\d+|once|twice|" + "|".join(NUMBER_WORDS)


def count(word: str) -> float:
    """The value of a word that COUNT matched."""
    word = word.lower()
    return float(word) if word.isdigit() else float({"once": 1, "twice": 2}.get(word) or NUMBER_WORDS[word])


YES_WORDS = frozenset(
    "yes y yeah yea yeh yep yup ya yah ye yess yesss sure ok okay k affirmative definitely absolutely "
    "correct right true certainly".split()
)
NO_WORDS = frozenset("no n nope nah na naw nay never negative nvr noo nop".split())  # with SMS shorthand
YES_PHRASES = (
    "i do",
    "i have",
    "i am",
    "i did",
    "of course",
    "i agree",
    "i think so",
    "thats right",
    "i dont mind",
    "dont mind",
    "go ahead",
)
NO_PHRASES = (
    "i dont",
    "i do not",
    "i havent",
    "i have not",
    "i didnt",
    "i did not",
    "im not",
    "i am not",
    "not really",
    "not at all",
    "dont think so",
    "no way",
    "not true",
    "absolutely not",
    "definitely not",
    "of course not",
    "certainly not",
    "i never",
    "i have never",
    "ive never",
    "never have",
    "never did",
    "i wont",
    "i will not",
    "not once",
    "never once",
    "not even once",
    "no chance",
    "not a chance",
)
# Answers that say "I can't tell": never read as yes or no.
UNSURE_PHRASES = (
    "not sure",
    "im not sure",
    "i am not sure",
    "unsure",
    "im unsure",
    "i am unsure",
    "not certain",
    "im not certain",
    "i am not certain",
    "i dont know",
    "dont know",
    "i do not know",
    "do not know",
    "idk",
    "dunno",
    "no idea",
    "i have no idea",
    "no clue",
    "i have no clue",
    "cant say",
    "who knows",
    "hard to say",
)
# Half-yes answers. A plain yes/no question cannot take them as either; the safety questions read them as
# yes (see bot.instruments.cssrs).
MAYBE_PHRASES = (
    "maybe",
    "perhaps",
    "possibly",
    "probably",
    "i guess",
    "i suppose",
    "kind of",
    "kinda",
    "sort of",
    "sorta",
)
# "It happens now and then": a frequency of 1 on the PHQ-9 and GAD-7, a yes to a safety question.
SOMETIMES_PHRASES = (
    "sometimes",
    "sumtimes",
    "some times",
    "a little",
    "a lil",
    "a lil bit",
    "a little bit",
    "a bit",
    "occasionally",
    "now and then",
    "now and again",
    "every now and then",
    "every so often",
    "from time to time",
    "once in a while",
    "on and off",
    "off and on",
    "here and there",
    "at times",
    "once or twice",
    "a few times",
    "a couple of times",
    "a couple times",
    "couple of times",
    "rarely",
    "hardly ever",
)
# A phrase right after one of these ("not every day", "I don't feel it often") names nothing.
NEGATORS = frozenset("not never dont doesnt didnt isnt wasnt arent werent havent hasnt wouldnt wont cant".split())
NEGATION_REACH = 3  # words a negator reaches forward
# The same words as written in raw text, apostrophe or not ("didn't", "didnt"), for regular expressions.
NEGATOR = "(?:not|never|" + "|".join(sorted(w[:-1] + "['’]?t" for w in NEGATORS if w.endswith("nt"))) + ")"
_NEGATED_HERE = re.compile(rf"\b{NEGATOR}\s+(?:even\s+)?$", re.IGNORECASE)
MIN_TYPO = 4  # shortest word read as a typo of a longer one


def normalise(text: str) -> str:
    """Lower-case, strip accents and punctuation (keeping digits, decimal points, ' + -), collapse spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("’", "'").replace("`", "'")
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    return normalise(text).split()


def match_key(text: str) -> str:
    """`normalise` for phrase matching: no apostrophes ("don't" = "dont"), "2-4" read as "2 to 4"."""
    norm = normalise(text).replace("'", "")
    norm = re.sub(r"(?<=\d)\s*-\s*(?=\d)", " to ", norm)
    return _SPACES.sub(" ", re.sub(r"-(?!\d)", " ", norm)).strip()


def negated_at(text: str, start: int) -> bool:
    """Whether a negator stands right before `start` in the raw text ("not once", "haven't in 2 weeks")."""
    return bool(_NEGATED_HERE.search(text, 0, start))


def numbers(text: str) -> list[float]:
    """Every number written in the answer, in digits ("-1", "2.5") or as a single word ("three")."""
    found = [float(n) for n in _NUMBER.findall(normalise(text))]
    return found + [float(NUMBER_WORDS[w]) for w in match_key(text).split() if w in NUMBER_WORDS and w != "none"]


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


@dataclass(frozen=True)
class Found(Generic[T]):
    values: list[T]  # what the phrases name, in the order they appear
    rest: str  # the answer's words that no phrase used (where a bare number would be)
    negated: list[T] = field(default_factory=list)  # what phrases a negator cancelled would have named


class PhraseTable(Generic[T]):
    """Phrases that name values, found as whole words in an answer.

    Forgiving in the ways short answers need: a word that is a small typo of one of the table's own words
    is read as that word ("sevral" -> "several"; `fuzzy` False turns this off), longer phrases win over the
    shorter ones inside them ("more than half the days" over "half"), and a phrase a negator reaches ("not
    every day") is used up but names nothing, except the `steady` phrases, which no negator cancels ("not
    yet" still says "yet").
    """

    def __init__(self, entries: Mapping[str, T], *, steady: Iterable[str] = (), fuzzy: bool = True):
        self._entries = {tuple(match_key(p).split()): v for p, v in entries.items()}
        self._by_first_word: dict[str, list[tuple[str, ...]]] = {}
        for phrase in self._entries:
            self._by_first_word.setdefault(phrase[0], []).append(phrase)
        self._steady = {tuple(match_key(p).split()) for p in steady}
        # A short word is too often another real word one letter away ("now" and "no", "note" and "not"):
        # only words of MIN_TYPO letters or more are corrected, and only into words that long.
        self._vocabulary = {w for phrase in self._entries for w in phrase}
        self._targets: dict[str, list[str]] = {}
        for word in sorted(self._vocabulary) if fuzzy else ():
            if len(word) >= MIN_TYPO:
                self._targets.setdefault(word[0], []).append(word)

    def _correct(self, word: str) -> str:
        # Typos keep their first letter far more often than not; requiring it stops "ever" becoming "never".
        if word in self._vocabulary or len(word) < MIN_TYPO or any(c.isdigit() for c in word):
            return word
        match = difflib.get_close_matches(word, self._targets.get(word[0], []), n=1, cutoff=0.8)
        return match[0] if match else word

    def find(self, text: str) -> Found[T]:
        values: list[T] = []
        negated: list[T] = []
        rest: list[str] = []  # per clause, so the rest can be read by another table the same way
        for clause in _CLAUSE.split(text or ""):
            original = match_key(clause).split()
            tokens = [self._correct(w) for w in original]
            used = [False] * len(tokens)
            hits = []
            present = {phrase for word in set(tokens) for phrase in self._by_first_word.get(word, ())}
            for phrase in sorted(present, key=lambda phrase: (-len(phrase), phrase)):
                size = len(phrase)
                for start in range(len(tokens) - size + 1):
                    if tuple(tokens[start : start + size]) == phrase and not any(used[start : start + size]):
                        used[start : start + size] = [True] * size
                        hits.append((start, phrase))
            for start, phrase in sorted(hits):
                kept = phrase[0] in NEGATORS or phrase in self._steady or not _negated(tokens, used, start)
                (values if kept else negated).append(self._entries[phrase])
            rest.append(" ".join(w for w, u in zip(original, used, strict=True) if not u))
        return Found(values, ", ".join(r for r in rest if r), negated)


def _negated(tokens: list[str], used: list[bool], start: int) -> bool:
    """Whether a negator stands within reach before `start`, with no other phrase in between."""
    for i in range(start - 1, max(start - 1 - NEGATION_REACH, -1), -1):
        if used[i]:
            return False
        if tokens[i] in NEGATORS:
            return True
    return False


YES_NO: Mapping[str, bool] = {
    **dict.fromkeys(YES_WORDS | set(YES_PHRASES), True),
    **dict.fromkeys(NO_WORDS | set(NO_PHRASES), False),
}
_YES_NO = PhraseTable(YES_NO)
# Read before yes/no, so "not sure" is never "not" + "sure" and "I'm not sure" never "I'm not".
UNSURE = PhraseTable(dict.fromkeys(UNSURE_PHRASES, True))
_UNSURE_OR_MAYBE = PhraseTable(dict.fromkeys(UNSURE_PHRASES + MAYBE_PHRASES, True))


def parse_yes_no(text: str) -> Optional[bool]:
    """True for yes, False for no, None when the answer says neither, both, or "not sure"."""
    if _UNSURE_OR_MAYBE.find(text).values:
        return None
    said = set(_YES_NO.find(text).values)
    return said.pop() if len(said) == 1 else None


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


MARKUP = re.compile(r"<\s*/?\s*[a-z!][^>]*>|&#?\w+;|javascript\s*:", re.I)
SQL = re.compile(
    r"\b(?:drop|truncate|alter)\s+table\b|\bunion\s+(?:all\s+)?select\b|\binsert\s+into\b|\bdelete\s+from\b"
    r"|\bselect\s+\*|'\s*(?:or|and)\s+'?\w+'?\s*=\s*'?\w+|;\s*--",
    re.I,
)


def looks_like_code(text: str) -> bool:
    """HTML/script markup or an SQL statement: never a real answer to an intake question."""
    return bool(MARKUP.search(text) or SQL.search(text))
