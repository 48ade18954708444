"""bot/turn.py directly, with no Rasa and no database: what one message during the screening makes the bot say,
which slots change and what is recorded."""

from __future__ import annotations

from typing import Any

import pytest

from bot.program import load_program
from bot.screening import QUESTIONS
from bot.turn import ClearAnswers, Escalate, Message, Outcome, RecordAnswer, RestartScreening, Screening, take_turn

PROGRAM = load_program()
BASE = {"consent": True, "for_whom": "self", "first_name": "Sam", "age": 34, "state": "OR"}
BEFORE_PHQ9 = {**BASE, "concerns_text": {"text": "low", "concerns": ["depression"]}, "current_care": ["none"]}
C_SSRS_SO_FAR = {
    **BEFORE_PHQ9,
    **{f"phq9_{i}": 2 for i in range(1, 10)},
    **{f"gad7_{i}": 1 for i in range(1, 8)},
    "alcohol_use": False,
    "cssrs_1": True,
    "cssrs_2": True,
}
CONTACT_READY = {
    **C_SSRS_SO_FAR,
    "cssrs_2": False,
    "cssrs_6": False,
    "schedule_times": ["morning"],
    "schedule_days": 3,
    "modality": "either",
    "transport": False,
    "insurance_carrier": "Aetna",
    "insurance_holder": "self",
    "member_id": "skipped",
}


def reply(answers: dict[str, Any], requested: str, text: str, intent: str = "inform", **state: Any) -> Outcome:
    return take_turn(
        Screening(answers, requested=requested, awaiting=True, **state), Message(text, intent, 0.95), PROGRAM
    )


def said(outcome: Outcome) -> str:
    return "\n".join(s.text for s in outcome.say)


def slots(outcome: Outcome) -> dict[str, Any]:
    return dict(outcome.slots)


@pytest.mark.parametrize("key", sorted(QUESTIONS))
def test_a_crisis_message_at_any_question_is_the_crisis_path_and_changes_nothing(key: str) -> None:
    outcome = reply({**CONTACT_READY, "cssrs_2": True}, key, "yes, I took 30 pills an hour ago", intent="crisis")
    assert outcome == Outcome(crisis=True)  # nothing said here, no slot set, nothing recorded


def test_an_answer_is_recorded_with_the_summary_so_far_and_the_next_question_asked() -> None:
    outcome = reply(BEFORE_PHQ9, "phq9_1", "pretty much every day")
    assert slots(outcome)["phq9_1"] == 3 and slots(outcome)["requested_slot"] == "phq9_2"
    [record] = outcome.records
    assert isinstance(record, RecordAnswer)
    assert (record.key, record.value, record.raw_text, record.instrument) == (
        "phq9_1",
        3,
        "pretty much every day",
        "phq9",
    )
    assert record.screening["for_self"] is True and record.secret is None
    assert len(outcome.say) == 1 and "Feeling down, depressed, or hopeless" in outcome.say[0].text


def test_an_unclear_answer_twice_gives_the_explanation_and_a_skip_button() -> None:
    first = reply(BEFORE_PHQ9, "phq9_1", "purple")
    assert slots(first)["phq9_1"] is None and slots(first)["screening_misses"] == 1 and not first.records
    assert first.say[-1].buttons[-1]["payload"] != "skip"
    second = reply(BEFORE_PHQ9, "phq9_1", "purple", misses=1)
    assert slots(second)["screening_misses"] == 2 and slots(second)["requested_slot"] == "phq9_1"
    question = second.say[-1]
    assert question.buttons[-1] == {"title": "Skip", "payload": "skip"}
    assert 'You can type "skip" to move on.' in question.text and "Little interest" in question.text


def test_a_safety_question_has_no_skip_button_even_after_misses() -> None:
    outcome = reply(C_SSRS_SO_FAR, "cssrs_3", "purple", misses=1)
    assert slots(outcome)["screening_misses"] == 2
    assert all(b["payload"] != "skip" for b in outcome.say[-1].buttons)
    assert "This one matters for your safety" in outcome.say[-1].text


def test_a_moderate_c_ssrs_answer_yields_the_escalation_record_after_the_answer() -> None:
    outcome = reply(C_SSRS_SO_FAR, "cssrs_3", "yes")
    answer, escalation = outcome.records
    assert isinstance(answer, RecordAnswer) and answer.key == "cssrs_3" and answer.value is True
    assert isinstance(escalation, Escalate) and escalation.once_per_screening
    assert (escalation.trigger.severity.value, escalation.trigger.category) == ("moderate", "cssrs_moderate")


