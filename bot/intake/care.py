"""Care the person already has, and whether they drank alcohol in the past year (the gate to AUDIT-C).

A stay counts as a discharge only when it was psychiatric: a psychiatric hospital or unit, residential
treatment (substance use too), partial hospitalization (PHP), detox or a crisis unit. "The hospital" alone
counts, because the question is about mental-health care, unless the same clause names a medical reason or
somewhere that is not care ("surgery", "jail"). How long ago the stay ended decides whether it is recent.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from bot.intake.matching import (
    AMOUNT,
    NEGATORS,
    UNIT,
    UNSURE,
    PhraseTable,
    amount_days,
    clauses,
    days_ago,
    match_form,
    readable,
)
from bot.parsing import parse_yes_no
from bot.questions import Parsed

CARE_OPTIONS = ("therapist", "psychiatrist", "recent_discharge", "earlier_stay", "none")
# The buttons: an earlier stay is only ever read from words, as the question asks about the last month.
CARE_BUTTONS = ("therapist", "psychiatrist", "recent_discharge", "none")
# "In the last month": a stay that ended longer ago is an earlier stay (program.yml's step-down window is
# at most this long).
QUESTION_DAYS = 30
_DAYS_AGO = re.compile(r"^(\d+) days? ago$")
_WHICH_CARE = (
    "Which of these fits: a therapist, a psychiatrist, leaving a hospital or residential program in the last "
    "month, or none of these? You can name more than one."
)

# Before a kind of care, these mean it is not current: "looking for a therapist", "used to see a psychiatrist".
_NOT_CURRENT = NEGATORS | frozenset(
    "need needs want wants looking find finding trying waiting waitlist used stopped quit former ex".split()
)
_CARE = PhraseTable(
    {
        "therapist": (
            "therapist*",
            "therapy",
            "counselor*",
            "counsellor*",
            "counseling",
            "counselling",
            "psychologist*",
            "social worker",
            "lcsw",
            "lpc",
            "lmft",
            "mft",
            "dbt",
            "cbt",
            "shrink",
        ),
        "psychiatrist": (
            "psychiatrist*",
            "psychiatry",
            "psych doctor",
            "psych doc",
            "psych np",
            "psych nurse",
            "psychiatric nurse practitioner",
            "pmhnp",
            "med management",
            "medication management",
            "psych meds",
            "prescriber",
        ),
        # Psychiatric by their own words.
        "psychiatric_stay": (
            "psych ward",
            "psych unit",
            "psych hospital",
            "psych hold",
            "psychiatric unit",
            "psychiatric ward",
            "psychiatric hospital*",
            "psychiatric hold",
            "mental hospital",
            "mental health unit",
            "mental health hospital",
            "behavioral health unit",
            "behavioral health hospital",
            "behavioural health unit",
            "residential",
            "php",
            "partial hospitalization",
            "partial hospitalisation",
            "partial program",
            "crisis unit",
            "crisis center",
            "crisis centre",
            "crisis stabilization",
            "detox",
            "treatment center",
            "treatment program",
            "involuntary hold",
            "72 hour hold",
            "5150",
        ),
        # Psychiatric unless the clause says otherwise ("the hospital for surgery", "got out of jail").
        "stay": (
            "recent discharge",
            "discharged",
            "hospital*",
            "hospitalized",
            "hospitalised",
            "inpatient",
            "in patient",
            "rehab",
        ),
        "not_psychiatric": (
            "surgery",
            "surgical",
            "operation",
            "broke",
            "broken",
            "fracture*",
            "injur*",
            "baby",
            "gave birth",
            "giving birth",
            "delivery",
            "covid",
            "pneumonia",
            "infection",
            "appendix",
            "appendicitis",
            "heart attack",
            "stroke",
            "cancer",
            "chemo*",
            "knee",
            "hip",
            "medical",
            "physical",
            "jail",
            "prison",
            "juvie",
            "juvenile detention",
            "detention",
            "locked up",
            "lockup",
            "incarcerat*",
            "custody",
            "army",
            "military",
            "navy",
            "marines",
        ),
        # Not the care asked about; listed so "therapy" inside them is not read as a therapist.
        "not_care": (
            "physical therapy",
            "physical therapist",
            "physio*",
            "occupational therapy",
            "occupational therapist",
            "speech therapy",
            "speech therapist",
            "massage therapy",
            "massage therapist",
            "respiratory therapist",
        ),
        "none": (
            "none",
            "none of these",
            "nothing",
            "nothing right now",
            "no one",
            "nobody",
            "not right now",
            "not currently",
            "not at the moment",
            "not seeing anyone",
            "don't see anyone",
            "don't have anyone",
            "neither",
            "no care",
            "n a",
            "nope",
            "nah",
            "no",
        ),
        "both": ("both", "both of them"),  # the question names a therapist and a psychiatrist first
    },
    negators=_NOT_CURRENT,
    window=4,  # "used to see a psychiatrist"
)
_NOT_ASKED_ABOUT = {"not_psychiatric", "not_care"}
# "I just got out", "got out last week": out of the place the question names. "Got out of" something else
# ("of jail", "of a relationship") is not a stay.
_GOT_OUT = re.compile(r"\bgot out\b(?! of)")
# Recent whatever else the clause says ("my therapist of 3 years, and I just got out of the psych ward").
_JUST_NOW = re.compile(r"\b(?:just|recently) (?:got out|left|came out|came home|got home|been discharged|discharged)\b")


def _stay_days(clause: str) -> tuple[bool, Optional[int]]:
    """Whether the clause names a psychiatric stay, and how many days ago it ended (None: not said)."""
    found = _CARE.match(clause).found
    norm = match_form(clause)
    named = "stay" in found or bool(_GOT_OUT.search(norm))
    if not ("psychiatric_stay" in found or (named and "not_psychiatric" not in found)):
        return False, None
    times = days_ago(clause)
    if _JUST_NOW.search(norm) or not times:
        return True, None
    return True, min(times)  # two times: the more recent is the safer reading


def parse_current_care(text: str) -> Parsed:
    """Option keys in CARE_OPTIONS order; a recent discharge whose timing was said adds "N days ago"."""
    clean = readable(text)
    if not clean:
        return Parsed.fail(_WHICH_CARE)
    hits = _CARE.match(clean)
    care = set(hits.found) & {"therapist", "psychiatrist"}
    if "both" in hits.found:
        care |= {"therapist", "psychiatrist"}
    stays = [days for psychiatric, days in map(_stay_days, clauses(clean)) if psychiatric]
    recent = [days for days in stays if days is None or days <= QUESTION_DAYS]
    if recent:
        care.add("recent_discharge")
    if len(recent) < len(stays):
        care.add("earlier_stay")
    if care:
        options = [option for option in CARE_OPTIONS if option in care]
        # A recent stay named without a time counts as within the month the question asks about.
        timed = None if not recent or None in recent else min(r for r in recent if r is not None)
        return Parsed(True, options + ([f"{timed} day{'' if timed == 1 else 's'} ago"] if timed is not None else []))
    named_other = bool(hits.found & _NOT_ASKED_ABOUT)
    if "none" in hits.found or named_other or hits.negated - {"none", "both"} or parse_yes_no(clean) is False:
        return Parsed(True, ["none"])
    return Parsed.fail(_WHICH_CARE)


def care_options(value: Any) -> frozenset[str]:
    """The option keys in a stored current-care answer."""
    return frozenset(item for item in value if item in CARE_OPTIONS) if isinstance(value, list) else frozenset()


def discharge_days_ago(value: Any) -> Optional[int]:
    """Days since the recent discharge in a stored current-care answer ended, when the person said."""
    if not isinstance(value, list):
        return None
    matches = [_DAYS_AGO.match(item) for item in value if isinstance(item, str)]
    return next((int(match.group(1)) for match in matches if match), None)


# --- alcohol in the past year -------------------------------------------------------------------------

# The gate's values. Any but "none" is past-year drinking, so the AUDIT-C follows.
ALCOHOL_USE = ("none", "drinks", "daily", "stopped", "stopped_recently")
RECENT_STOP_DAYS = 14  # acute withdrawal starts hours to days after the last drink and mostly settles by then
PAST_YEAR_DAYS = 365
_ALCOHOL = PhraseTable(
    {
        "drinks": (
            "yes",
            "yeah",
            "yep",
            "i do",
            "drink",
            "drinks",
            "a drink",
            "socially",
            "social drinker",
            "occasionally",
            "sometimes",
            "rarely",
            "hardly",
            "hardly ever",
            "barely",
            "once in a while",
            "now and then",
            "weekends",
            "on weekends",
            "at parties",
            "on holidays",
            "a little",
            "a bit",
            "a few",
            "not much",
            "not often",
            "not a lot",
            "don't drink much",
            "don't drink often",
            "don't drink a lot",
            "a glass",
            "wine",
            "beer*",
            "a lot",
            "too much",
            "trying to quit",
            "trying to stop",
            "want to quit",
            "want to stop",
            "need to quit",
            "need to stop",
            "cutting back",
            "cutting down",
            "cut back",
            "cut down",
            "not every day",
            "not daily",
            "don't drink every day",
        ),
        "daily": (
            "every day",
            "everyday",
            "daily",
            "every night",
            "each day",
            "each night",
            "nightly",
            "every single day",
            "day and night",
            "all day",
            "all the time",
            "7 days a week",
            "seven days a week",
        ),
        "stopped": (
            "quit",
            "i quit",
            "quit drinking",
            "stopped",
            "stopped drinking",
            "sober",
            "not anymore",
            "no longer",
            "used to",
            "used to drink",
            "used to drink a lot",
            "in recovery",
            "clean",
            "gave up",
            "gave it up",
            "haven't had a drink",
            "haven't drunk",
            "haven't drank",
            "don't drink anymore",
            "don't drink now",
            "not drinking now",
            "not drinking anymore",
            "don't anymore",
            "on the wagon",
        ),
        "none": (
            "no",
            "nope",
            "nah",
            "never",
            "never drink",
            "never drank",
            "don't drink",
            "do not drink",
            "doesn't drink",
            "does not drink",
            "i don't",
            "not at all",
            "not really",
            "teetotal",
            "abstain",
            "none",
            "not in the past year",
            "not in the last year",
            "not this year",
            "not in years",
            "not for years",
            "haven't in years",
            "no alcohol",
        ),
        UNSURE: ("not sure", "unsure", "maybe", "idk", "i don't know", "don't know", "dunno", "depends"),
    },
    negators=frozenset(),
)
_SOBER = (
    r"(?:sober|clean|dry|quit|stopped|off (?:alcohol|drinking|the booze)|without (?:a drink|alcohol|drinking)|"
    r"no (?:alcohol|drinking|drinks)|(?:haven'?t|have not|hasn'?t|has not|not) (?:had (?:a|any) "
    r"(?:drink|drinks|alcohol)|had a drop|drunk|drank|been drinking|touched (?:a drop|alcohol)))"
)
# "sober 3 days", "haven't had a drink in two weeks", "10 days sober": how long since the last drink.
_SOBER_FOR = re.compile(
    rf"\b{_SOBER}(?: for| in| since)?(?: about| almost| nearly| over| like| around)? "
    rf"(?:({AMOUNT}) )?{UNIT}\b"
)
_FOR_SOBER = re.compile(rf"\b({AMOUNT}) {UNIT} (?:sober|clean|dry|without (?:a drink|alcohol|drinking))\b")
_LAST_DRINK_UNCLEAR = "Is that a yes or a no? Any drink in the past year counts as yes, even if you've stopped since."


def _days_since_last_drink(text: str) -> Optional[int]:
    norm = match_form(text)
    spans = [
        amount_days(amount, unit) for pattern in (_SOBER_FOR, _FOR_SOBER) for amount, unit in pattern.findall(norm)
    ]
    times = days_ago(text) + spans
    return min(times) if times else None  # two times: the more recent is the safer reading


def parse_alcohol_use(text: str) -> Parsed:
    """One of ALCOHOL_USE. Stopping outranks the rest ("I used to drink every day"); when it was said, it
    decides between "stopped_recently", "stopped" and, over a year ago, "none"."""
    clean = readable(text)
    found = _ALCOHOL.match(clean).found if clean else frozenset()
    if clean and "stopped" in found:  # found is empty without clean
        days = _days_since_last_drink(clean)
        if days is None or RECENT_STOP_DAYS < days <= PAST_YEAR_DAYS:
            return Parsed(True, "stopped")
        return Parsed(True, "stopped_recently" if days <= RECENT_STOP_DAYS else "none")
    if UNSURE in found or ("none" in found and found & {"drinks", "daily"}):
        return Parsed.fail(_LAST_DRINK_UNCLEAR)
    for value in ("daily", "drinks", "none"):
        if value in found:
            return Parsed(True, value)
    said = parse_yes_no(clean) if clean else None
    if said is None:
        return Parsed.fail(_LAST_DRINK_UNCLEAR)
    return Parsed(True, "drinks" if said else "none")


def drank_in_past_year(value: Any) -> bool:
    """Whether a stored alcohol-gate answer means some drinking in the past year (True: stored as yes/no)."""
    return value is True or (value in ALCOHOL_USE and value != "none")
