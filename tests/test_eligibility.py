"""Level-of-care rules, flags, track fitting and what the participant is told."""

from __future__ import annotations

import copy
import re
from dataclasses import replace

import pytest
import yaml

from bot.eligibility import (
    BOOKABLE,
    FINAL_WORD,
    RULES,
    Assessment,
    Flag,
    Outcome,
    ScreeningFacts,
    assess,
    fitting_tracks,
    outcome_message,
)
from bot.program import DEFAULT_PROGRAM_FILE, load_program, parse_program

# A 34-year-old in Oregon with moderate depression who can come any time: the baseline each test varies.
BASE = ScreeningFacts(
    age=34,
    state="OR",
    concerns=frozenset({"depression"}),
    phq9_total=12,
    phq9_item9=0,
    gad7_total=4,
    auditc_total=1,
)
MINIMAL = replace(BASE, phq9_total=3, gad7_total=2)

HIGH_RISK = "Some answers about safety mean more support is needed right now than an outpatient program can give."
MODERATE_RISK = "Some answers about safety mean a clinician should follow up soon."
STEP_DOWN = "After a recent hospital or residential stay, stepping down to an IOP is a common next step."
STEP_DOWN_WITH_RISK = (
    "The weeks after a stay in a psychiatric hospital or program are a time to be careful, and some answers about "
    "mood or safety mean a clinician should follow up soon."
)
WITHDRAWAL = (
    "The answers about alcohol point to a risk of withdrawal if drinking stops suddenly, which can need medical "
    "care, so a clinician will check first whether support for withdrawal is needed."
)
WITHDRAWAL_NOW = (
    "After stopping heavy drinking, shaking, sweating, confusion, seeing or hearing things, or a seizure need "
    "medical care right away: call 911 or go to the nearest emergency room."
)
OUT_OF_STATE = (
    "Riverbend IOP can only serve people who live in Oregon or Washington, online sessions included, so the intake "
    "team will help find care in the right state."
)
OUT_OF_AGES = "Riverbend IOP serves ages 13 to 64, so the intake team will help find a program for this age."
ED_REFERRAL = (
    "Riverbend IOP does not treat eating disorders.",
    "For eating disorders, a specialized eating-disorder program is the better fit, and our team can help you find "
    "one.",
)
SEVERE_WITH_THOUGHTS = (
    "Severe depression symptoms together with thoughts of death or suicide mean a clinician should check "
    "whether an IOP gives enough support."
)
ITEM9 = "The answers mention thoughts of death or of self-harm, so a clinician will look at them carefully."
MILD = (
    "Milder symptoms are often helped by weekly outpatient care, so a clinician will look at whether an IOP "
    "is the right step."
)
SKIPPED = "Some questions were skipped, so a clinician will review the answers before suggesting a level of care."
OUTPATIENT = (
    "The answers describe few symptoms right now, so weekly outpatient care, like seeing a therapist, may fit "
    "better than an intensive program."
)
NO_TRACK = (
    "None of the current groups matches the age, times, days and format given; the intake team can talk "
    "through options, including a waitlist for another group."
)


def depression(band: str) -> str:
    return f"The answers describe depression symptoms in the {band} range."


def anxiety(band: str) -> str:
    return f"The answers describe anxiety symptoms in the {band} range."


ALCOHOL = "The answers about alcohol are above the usual screening cutoff."


@pytest.fixture(scope="module")
def program():
    return load_program()


def run(program, **changes) -> Assessment:
    return assess(replace(BASE, **changes), program)


# --- the rules, in order -------------------------------------------------------------------------


def test_high_risk_refers_to_a_higher_level_whatever_else(program):
    result = run(program, cssrs_risk="high", phq9_total=24, phq9_item9=3, care=frozenset({"recent_discharge"}))
    assert result.outcome is Outcome.REFER_HIGHER
    assert result.reasons == (HIGH_RISK,)
    assert result.track is None
    assert result.flags == (Flag.STEP_DOWN,)


