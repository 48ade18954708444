"""Insurance: the carrier as the person names it, whose plan it is, and the member ID.

The carrier is kept as typed: matching it against the program's insurers is `bot.insurance`'s job, and
staff see the person's own words.
"""

from __future__ import annotations

import re

from bot.intake.matching import PhraseTable, has_letters, readable
from bot.parsing import looks_like_code
from bot.questions import Parsed

MAX_CARRIER_CHARS = 200


def parse_carrier(text: str) -> Parsed:
    raw = re.sub(r"\s+", " ", (text or "")).strip()
    if not raw or not has_letters(raw):
        return Parsed.fail("What's the name of the insurance company? If there's no insurance, say none.")
    if looks_like_code(raw) or len(raw) > MAX_CARRIER_CHARS:
        return Parsed.fail("Just the insurance company's name is enough, like on the card. Or say none.")
    return Parsed(True, raw)


# "respondent": the plan of the person answering for someone else (a parent, guardian or partner).
HOLDERS = ("self", "parent", "spouse_partner", "other", "respondent")
# The plan of whoever is answering: the participant when screening for oneself, else the respondent.
_ANSWERERS = (
    "mine",
    "me",
    "myself",
    "my own",
    "my plan",
    "my insurance",
    "my policy",
    "i am",
    "i'm the policy holder",
    "in my name",
    "through my job",
    "through my work",
    "my employer",
    "my job",
    "my work",
)
_OWN = ("self", "own", "his own", "her own", "their own")
_RELATIVES = {
    "parent": (
        "parent*",
        "mom*",
        "mum*",
        "mother*",
        "dad*",
        "father*",
        "stepmom",
        "stepdad",
        "stepmother",
        "stepfather",
        "guardian*",
    ),
    "spouse_partner": (
        "spouse*",
        "spouse partner",
        "husband*",
        "wife",
        "wives",
        "partner*",
        "boyfriend*",
        "girlfriend*",
        "fiance*",
        "domestic partner",
    ),
    "other": (
        "other",
        "someone else",
        "somebody else",
        "grandparent*",
        "grandma",
        "grandpa",
        "grandmother",
        "grandfather",
        "aunt",
        "uncle",
        "ex",
        "ex husband",
        "ex wife",
        "ex partner",
        "sibling",
        "brother",
        "sister",
        "foster",
        "relative",
    ),
}
_HOLDER = PhraseTable({"self": _ANSWERERS + _OWN, **_RELATIVES}, negators=frozenset())

# About someone else, a relative named as "my ..." is the respondent's: "my husband's" is the participant's
# own plan when a wife answers, a parent's when a mother does. Asked again rather than guessed.
_RESPONDENTS_RELATIVE = "respondents_relative"
_HOLDER_OTHER = PhraseTable(
    {
        "respondent": _ANSWERERS,
        "self": _OWN + ("theirs", "hers"),
        **_RELATIVES,
        _RESPONDENTS_RELATIVE: tuple(f"my {phrase}" for phrases in _RELATIVES.values() for phrase in phrases),
    },
    negators=frozenset(),
)


def parse_holder(text: str) -> Parsed:
    found = _HOLDER.match(readable(text) or "").found
    if len(found) == 1:
        return Parsed(True, next(iter(found)))
    return Parsed.fail("Whose plan is it: their own, a parent's, a spouse's or partner's, or someone else's?")


def parse_holder_other(text: str) -> Parsed:
    """Whose plan, when the screening is about someone else: "mine" is the person answering."""
    found = _HOLDER_OTHER.match(readable(text) or "").found
    if _RESPONDENTS_RELATIVE in found:
        return Parsed.fail(
            "Just to be sure, seen from their side: is it their own plan, a parent's, a spouse's or "
            "partner's, or someone else's?"
        )
    if len(found) == 1:
        return Parsed(True, next(iter(found)))
    return Parsed.fail("Whose plan is it: yours, their own, a parent's, a spouse's or partner's, or someone else's?")


_ID_LEAD_INS = re.compile(
    r"^(?:(?:my|the|it'?s|its|it|is|member|subscriber|insurance|policy|id|number|no)\b\.?\s*|[#:]\s*)+", re.I
)
_MEMBER_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{2,28})[A-Za-z0-9]$")


def parse_member_id(text: str) -> Parsed:
    """Letters, digits and dashes, 4 to 30 long, with at least one digit ("none" or "idk" are not IDs)."""
    raw = (text or "").strip()[:100]
    candidate = _ID_LEAD_INS.sub("", raw) if len(raw.split()) > 1 or ":" in raw or "#" in raw else raw
    # An ID may be typed in groups ("W12 345 678"), but a sentence is not one: "ABC123 and I ..." is no ID.
    groups = candidate.split()
    if len(groups) > 4 or any(not re.search(r"\d", g) and len(g) > 3 for g in groups[1:]):
        groups = []
    candidate = re.sub(r"[\s.]+", "", " ".join(groups))
    if not _MEMBER_ID.match(candidate) or not re.search(r"\d", candidate):
        return Parsed.fail(
            "The member ID is on the insurance card: letters and numbers, like ABC123456. If it's not handy, say skip."
        )
    return Parsed(True, candidate.upper())
