"""The screening's order of questions and its skip logic, computed from the answers given so far.

Nothing here remembers state: the answers (Rasa slots, or rows in the database) are the state, so a
conversation picked up hours later, after "go back" or after a restart of every process, lands on the
same next question.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping, Optional

from bot.eligibility import Assessment, ScreeningFacts, assess
from bot.instruments import (
    AUDITC,
    CSSRS,
    DIFFICULTY,
    GAD7,
    INSTRUMENTS,
    PHQ9,
    Instrument,
    Score,
    cssrs_risk,
    difficulty_due,
    high_risk_reached,
)
from bot.instruments.cssrs import Risk
from bot.insurance import InsuranceMatch, recognise_insurance
from bot.intake import INTAKE
from bot.intake.care import care_options, discharge_days_ago, drank_in_past_year
from bot.program import Program
from bot.questions import DECLINED, SKIPPED, Context, Question

ABOUT = ("consent", "for_whom", "first_name", "age", "state", "concerns_text", "current_care")
SCHEDULE = ("schedule_times", "schedule_days", "modality", "transport")
# Asked last, before the outcome. By text the number is known, so only the permissions are asked.
CONTACT_KEYS = ("contact_phone", "contact_ok", "contact_time")

QUESTIONS: dict[str, Question] = {
    **INTAKE,
    **{item.key: item for instrument in INSTRUMENTS.values() for item in instrument.items},
    **{question.key: question for question in DIFFICULTY.values()},
}


class Status(str, Enum):
    """How a screening stands: the `screening_status` slot (domain.yml, every value but RESTARTED) and the
    database's `screenings.status` (bot/store/models.py). tests/test_facts.py holds both to this list."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DECLINED = "declined"  # said no to starting
    OUT_OF_RANGE = "out_of_range"  # age the program does not serve
    OUT_OF_AREA = "out_of_area"  # lives in a state the program is not licensed in (telehealth included)
    NEEDS_GUARDIAN = "needs_guardian"  # a minor younger than their state lets consent alone
    HIGH_RISK = "high_risk"  # C-SSRS answers: the screening stops for crisis care
    CRISIS = "crisis"  # a crisis message mid-screening
    STOPPED = "stopped"  # asked to stop
    RESTARTED = "restarted"  # the database's only: abandoned for a fresh screening in the same conversation


def answered(answers: Mapping[str, Any], key: str) -> bool:
    return answers.get(key) is not None


def concerns(answers: Mapping[str, Any]) -> list[str]:
    given = answers.get("concerns_text")
    return list(given.get("concerns", [])) if isinstance(given, dict) else []


def insurance(answers: Mapping[str, Any], program: Program) -> Optional[InsuranceMatch]:
    carrier = answers.get("insurance_carrier")
    if not isinstance(carrier, str) or carrier == SKIPPED:
        return None
    return recognise_insurance(carrier, program)


def _difficulty(instrument: Instrument, answers: Mapping[str, Any]) -> list[str]:
    """The instrument's unscored closing question, asked as the published form does: after any problem."""
    return [DIFFICULTY[instrument.key].key] if difficulty_due(instrument, answers) else []


def required(answers: Mapping[str, Any], program: Program, *, by_text: bool = False) -> list[str]:
    """Every question this person should be asked, in order, given what they answered so far.

    `by_text`: the conversation is by SMS, so the number to call is already known."""
    keys = list(ABOUT)
    keys += PHQ9.required(answers)
    item9 = answers.get("phq9_9")
    # Thoughts of death or self-harm, or no answer about them: the safety questions come next.
    safety_early = item9 == DECLINED or (isinstance(item9, int) and item9 > 0)
    if safety_early:
        keys += CSSRS.required(answers)
    keys += _difficulty(PHQ9, answers)
    keys += GAD7.required(answers) + _difficulty(GAD7, answers)
    substance = "substance_use" in concerns(answers)
    if not substance:
        keys.append("alcohol_use")
    if substance or drank_in_past_year(answers.get("alcohol_use")):
        keys += AUDITC.required(answers)
    if not safety_early:
        keys += CSSRS.required(answers)
    keys += SCHEDULE
    keys.append("insurance_carrier")
    match = insurance(answers, program)
    if match is None or match.status != "self_pay":
        keys += ["insurance_holder", "member_id"]
    if not by_text:
        keys.append("contact_phone")
    if by_text or answers.get("contact_phone") != SKIPPED:
        keys += ["contact_ok", "contact_time"]
    return keys


def next_question(answers: Mapping[str, Any], program: Program, *, by_text: bool = False) -> Optional[str]:
    return next((key for key in required(answers, program, by_text=by_text) if not answered(answers, key)), None)


def previous_question(
    answers: Mapping[str, Any], program: Program, current: Optional[str], *, by_text: bool = False
) -> Optional[str]:
    """The answered question before `current` ("go back"); consent is never re-asked."""
    keys = required(answers, program, by_text=by_text)
    end = keys.index(current) if current in keys else len(keys)
    earlier = [key for key in keys[:end] if answered(answers, key) and key != "consent"]
    return earlier[-1] if earlier else None


