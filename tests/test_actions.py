"""The action server's actions as functions: a tracker built in the test, a CollectingDispatcher, and
assertions on the exact events, messages and database rows (the pattern of RasaHQ/financial-demo)."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import ActionFinishScreening, ValidateScreeningForm, ask_question
from bot.store import crud
from bot.store.db import session_scope

pytestmark = pytest.mark.usefixtures("database")  # tests/conftest.py

FORM = {"name": "screening_form"}
BASE = {"consent": True, "for_whom": "self", "first_name": "Sam", "age": 34, "state": "OR"}
BEFORE_PHQ9 = {**BASE, "concerns_text": {"text": "low", "concerns": ["depression"]}, "current_care": ["none"]}


def tracker(
    slots: dict[str, Any],
    *,
    requested: Optional[str],
    text: str = "",
    intent: str = "inform",
    confidence: float = 0.95,
    idle_seconds: float = 5.0,
    sender: str = "t-actions",
) -> Tracker:
    now = time.time()
    events: list[dict] = [
        {"event": "user", "text": "earlier", "timestamp": now - idle_seconds},
        {"event": "user", "text": text, "timestamp": now},
    ]
    if requested:
        events.append({"event": "slot", "name": requested, "value": text})  # the form's slot candidate
    return Tracker(
        sender_id=sender,
        slots={**slots, "requested_slot": requested, requested or "_": text},
        latest_message={"text": text, "intent": {"name": intent, "confidence": confidence}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop=FORM,
        latest_action_name="action_listen",
    )


def validate(t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateScreeningForm().run(dispatcher, t, {}))
    return events, dispatcher.messages


def slot(events: list[dict], name: str) -> Any:
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    assert values, f"no SlotSet for {name}"
    return values[-1]


def test_a_paraphrased_answer_is_parsed_stored_and_the_next_question_requested(database):
    events, messages = validate(tracker(BEFORE_PHQ9, requested="phq9_1", text="pretty much every day"))
    assert SlotSet("phq9_1", 3) in events
    assert slot(events, "requested_slot") == "phq9_2"
    assert len(messages) == 1 and "Feeling down, depressed, or hopeless" in messages[0]["text"]  # no re-ask
    with session_scope(database) as session:
        screening = crud.current_screening(session, conversation_id="t-actions", channel="rest")
        answers = crud.answers_of(session, screening)
        assert answers["phq9_1"].value == 3 and answers["phq9_1"].raw_text == "pretty much every day"


def test_an_out_of_range_answer_is_asked_again_not_clipped():
    events, messages = validate(tracker(BEFORE_PHQ9, requested="phq9_1", text="7"))
    assert SlotSet("phq9_1", None) in events
    assert slot(events, "requested_slot") == "phq9_1"
    assert slot(events, "screening_misses") == 1
    assert messages and "7" not in messages[0]["text"].replace("0-3", "")


def test_a_program_question_mid_form_is_answered_and_the_question_kept():
    events, messages = validate(tracker(BASE, requested="concerns_text", text="what is an IOP?", intent="faq"))
    assert slot(events, "requested_slot") == "concerns_text"
    assert "Intensive Outpatient" in messages[0]["text"] or "IOP" in messages[0]["text"]


def test_why_do_you_ask_explains_the_question():
    events, messages = validate(tracker(BASE, requested="state", text="why do you ask", intent="why_ask"))
    assert slot(events, "requested_slot") == "state"
    assert "state" in messages[0]["text"].lower()


def test_go_back_clears_the_previous_answer_and_asks_it_again():
    events, messages = validate(tracker(BASE, requested="concerns_text", text="go back", intent="go_back"))
    assert SlotSet("state", None) in events
    assert slot(events, "requested_slot") == "state"


def test_intent_to_act_stops_the_screening_at_once():
    slots = {**BASE, "cssrs_1": True, "cssrs_2": True, "cssrs_3": False}
    events, _ = validate(tracker(slots, requested="cssrs_4", text="yes"))
    assert slot(events, "screening_status") == "high_risk"
    assert slot(events, "requested_slot") is None


def test_a_plain_no_to_a_choice_question_is_an_answer_not_a_stop():
    slots = {
        **BASE,
        "concerns_text": {"text": "x", "concerns": ["anxiety"]},
        "current_care": ["none"],
        **{f"phq9_{i}": 1 for i in range(1, 10)},
        **{f"gad7_{i}": 1 for i in range(1, 8)},
    }
    events, _ = validate(tracker(slots, requested="alcohol_use", text="no", intent="stop", confidence=0.7))
    assert SlotSet("alcohol_use", "none") in events
    assert slot(events, "requested_slot") == "cssrs_1"


def test_coming_back_hours_later_is_welcomed_at_the_same_question():
    events, messages = validate(
        tracker(BASE, requested="concerns_text", text="hi", intent="greet", idle_seconds=5 * 3600)
    )
    assert "Welcome back" in messages[0]["text"]
    assert slot(events, "requested_slot") == "concerns_text"
    assert not any(e.get("name") == "screening_misses" for e in events)  # a greeting is not a miss


def ask(key: str, answers: dict[str, Any], misses: int = 0) -> list[dict]:
    dispatcher = CollectingDispatcher()
    ask_question(dispatcher, key, answers, misses)
    return dispatcher.messages


def test_the_validation_ends_with_the_next_question_asked(database):
    _, messages = validate(tracker(BEFORE_PHQ9, requested="phq9_1", text="several days"))
    assert "Feeling down, depressed, or hopeless" in messages[-1]["text"]
    _, messages = validate(tracker(BEFORE_PHQ9, requested="phq9_1", text="purple"))
    assert "Little interest or pleasure in doing things" in messages[-1]["text"]  # asked again


def test_questions_are_asked_with_the_verbatim_item_and_buttons():
    message = ask("phq9_2", BASE)[0]
    assert "Feeling down, depressed, or hopeless" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["0", "1", "2", "3"]


def test_questions_about_someone_else_use_their_name():
    message = ask("age", {**BASE, "for_whom": "other", "first_name": "Alex"})[0]
    assert "Alex" in message["text"]


def test_after_two_misses_the_question_is_explained_with_a_skip_button():
    message = ask("gad7_3", BASE, misses=2)[0]
    assert message["buttons"][-1]["payload"] == "skip"
    safety = ask("cssrs_1", BASE, misses=2)[0]
    assert all(b["payload"] != "skip" for b in safety["buttons"])


COMPLETED = {
    **BASE,
    "concerns_text": {"text": "x", "concerns": ["depression"]},
    "current_care": ["therapist"],
    **{f"phq9_{i}": 2 for i in range(1, 9)},
    "phq9_9": 0,
    **{f"gad7_{i}": 1 for i in range(1, 8)},
    "alcohol_use": False,
    "cssrs_1": False,
    "cssrs_2": False,
    "cssrs_6": False,
    "schedule_times": ["morning"],
    "schedule_days": 3,
    "modality": "either",
    "transport": False,
    "insurance_carrier": "Aetna",
    "insurance_holder": "self",
    "member_id": "skipped",
    "screening_status": "completed",
}


def test_over_sms_the_end_of_the_screening_says_nothing_of_the_result(database):
    dispatcher = CollectingDispatcher()
    t = Tracker(
        sender_id="sms-0123456789abcdef01234567",
        slots=COMPLETED,
        latest_message={},
        events=[{"event": "user", "text": "Aetna", "input_channel": "sms"}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="screening_form",
    )
    asyncio.run(ActionFinishScreening().run(dispatcher, t, {}))
    said = "\n".join(m["text"] for m in dispatcher.messages).lower()
    assert "complete" in said and "503-555-0100" in said
    assert dispatcher.messages[-1]["buttons"][-2]["title"] == "Other times"  # assessment times follow
    for result_word in ("depression", "moderate", "likely fit", "iop", "range", "network"):
        assert result_word not in said
    with session_scope(database) as session:  # the result itself is stored for the team as usual
        screening = crud.current_screening(session, conversation_id="sms-0123456789abcdef01234567", channel="sms")
        assert screening.outcome == "likely_fit"


def test_finishing_stores_the_outcome_and_says_it_in_plain_words(database):
    slots = COMPLETED
    dispatcher = CollectingDispatcher()
    t = Tracker(
        sender_id="t-finish",
        slots=slots,
        latest_message={},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="screening_form",
    )
    events = asyncio.run(ActionFinishScreening().run(dispatcher, t, {}))
    assert SlotSet("screening_reported", True) in events
    said = "\n".join(m["text"] for m in dispatcher.messages)
    assert "final decision" in said and "diagnos" not in said.lower()
    with session_scope(database) as session:
        screening = crud.current_screening(session, conversation_id="t-finish", channel="unknown")
        assert screening.status == "completed"
        assert screening.outcome == "likely_fit"
        assert screening.phq9_total == 16 and screening.phq9_band == "moderately severe"
        assert screening.reasons


def escalations(database: str) -> list:
    from bot.store.models import Escalation

    with session_scope(database) as session:
        return [
            (e.severity, e.category, e.source, e.trigger_text)
            for e in session.query(Escalation).order_by(Escalation.id)
        ]


def test_a_crisis_message_is_answered_and_escalated(database):
    from actions.assist import ActionCrisis

    dispatcher = CollectingDispatcher()
    t = Tracker(
        sender_id="t-crisis",
        slots={},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_message={
            "text": "my son says he wants to kill himself",
            "intent": {"name": "crisis"},
            "crisis": {"category": "third_party"},
        },
        latest_action_name="action_listen",
    )
    asyncio.run(ActionCrisis().run(dispatcher, t, {}))
    said = dispatcher.messages[0]["text"]
    assert "988" in said and "741741" in said and "Their safety" in said
    assert escalations(database) == [("high", "third_party", "message", "my son says he wants to kill himself")]


def test_a_high_risk_screening_is_escalated_and_an_ordinary_one_is_not(database):
    high = {**BASE, "cssrs_1": True, "cssrs_2": True, "cssrs_3": True, "cssrs_4": True, "screening_status": "high_risk"}
    for sender, slots in (
        ("t-high", high),
        ("t-none", {**BASE, "cssrs_1": False, "cssrs_2": False, "cssrs_6": False, "screening_status": "stopped"}),
    ):
        t = Tracker(
            sender_id=sender,
            slots=slots,
            latest_message={"text": "yes"},
            events=[],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="screening_form",
        )
        dispatcher = CollectingDispatcher()
        asyncio.run(ActionFinishScreening().run(dispatcher, t, {}))
    assert escalations(database) == [("high", "cssrs_high", "cssrs", "yes")]


CONTACT_READY = {**BEFORE_PHQ9, "insurance_carrier": "Aetna", "insurance_holder": "self", "member_id": "skipped"}


def test_a_phone_number_is_kept_only_encrypted_never_as_an_answer_or_slot(database):
    from bot.settings import settings
    from bot.sms.identity import NumberCipher

    events, messages = validate(tracker(CONTACT_READY, requested="contact_phone", text="my cell is 503-555-0142"))
    assert SlotSet("contact_phone", "given") in events
    assert "0142" not in repr(events) and "0142" not in repr(messages)
    with session_scope(database) as session:
        screening = crud.current_screening(session, conversation_id="t-actions", channel="rest")
        answer = crud.answers_of(session, screening)["contact_phone"]
        assert (answer.value, answer.raw_text) == ("given", "")
        number = NumberCipher(settings().sms_number_key).decrypt(screening.contact_number_encrypted)
        assert number == "+15035550142"


def test_no_number_is_fine_and_the_person_learns_how_to_reach_the_team():
    events, messages = validate(tracker(CONTACT_READY, requested="contact_phone", text="no thanks"))
    assert SlotSet("contact_phone", "skipped") in events
    assert "503-555-0100" in messages[0]["text"]


@pytest.mark.parametrize("idle,welcomed", [(5, False), (29 * 60, False), (31 * 60, True)])
def test_welcome_back_only_after_a_real_absence(idle: float, welcomed: bool):
    _, messages = validate(tracker(BASE, requested="concerns_text", text="hi", intent="greet", idle_seconds=idle))
    said = "\n".join(m.get("text") or "" for m in messages)
    assert ("Welcome back" in said) is welcomed
    assert "what's been going on" in said  # the question is asked again either way
