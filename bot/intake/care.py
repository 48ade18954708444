"""Care the person already has, and whether they drink alcohol at all (the gate to AUDIT-C)."""
from __future__ import annotations

from bot.intake.matching import NEGATORS, UNSURE, PhraseTable, polar, readable
from bot.parsing import parse_yes_no
from bot.questions import Parsed

CARE_OPTIONS = ("therapist", "psychiatrist", "recent_discharge", "none")
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
            "therapist*", "therapy", "counselor*", "counsellor*", "counseling", "counselling", "psychologist*",
            "social worker", "lcsw", "lpc", "lmft", "mft", "dbt", "cbt", "shrink",
        ),
        "psychiatrist": (
            "psychiatrist*", "psychiatry", "psych doctor", "psych doc", "psych np", "psych nurse",
            "psychiatric nurse practitioner", "pmhnp", "med management", "medication management",
            "psych meds", "prescriber",
        ),
        "recent_discharge": (
            "recent discharge", "discharged", "hospital*", "hospitalized", "hospitalised", "psych ward",
            "psych unit", "psychiatric unit", "psychiatric ward", "psychiatric hospital", "behavioral health unit",
            "inpatient", "residential", "rehab", "detox", "php", "partial hospitalization", "partial program",
            "crisis unit", "crisis center", "just got out", "got out of",
        ),
        "none": (
            "none", "none of these", "nothing", "nothing right now", "no one", "nobody", "not right now",
            "not currently", "not at the moment", "not seeing anyone", "don't see anyone", "don't have anyone",
            "neither", "no care", "n a", "nope", "nah", "no",
        ),
        "both": ("both", "both of them"),  # the question names a therapist and a psychiatrist first
    },
    negators=_NOT_CURRENT,
    window=4,  # "used to see a psychiatrist"
)


def parse_current_care(text: str) -> Parsed:
    clean = readable(text)
    if not clean:
        return Parsed.fail(_WHICH_CARE)
    hits = _CARE.match(clean)
    care = set(hits.found) - {"none", "both"}
    if "both" in hits.found:
        care |= {"therapist", "psychiatrist"}
    if care:
        return Parsed(True, [option for option in CARE_OPTIONS if option in care])
    if "none" in hits.found or hits.negated - {"none", "both"} or parse_yes_no(clean) is False:
        return Parsed(True, ["none"])
    return Parsed.fail(_WHICH_CARE)


_ALCOHOL = PhraseTable({
    True: (
        "yes", "yeah", "yep", "i do", "drink", "drinks", "a drink", "socially", "social drinker", "occasionally",
        "sometimes", "rarely", "hardly", "hardly ever", "barely", "once in a while", "now and then", "weekends",
        "on weekends", "at parties", "on holidays", "a little", "a bit", "a few", "not much", "not often",
        "not a lot", "don't drink much", "don't drink often", "don't drink a lot", "a glass", "wine", "beer*",
        "every day", "daily", "a lot", "too much",
    ),
    False: (
        "no", "nope", "nah", "never", "never drink", "never drank", "don't drink", "do not drink",
        "doesn't drink", "does not drink", "i don't", "not at all", "not really", "not anymore", "no longer",
        "sober", "quit", "stopped", "used to", "used to drink", "used to drink a lot", "teetotal", "abstain", "none",
    ),
    UNSURE: ("not sure", "unsure", "maybe", "idk", "i don't know", "don't know", "dunno", "depends"),
}, negators=frozenset())


def parse_alcohol_use(text: str) -> Parsed:
    clean = readable(text)
    answer = polar(clean, _ALCOHOL) if clean else None
    if answer is None:
        return Parsed.fail("Is that a yes or a no? Even a drink now and then counts as yes.")
    return Parsed(True, answer)