def test_only_untreated_concerns_refer_to_a_specialized_program(program):
    result = run(program, concerns=frozenset({"eating_disorder"}), phq9_total=16)
    assert result.outcome is Outcome.REFER_SPECIALIZED
    assert result.reasons == (
        "Riverbend IOP does not treat eating disorders.",
        "For eating disorders, a specialized eating-disorder program is the better fit, and our team can help "
        "you find one.",
    )
    assert result.track is None and result.flags == ()


def test_high_risk_comes_before_specialized_referral(program):
    assert run(program, concerns=frozenset({"eating_disorder"}), cssrs_risk="high").outcome is Outcome.REFER_HIGHER


def test_moderate_risk_needs_review_soon(program):
    result = run(program, cssrs_risk="moderate", care=frozenset({"recent_discharge"}))
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.urgent is True
    assert result.reasons == (MODERATE_RISK, STEP_DOWN_WITH_RISK, depression("moderate"))
    assert result.flags == (Flag.STEP_DOWN,)


def test_moderate_risk_with_only_an_untreated_concern_still_gets_the_callback(program):
    # It used to be a specialized referral, with no clinician's call and no crisis lines.
    result = run(program, concerns=frozenset({"eating_disorder"}), cssrs_risk="moderate")
    assert (result.outcome, result.urgent) == (Outcome.NEEDS_REVIEW, True)
    assert result.reasons == (MODERATE_RISK, *ED_REFERRAL, depression("moderate"))
    text = outcome_message(result, program, for_self=True, name=None)
    assert "call or text 988" in text and "A clinician from our team will call you soon." in text


@pytest.mark.parametrize(
    "changes",
    [
        {"state": "CA"},
        {"age": 70},
        {"concerns": frozenset({"eating_disorder"})},
        {"care": frozenset({"recent_discharge"}), "phq9_total": 24},
        {"auditc_total": 11},
    ],
)
def test_risk_comes_first_and_nothing_overrides_it(program, changes):
    assert run(program, cssrs_risk="high", **changes).outcome is Outcome.REFER_HIGHER
    moderate = run(program, cssrs_risk="moderate", **changes)
    assert (moderate.outcome, moderate.urgent, moderate.reasons[0]) == (Outcome.NEEDS_REVIEW, True, MODERATE_RISK)


def test_step_down_is_a_likely_fit_even_with_few_symptoms(program):
    result = assess(replace(MINIMAL, care=frozenset({"recent_discharge", "psychiatrist"})), program)
    assert result.outcome is Outcome.LIKELY_FIT
    assert result.reasons == (STEP_DOWN,)
    assert result.flags == (Flag.STEP_DOWN,)
    assert result.track is not None and result.track.key == "adult_day"


@pytest.mark.parametrize(
    "changes, reasons",
    [
        ({"phq9_total": 22, "cssrs_risk": "low"}, (STEP_DOWN_WITH_RISK, SEVERE_WITH_THOUGHTS, depression("severe"))),
        ({"phq9_total": 22}, (STEP_DOWN_WITH_RISK, depression("severe"))),
        ({"phq9_total": 4, "gad7_total": 2, "cssrs_risk": "low"}, (STEP_DOWN_WITH_RISK, ITEM9)),
    ],
)
def test_a_recent_discharge_with_any_risk_or_severe_depression_is_urgent_review(program, changes, reasons):
    result = run(program, care=frozenset({"recent_discharge"}), **changes)
    assert (result.outcome, result.urgent) == (Outcome.NEEDS_REVIEW, True)
    assert result.reasons == reasons
    assert result.flags == (Flag.STEP_DOWN,)


