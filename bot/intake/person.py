"""Consent, who the screening is for, their first name and age."""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

from bot.intake.matching import UNSURE, PhraseTable, polar, readable, strip_symbols
from bot.parsing import looks_like_code, normalise, parse_number
from bot.questions import Parsed

# --- consent ----------------------------------------------------------------------------------------

_CONSENT = PhraseTable(
    {
        True: (
            "yes",
            "yes please",
            "ok",
            "okay",
            "sure",
            "let's go",
            "let's start",
            "let's do it",
            "start",
            "go ahead",
            "ready",
            "i'm ready",
            "sounds good",
            "alright",
            "all right",
            "fine",
            "begin",
            "yep",
            "yup",
        ),
        False: (
            "no",
            "not now",
            "not yet",
            "not today",
            "later",
            "maybe later",
            "no thanks",
            "no thank you",
            "rather not",
            "don't want to",
            "not ready",
            "nope",
            "nah",
            "cancel",
        ),
        UNSURE: ("not sure", "unsure", "maybe", "idk", "i don't know", "don't know", "dunno"),
    }
)


def parse_consent(text: str) -> Parsed:
    clean = readable(text)
    answer = polar(clean, _CONSENT) if clean else None
    if answer is None:
        return Parsed.fail("Just say yes to start, or no if now isn't a good time.")
    return Parsed(True, answer)


# --- for whom -----------------------------------------------------------------------------------------

RELATIONS = (
    "son",
    "daughter",
    "child",
    "kid",
    "teen",
    "teenager",
    "stepson",
    "stepdaughter",
    "stepchild",
    "grandson",
    "granddaughter",
    "grandchild",
    "partner",
    "wife",
    "husband",
    "spouse",
    "boyfriend",
    "girlfriend",
    "fiance",
    "fiancee",
    "mom",
    "mum",
    "mother",
    "dad",
    "father",
    "parent",
    "brother",
    "sister",
    "sibling",
    "friend",
    "roommate",
    "niece",
    "nephew",
    "cousin",
    "aunt",
    "uncle",
    "grandma",
    "grandpa",
    "grandmother",
    "grandfather",
    "client",
    "patient",
    "student",
    "loved one",
    "family member",
)
_OTHER = PhraseTable(
    {
        "other": (
            "other",
            "someone else",
            "somebody else",
            "someone i know",
            "another person",
            "a loved one",
            "a family member",
            "a friend",
            "for him",
            "for her",
            "for them",
            "him",
            "her",
            "them",
            *(f"my {relation}*" for relation in RELATIONS),
        )
    }
)
# "me" alone is weak: "asking for my daughter, she asked me to" is for someone else.
_SELF = PhraseTable(
    {
        "self": (
            "self",
            "myself",
            "for me",
            "for myself",
            "just me",
            "it's me",
            "me personally",
            "it's for me",
            "yourself",
        )
    }
)


MAX_WEAK_SELF_WORDS = 4


def parse_for_whom(text: str) -> Parsed:
    clean = readable(text)
    if not clean:
        return Parsed.fail("Is this for you, or for someone else?")
    other = bool(_OTHER.match(clean).found)
    self_strong = bool(_SELF.match(clean).found)
    if other and self_strong:
        return Parsed.fail("Is this screening about you, or about someone else? It covers one person at a time.")
    if other:
        return Parsed(True, "other")
    words = normalise(clean).split()
    # A bare "me" or "I am" answers; a sentence that merely contains "I" ("can I talk to a real person")
    # is not an answer, so a request in it is heard.
    if self_strong or (len(words) <= MAX_WEAK_SELF_WORDS and {"me", "mine", "i"} & set(words)):
        return Parsed(True, "self")
    return Parsed.fail("Is this for you, or for someone else?")


# --- first name ---------------------------------------------------------------------------------------

MAX_NAME_WORDS = 3
_LEAD_INS = tuple(
    tuple(phrase.split())
    for phrase in (
        "hi",
        "hello",
        "hey",
        "hiya",
        "hola",
        "bonjour",
        "ok",
        "okay",
        "sure",
        "yes",
        "yeah",
        "um",
        "uh",
        "well",
        "oh",
        "my name is",
        "my name's",
        "my first name is",
        "first name is",
        "first name",
        "name is",
        "name's",
        "the name is",
        "i'm",
        "im",
        "i am",
        "it's",
        "its",
        "it is",
        "this is",
        "call me",
        "you can call me",
        "they call me",
        "i go by",
        "he goes by",
        "she goes by",
        "they go by",
        "his name is",
        "her name is",
        "their name is",
        "his name's",
        "her name's",
        "he's",
        "she's",
        "they're",
        "he is",
        "she is",
        "they are",
        "me llamo",
        "mi nombre es",
        "se llama",
        "soy",
        "je m'appelle",
        "je suis",
        *(f"my {relation}" for relation in RELATIONS),
        *(f"my {relation} is" for relation in RELATIONS),
        *(f"my {relation}'s name is" for relation in RELATIONS),
    )
)
_TRAILERS = tuple(
    tuple(phrase.split())
    for phrase in (
        "thanks",
        "thank you",
        "thx",
        "ty",
        "here",
        "please",
        "lol",
        "haha",
        "gracias",
        "merci",
    )
)
# Never a name on its own: answers, refusals, placeholders, code words.
_NEVER_NAMES = frozenset(
    (
        "yes no yep nope nah ok okay sure idk dunno skip none nothing nobody anonymous anon unknown test "
        "testing null undefined nil na me myself you why what who how stop help hello hi hey select drop "
        "delete insert table script alert private secret later name prefer rather"
    ).split()
)
# Not names when they come with other words ("I don't want to say" is four such words).
_FUNCTION_WORDS = frozenset(
    (
        "i my mine your the a is are am was be not don't dont want wanna say tell to for with this that it "
        "in on of and or but if so just only really would like rather prefer know someone else asking ask "
        "go by call llamo nombre"
    ).split()
) | frozenset(relation for phrase in RELATIONS for relation in phrase.split())
_NAME_PUNCTUATION = frozenset("'.-")  # inside names: O'Brien, St. John, Mary-Jane
_SEPARATORS = frozenset(",!?")


