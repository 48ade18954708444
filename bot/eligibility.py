"""Which level of care is likely to fit, with reasons in plain words. Never a diagnosis.

The outcome is a suggestion for the intake team and the person; a clinician decides at the assessment. The
rules are data (`RULES`, in order, with their sources): docs/clinical-rules.md is the same table, written by
`iop-intake clinical-rules` for clinical review, and a test fails when it falls behind this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, Optional

from bot.instruments import AUDITC, GAD7, PHQ9
from bot.instruments.cssrs import Risk
from bot.intake.care import RECENT_STOP_DAYS
from bot.program import CONCERNS, US_STATES, Program, Track, days_text, join_words
from bot.safety.resources import (
    EMERGENCY,
    FIND_CARE,
    closing_crisis_lines,
    crisis_resources,
    higher_care_places,
    owes_crisis_lines,
)

FINAL_WORD = "A clinician makes the final decision at the assessment."

CSSRS_RISKS = tuple(risk.value for risk in Risk)
# The cut-offs are the instruments' own band floors (bot/instruments); PHQ-9 and GAD-7 share theirs (a test
# checks), so one number stands for both in the rules and their wording.
SYMPTOM_CUTOFF = PHQ9.lowest("moderate")  # PHQ-9 and GAD-7: moderate and above
MILD_CUTOFF = PHQ9.lowest("mild")
AUDITC_CUTOFF = AUDITC.lowest("positive")  # the lower (more sensitive) of the usual AUDIT-C cutoffs
AUDITC_HIGH = AUDITC.lowest("positive, high")  # drinking most likely to need care of its own
SEVERE_PHQ9 = PHQ9.lowest("severe")
# AUDIT-C answers (0-4 each): item 1 "4 or more times a week", item 2 "3 or 4" drinks, item 3 "weekly" and
# "daily or almost daily" six or more drinks.
MOST_DAYS, THREE_OR_MORE_DRINKS, WEEKLY, DAILY = 4, 1, 3, 4

MEASURED = frozenset({"depression", "anxiety", "stress"})  # concerns whose severity PHQ-9 / GAD-7 give

_UNMEASURED_REASON = {
    "bipolar": "Bipolar disorder was named as a concern, and these questions don't measure it",
    "ptsd_trauma": "Trauma or PTSD was named as a concern, and these questions don't measure it",
    "substance_use": "Substance use was named as a concern, and the alcohol questions don't cover other drugs",
}
_OTHER_REASON = "Another concern was named that these questions don't cover"


class Outcome(str, Enum):
    LIKELY_FIT = "likely_fit"
    NEEDS_REVIEW = "needs_review"
    REFER_HIGHER = "refer_higher_level"
    REFER_OUTPATIENT = "refer_outpatient"
    REFER_SPECIALIZED = "refer_specialized"
    REFER_OTHER_PROGRAM = "refer_other_program"  # the program cannot serve this person (state, age)


# Outcomes after which the bot offers assessment times; a referral elsewhere goes through the intake team.
BOOKABLE = frozenset({Outcome.LIKELY_FIT.value, Outcome.NEEDS_REVIEW.value})
_IOP_OUTCOMES = (Outcome.LIKELY_FIT, Outcome.NEEDS_REVIEW)


class Flag(str, Enum):
    OUTSIDE_AGE_RANGE = "outside_age_range"
    OUTSIDE_STATES = "outside_states"
    NO_TRACK_FITS = "no_track_fits"
    INSURANCE_NOT_ACCEPTED = "insurance_not_accepted"
    STEP_DOWN = "step_down"


@dataclass(frozen=True)
class ScreeningFacts:
    """What the screening learned, as plain values (None: not asked or skipped)."""

    age: Optional[int] = None
    state: Optional[str] = None  # two-letter code
    for_self: bool = True
    concerns: frozenset[str] = frozenset()  # keys of bot.program.CONCERNS
    care: frozenset[str] = frozenset()  # bot.intake.care.CARE_OPTIONS
    discharge_days_ago: Optional[int] = None  # when a recent discharge ended, if said (None: "in the last month")
    phq9_total: Optional[int] = None
    phq9_item9: Optional[int] = None
    phq9_item9_declined: bool = False  # would not say whether they had thoughts of death or self-harm
    gad7_total: Optional[int] = None
    auditc_total: Optional[int] = None
    auditc_item1: Optional[int] = None  # how often (0-4)
    auditc_item2: Optional[int] = None  # drinks on a typical day (0-4)
    auditc_item3: Optional[int] = None  # how often six or more (0-4)
    drinks_daily_said: bool = False  # the alcohol question was answered "every day", "daily"
    stopped_drinking_recently: bool = False  # ... or with a last drink within RECENT_STOP_DAYS
    cssrs_risk: str = Risk.NONE.value  # one of CSSRS_RISKS
    times: frozenset[str] = frozenset()  # morning, afternoon, evening, weekend; empty: any
    days_per_week: Optional[int] = None  # days a week the person can attend
    modality: Optional[str] = None  # in_person, telehealth, either
    transport_problem: Optional[bool] = None
    insurance_status: Optional[str] = None  # a bot.insurance status


@dataclass(frozen=True)
class Assessment:
    outcome: Outcome
    reasons: tuple[str, ...]
    track: Optional[Track] = None
    flags: tuple[Flag, ...] = ()
    urgent: bool = False  # a clinician should follow up soon
    crisis_lines: bool = False  # answers touched on safety: the crisis lines close the message, on every channel
    final_word: str = field(default=FINAL_WORD, init=False)


def fitting_tracks(
    program: Program,
    age: Optional[int],
    times: frozenset[str],
    days_per_week: Optional[int],
    modality: Optional[str],
) -> list[Track]:
    """Tracks the person could attend, in program order. Unknown constraints (None, empty) do not filter."""
    return [
        track
        for track in program.tracks
        if (age is None or age in track.ages)
        and (not times or track.part_of_day in times)
        and (days_per_week is None or len(track.days) <= days_per_week)
        and (modality in (None, "either") or track.offers(modality))
    ]


def _symptom_reasons(facts: ScreeningFacts) -> list[str]:
    """Plain descriptions of every score in the mild range or above."""
    reasons = []
    if facts.phq9_total is not None and facts.phq9_total >= MILD_CUTOFF:
        reasons.append(f"The answers describe depression symptoms in the {PHQ9.band(facts.phq9_total)} range.")
    if facts.gad7_total is not None and facts.gad7_total >= MILD_CUTOFF:
        reasons.append(f"The answers describe anxiety symptoms in the {GAD7.band(facts.gad7_total)} range.")
    if facts.auditc_total is not None and facts.auditc_total >= AUDITC_CUTOFF:
        reasons.append("The answers about alcohol are above the usual screening cutoff.")
    return reasons


def _at_least(score: Optional[int], cutoff: int) -> bool:
    return score is not None and score >= cutoff


# --- the facts the rules read ---------------------------------------------------------------------------


def outside_states(facts: ScreeningFacts, program: Program) -> bool:
    return facts.state is not None and facts.state.upper() not in program.states


def outside_ages(facts: ScreeningFacts, program: Program) -> bool:
    return facts.age is not None and facts.age not in program.ages


def recent_discharge(facts: ScreeningFacts, program: Program) -> bool:
    """A psychiatric stay (hospital, residential, PHP) ended within the program's step-down window. One named
    without a time counts: the question asks about the last month."""
    days = facts.discharge_days_ago
    return "recent_discharge" in facts.care and (days is None or days <= program.step_down_days)


def drinks_daily(facts: ScreeningFacts) -> bool:
    """Every day or nearly: said in those words, or AUDIT-C six or more drinks "daily or almost daily".
    Item 1's top option, "4 or more times a week", also covers four evenings a week, so on its own (a glass of
    wine with dinner) it is not read as daily; with 3 or more drinks on a typical day it is at least 12 drinks
    a week on most days, the drinking where withdrawal becomes possible, and it counts."""
    return (
        facts.drinks_daily_said
        or facts.auditc_item3 == DAILY
        or (facts.auditc_item1 == MOST_DAYS and _at_least(facts.auditc_item2, THREE_OR_MORE_DRINKS))
    )


def stopped_heavy_drinking(facts: ScreeningFacts) -> bool:
    """Stopped within RECENT_STOP_DAYS after heavy drinking: daily, six or more drinks at least weekly, or an
    AUDIT-C not answered (the amount is unknown, so a clinician asks)."""
    heavy = drinks_daily(facts) or _at_least(facts.auditc_item3, WEEKLY) or facts.auditc_total is None
    return facts.stopped_drinking_recently and heavy


def withdrawal_risk(facts: ScreeningFacts) -> bool:
    return _at_least(facts.auditc_total, AUDITC_HIGH) or drinks_daily(facts) or stopped_heavy_drinking(facts)


def untreated(facts: ScreeningFacts, program: Program) -> list[str]:
    return sorted(facts.concerns & set(program.not_treated))


def fewest_days(program: Program) -> int:
    return min(len(track.days) for track in program.tracks)


# --- reasons --------------------------------------------------------------------------------------------


def _high_risk(facts: ScreeningFacts, program: Program) -> list[str]:
    return ["Some answers about safety mean more support is needed right now than an outpatient program can give."]


def _moderate_risk(facts: ScreeningFacts, program: Program) -> list[str]:
    return ["Some answers about safety mean a clinician should follow up soon."]


def _outside_states(facts: ScreeningFacts, program: Program) -> list[str]:
    return [
        f"{program.short_name} can only serve people who live in {program.states_text('or')}, online sessions "
        "included, so the intake team will help find care in the right state."
    ]


def _outside_ages(facts: ScreeningFacts, program: Program) -> list[str]:
    return [
        f"{program.short_name} serves ages {program.ages}, so the intake team will help find a program for this age."
    ]


def _step_down_with_risk(facts: ScreeningFacts, program: Program) -> list[str]:
    return [
        "The weeks after a stay in a psychiatric hospital or program are a time to be careful, and some answers "
        "about mood or safety mean a clinician should follow up soon."
    ]


def _withdrawal(facts: ScreeningFacts, program: Program) -> list[str]:
    reasons = [
        "The answers about alcohol point to a risk of withdrawal if drinking stops suddenly, which can need "
        "medical care, so a clinician will check first whether support for withdrawal is needed."
    ]
    if facts.stopped_drinking_recently:
        reasons.append(
            "After stopping heavy drinking, shaking, sweating, confusion, seeing or hearing things, or a "
            f"seizure need medical care right away: call {EMERGENCY} or go to the nearest emergency room."
        )
    return reasons


def _untreated_only(facts: ScreeningFacts, program: Program) -> list[str]:
    reasons = []
    for key in untreated(facts, program):
        reasons += [f"{program.short_name} does not treat {CONCERNS[key]}.", program.not_treated[key]]
    return reasons


def _severe_with_thoughts(facts: ScreeningFacts, program: Program) -> list[str]:
    return [
        "Severe depression symptoms together with thoughts of death or suicide mean a clinician should check "
        "whether an IOP gives enough support."
    ]


def _untreated_among_others(facts: ScreeningFacts, program: Program) -> list[str]:
    labels = " and ".join(CONCERNS[k] for k in untreated(facts, program))
    return [
        f"{labels[0].upper()}{labels[1:]} also came up, which {program.short_name} does not treat, so a "
        "clinician will look at how best to help with everything named."
    ]


def _thoughts_of_death(facts: ScreeningFacts, program: Program) -> list[str]:
    return ["The answers mention thoughts of death or of self-harm, so a clinician will look at them carefully."]


def _too_few_days(facts: ScreeningFacts, program: Program) -> list[str]:
    days = facts.days_per_week
    return [
        f"The answers say {days} day{'' if days == 1 else 's'} a week could work, and every group here meets at "
        f"least {fewest_days(program)} days a week, so a clinician will look at what could work."
    ]


def _step_down(facts: ScreeningFacts, program: Program) -> list[str]:
    return ["After a recent hospital or residential stay, stepping down to an IOP is a common next step."]


def _symptoms(facts: ScreeningFacts, program: Program) -> list[str]:
    return _symptom_reasons(facts)


def _unmeasured(facts: ScreeningFacts, program: Program) -> list[str]:
    reasons = [
        f"{_UNMEASURED_REASON.get(k, _OTHER_REASON)}, so a clinician will review the answers."
        for k in sorted(facts.concerns - MEASURED)
    ]
    return list(dict.fromkeys(reasons))


def _mild(facts: ScreeningFacts, program: Program) -> list[str]:
    return [
        *_symptom_reasons(facts),
        "Milder symptoms are often helped by weekly outpatient care, so a clinician "
        "will look at whether an IOP is the right step.",
    ]


def _skipped(facts: ScreeningFacts, program: Program) -> list[str]:
    return ["Some questions were skipped, so a clinician will review the answers before suggesting a level of care."]


def _minimal(facts: ScreeningFacts, program: Program) -> list[str]:
    return [
        "The answers describe few symptoms right now, so weekly outpatient care, like seeing a therapist, may "
        "fit better than an intensive program."
    ]


# --- the rules ------------------------------------------------------------------------------------------

Check = Callable[[ScreeningFacts, Program], bool]
Reasons = Callable[[ScreeningFacts, Program], list[str]]


@dataclass(frozen=True)
class Rule:
    """One level-of-care rule: when it applies, what it leads to, why (for the person) and on what authority.

    `topic` groups rules about the same fact: only the first that applies in a topic gives reasons. `noted`:
    its reasons are also given when an earlier rule decided; `safety`: even after a referral elsewhere.
    """

    key: str
    topic: str
    condition: str  # plain words, for clinicians
    outcome: Outcome
    source: str
    applies: Check = field(repr=False)
    reasons: Reasons = field(repr=False)
    urgent: bool = False
    noted: bool = True
    safety: bool = False


CSSRS_SOURCE = "C-SSRS screener triage (Columbia Lighthouse Project)"
PROGRAM_SOURCE = "The program's own limits (program.yml)"
RULES: tuple[Rule, ...] = (
    Rule(
        "high_risk",
        "safety",
        "C-SSRS risk is high",
        Outcome.REFER_HIGHER,
        CSSRS_SOURCE,
        lambda f, p: f.cssrs_risk == Risk.HIGH,
        _high_risk,
        safety=True,
    ),
    Rule(
        "moderate_risk",
        "safety",
        "C-SSRS risk is moderate, whatever else is true (a concern the program does "
        "not treat, a state or age it does not serve)",
        Outcome.NEEDS_REVIEW,
        CSSRS_SOURCE,
        lambda f, p: f.cssrs_risk == Risk.MODERATE,
        _moderate_risk,
        urgent=True,
        safety=True,
    ),
    Rule(
        "outside_states",
        "state",
        "Lives in a state the program is not licensed in (program.yml `states`; licensing covers telehealth too)",
        Outcome.REFER_OTHER_PROGRAM,
        PROGRAM_SOURCE,
        outside_states,
        _outside_states,
    ),
    Rule(
        "outside_ages",
        "age",
        "Age outside the program's range (program.yml `ages`)",
        Outcome.REFER_OTHER_PROGRAM,
        PROGRAM_SOURCE,
        outside_ages,
        _outside_ages,
    ),
    Rule(
        "step_down_with_risk",
        "discharge",
        "Recent psychiatric discharge (as in the step-down rule below) with "
        "any C-SSRS risk (low or above) or PHQ-9 of 20 or more",
        Outcome.NEEDS_REVIEW,
        "Suicide rates are highest soon after a psychiatric discharge (Chung et al., JAMA Psychiatry 2017); LOCUS "
        "dimensions I (risk of harm) and V (treatment and recovery history)",
        lambda f, p: recent_discharge(f, p) and (f.cssrs_risk != Risk.NONE or _at_least(f.phq9_total, SEVERE_PHQ9)),
        _step_down_with_risk,
        urgent=True,
        safety=True,
    ),
    Rule(
        "alcohol_withdrawal",
        "alcohol",
        f"AUDIT-C {AUDITC_HIGH} or more; or drinking every day (said in those "
        'words, AUDIT-C item 3 "daily or almost daily", or item 1 "4 or more times a week" with 3 or more '
        f"drinks on a typical day); or heavy drinking (daily, six or more drinks weekly, or AUDIT-C unanswered) "
        f"stopped in the last {RECENT_STOP_DAYS} days",
        Outcome.NEEDS_REVIEW,
        "ASAM Criteria dimension 1 (intoxication and withdrawal potential): withdrawal management comes first",
        lambda f, p: withdrawal_risk(f),
        _withdrawal,
        safety=True,
    ),
    Rule(
        "untreated_only",
        "concerns",
        "Every concern named is one the program does not treat (program.yml `concerns.not_treated`)",
        Outcome.REFER_SPECIALIZED,
        PROGRAM_SOURCE,
        lambda f, p: bool(f.concerns) and len(untreated(f, p)) == len(f.concerns),
        _untreated_only,
    ),
    Rule(
        "severe_with_thoughts",
        "safety",
        "PHQ-9 of 20 or more (severe) with C-SSRS risk low",
        Outcome.NEEDS_REVIEW,
        "LOCUS reasoning: severe symptoms with thoughts of death may need more than an IOP",
        lambda f, p: _at_least(f.phq9_total, SEVERE_PHQ9) and f.cssrs_risk == Risk.LOW,
        _severe_with_thoughts,
        safety=True,
    ),
    Rule(
        "untreated_among_others",
        "concerns",
        "A concern the program does not treat, named alongside ones it treats",
        Outcome.NEEDS_REVIEW,
        PROGRAM_SOURCE,
        lambda f, p: bool(untreated(f, p)),
        _untreated_among_others,
    ),
    Rule(
        "thoughts_of_death",
        "safety",
        "PHQ-9 item 9 above 0 or refused, or C-SSRS risk low (a wish to be dead or "
        "thoughts of suicide in the past month, nothing more)",
        Outcome.NEEDS_REVIEW,
        "PHQ-9 item 9 and the C-SSRS screener: any thought of death or self-harm gets a clinician's look",
        lambda f, p: _at_least(f.phq9_item9, 1) or f.phq9_item9_declined or f.cssrs_risk == Risk.LOW,
        _thoughts_of_death,
        safety=True,
    ),
    Rule(
        "too_few_days",
        "schedule",
        "Can come fewer days a week than every group meets (program.yml tracks' `days`)",
        Outcome.NEEDS_REVIEW,
        "An IOP is at least 9 hours a week (ASAM level 2.1, Medicare); the program's tracks (program.yml)",
        lambda f, p: f.days_per_week is not None and f.days_per_week < fewest_days(p),
        _too_few_days,
    ),
    Rule(
        "step_down",
        "discharge",
        "Recent psychiatric discharge: left a psychiatric hospital or unit, a "
        "residential program (substance use too), a partial hospitalization program (PHP), detox or a crisis "
        "unit within program.yml `step_down_days`; a discharge named without a time counts, as the question asks "
        "about the last month",
        Outcome.LIKELY_FIT,
        "ASAM Criteria and LOCUS: stepping down from a higher level of care to an IOP keeps care continuous",
        recent_discharge,
        _step_down,
    ),
    Rule(
        "symptoms",
        "symptoms",
        f"PHQ-9 {SYMPTOM_CUTOFF} or more, GAD-7 {SYMPTOM_CUTOFF} or more, or AUDIT-C "
        f"{AUDITC_CUTOFF} or more with substance use named",
        Outcome.LIKELY_FIT,
        "PHQ-9 and GAD-7 moderate range (Kroenke et al. 2001, Spitzer et al. 2006); AUDIT-C (Bush et al. 1998)",
        lambda f, p: (
            _at_least(f.phq9_total, SYMPTOM_CUTOFF)
            or _at_least(f.gad7_total, SYMPTOM_CUTOFF)
            or ("substance_use" in f.concerns and _at_least(f.auditc_total, AUDITC_CUTOFF))
        ),
        _symptoms,
        noted=False,
    ),
    Rule(
        "unmeasured",
        "concerns",
        "A concern the questionnaires do not measure: bipolar, PTSD or trauma, "
        "substance use below the AUDIT-C cutoff, or another concern",
        Outcome.NEEDS_REVIEW,
        "Screening design: PHQ-9, GAD-7 and AUDIT-C measure depression, anxiety and alcohol only",
        lambda f, p: bool(f.concerns - MEASURED),
        _unmeasured,
        noted=False,
    ),
    Rule(
        "mild",
        "symptoms",
        f"Mild symptoms: PHQ-9 or GAD-7 {MILD_CUTOFF}-{SYMPTOM_CUTOFF - 1}, or AUDIT-C "
        f"{AUDITC_CUTOFF} or more without substance use named",
        Outcome.NEEDS_REVIEW,
        "PHQ-9 and GAD-7 mild bands; LOCUS: milder symptoms often fit weekly outpatient care",
        lambda f, p: bool(_symptom_reasons(f)),
        _mild,
        noted=False,
    ),
    Rule(
        "skipped",
        "symptoms",
        "PHQ-9 or GAD-7 not answered",
        Outcome.NEEDS_REVIEW,
        "PHQ-9 and GAD-7 scoring: no total without the answers",
        lambda f, p: f.phq9_total is None or f.gad7_total is None,
        _skipped,
        noted=False,
    ),
    Rule(
        "minimal",
        "symptoms",
        f"Otherwise, that is: PHQ-9 and GAD-7 under {MILD_CUTOFF}, no safety or alcohol "
        "concern, and only depression, anxiety or stress named (or nothing)",
        Outcome.REFER_OUTPATIENT,
        "LOCUS reasoning: few symptoms and no risk fit routine outpatient care",
        lambda f, p: True,
        _minimal,
        noted=False,
    ),
)


def _level_of_care(facts: ScreeningFacts, program: Program) -> tuple[Rule, list[str]]:
    """The first rule that applies, and the reasons: its own, then those of later rules that apply (one per
    topic, so no fact hides another). After a referral elsewhere only safety reasons, and those of rules with
    the same outcome, are added; after a referral to hospital care, none."""
    applying = [rule for rule in RULES if rule.applies(facts, program)]
    decided = applying[0]  # the last rule always applies
    reasons = decided.reasons(facts, program)
    if decided.outcome is Outcome.REFER_HIGHER:
        return decided, reasons
    topics = {decided.topic}
    for rule in applying[1:]:
        if rule.topic in topics:
            continue
        topics.add(rule.topic)
        if rule.noted and (decided.outcome in _IOP_OUTCOMES or rule.safety or rule.outcome is decided.outcome):
            reasons += rule.reasons(facts, program)
    if decided.outcome in _IOP_OUTCOMES:
        reasons += _symptom_reasons(facts)
    return decided, list(dict.fromkeys(reasons))


def assess(facts: ScreeningFacts, program: Program) -> Assessment:
    """Apply the rules (and flags) to one screening."""
    if facts.cssrs_risk not in CSSRS_RISKS:
        raise ValueError(f"cssrs_risk should be one of {CSSRS_RISKS}, not {facts.cssrs_risk!r}")
    rule, reasons = _level_of_care(facts, program)
    outcome = rule.outcome
    flags: list[Flag] = []
    if recent_discharge(facts, program):
        flags.append(Flag.STEP_DOWN)
    served = not outside_ages(facts, program) and not outside_states(facts, program)
    if outside_ages(facts, program):
        flags.append(Flag.OUTSIDE_AGE_RANGE)
    if outside_states(facts, program):
        flags.append(Flag.OUTSIDE_STATES)
    if facts.insurance_status == "out_of_network":
        flags.append(Flag.INSURANCE_NOT_ACCEPTED)
        if outcome not in (Outcome.REFER_HIGHER, Outcome.REFER_OTHER_PROGRAM):
            reasons.append(
                "The insurance named is not in network here; out-of-network benefits or the sliding "
                "scale may still make it work."
            )
    track = None
    # A track is only worth suggesting when the IOP may be the level of care and the program can serve them.
    if outcome in _IOP_OUTCOMES and served:
        tracks = fitting_tracks(program, facts.age, facts.times, facts.days_per_week, facts.modality)
        if facts.transport_problem:
            tracks.sort(key=lambda t: not t.offers("telehealth"))  # stable: program order otherwise
        if tracks:
            track = tracks[0]
        else:
            flags.append(Flag.NO_TRACK_FITS)
            reasons.append(
                "None of the current groups matches the age, times, days and format given; the "
                "intake team can talk through options, including a waitlist for another group."
            )
    item9 = "declined" if facts.phq9_item9_declined else facts.phq9_item9
    crisis_lines = owes_crisis_lines(facts.cssrs_risk, item9)
    return Assessment(outcome, tuple(reasons), track, tuple(flags), rule.urgent, crisis_lines)


def outcome_message(
    assessment: Assessment, program: Program, for_self: bool, name: Optional[str], *, can_call: bool = True
) -> str:
    """What the participant is told at the end of the screening: never a diagnosis. `can_call`: the team has a
    number to call (the bot never promises a call it cannot make; without one the person is told how to reach
    the team)."""
    who = "you" if for_self else (name or "them")
    outcome = assessment.outcome
    lines: list[str] = []
    if outcome is Outcome.REFER_HIGHER:
        lines += [
            crisis_resources(program),
            "From these answers, a hospital or emergency level of care is the safer choice right now, rather "
            "than an outpatient program. Places that can help:",
            higher_care_places(program),
        ]
    elif outcome is Outcome.LIKELY_FIT:
        lines.append(
            f"Thank you for answering. From what you shared, an intensive outpatient program (IOP) "
            f"looks like a likely fit for {who}."
        )
    elif outcome is Outcome.NEEDS_REVIEW and assessment.urgent:
        lines.append(
            f"Thank you for answering. Because of some of the answers, a clinician should talk with {who} soon."
        )
    elif outcome is Outcome.NEEDS_REVIEW:
        lines.append(
            f"Thank you for answering. A clinician will review the answers before suggesting whether an "
            f"intensive outpatient program (IOP) fits {who}."
        )
    elif outcome is Outcome.REFER_SPECIALIZED:
        lines.append(
            f"Thank you for answering. From what you shared, a specialized program is likely to fit {who} "
            f"better than {program.short_name}."
        )
    elif outcome is Outcome.REFER_OTHER_PROGRAM:
        lines.append(
            f"Thank you for answering. {program.short_name} isn't able to serve {who}, and our intake team "
            "will help find a program that can."
        )
    else:
        lines.append(
            f"Thank you for answering. From what you shared, weekly outpatient care may fit {who} better "
            "than an intensive program right now."
        )
    lines.append("Why:")
    lines += [f"- {reason}" for reason in assessment.reasons]
    track = assessment.track
    if track is not None:
        lines.append(
            f"The group that fits best: {track.name} (ages {track.ages}), {track.schedule_text}, {track.modality_text}."
        )
    if outcome is Outcome.REFER_HIGHER:
        # No assessment is offered here: the crisis reply that follows says who is coming.
        return "\n".join(lines)
    reach_us = f"{program.phone} ({program.staff_hours})"
    if outcome is Outcome.REFER_OTHER_PROGRAM:
        lines.append(f"{FIND_CARE} Questions? Call {reach_us}.")
    elif outcome in (Outcome.REFER_SPECIALIZED, Outcome.REFER_OUTPATIENT):
        lines.append(
            "The intake team will call you to share options, and can still book a free assessment if you "
            "would like one."
            if can_call
            else f"Please call our intake team at {reach_us} to talk through options; they can still book a "
            "free assessment if you would like one."
        )
    else:
        # The bot offers assessment times next (bot/booking/conversation.py).
        if assessment.urgent:
            lines.append(
                "A clinician from our team will call you soon."
                if can_call
                else f"Please call our team at {reach_us} so a clinician can talk with you soon."
            )
        lines.append(
            f"The next step is a free assessment with a clinician, which you can book here now. "
            f"Questions? Call {reach_us}."
        )
    if assessment.crisis_lines or assessment.urgent:
        lines.append(closing_crisis_lines(program))
    lines.append(assessment.final_word)
    return "\n".join(lines)


# --- the rules as a table for clinical review (docs/clinical-rules.md) -------------------------------------

# Rules the screening itself follows before any outcome: (when, what happens, source).
DURING_SCREENING = (
    (
        "PHQ-9 item 9 above 0 (or not answered)",
        "The C-SSRS safety questions come next, before anything else",
        "PHQ-9 item 9; C-SSRS screener",
    ),
    (
        "C-SSRS risk reaches high",
        "The screening stops at once: crisis lines, the program's hospitals and crisis centres, a person from the team",
        CSSRS_SOURCE,
    ),
    ("C-SSRS risk reaches moderate", "The screening goes on; a clinician is asked to call back", CSSRS_SOURCE),
    (
        "Age outside program.yml `ages`",
        "The screening stops: other services, SAMHSA's helpline, FindTreatment.gov",
        PROGRAM_SOURCE,
    ),
    (
        "Lives outside program.yml `states`",
        "The screening stops: SAMHSA's helpline and FindTreatment.gov",
        PROGRAM_SOURCE,
    ),
    (
        "Answering for themselves and younger than their state's minor-consent age (program.yml `minor_consent_ages`)",
        "Asked to go on with a parent or guardian",
        "State law on minors' consent to outpatient mental-health care (Oregon ORS 109.675: 14; Washington "
        "RCW 71.34.530: 13)",
    ),
)
# The C-SSRS screener's risk levels: (level, answers).
CSSRS_TRIAGE = (
    (
        Risk.HIGH.value,
        "Yes to Q4 (intent) or Q5 (plan) in the past month, or Q6 (suicidal behaviour) within the "
        "past 3 months (or when is not known)",
    ),
    (
        Risk.MODERATE.value,
        "Yes to Q3 (thinking about how) in the past month, or Q6 longer than 3 months ago; a "
        "refused answer on Q2, Q4, Q5 or Q6, or any refusal after PHQ-9 item 9 above 0",
    ),
    (Risk.LOW.value, "Yes to Q1 (wish to be dead) or Q2 (thoughts of killing themselves) only, in the past month"),
    (Risk.NONE.value, "No to every question asked"),
)
_OUTCOME_WORDS = {
    Outcome.LIKELY_FIT: "Likely fit for the IOP; a track is suggested",
    Outcome.NEEDS_REVIEW: "A clinician reviews before suggesting a level of care (urgent: a clinician follows up "
    "soon, with the crisis lines)",
    Outcome.REFER_HIGHER: "Hospital or emergency care now, with the crisis lines and places that can help",
    Outcome.REFER_OUTPATIENT: "Weekly outpatient care may fit better",
    Outcome.REFER_SPECIALIZED: "A specialized program fits better",
    Outcome.REFER_OTHER_PROGRAM: "The program cannot serve this person; the intake team, SAMHSA's helpline and "
    "FindTreatment.gov help find care",
}


def _noted_words(rule: Rule) -> str:
    if not rule.noted:
        return "no"
    return (
        "yes, after any outcome but hospital care"
        if rule.safety
        else "yes, after likely fit, needs review or the same outcome"
    )


def _row(*cells: str) -> str:
    return "| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |"


def _program_limits(program: Program) -> list[str]:
    groups = "; ".join(f"{t.name}, {days_text(t.days)} ({len(t.days)} days a week)" for t in program.tracks)
    consent = ", ".join(f"{US_STATES[s]} {age}" for s, age in program.minor_consent_ages.items())
    not_treated = join_words([CONCERNS[k] for k in program.not_treated]) or "none listed"
    return [
        f"- States served (`states`): {program.states_text()}, telehealth included.",
        f"- Ages (`ages`): {program.ages}.",
        f"- A minor may consent alone from (`minor_consent_ages`): {consent}.",
        f"- Step-down window (`step_down_days`): {program.step_down_days} days.",
        f"- Groups (`tracks`): {groups}. Fewest days a week: {fewest_days(program)}.",
        f"- Treated (`concerns.treated`): {join_words([CONCERNS[k] for k in program.treated])}.",
        f"- Not treated (`concerns.not_treated`): {not_treated}.",
    ]


def rules_markdown(program: Program) -> str:
    """docs/clinical-rules.md: every rule in order, with its outcome and source."""
    lines = [
        "# Clinical rules",
        "",
        "Generated by `iop-intake clinical-rules` from `bot/eligibility.py` and the program file (here the example "
        "program, `program.yml`). Do not edit by hand: `tests/test_clinical_rules.py` fails when this file and the "
        "code differ.",
        "",
        "The bot never diagnoses. Every outcome is a suggestion with reasons in plain words, and a clinician makes "
        "the final decision at the assessment.",
        "",
        "## During the screening",
        "",
        _row("When", "What happens", "Source"),
        _row("---", "---", "---"),
        *(_row(*rule) for rule in DURING_SCREENING),
        "",
        "## C-SSRS risk level",
        "",
        _row("Risk", "Answers"),
        _row("---", "---"),
        *(_row(level, answers) for level, answers in CSSRS_TRIAGE),
        "",
        "## Level of care",
        "",
        "The rules are read in order and the first that applies decides the outcome, so risk comes first and "
        "nothing overrides it. Later rules that apply still add their reasons, the first of each topic only, so no "
        "fact hides another (last column): after a referral elsewhere only the safety rules and those with the "
        'same outcome do, and after a referral to hospital care none do. After "likely fit" and "needs review" '
        "every score in the mild range or above is described too.",
        "",
        "Beside the outcome, flags for the intake team: `step_down` (the step-down rule's discharge), "
        "`outside_states`, `outside_age_range`, `insurance_not_accepted` (with a word on out-of-network benefits, "
        'except after hospital care or another program) and `no_track_fits` (after "likely fit" or "needs '
        'review" when no group fits the age, times, days and format, with a word on a waitlist).',
        "",
        _row("#", "Condition", "Outcome", "Source", "Topic: reason also given after an earlier rule decides"),
        _row("---", "---", "---", "---", "---"),
        *(
            _row(
                str(n),
                rule.condition,
                rule.outcome.value + (", urgent" if rule.urgent else ""),
                rule.source,
                f"{rule.topic}: {_noted_words(rule)}",
            )
            for n, rule in enumerate(RULES, 1)
        ),
        "",
        "## Outcomes",
        "",
        _row("Outcome", "Meaning", "The bot offers to book the assessment"),
        _row("---", "---", "---"),
        *(
            _row(outcome.value, words, "yes" if outcome.value in BOOKABLE else "no: the intake team calls")
            for outcome, words in _OUTCOME_WORDS.items()
        ),
        "",
        "## This program's limits (program.yml)",
        "",
        *_program_limits(program),
        "",
    ]
    return "\n".join(lines)
