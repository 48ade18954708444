"""A small notation for spaCy Matcher patterns, so the lexicon reads like the phrases it matches.

One spec is a space-separated sequence of token tests:

    want|wish          the token's NORM (lower-case, spelling-corrected form) is one of these
    ~kill|~end|gon     the token's LEMMA is one of these ("killing", "killed", "kil" all have lemma kill);
                       one ~ makes every alternative a lemma
    @NAME              a named token test from `SETS` (it may carry its own repetition)
    *3                 up to three tokens of anything but punctuation
    x?                 suffix: the test is optional
    (a b | c | d e)    one of these token sequences; "(...)?" makes the group optional
"""

from __future__ import annotations

import re
from typing import Any, Mapping

Token = dict[str, Any]

QUANTITY_WORDS = (
    "all bunch handful whole every entire bottle box pack packet ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty hundred dozen "
    "dozens"
).split()
COUNT_WORDS = "a few several multiple many two three four five six seven eight nine ten".split()

# Words that may stand between a verb of wishing and what is wished ("wish I could just", "want to
# fucking"), none of which changes who or what is meant.
FILLERS = (
    "i to just really could would can so finally quickly simply honestly fucking fuckin literally "
    "actually all even only kinda kind sort of already soon peacefully badly sometimes still truly "
    "seriously genuinely totally completely 'd did had have was were be like do will might may going "
    "gon that"
).split()

SETS: Mapping[str, Token] = {
    "FILL": {"NORM": {"IN": FILLERS}, "OP": "{0,4}"},
    "SELF": {"NORM": {"IN": ["myself", "meself"]}},
    "OTHER_SELF": {"NORM": {"IN": ["himself", "herself", "themselves", "themself", "hisself"]}},
    "THEIR": {"NORM": {"IN": ["his", "her", "their"]}},
    "DESIRE": {"LEMMA": {"IN": ["want", "wish", "hope", "need", "long", "yearn", "pray", "crave"]}},
    "MEDS": {
        "LEMMA": {
            "IN": [
                "pill",
                "tablet",
                "med",
                "meds",
                "medication",
                "medicine",
                "xanax",
                "tylenol",
                "paracetamol",
                "acetaminophen",
                "ibuprofen",
                "advil",
                "aspirin",
                "benadryl",
                "insulin",
                "oxy",
                "oxycodone",
                "opioid",
                "fentanyl",
                "heroin",
                "painkiller",
                "antidepressant",
                "sleeping",
                "benzo",
                "benzos",
                "lithium",
                "seroquel",
                "ambien",
                "klonopin",
                "valium",
                "percocet",
                "vicodin",
                "prescription",
            ]
        }
    },
    # An amount of pills that is not a dose: "all", "a handful", "the whole bottle", ten or more.
    "QTY": {"TEXT": {"REGEX": r"^([1-9]\d+|" + "|".join(QUANTITY_WORDS) + ")$"}},
    "COUNT": {"TEXT": {"REGEX": r"^(\d+|" + "|".join(COUNT_WORDS) + ")$"}},
    "YEAR": {"TEXT": {"REGEX": r"^(19|20)\d\d$"}},
    "PERSON": {
        "LEMMA": {
            "IN": [
                "someone",
                "somebody",
                "anyone",
                "anybody",
                "everyone",
                "everybody",
                "people",
                "him",
                "her",
                "them",
                "husband",
                "wife",
                "boyfriend",
                "girlfriend",
                "partner",
                "ex",
                "boss",
                "coworker",
                "mom",
                "mother",
                "dad",
                "father",
                "brother",
                "sister",
                "son",
                "daughter",
                "baby",
                "child",
                "kid",
                "kids",
                "children",
                "neighbor",
                "neighbour",
                "roommate",
                "teacher",
                "bully",
                "bullies",
                "person",
                "guy",
                "man",
                "woman",
                "stepdad",
                "stepmom",
                "stepfather",
                "stepmother",
                "newborn",
                "infant",
                "family",
                "classmate",
                "others",
            ]
        }
    },
}


def _test(word: str) -> Token:
    if "~" in word:  # one lemma among the alternatives makes them all lemmas ("~want|gon|will")
        return {"LEMMA": {"IN": word.replace("~", "").split("|")}}
    return {"NORM": {"IN": word.split("|")}}


_GROUP = re.compile(r"\(([^()]*)\)(\?)?")


def compile_spec(spec: str) -> list[list[Token]]:
    """The Matcher patterns for one spec: one per combination of its groups (see the module docstring)."""
    patterns: list[list[Token]] = [[]]
    position = 0
    for group in _GROUP.finditer(spec):
        patterns = [p + _sequence(spec[position : group.start()]) for p in patterns]
        options = _merge([_sequence(option) for option in group.group(1).split(" | ")])
        if group.group(2):
            options.append([])
        patterns = [p + option for p in patterns for option in options]
        position = group.end()
    return [p + _sequence(spec[position:]) for p in patterns]


def _merge(options: list[list[Token]]) -> list[list[Token]]:
    """One-token options testing the same attribute become one token: fewer patterns, same matches."""
    merged: dict[str, list[str]] = {}
    rest: list[list[Token]] = []
    for option in options:
        if len(option) == 1 and len(option[0]) == 1:
            attribute, test = next(iter(option[0].items()))
            if attribute in ("NORM", "LEMMA") and set(test) == {"IN"}:
                merged.setdefault(attribute, []).extend(test["IN"])
                continue
        rest.append(option)
    return [[{attribute: {"IN": values}}] for attribute, values in merged.items()] + rest


def _sequence(text: str) -> list[Token]:
    pattern: list[Token] = []
    for word in text.split():
        optional = len(word) > 1 and word.endswith("?")
        word = word[:-1] if optional else word
        if word.startswith("*"):
            pattern.append({"IS_PUNCT": False, "OP": f"{{0,{int(word[1:] or 1)}}}"})
            continue
        if word.startswith("@"):
            token: Token = dict(SETS[word[1:]])
        else:
            token = _test(word)
        if optional:
            token["OP"] = "?"
        pattern.append(token)
    return pattern


def requirements(pattern: list[Token]) -> tuple[frozenset[str], ...]:
    """The word sets a text must meet, one word from each, for `pattern` to match.

    The matcher is the detector's main cost, and most messages lack some word a phrase needs, so a
    phrase is only tried on messages that have a word for each of its required tokens.
    """
    required = []
    for token in pattern:
        if "OP" in token or len(token) != 1:
            continue
        attribute, test = next(iter(token.items()))
        if attribute in ("NORM", "LEMMA") and set(test) == {"IN"}:
            required.append(frozenset(test["IN"]))
    return tuple(required)