def stop_status(answers: Mapping[str, Any], program: Program) -> Optional[Status]:
    """A status that ends the screening early, or None to carry on."""
    if answers.get("consent") is False:
        return Status.DECLINED
    age = answers.get("age")
    if isinstance(age, int) and age not in program.ages:
        return Status.OUT_OF_RANGE
    state = answers.get("state")
    if isinstance(state, str) and state.upper() not in program.states:
        return Status.OUT_OF_AREA
    consent_age = program.minor_consent_age(state) if isinstance(state, str) else None
    if context(answers).for_self and isinstance(age, int) and consent_age is not None and age < consent_age:
        return Status.NEEDS_GUARDIAN
    if high_risk_reached(answers):
        return Status.HIGH_RISK
    return None


def context(answers: Mapping[str, Any]) -> Context:
    name = answers.get("first_name")
    return Context(for_self=answers.get("for_whom") != "other", name=name if isinstance(name, str) else None)


def _int(answers: Mapping[str, Any], key: str) -> Optional[int]:
    value = answers.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _set(answers: Mapping[str, Any], key: str) -> frozenset[str]:
    value = answers.get(key)
    return frozenset(value) if isinstance(value, (list, tuple, set, frozenset)) else frozenset()


@dataclass(frozen=True)
class Summary:
    """Everything staff and the outcome message need, computed from the answers."""

    scores: dict[str, Score]  # instrument key -> score (C-SSRS excluded: it has a risk level)
    risk: Risk
    insurance: Optional[InsuranceMatch]
    facts: ScreeningFacts
    assessment: Assessment


def summarise(answers: Mapping[str, Any], program: Program) -> Summary:
    scores = {key: inst.score(answers) for key, inst in INSTRUMENTS.items() if key != CSSRS.key}
    risk = cssrs_risk(answers)
    match = insurance(answers, program)
    transport = answers.get("transport")
    modality = answers.get("modality")
    state = answers.get("state")
    care = answers.get("current_care")
    drinking = answers.get("alcohol_use")
    facts = ScreeningFacts(
        age=_int(answers, "age"),
        state=state if isinstance(state, str) else None,
        for_self=context(answers).for_self,
        concerns=frozenset(concerns(answers)),
        care=care_options(care),
        discharge_days_ago=discharge_days_ago(care),
        phq9_total=scores[PHQ9.key].total,
        phq9_item9=_int(answers, "phq9_9"),
        phq9_item9_declined=answers.get("phq9_9") == DECLINED,
        gad7_total=scores[GAD7.key].total,
        auditc_total=scores[AUDITC.key].total if scores[AUDITC.key].answered else None,
        auditc_item1=_int(answers, "auditc_1"),
        auditc_item2=_int(answers, "auditc_2"),
        auditc_item3=_int(answers, "auditc_3"),
        drinks_daily_said=drinking == "daily",
        stopped_drinking_recently=drinking == "stopped_recently",
        cssrs_risk=risk.value,
        times=_set(answers, "schedule_times"),
        days_per_week=_int(answers, "schedule_days"),
        modality=modality if isinstance(modality, str) and modality != SKIPPED else None,
        transport_problem=transport if isinstance(transport, bool) else None,
        insurance_status=match.status if match else None,
    )
    return Summary(scores, risk, match, facts, assess(facts, program))


def all_keys() -> list[str]:
    """Every question in a canonical order (the superset `required` picks from)."""
    keys = list(ABOUT) + [item.key for item in PHQ9.items] + [DIFFICULTY[PHQ9.key].key]
    keys += [item.key for item in GAD7.items] + [DIFFICULTY[GAD7.key].key]
    keys += ["alcohol_use"] + [item.key for item in AUDITC.items] + [item.key for item in CSSRS.items]
    keys += list(SCHEDULE) + ["insurance_carrier", "insurance_holder", "member_id"] + list(CONTACT_KEYS)
    return keys


def summary_fields(summary: Summary, answers: Mapping[str, Any], *, final: bool) -> dict[str, Any]:
    """The screening row's summary columns. Scores appear once an instrument is complete; the outcome and
    its reasons only when the screening has ended (`final`)."""
    fields: dict[str, Any] = {}
    for key, score in summary.scores.items():
        fields[f"{key}_total"] = score.total if score.complete else None
        fields[f"{key}_band"] = score.band if score.complete else None
    facts = summary.facts
    fields["cssrs_risk"] = summary.risk.value if any(k.startswith("cssrs_") for k in answers) else None
    fields["concerns"] = sorted(facts.concerns)
    fields["care"] = sorted(facts.care)
    fields["schedule"] = {
        "times": sorted(facts.times),
        "days_per_week": facts.days_per_week,
        "modality": facts.modality,
        "transport_problem": facts.transport_problem,
    }
    if summary.insurance is not None:
        holder = answers.get("insurance_holder")
        fields["insurance"] = {
            "given": summary.insurance.raw,
            "carrier": summary.insurance.carrier,
            "status": summary.insurance.status,
            "holder": holder if holder != SKIPPED else None,
        }
    contact_ok = answers.get("contact_ok")
    fields["contact_ok"] = contact_ok if isinstance(contact_ok, str) and contact_ok != SKIPPED else None
    fields["contact_times"] = sorted(_set(answers, "contact_time")) or None
    if final:
        assessment = summary.assessment
        fields["outcome"] = assessment.outcome.value
        fields["reasons"] = list(assessment.reasons)
        fields["track"] = assessment.track.key if assessment.track else None
        fields["flags"] = [flag.value for flag in assessment.flags]
    return fields
