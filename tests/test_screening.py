"""Question order and skip logic (bot/screening.py), computed from the answers alone."""
from __future__ import annotations

from bot.program import load_program
from bot.questions import SKIPPED
from bot.screening import Status, next_question, previous_question, required, stop_status, summarise

PROGRAM = load_program()
ABOUT = {"consent": True, "for_whom": "self", "first_name": "Sam", "age": 30, "state": "OR",
         "concerns_text": {"text": "sad", "concerns": ["depression"]}, "current_care": ["none"]}
PHQ9 = {f"phq9_{i}": 1 for i in range(1, 9)}
GAD7 = {f"gad7_{i}": 1 for i in range(1, 8)}


def test_a_new_screening_starts_with_consent_then_who_it_is_for():
    assert next_question({}, PROGRAM) == "consent"
    assert next_question({"consent": True}, PROGRAM) == "for_whom"


def test_phq9_item_9_above_zero_brings_the_safety_screen_forward():
    answers = {**ABOUT, **PHQ9, "phq9_9": 1}
    assert next_question(answers, PROGRAM) == "cssrs_1"
    answers_without = {**ABOUT, **PHQ9, "phq9_9": 0}
    assert next_question(answers_without, PROGRAM) == "gad7_1"


def test_cssrs_is_always_asked_and_follows_its_skip_logic():
    answers = {**ABOUT, **PHQ9, "phq9_9": 0, **GAD7, "alcohol_use": False}
    assert next_question(answers, PROGRAM) == "cssrs_1"
    keys = required({**answers, "cssrs_1": True, "cssrs_2": False}, PROGRAM)
    assert "cssrs_3" not in keys and "cssrs_6" in keys
    keys = required({**answers, "cssrs_1": True, "cssrs_2": True}, PROGRAM)
    assert {"cssrs_3", "cssrs_4", "cssrs_5"} <= set(keys)


def test_audit_c_follows_a_substance_concern_or_drinking():
    answers = {**ABOUT, **PHQ9, "phq9_9": 0, **GAD7}
    assert next_question({**answers, "alcohol_use": True}, PROGRAM) == "auditc_1"
    assert "auditc_1" not in required({**answers, "alcohol_use": False}, PROGRAM)
    substance = {**answers, "concerns_text": {"text": "drinking", "concerns": ["substance_use"]}}
    assert next_question(substance, PROGRAM) == "auditc_1"
    assert "alcohol_use" not in required(substance, PROGRAM)


def test_self_pay_is_not_asked_whose_plan_it_is():
    keys = required({"insurance_carrier": "no insurance, I'll self pay"}, PROGRAM)
    assert "insurance_holder" not in keys and "member_id" not in keys
    assert "insurance_holder" in required({"insurance_carrier": "Aetna"}, PROGRAM)


def test_go_back_finds_the_last_answered_question_but_never_consent():
    assert previous_question(ABOUT, PROGRAM, "phq9_1") == "current_care"
    assert previous_question({"consent": True}, PROGRAM, "for_whom") is None


def test_the_screening_stops_early_for_decline_age_and_high_risk():
    assert stop_status({"consent": False}, PROGRAM) is Status.DECLINED
    assert stop_status({**ABOUT, "age": 10}, PROGRAM) is Status.OUT_OF_RANGE
    assert stop_status({**ABOUT, "age": 70}, PROGRAM) is Status.OUT_OF_RANGE
    assert stop_status({**ABOUT, "cssrs_2": True, "cssrs_4": True}, PROGRAM) is Status.HIGH_RISK
    assert stop_status({**ABOUT, "cssrs_1": True}, PROGRAM) is None


def test_summary_scores_and_outcome_from_answers():
    answers = {**ABOUT, **{f"phq9_{i}": 2 for i in range(1, 9)}, "phq9_9": 0, **GAD7, "alcohol_use": False,
               "cssrs_1": False, "cssrs_2": False, "cssrs_6": False, "schedule_times": ["morning"],
               "schedule_days": 3, "modality": "either", "transport": False, "insurance_carrier": "Aetna",
               "insurance_holder": "self", "member_id": SKIPPED}
    summary = summarise(answers, PROGRAM)
    assert summary.scores["phq9"].total == 16 and summary.scores["gad7"].total == 7
    assert summary.assessment.outcome.value == "likely_fit"
    assert summary.assessment.track is not None
    assert next_question(answers, PROGRAM) is None
