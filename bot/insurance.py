"""Which insurance someone named, and what that means at this program.

People answer "bcbs thru work", "UHC", "cigan", "none, I'll pay cash". The program's own insurers (from
program.yml) are matched first; a small list of well-known national carriers lets us say honestly that a
named plan is not in network instead of "we don't know". Anything else is left for staff to verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from bot.parsing import NO_WORDS, find_phrases, fuzzy_lookup, normalise
from bot.program import US_STATES, Program

IN_NETWORK = "in_network"
OUT_OF_NETWORK = "out_of_network"
SELF_PAY = "self_pay"
UNKNOWN = "unknown"

# Common US carriers a program may not accept: canonical name -> aliases.
KNOWN_CARRIERS: Mapping[str, tuple[str, ...]] = {
    "Humana": ("humana",),
    "TRICARE": ("tricare", "tri care"),
    "Molina Healthcare": ("molina", "molina healthcare"),
    "Ambetter": ("ambetter",),
    "Oscar Health": ("oscar", "oscar health"),
    "WellCare": ("wellcare", "well care"),
    "Health Net": ("health net", "healthnet"),
    "Amerigroup": ("amerigroup",),
    "CareSource": ("caresource", "care source"),
    "VA health care": ("va", "veterans affairs", "va health care", "the va"),
}

# Saying there is no insurance outranks a carrier in the same answer ("had Aetna, uninsured now").
_NO_INSURANCE = (
    "no insurance",
    "no health insurance",
    "uninsured",
    "not insured",
    "no coverage",
    "without insurance",
    "don't have insurance",
    "dont have insurance",
    "do not have insurance",
    "don't have any",
    "dont have any",
    "lost my insurance",
    "none",
    "nothing",
)
# A wish to pay does not: "Aetna, or I can pay cash" still names a plan.
_PAY_MYSELF = (
    "self pay",
    "self-pay",
    "selfpay",
    "cash",
    "pay myself",
    "pay for it myself",
    "paying myself",
    "out of pocket",
    "private pay",
    "i'll pay",
    "ill pay",
    "i will pay",
)

_MIN_FUZZY_WORD = 5  # shorter words ("kp", "uhc", "ohp", "moda") must be exact: one typo makes another word


@dataclass(frozen=True)
class InsuranceMatch:
    status: str  # IN_NETWORK, OUT_OF_NETWORK, SELF_PAY or UNKNOWN
    carrier: Optional[str]  # canonical name, when a carrier was recognised
    raw: str  # what the person wrote


@dataclass(frozen=True)
class Carrier:
    """An insurer someone named, as the program sees it."""

    name: str
    in_network: bool
    listed: bool  # named in program.yml (rather than only in KNOWN_CARRIERS)


def _alias_table(program: Program) -> dict[str, Carrier]:
    """Normalised alias (and its spaceless spelling, "bluecross") -> carrier; the program's list wins."""
    table: dict[str, Carrier] = {}

    def add(names: tuple[str, ...], carrier: Carrier) -> None:
        for alias in names:
            norm = normalise(alias)
            for key in (norm, norm.replace(" ", "")):
                table.setdefault(key, carrier)

    listed = {normalise(i.name) for i in program.insurers}
    for insurer in program.insurers:
        add((insurer.name, *insurer.aliases), Carrier(insurer.name, insurer.in_network, True))
    for name, aliases in KNOWN_CARRIERS.items():
        if normalise(name) not in listed:
            add((name, *aliases), Carrier(name, False, False))
    return table


def _one_edit_apart(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap of neighbours ("cigan"/"cigna", "kaizer"/"kaiser")."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _named_exactly(norm: str, table: Mapping[str, Carrier]) -> list[Carrier]:
    """Carriers whose names or aliases occur as written, in that order (ties go to the first plan named)."""
    named = sorted(find_phrases(norm, table), key=lambda p: f" {norm} ".find(f" {p} "))
    return [table[p] for p in named]


def _carriers_named(norm: str, table: dict[str, Carrier]) -> list[Carrier]:
    exact = _named_exactly(norm, table)
    if exact:
        return exact
    whole = fuzzy_lookup(norm, table)  # a short answer that is just a misspelt name ("blue crss")
    if whole:
        return [whole]
    # A misspelt one-word name inside a sentence ("i have cigan thru work"); ambiguous typos are dropped.
    single_words = [k for k in table if " " not in k and len(k) >= _MIN_FUZZY_WORD]
    found: list[Carrier] = []
    for word in norm.split():
        if len(word) >= _MIN_FUZZY_WORD:
            near = {table[k] for k in single_words if _one_edit_apart(word, k)}
            if len(near) == 1:
                found.extend(near)
    return found


def recognise_insurance(text: str, program: Program) -> InsuranceMatch:
    """Classify a free-text insurance answer against the program's insurers."""
    raw = (text or "").strip()
    norm = normalise(raw)
    if not norm:
        return InsuranceMatch(UNKNOWN, None, raw)
    if find_phrases(norm, _NO_INSURANCE) or norm in NO_WORDS or norm == "n a":
        return InsuranceMatch(SELF_PAY, None, raw)
    carriers = _carriers_named(norm, _alias_table(program))
    if carriers:
        # Someone with two plans ("Humana and Medicaid") can use the one we take.
        best = max(carriers, key=lambda c: (c.in_network, c.listed))
        return InsuranceMatch(IN_NETWORK if best.in_network else OUT_OF_NETWORK, best.name, raw)
    if find_phrases(norm, _PAY_MYSELF):
        return InsuranceMatch(SELF_PAY, None, raw)
    return InsuranceMatch(UNKNOWN, None, raw)


def carriers_asked_about(question: str, program: Program) -> list[Carrier]:
    """The insurers a question names ("Do you take Kaiser?"), each once, in the order written.

    Exact names and aliases only: in a question, a near miss is usually another word ("can I talk to a human"
    is not Humana), and a state code is a place ("I live in VA").
    """
    table = {alias: carrier for alias, carrier in _alias_table(program).items() if alias.upper() not in US_STATES}
    return list(dict.fromkeys(_named_exactly(normalise(question), table)))


def self_pay_text(program: Program) -> str:
    pay = program.self_pay
    return f"Self-pay fees run on a sliding scale from {pay.scale_text}, based on income. {pay.financial_assistance}"


def insurance_summary(match: InsuranceMatch, program: Program) -> str:
    """One or two plain sentences telling the participant what their answer means here."""
    if match.status == IN_NETWORK:
        return (
            f"{match.carrier} is in network with {program.name}. The intake team will confirm your "
            "benefits and any copay before you start."
        )
    if match.status == OUT_OF_NETWORK:
        return (
            f"{program.name} is not in network with {match.carrier}. Your plan may still pay part of the "
            "cost if it has out-of-network benefits: the number on your card can tell you. " + self_pay_text(program)
        )
    if match.status == SELF_PAY:
        return "You can take part without insurance. " + self_pay_text(program)
    return (
        "Thanks. I couldn't match that to our list of plans, so the intake team will check your coverage "
        "and tell you before you start."
    )
