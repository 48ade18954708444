"""Question order and skip logic (bot/screening.py), computed from the answers alone."""

from __future__ import annotations

from bot.program import load_program
from bot.questions import SKIPPED
from bot.screening import Status, next_question, previous_question, required, stop_status, summarise

PROGRAM = load_program()
ABOUT = {
    "consent": True,
    "for_whom": "self",
    "first_name": "Sam",
    "age": 30,
    "state": "OR",
    "concerns_text": {"text": "sad", "concerns": ["depression"]},
    "current_care": ["none"],
}
PHQ9 = {f"phq9_{i}": 1 for i in range(1, 9)}
GAD7 = {f"gad7_{i}": 1 for i in range(1, 8)}
DIFFICULTY = {"phq9_difficulty": 1, "gad7_difficulty": 1}
CONTACT = {"contact_phone": "given", "contact_ok": "voicemail_and_text", "contact_time": ["morning"]}


def test_a_new_screening_starts_with_consent_then_who_it_is_for():
    assert next_question({}, PROGRAM) == "consent"
    assert next_question({"consent": True}, PROGRAM) == "for_whom"


def test_phq9_item_9_above_zero_brings_the_safety_screen_forward():
    answers = {**ABOUT, **PHQ9, "phq9_9": 1}
    assert next_question(answers, PROGRAM) == "cssrs_1"
    answers_without = {**ABOUT, **PHQ9, "phq9_9": 0, "phq9_difficulty": 1}
    assert next_question(answers_without, PROGRAM) == "gad7_1"


def test_a_declined_item_9_brings_the_safety_screen_forward_too():
    assert next_question({**ABOUT, **PHQ9, "phq9_9": "declined"}, PROGRAM) == "cssrs_1"


def test_the_difficulty_questions_follow_any_problem_as_on_the_published_forms():
    answers = {**ABOUT, **PHQ9, "phq9_9": 0}
    assert next_question(answers, PROGRAM) == "phq9_difficulty"
    none = {**ABOUT, **{key: 0 for key in PHQ9}, "phq9_9": 0}
    assert next_question(none, PROGRAM) == "gad7_1"
    # After thoughts of death, the safety questions come first, then the difficulty.
    keys = required({**ABOUT, **PHQ9, "phq9_9": 2}, PROGRAM)
    assert keys.index("cssrs_1") == keys.index("phq9_9") + 1 < keys.index("phq9_difficulty")
    assert next_question({**ABOUT, **PHQ9, "phq9_9": 0, "phq9_difficulty": 2, **GAD7}, PROGRAM) == "gad7_difficulty"


def test_cssrs_is_always_asked_and_follows_its_skip_logic():
    answers = {**ABOUT, **PHQ9, "phq9_9": 0, **GAD7, **DIFFICULTY, "alcohol_use": "none"}
    assert next_question(answers, PROGRAM) == "cssrs_1"
    keys = required({**answers, "cssrs_1": True, "cssrs_2": False}, PROGRAM)
    assert "cssrs_3" not in keys and "cssrs_6" in keys
    keys = required({**answers, "cssrs_1": True, "cssrs_2": True}, PROGRAM)
    assert {"cssrs_3", "cssrs_4", "cssrs_5"} <= set(keys)


def test_audit_c_follows_a_substance_concern_or_drinking():
    answers = {**ABOUT, **PHQ9, "phq9_9": 0, **GAD7, **DIFFICULTY}
    assert next_question({**answers, "alcohol_use": "drinks"}, PROGRAM) == "auditc_1"
    assert "auditc_1" not in required({**answers, "alcohol_use": "none"}, PROGRAM)
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
    answers = {
        **ABOUT,
        **{f"phq9_{i}": 2 for i in range(1, 9)},
        "phq9_9": 0,
        **GAD7,
        **DIFFICULTY,
        **CONTACT,
        "alcohol_use": "none",
        "cssrs_1": False,
        "cssrs_2": False,
        "cssrs_6": False,
        "schedule_times": ["morning"],
        "schedule_days": 3,
        "modality": "either",
        "transport": False,
        "insurance_carrier": "Aetna",
        "insurance_holder": "self",
        "member_id": SKIPPED,
    }
    summary = summarise(answers, PROGRAM)
    assert summary.scores["phq9"].total == 16 and summary.scores["gad7"].total == 7
    assert summary.assessment.outcome.value == "likely_fit"
    assert summary.assessment.track is not None
    assert next_question(answers, PROGRAM) is None


def test_the_contact_questions_come_last_and_by_text_only_the_permissions():
    keys = required({}, PROGRAM)
    assert keys[-3:] == ["contact_phone", "contact_ok", "contact_time"]
    assert required({}, PROGRAM, by_text=True)[-2:] == ["contact_ok", "contact_time"]
    assert "contact_phone" not in required({}, PROGRAM, by_text=True)
    declined = required({"contact_phone": SKIPPED}, PROGRAM)
    assert declined[-1] == "contact_phone"  # no number: nothing to ask permission for


def test_the_screening_stops_for_a_state_the_program_cannot_serve_and_for_a_minor_without_a_parent():
    assert stop_status({**ABOUT, "state": "ID"}, PROGRAM) is Status.OUT_OF_AREA
    assert stop_status({**ABOUT, "age": 13, "state": "OR"}, PROGRAM) is Status.NEEDS_GUARDIAN  # Oregon: 14
    assert stop_status({**ABOUT, "age": 13, "state": "WA"}, PROGRAM) is None  # Washington: 13
    assert stop_status({**ABOUT, "age": 14, "state": "OR"}, PROGRAM) is None
    parent = {**ABOUT, "for_whom": "other", "age": 13, "state": "OR"}
    assert stop_status(parent, PROGRAM) is None  # a parent screening for their child
