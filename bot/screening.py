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
from bot.instruments import AUDITC, CSSRS, GAD7, INSTRUMENTS, PHQ9, Score, cssrs_risk, high_risk_reached
from bot.instruments.cssrs import Risk
from bot.insurance import InsuranceMatch, recognise_insurance
from bot.intake import INTAKE
from bot.program import Program
from bot.questions import SKIPPED, Context, Question

ABOUT = ("consent", "for_whom", "first_name", "age", "state", "concerns_text", "current_care")
SCHEDULE = ("schedule_times", "schedule_days", "modality", "transport")

QUESTIONS: dict[str, Question] = {
    **INTAKE,
    **{item.key: item for instrument in INSTRUMENTS.values() for item in instrument.items},
}


class Status(str, Enum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DECLINED = "declined"  # said no to starting
    OUT_OF_RANGE = "out_of_range"  # age the program does not serve
    HIGH_RISK = "high_risk"  # C-SSRS answers: the screening stops for crisis care
    CRISIS = "crisis"  # a crisis message mid-screening
    STOPPED = "stopped"  # asked to stop


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


def required(answers: Mapping[str, Any], program: Program) -> list[str]:
    """Every question this person should be asked, in order, given what they answered so far."""
    keys = list(ABOUT)
    keys += PHQ9.required(answers)
    item9 = answers.get("phq9_9")
    safety_early = isinstance(item9, int) and item9 > 0  # thoughts of death or self-harm: safety next
    if safety_early:
        keys += CSSRS.required(answers)
    keys += GAD7.required(answers)
    substance = "substance_use" in concerns(answers)
    if not substance:
        keys.append("alcohol_use")
    if substance or answers.get("alcohol_use") is True:
        keys += AUDITC.required(answers)
    if not safety_early:
        keys += CSSRS.required(answers)
    keys += SCHEDULE
    keys.append("insurance_carrier")
    match = insurance(answers, program)
    if match is None or match.status != "self_pay":
        keys += ["insurance_holder", "member_id"]
    return keys


def next_question(answers: Mapping[str, Any], program: Program) -> Optional[str]:
    return next((key for key in required(answers, program) if not answered(answers, key)), None)


def previous_question(answers: Mapping[str, Any], program: Program, current: Optional[str]) -> Optional[str]:
    """The answered question before `current` ("go back"); consent is never re-asked."""
    keys = required(answers, program)
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
    facts = ScreeningFacts(
        age=_int(answers, "age"),
        state=state if isinstance(state, str) else None,
        for_self=context(answers).for_self,
        concerns=frozenset(concerns(answers)),
        care=_set(answers, "current_care"),
        phq9_total=scores[PHQ9.key].total,
        phq9_item9=_int(answers, "phq9_9"),
        gad7_total=scores[GAD7.key].total,
        auditc_total=scores[AUDITC.key].total if scores[AUDITC.key].answered else None,
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
    keys = list(ABOUT) + [item.key for item in PHQ9.items] + [item.key for item in GAD7.items]
    keys += ["alcohol_use"] + [item.key for item in AUDITC.items] + [item.key for item in CSSRS.items]
    keys += list(SCHEDULE) + ["insurance_carrier", "insurance_holder", "member_id"]
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
    fields["schedule"] = {"times": sorted(facts.times), "days_per_week": facts.days_per_week,
                          "modality": facts.modality, "transport_problem": facts.transport_problem}
    if summary.insurance is not None:
        holder = answers.get("insurance_holder")
        fields["insurance"] = {"given": summary.insurance.raw, "carrier": summary.insurance.carrier,
                               "status": summary.insurance.status,
                               "holder": holder if holder != SKIPPED else None}
    if final:
        assessment = summary.assessment
        fields["outcome"] = assessment.outcome.value
        fields["reasons"] = list(assessment.reasons)
        fields["track"] = assessment.track.key if assessment.track else None
        fields["flags"] = [flag.value for flag in assessment.flags]
    return fields