def test_a_low_risk_answer_records_no_escalation() -> None:
    outcome = reply(C_SSRS_SO_FAR, "cssrs_3", "no")
    assert not any(isinstance(r, Escalate) for r in outcome.records)


def test_a_refused_safety_question_is_asked_again_then_stored_as_declined_with_a_callback() -> None:
    first = reply(C_SSRS_SO_FAR, "cssrs_2", "I'd rather not say")
    assert slots(first)["cssrs_2"] is None and slots(first)["screening_refused"] == "cssrs_2" and not first.records
    assert "It matters for your safety" in said(first) and slots(first)["requested_slot"] == "cssrs_2"
    second = reply(C_SSRS_SO_FAR, "cssrs_2", "no comment", refused="cssrs_2")
    assert slots(second)["cssrs_2"] == "declined" and slots(second)["screening_refused"] is None
    assert any(isinstance(r, Escalate) and r.trigger.category == "cssrs_moderate" for r in second.records)


def test_intent_to_act_ends_the_screening_as_high_risk() -> None:
    outcome = reply({**C_SSRS_SO_FAR, "cssrs_3": True}, "cssrs_4", "yes")
    assert slots(outcome)["screening_status"] == "high_risk" and slots(outcome)["requested_slot"] is None


@pytest.mark.parametrize("idle,welcomed", [(5, False), (29 * 60, False), (31 * 60, True)])
def test_welcome_back_only_after_a_real_absence(idle: float, welcomed: bool) -> None:
    outcome = reply(BASE, "concerns_text", "hi", intent="greet", idle_seconds=idle)
    assert ("Welcome back, Sam" in said(outcome)) is welcomed
    assert "what's been going on" in said(outcome)
    assert "screening_misses" not in slots(outcome)  # a greeting is not a miss


def test_an_answer_after_an_absence_is_not_greeted() -> None:
    outcome = reply(BEFORE_PHQ9, "phq9_1", "3", idle_seconds=3 * 60 * 60)
    assert "Welcome back" not in said(outcome) and slots(outcome)["phq9_1"] == 3


def test_a_phone_number_is_recorded_only_as_a_secret_and_the_slot_says_given() -> None:
    outcome = reply(CONTACT_READY, "contact_phone", "my cell is 503-555-0142")
    [record] = outcome.records
    assert isinstance(record, RecordAnswer)
    assert (record.value, record.raw_text, record.secret) == ("given", "", "+15035550142")
    assert slots(outcome)["contact_phone"] == "given" and "0142" not in repr(outcome.slots) + said(outcome)


def test_going_back_clears_the_previous_answer_and_asks_it_again() -> None:
    outcome = reply({**BEFORE_PHQ9, "phq9_1": 2}, "phq9_2", "oops go back", intent="go_back")
    assert outcome.records == [ClearAnswers(("phq9_1",))]
    assert slots(outcome)["phq9_1"] is None and slots(outcome)["requested_slot"] == "phq9_1"


def test_starting_over_keeps_only_the_consent_in_a_new_record() -> None:
    outcome = reply(BEFORE_PHQ9, "phq9_1", "start over", intent="start_over")
    assert outcome.records == [RestartScreening(keep_consent=True)]
    assert all(slots(outcome)[key] is None for key in BEFORE_PHQ9 if key != "consent")
    assert slots(outcome)["requested_slot"] == "for_whom" and slots(outcome)["screening_status"] == "in_progress"


def test_stop_ends_the_screening_without_recording_an_answer() -> None:
    outcome = reply(BEFORE_PHQ9, "phq9_1", "stop", intent="stop")
    assert slots(outcome)["screening_status"] == "stopped" and not outcome.records and not outcome.say


def test_with_no_reply_awaited_the_next_question_is_asked_and_nothing_read() -> None:
    outcome = take_turn(Screening(BEFORE_PHQ9), Message("hi", "greet", 0.95), PROGRAM)
    assert not outcome.crisis and slots(outcome) == {"requested_slot": "phq9_1"}
    assert "9 standard questions" in said(outcome)  # the section's intro before its first question
