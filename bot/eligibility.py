"""Which level of care is likely to fit, with reasons in plain words. Never a diagnosis.

The outcome is a suggestion for the intake team and the person; a clinician decides at the assessment.
Rules, first match wins (order matters):

 1. C-SSRS risk high                                       -> REFER_HIGHER (inpatient / emergency care now)
 2. every concern named is one the program does not treat  -> REFER_SPECIALIZED
 3. C-SSRS risk moderate                                   -> NEEDS_REVIEW, urgent (a clinician soon)
 4. recently discharged from inpatient or residential care -> LIKELY_FIT (step-down: a classic IOP referral)
 5. PHQ-9 >= 20 (severe) with C-SSRS risk low              -> NEEDS_REVIEW (is an IOP enough support?)
 6. an untreated concern named alongside others            -> NEEDS_REVIEW
 7. PHQ-9 item 9 > 0 (C-SSRS risk is none or low here)     -> NEEDS_REVIEW
 8. PHQ-9 >= 10, GAD-7 >= 10, or AUDIT-C >= 3 with a substance-use concern -> LIKELY_FIT
 9. a concern the questionnaires do not measure (bipolar, PTSD/trauma, substance use below the AUDIT-C
    cutoff, other)                                         -> NEEDS_REVIEW
10. mild symptoms: PHQ-9 or GAD-7 5-9, or AUDIT-C >= 3 without a substance-use concern -> NEEDS_REVIEW
11. PHQ-9 or GAD-7 not answered                            -> NEEDS_REVIEW
12. otherwise: all minimal, nothing else named, no step-down -> REFER_OUTPATIENT

Rules 5-7 come before 8 so that risk signs are never hidden behind a high score; rule 9 after 8 because
a high score is reason enough on its own.

Flags are orthogonal to the outcome: OUTSIDE_AGE_RANGE, OUTSIDE_STATES, INSURANCE_NOT_ACCEPTED and
STEP_DOWN (any recent discharge). LIKELY_FIT and NEEDS_REVIEW also get the best fitting track, or
NO_TRACK_FITS with a reason saying what happens then; the outcome itself stays.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional

from bot.program import CONCERNS, Program, Track
from bot.safety.resources import crisis_resources, higher_care_places

FINAL_WORD = "A clinician makes the final decision at the assessment."

CSSRS_RISKS = ("none", "low", "moderate", "high")
PHQ9_BANDS = ((20, "severe"), (15, "moderately severe"), (10, "moderate"), (5, "mild"), (0, "minimal"))
GAD7_BANDS = ((15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal"))
SYMPTOM_CUTOFF = 10  # PHQ-9 and GAD-7: moderate and above
MILD_CUTOFF = 5
AUDITC_CUTOFF = 3  # the lower (more sensitive) of the usual AUDIT-C cutoffs
SEVERE_PHQ9 = 20

MEASURED = frozenset({"depression", "anxiety"})  # concerns whose severity PHQ-9 / GAD-7 give

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


# Outcomes after which the bot offers assessment times; a referral elsewhere goes through the intake team.
BOOKABLE = frozenset({Outcome.LIKELY_FIT.value, Outcome.NEEDS_REVIEW.value})


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
    care: frozenset[str] = frozenset()  # therapist, psychiatrist, recent_discharge, none
    phq9_total: Optional[int] = None
    phq9_item9: Optional[int] = None
    gad7_total: Optional[int] = None
    auditc_total: Optional[int] = None
    cssrs_risk: str = "none"  # one of CSSRS_RISKS
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
    urgent: bool = False  # a clinician should follow up soon (moderate safety risk)
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
        track for track in program.tracks
        if (age is None or age in track.ages)
        and (not times or track.part_of_day in times)
        and (days_per_week is None or len(track.days) <= days_per_week)
        and (modality in (None, "either") or track.offers(modality))
    ]


def _band(total: int, bands: tuple[tuple[int, str], ...]) -> str:
    return next(name for floor, name in bands if total >= floor)


def _symptom_reasons(facts: ScreeningFacts) -> list[str]:
    """Plain descriptions of every score in the mild range or above."""
    reasons = []
    if facts.phq9_total is not None and facts.phq9_total >= MILD_CUTOFF:
        reasons.append(f"The answers describe depression symptoms in the {_band(facts.phq9_total, PHQ9_BANDS)} range.")
    if facts.gad7_total is not None and facts.gad7_total >= MILD_CUTOFF:
        reasons.append(f"The answers describe anxiety symptoms in the {_band(facts.gad7_total, GAD7_BANDS)} range.")
    if facts.auditc_total is not None and facts.auditc_total >= AUDITC_CUTOFF:
        reasons.append("The answers about alcohol are above the usual screening cutoff.")
    return reasons


def _at_least(score: Optional[int], cutoff: int) -> bool:
    return score is not None and score >= cutoff


def _level_of_care(facts: ScreeningFacts, program: Program) -> tuple[Outcome, list[str], bool]:
    """Rules 1-12 from the module docstring: outcome, reasons, urgent."""
    untreated = sorted(facts.concerns & set(program.not_treated))
    symptoms = _symptom_reasons(facts)

    if facts.cssrs_risk == "high":
        return Outcome.REFER_HIGHER, [
            "Some answers about safety mean more support is needed right now than an outpatient program can give."
        ], False
    if facts.concerns and len(untreated) == len(facts.concerns):
        reasons = []
        for key in untreated:
            reasons += [f"{program.short_name} does not treat {CONCERNS[key]}.", program.not_treated[key]]
        return Outcome.REFER_SPECIALIZED, reasons, False
    if facts.cssrs_risk == "moderate":
        return Outcome.NEEDS_REVIEW, [
            "Some answers about safety mean a clinician should follow up soon.", *symptoms
        ], True
    if "recent_discharge" in facts.care:
        return Outcome.LIKELY_FIT, [
            "After a recent hospital or residential stay, stepping down to an IOP is a common next step.", *symptoms
        ], False
    if _at_least(facts.phq9_total, SEVERE_PHQ9) and facts.cssrs_risk == "low":
        return Outcome.NEEDS_REVIEW, [
            "Severe depression symptoms together with thoughts of death or suicide mean a clinician should check "
            "whether an IOP gives enough support.", *symptoms
        ], False
    if untreated:
        labels = " and ".join(CONCERNS[k] for k in untreated)
        return Outcome.NEEDS_REVIEW, [
            f"{labels[0].upper()}{labels[1:]} also came up, which {program.short_name} does not treat, so a "
            "clinician will look at how best to help with everything named.", *symptoms
        ], False
    if _at_least(facts.phq9_item9, 1):
        return Outcome.NEEDS_REVIEW, [
            "The answers mention thoughts of death or of self-harm, so a clinician will look at them carefully.",
            *symptoms,
        ], False
    substance = "substance_use" in facts.concerns
    if (_at_least(facts.phq9_total, SYMPTOM_CUTOFF) or _at_least(facts.gad7_total, SYMPTOM_CUTOFF)
            or (substance and _at_least(facts.auditc_total, AUDITC_CUTOFF))):
        return Outcome.LIKELY_FIT, symptoms, False
    unmeasured = sorted(facts.concerns - MEASURED)
    if unmeasured:
        reasons = [f"{_UNMEASURED_REASON.get(k, _OTHER_REASON)}, so a clinician will review the answers."
                   for k in unmeasured]
        return Outcome.NEEDS_REVIEW, [*dict.fromkeys(reasons), *symptoms], False
    if symptoms:
        return Outcome.NEEDS_REVIEW, [
            *symptoms,
            "Milder symptoms are often helped by weekly outpatient care, so a clinician will look at whether an "
            "IOP is the right step.",
        ], False
    if facts.phq9_total is None or facts.gad7_total is None:
        return Outcome.NEEDS_REVIEW, [
            "Some questions were skipped, so a clinician will review the answers before suggesting a level of care."
        ], False
    return Outcome.REFER_OUTPATIENT, [
        "The answers describe few symptoms right now, so weekly outpatient care, like seeing a therapist, may fit "
        "better than an intensive program."
    ], False


def assess(facts: ScreeningFacts, program: Program) -> Assessment:
    """Apply the rules and flags above to one screening."""
    if facts.cssrs_risk not in CSSRS_RISKS:
        raise ValueError(f"cssrs_risk should be one of {CSSRS_RISKS}, not {facts.cssrs_risk!r}")
    outcome, reasons, urgent = _level_of_care(facts, program)
    flags: list[Flag] = []
    if "recent_discharge" in facts.care:
        flags.append(Flag.STEP_DOWN)
    age_ok = facts.age is None or facts.age in program.ages
    if not age_ok:
        flags.append(Flag.OUTSIDE_AGE_RANGE)
        reasons.append(f"{program.short_name} serves ages {program.ages}, so the intake team will help find "
                       "a program for this age.")
    if facts.state is not None and facts.state.upper() not in program.states:
        flags.append(Flag.OUTSIDE_STATES)
        reasons.append(f"{program.short_name} can only serve people who live in {program.states_text('or')}, so the "
                       "intake team will help find care in the right state.")
    if facts.insurance_status == "out_of_network":
        flags.append(Flag.INSURANCE_NOT_ACCEPTED)
        reasons.append("The insurance named is not in network here; out-of-network benefits or the sliding "
                       "scale may still make it work.")
    track = None
    # A track is only worth suggesting when the IOP may be the level of care and the age is one we serve.
    if outcome in (Outcome.LIKELY_FIT, Outcome.NEEDS_REVIEW) and age_ok:
        tracks = fitting_tracks(program, facts.age, facts.times, facts.days_per_week, facts.modality)
        if facts.transport_problem:
            tracks.sort(key=lambda t: not t.offers("telehealth"))  # stable: program order otherwise
        if tracks:
            track = tracks[0]
        else:
            flags.append(Flag.NO_TRACK_FITS)
            reasons.append("None of the current groups matches the age, times, days and format given; the "
                           "intake team can talk through options, including a waitlist for another group.")
    return Assessment(outcome, tuple(reasons), track, tuple(flags), urgent)


def outcome_message(assessment: Assessment, program: Program, for_self: bool, name: Optional[str]) -> str:
    """What the participant is told at the end of the screening: never a diagnosis."""
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
        lines.append(f"Thank you for answering. From what you shared, an intensive outpatient program (IOP) "
                     f"looks like a likely fit for {who}.")
    elif outcome is Outcome.NEEDS_REVIEW and assessment.urgent:
        lines.append("Thank you for answering. Because of some answers about safety, a clinician will follow up soon. "
                     f"If things get worse, call or text 988, call our crisis line at {program.crisis_line.phone}, "
                     "or call 911 in an emergency.")
    elif outcome is Outcome.NEEDS_REVIEW:
        lines.append(f"Thank you for answering. A clinician will review the answers before suggesting whether an "
                     f"intensive outpatient program (IOP) fits {who}.")
    elif outcome is Outcome.REFER_SPECIALIZED:
        lines.append(f"Thank you for answering. From what you shared, a specialized program is likely to fit {who} "
                     f"better than {program.short_name}.")
    else:
        lines.append(f"Thank you for answering. From what you shared, weekly outpatient care may fit {who} better "
                     "than an intensive program right now.")
    lines.append("Why:")
    lines += [f"- {reason}" for reason in assessment.reasons]
    track = assessment.track
    if track is not None:
        lines.append(f"The group that fits best: {track.name} (ages {track.ages}), {track.schedule_text}, "
                     f"{track.modality_text}.")
    if outcome is Outcome.REFER_HIGHER:
        lines.append("Our intake team will follow up with you as well.")
    elif outcome in (Outcome.REFER_SPECIALIZED, Outcome.REFER_OUTPATIENT):
        lines.append("The intake team will call you to share options, and can still book a free assessment if "
                     "you would like one.")
    else:
        # The bot offers assessment times next (actions/booking.py).
        soon = "A clinician will also call you soon. " if assessment.urgent else ""
        lines.append(f"{soon}The next step is a free assessment with a clinician, which you can book here now. "
                     f"Questions? Call {program.phone} ({program.staff_hours}).")
    lines.append(assessment.final_word)
    return "\n".join(lines)