def _letter(c: str) -> bool:
    return c.isalpha() or unicodedata.category(c).startswith("M")  # marks: Devanagari, Thai vowel signs


def _name_characters_only(text: str) -> bool:
    return all(_letter(c) or c.isspace() or c in _NAME_PUNCTUATION or c in _SEPARATORS for c in text)


def _is_name_word(word: str) -> bool:
    """Letters with single ' . - between them, an optional closing dot: "O'Brien", "J.", "Mary-Jane"."""
    core = word[:-1] if word.endswith(".") else word
    return (
        bool(core)
        and _letter(core[0])
        and _letter(core[-1])
        and not any(a in _NAME_PUNCTUATION and b in _NAME_PUNCTUATION for a, b in pairwise(core))
    )


def _strip_edges(tokens: list[str], phrases: tuple[tuple[str, ...], ...], front: bool) -> list[str]:
    """Remove lead-in (or trailing) phrases, longest first, until none is left at that edge."""
    ordered = sorted(phrases, key=len, reverse=True)
    changed = True
    while changed and tokens:
        changed = False
        lowered = [t.lower() for t in tokens]
        for phrase in ordered:
            n = len(phrase)
            edge = lowered[:n] if front else lowered[-n:]
            if n <= len(tokens) and tuple(edge) == phrase:
                tokens = tokens[n:] if front else tokens[:-n]
                changed = True
                break
    return tokens


def _title(word: str) -> str:
    """Title-case a name typed all lower or all upper ("mary-jane" -> "Mary-Jane"); keep "DeShawn"."""
    word = word.rstrip(".") if len(word.rstrip(".")) > 1 else word
    return word.title() if word.islower() or word.isupper() else word


def parse_first_name(text: str) -> Parsed:
    raw = strip_symbols((text or "").replace("\u2019", "'")).strip()
    if not raw:
        return Parsed.fail("What first name should I use? Any name or nickname is fine.")
    if len(raw) > 80 or looks_like_code(raw) or not _name_characters_only(raw):
        return Parsed.fail("Could you type just the first name, in letters? A nickname is fine.")
    tokens = [t for t in re.split(r"[\s,!?]+", raw) if t.strip(".'-")]
    tokens = _strip_edges(_strip_edges(tokens, _LEAD_INS, front=True), _TRAILERS, front=False)
    lowered = [t.lower().strip(".") for t in tokens]
    if not tokens or len(tokens) > MAX_NAME_WORDS:
        return Parsed.fail("Could you type just the first name? A nickname is fine.")
    if not all(_is_name_word(t) for t in tokens) or all(len(t.strip(".")) == 1 for t in tokens):
        return Parsed.fail("Could you type just the first name, in letters? A nickname is fine.")
    if _NEVER_NAMES & set(lowered) or (len(tokens) > 1 and _FUNCTION_WORDS & set(lowered)):
        return Parsed.fail("What first name should I use? Any name or nickname is fine.")
    return Parsed(True, " ".join(_title(t) for t in tokens))


# --- age ------------------------------------------------------------------------------------------------

MAX_AGE = 120
_AGE_MAX_CHARS = 100  # also keeps parse_number clear of Python's limit on very long digit strings
_NOT_YEARS = re.compile(r"\b(?:months?|mos?|weeks?|wks?|days?)\b")
_DECADE = re.compile(r"\d0 ?'?s\b|\b(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b")
_APPROXIMATE = re.compile(r"\b(?:almost|nearly|about to turn|turning|soon to be|going on)\b")
_NEGATIVE = re.compile(r"(?:^|[^\w])-\s*\d")


def parse_age(text: str) -> Parsed:
    raw = readable(text, limit=_AGE_MAX_CHARS)
    if not raw:
        return Parsed.fail("Please type the age as a number, like 34.")
    norm = normalise(raw)
    if _NOT_YEARS.search(norm):
        return Parsed.fail("Please give the age in years, as a number, like 34.")
    if _DECADE.search(raw.lower()) or _APPROXIMATE.search(norm):
        return Parsed.fail("Please give the exact age today, as a number, like 34.")
    age = None if _NEGATIVE.search(raw) else parse_number(raw)
    if age is None:
        return Parsed.fail("I need one age, as a number, like 34.")
    if not 1 <= age <= MAX_AGE:
        return Parsed.fail("That doesn't look like an age in years. Please type it as a number, like 34.")
    return Parsed(True, age)