@pytest.mark.parametrize("days, step_down", [(None, True), (0, True), (10, True), (30, True), (31, False)])
def test_a_step_down_needs_a_discharge_within_the_programs_window(program, days, step_down):
    result = assess(replace(MINIMAL, care=frozenset({"recent_discharge"}), discharge_days_ago=days), program)
    assert (result.outcome is Outcome.LIKELY_FIT) is step_down
    assert (Flag.STEP_DOWN in result.flags) is step_down


def test_an_earlier_stay_is_not_a_step_down(program):
    result = assess(replace(MINIMAL, care=frozenset({"earlier_stay", "therapist"})), program)
    assert result.outcome is Outcome.REFER_OUTPATIENT and result.flags == ()


def test_the_step_down_window_comes_from_program_yml():
    data = copy.deepcopy(yaml.safe_load(DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")))
    data["step_down_days"] = 14
    program = parse_program(data)
    facts = replace(MINIMAL, care=frozenset({"recent_discharge"}))
    assert assess(replace(facts, discharge_days_ago=14), program).outcome is Outcome.LIKELY_FIT
    assert assess(replace(facts, discharge_days_ago=20), program).outcome is Outcome.REFER_OUTPATIENT


def test_severe_depression_with_low_risk_needs_review(program):
    result = run(program, phq9_total=21, phq9_item9=1, cssrs_risk="low")
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.urgent is False
    assert result.reasons == (SEVERE_WITH_THOUGHTS, depression("severe"))


def test_severe_depression_without_safety_concerns_is_a_likely_fit(program):
    result = run(program, phq9_total=21)
    assert result.outcome is Outcome.LIKELY_FIT
    assert result.reasons == (depression("severe"),)


def test_untreated_concern_with_treated_ones_needs_review(program):
    result = run(program, concerns=frozenset({"depression", "eating_disorder"}), phq9_total=16)
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.reasons == (
        "Eating disorders also came up, which Riverbend IOP does not treat, so a clinician will look at how best "
        "to help with everything named.",
        depression("moderately severe"),
    )


def test_item9_with_low_risk_needs_review_even_with_a_qualifying_score(program):
    result = run(program, phq9_total=13, phq9_item9=1, cssrs_risk="low")
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.reasons == (ITEM9, depression("moderate"))


def test_item9_with_no_risk_on_the_safety_screen_still_needs_review(program):
    assert run(program, phq9_item9=2, cssrs_risk="none").outcome is Outcome.NEEDS_REVIEW


@pytest.mark.parametrize(
    "changes, reasons",
    [
        ({"phq9_total": 10}, (depression("moderate"),)),
        ({"phq9_total": 17, "gad7_total": 12}, (depression("moderately severe"), anxiety("moderate"))),
        ({"phq9_total": 3, "gad7_total": 10, "concerns": frozenset({"anxiety"})}, (anxiety("moderate"),)),
        ({"phq9_total": 2, "gad7_total": 16}, (anxiety("severe"),)),
        ({"phq9_total": 2, "gad7_total": 1, "auditc_total": 3, "concerns": frozenset({"substance_use"})}, (ALCOHOL,)),
        # A measured score is enough on its own, whatever else was named.
        ({"phq9_total": 11, "concerns": frozenset({"bipolar", "depression"})}, (depression("moderate"),)),
    ],
)
def test_moderate_or_higher_symptoms_are_a_likely_fit(program, changes, reasons):
    result = run(program, **changes)
    assert result.outcome is Outcome.LIKELY_FIT
    assert result.reasons == reasons


@pytest.mark.parametrize(
    "concerns, auditc, reason",
    [
        (
            {"bipolar"},
            0,
            "Bipolar disorder was named as a concern, and these questions don't measure it, so a "
            "clinician will review the answers.",
        ),
        (
            {"ptsd_trauma"},
            0,
            "Trauma or PTSD was named as a concern, and these questions don't measure it, so a "
            "clinician will review the answers.",
        ),
        (
            {"substance_use"},
            2,
            "Substance use was named as a concern, and the alcohol questions don't cover other "
            "drugs, so a clinician will review the answers.",
        ),
        (
            {"other"},
            0,
            "Another concern was named that these questions don't cover, so a clinician will review the answers.",
        ),
    ],
)
def test_concerns_the_questions_do_not_measure_need_review(program, concerns, auditc, reason):
    result = run(program, concerns=frozenset(concerns), phq9_total=6, gad7_total=2, auditc_total=auditc)
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.reasons == (reason, depression("mild"))


@pytest.mark.parametrize(
    "changes, symptom_reasons",
    [
        ({"phq9_total": 5}, (depression("mild"),)),
        ({"phq9_total": 9, "gad7_total": 9}, (depression("mild"), anxiety("mild"))),
        ({"phq9_total": 2, "gad7_total": 1, "auditc_total": 4}, (ALCOHOL,)),  # no substance-use concern named
    ],
)
def test_mild_symptoms_need_review(program, changes, symptom_reasons):
    result = run(program, **changes)
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.reasons == (*symptom_reasons, MILD)


# --- alcohol: withdrawal risk is never a plain "likely fit" -------------------------------------------


@pytest.mark.parametrize(
    "changes, reasons",
    [
        ({"auditc_total": 8}, (WITHDRAWAL,)),
        ({"auditc_total": 6, "auditc_item1": 4, "auditc_item2": 1, "auditc_item3": 1}, (WITHDRAWAL,)),
        ({"auditc_total": 5, "auditc_item1": 1, "auditc_item2": 0, "auditc_item3": 4}, (WITHDRAWAL,)),
        (
            {"auditc_total": 4, "drinks_daily_said": True, "auditc_item1": 4, "auditc_item2": 0, "auditc_item3": 0},
            (WITHDRAWAL,),
        ),
        (
            {
                "stopped_drinking_recently": True,
                "auditc_total": 6,
                "auditc_item1": 2,
                "auditc_item2": 1,
                "auditc_item3": 3,
            },
            (WITHDRAWAL, WITHDRAWAL_NOW),
        ),
        ({"stopped_drinking_recently": True, "auditc_total": None}, (WITHDRAWAL, WITHDRAWAL_NOW)),
    ],
)
def test_withdrawal_risk_needs_review_with_a_plain_reason(program, changes, reasons):
    result = run(program, phq9_total=16, **changes)  # a score that alone would be a likely fit
    assert result.outcome is Outcome.NEEDS_REVIEW and result.urgent is False
    assert result.reasons[: len(reasons)] == reasons
    assert depression("moderately severe") in result.reasons


@pytest.mark.parametrize(
    "changes",
    [
        {"auditc_total": 4, "auditc_item1": 4, "auditc_item2": 0, "auditc_item3": 0},  # a glass of wine most evenings
        {"auditc_total": 7, "auditc_item1": 3, "auditc_item2": 2, "auditc_item3": 2},
        {"stopped_drinking_recently": True, "auditc_total": 2, "auditc_item1": 1, "auditc_item2": 1, "auditc_item3": 0},
    ],
)
def test_drinking_without_signs_of_withdrawal_risk_keeps_the_outcome(program, changes):
    assert run(program, phq9_total=16, **changes).outcome is Outcome.LIKELY_FIT


def test_withdrawal_risk_with_substance_use_named_is_still_review(program):
    result = run(program, concerns=frozenset({"substance_use"}), phq9_total=2, gad7_total=1, auditc_total=10)
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.reasons == (WITHDRAWAL, ALCOHOL)


# --- schedule, stress, safety answers with few symptoms --------------------------------------------------


TOO_FEW_DAYS = (
    "The answers say 2 days a week could work, and every group here meets at least 3 days a week, so a clinician "
    "will look at what could work."
)


def test_fewer_days_than_any_group_meets_needs_review(program):
    result = run(program, days_per_week=2)
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.reasons == (TOO_FEW_DAYS, depression("moderate"), NO_TRACK)
    assert run(program, days_per_week=1).reasons[0].startswith("The answers say 1 day a week could work")
    assert run(program, days_per_week=3).outcome is Outcome.LIKELY_FIT


def test_a_step_down_who_can_come_too_few_days_needs_review(program):
    result = assess(replace(MINIMAL, care=frozenset({"recent_discharge"}), days_per_week=2), program)
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.reasons == (TOO_FEW_DAYS, STEP_DOWN, NO_TRACK)


@pytest.mark.parametrize("concerns", [{"stress"}, {"stress", "anxiety"}, set()])
def test_minimal_symptoms_with_stress_only_refer_to_outpatient_care(program, concerns):
    result = assess(replace(MINIMAL, concerns=frozenset(concerns), auditc_total=0), program)
    assert result.outcome is Outcome.REFER_OUTPATIENT
    assert result.reasons == (OUTPATIENT,)


def test_low_risk_with_minimal_symptoms_needs_review_not_outpatient(program):
    result = assess(replace(MINIMAL, cssrs_risk="low"), program)
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.reasons == (ITEM9,)


def test_every_rule_has_a_condition_a_source_and_a_single_key():
    assert len({rule.key for rule in RULES}) == len(RULES)
    assert all(rule.condition and rule.source and "|" not in rule.condition + rule.source for rule in RULES)
    assert [rule.key for rule in RULES][:2] == ["high_risk", "moderate_risk"]


@pytest.mark.parametrize("skipped", ["phq9_total", "gad7_total"])
def test_skipped_questionnaire_needs_review(program, skipped):
    result = assess(replace(MINIMAL, **{skipped: None}), program)
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.reasons == (SKIPPED,)


def test_all_minimal_refers_to_outpatient_care(program):
    result = assess(MINIMAL, program)
    assert result.outcome is Outcome.REFER_OUTPATIENT
    assert result.reasons == (OUTPATIENT,)
    assert result.track is None and result.flags == ()


def test_every_assessment_ends_with_the_clinicians_word(program):
    assert run(program).final_word == FINAL_WORD == "A clinician makes the final decision at the assessment."


def test_unknown_risk_level_is_refused(program):
    with pytest.raises(ValueError, match="cssrs_risk"):
        run(program, cssrs_risk="medium")


# --- flags ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, flag, reason",
    [
        ({"age": 70}, Flag.OUTSIDE_AGE_RANGE, OUT_OF_AGES),
        ({"age": 12}, Flag.OUTSIDE_AGE_RANGE, OUT_OF_AGES),
        ({"state": "ca"}, Flag.OUTSIDE_STATES, OUT_OF_STATE),
        ({"state": "ID", "modality": "telehealth"}, Flag.OUTSIDE_STATES, OUT_OF_STATE),  # licensing covers telehealth
    ],
)
@pytest.mark.parametrize(
    "clinical",
    [{}, {"phq9_total": 6}, {"care": frozenset({"recent_discharge"})}, {"insurance_status": "out_of_network"}],
)
def test_a_person_the_program_cannot_serve_is_referred_to_another_program(program, changes, flag, reason, clinical):
    result = run(program, **changes, **clinical)
    assert result.outcome is Outcome.REFER_OTHER_PROGRAM
    assert result.outcome.value not in BOOKABLE
    assert result.track is None and flag in result.flags
    assert result.reasons == (reason,)


def test_outside_states_and_ages_give_both_reasons(program):
    result = run(program, state="NV", age=70)
    assert result.outcome is Outcome.REFER_OTHER_PROGRAM
    assert result.reasons == (OUT_OF_STATE, OUT_OF_AGES)
    assert result.flags == (Flag.OUTSIDE_AGE_RANGE, Flag.OUTSIDE_STATES)


def test_a_referral_elsewhere_still_names_the_safety_facts(program):
    result = run(program, state="CA", auditc_total=9, phq9_item9=1)
    assert result.outcome is Outcome.REFER_OTHER_PROGRAM
    assert result.reasons == (OUT_OF_STATE, WITHDRAWAL, ITEM9)


def test_other_program_message_is_kind_and_offers_no_booking(program):
    text = outcome_message(run(program, state="CA"), program, for_self=False, name="Jordan")
    assert text.startswith(
        "Thank you for answering. Riverbend IOP isn't able to serve Jordan, and our intake team "
        "will help find a program that can."
    )
    assert "SAMHSA's National Helpline, 1-800-662-4357" in text and "FindTreatment.gov" in text
    assert "book" not in text and text.endswith(FINAL_WORD)


def test_state_served_in_lower_case_is_not_flagged(program):
    assert run(program, state="wa").flags == ()


def test_insurance_not_accepted(program):
    result = run(program, insurance_status="out_of_network")
    assert result.flags == (Flag.INSURANCE_NOT_ACCEPTED,)
    assert result.reasons[-1] == (
        "The insurance named is not in network here; out-of-network benefits or the sliding scale may still make "
        "it work."
    )


@pytest.mark.parametrize("status", ["in_network", "self_pay", "unknown", None])
def test_other_insurance_answers_raise_no_flag(program, status):
    assert run(program, insurance_status=status).flags == ()


def test_likely_fit_with_no_fitting_track_keeps_outcome_and_says_what_then(program):
    result = run(program, times=frozenset({"weekend"}))
    assert result.outcome is Outcome.LIKELY_FIT
    assert result.flags == (Flag.NO_TRACK_FITS,)
    assert result.track is None
    assert result.reasons == (depression("moderate"), NO_TRACK)


def test_needs_review_with_no_fitting_track_is_flagged_too(program):
    result = run(program, age=15, phq9_total=6, modality="telehealth")
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.flags == (Flag.NO_TRACK_FITS,)
    assert result.reasons[-1] == NO_TRACK


def test_flags_combine(program):
    result = run(
        program,
        age=34,
        state="ID",
        insurance_status="out_of_network",
        days_per_week=2,
        care=frozenset({"recent_discharge"}),
    )
    assert result.flags == (Flag.STEP_DOWN, Flag.OUTSIDE_STATES, Flag.INSURANCE_NOT_ACCEPTED)
    result = run(program, insurance_status="out_of_network", days_per_week=2, care=frozenset({"recent_discharge"}))
    assert result.flags == (Flag.STEP_DOWN, Flag.INSURANCE_NOT_ACCEPTED, Flag.NO_TRACK_FITS)


# --- tracks --------------------------------------------------------------------------------------


def keys(tracks) -> list[str]:
    return [t.key for t in tracks]


@pytest.mark.parametrize(
    "age, times, days, modality, expected",
    [
        (None, frozenset(), None, None, ["adult_day", "adult_evening", "teen_after_school"]),
        (34, frozenset(), None, "either", ["adult_day", "adult_evening"]),
        (16, frozenset(), None, None, ["teen_after_school"]),
        (16, frozenset({"afternoon"}), 3, "in_person", ["teen_after_school"]),
        (16, frozenset(), None, "telehealth", []),
        (34, frozenset({"evening"}), None, None, ["adult_evening"]),
        (34, frozenset({"morning", "evening"}), 3, None, ["adult_day"]),  # evening meets 4 days a week
        (34, frozenset(), None, "in_person", ["adult_day"]),
        (34, frozenset(), None, "telehealth", ["adult_day", "adult_evening"]),
        (34, frozenset({"afternoon"}), None, None, []),
        (34, frozenset({"weekend"}), None, None, []),
        (12, frozenset(), None, None, []),
    ],
)
def test_fitting_tracks(program, age, times, days, modality, expected):
    assert keys(fitting_tracks(program, age, times, days, modality)) == expected


def test_assessment_offers_the_track_that_fits(program):
    assert run(program, times=frozenset({"evening"})).track.key == "adult_evening"
    assert run(program, age=15, concerns=frozenset({"anxiety"}), gad7_total=11).track.key == "teen_after_school"


def test_transport_problem_puts_telehealth_tracks_first():
    data = copy.deepcopy(yaml.safe_load(DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")))
    data["tracks"][0]["modality"] = "in_person"
    program = parse_program(data)
    assert run(program).track.key == "adult_day"
    assert run(program, transport_problem=True).track.key == "adult_evening"
    # Someone who asked to come in person is not steered online.
    assert run(program, transport_problem=True, modality="in_person").track.key == "adult_day"


# --- what the participant is told ----------------------------------------------------------------


def test_likely_fit_message(program):
    result = run(program, times=frozenset({"evening"}))
    assert outcome_message(result, program, for_self=True, name=None) == "\n".join(
        [
            "Thank you for answering. From what you shared, an intensive outpatient program (IOP) looks like a likely "
            "fit for you.",
            "Why:",
            "- The answers describe depression symptoms in the moderate range.",
            "The group that fits best: Adult Evening (ages 18 to 64), Mon-Thu 6-9pm, by telehealth.",
            "The next step is a free assessment with a clinician, which you can book here now. Questions? Call "
            "503-555-0100 (Mon-Fri 8am-6pm, Sat 9am-1pm).",
            "A clinician makes the final decision at the assessment.",
        ]
    )


def test_message_about_someone_else_uses_their_name(program):
    text = outcome_message(run(program, for_self=False), program, for_self=False, name="Jordan")
    assert text.startswith(
        "Thank you for answering. From what you shared, an intensive outpatient program (IOP) "
        "looks like a likely fit for Jordan."
    )
    no_name = outcome_message(run(program, for_self=False), program, for_self=False, name=None)
    assert "looks like a likely fit for them." in no_name


def test_refer_higher_message_gives_crisis_resources_first(program):
    text = outcome_message(run(program, cssrs_risk="high"), program, for_self=True, name=None)
    level = text.index(
        "a hospital or emergency level of care is the safer choice right now, rather than an outpatient program."
    )
    for resource in ("911", "emergency room", "988", "HOME to 741741", "503-555-0199"):
        assert text.index(resource) < level, resource
    assert "book" not in text
    # No assessment is offered, so the message does not speak of one.
    assert FINAL_WORD not in text and "free assessment" not in text


def test_refer_higher_message_names_the_places_that_can_help_now(program):
    text = outcome_message(run(program, cssrs_risk="high"), program, for_self=True, name=None)
    assert "- Willamette Crisis Stabilization Center: 503-555-0150, 2300 SE Example Blvd, Portland, OR (24/7)" in text
    assert (
        "- Columbia River Psychiatric Hospital (walk-in assessments): 360-555-0160, 400 NE Sample St, "
        "Vancouver, WA (Mon-Fri 8am-8pm, Sat 10am-4pm)" in text
    )
    assert text.index("988") < text.index("Willamette")
    assert "Willamette" not in outcome_message(run(program, cssrs_risk="moderate"), program, for_self=True, name=None)


def test_urgent_review_message_gives_crisis_numbers_and_says_soon(program):
    text = outcome_message(run(program, cssrs_risk="moderate"), program, for_self=True, name=None)
    assert text.startswith(
        "Thank you for answering. Because of some of the answers, a clinician should talk with you soon."
    )
    assert (
        "A clinician from our team will call you soon.\nThe next step is a free assessment with a clinician, "
        "which you can book here now." in text
    )
    assert (
        "If things get hard, you don't have to wait for us: call or text 988 (Suicide & Crisis Lifeline) or text "
        "HOME to 741741, any time. Our crisis line: 503-555-0199 (24/7). In an emergency, call 911."
    ) in text


def test_without_a_number_to_call_the_message_promises_no_call(program):
    for changes in (
        {"cssrs_risk": "moderate"},
        {"phq9_total": 1, "gad7_total": 0},
        {"concerns": frozenset({"eating_disorder"})},
    ):
        text = outcome_message(run(program, **changes), program, for_self=True, name=None, can_call=False)
        assert "will call you" not in text, changes
        assert "Please call our" in text and "503-555-0100" in text, changes


@pytest.mark.parametrize(
    "changes",
    [
        {"phq9_item9": 1, "cssrs_risk": "none"},
        {"cssrs_risk": "low"},
        {"phq9_item9_declined": True},
        {"cssrs_risk": "moderate"},
    ],
)
def test_any_thought_of_death_or_c_ssrs_risk_closes_with_the_crisis_lines(program, changes):
    text = outcome_message(run(program, **changes), program, for_self=True, name=None)
    assert "call or text 988" in text and "HOME to 741741" in text and "call 911" in text


def test_no_safety_signal_no_crisis_lines_at_the_end(program):
    text = outcome_message(run(program), program, for_self=True, name=None)
    assert "741741" not in text


def test_a_declined_item_9_is_a_reason_for_a_clinicians_look(program):
    result = run(program, phq9_item9_declined=True)
    assert result.outcome is Outcome.NEEDS_REVIEW and result.crisis_lines


@pytest.mark.parametrize(
    "changes, opening, next_step",
    [
        (
            {"phq9_total": 6},
            "A clinician will review the answers before suggesting whether an intensive "
            "outpatient program (IOP) fits you.",
            "a free assessment with a clinician, which you can book here now",
        ),
        (
            {"concerns": frozenset({"eating_disorder"})},
            "a specialized program is likely to fit you better than Riverbend IOP.",
            "call you to share options",
        ),
        (
            {"phq9_total": 2},
            "weekly outpatient care may fit you better than an intensive program right now.",
            "call you to share options",
        ),
    ],
)
def test_other_outcome_messages(program, changes, opening, next_step):
    text = outcome_message(run(program, **changes), program, for_self=True, name=None)
    assert opening in text.split("\n")[0]
    assert next_step in text
    assert text.endswith(FINAL_WORD)


ALL_CASES = [
    {},
    {"cssrs_risk": "high"},
    {"cssrs_risk": "moderate"},
    {"concerns": frozenset({"eating_disorder"})},
    {"care": frozenset({"recent_discharge"})},
    {"phq9_total": 22, "cssrs_risk": "low"},
    {"concerns": frozenset({"depression", "eating_disorder"})},
    {"phq9_item9": 1, "cssrs_risk": "low"},
    {"concerns": frozenset({"bipolar", "ptsd_trauma", "substance_use", "other"}), "phq9_total": 6},
    {"phq9_total": 7},
    {"phq9_total": None},
    {"phq9_total": 1, "gad7_total": 0},
    {"age": 70, "state": "NV", "insurance_status": "out_of_network"},
    {"times": frozenset({"weekend"})},
]


@pytest.mark.parametrize("changes", ALL_CASES)
@pytest.mark.parametrize("for_self, name", [(True, None), (False, "Jordan"), (False, None)])
def test_messages_never_diagnose_and_render_fully(program, changes, for_self, name):
    result = run(program, for_self=for_self, **changes)
    text = outcome_message(result, program, for_self=for_self, name=name)
    lowered = text.lower()
    assert "diagnos" not in lowered
    assert not re.search(
        r"\b(you|they|jordan) (have|has|suffers?( from)?) (an? )?(depression|anxiety|bipolar|ptsd|"
        r"eating|substance|alcohol|addiction|disorder)",
        lowered,
    )
    assert "{" not in text and "}" not in text
    assert text.isascii()
    assert text.endswith(FINAL_WORD) is (result.outcome is not Outcome.REFER_HIGHER)
