"""The crisis, handoff and hand-back actions and the C-SSRS escalations, as functions: a tracker built in the
test, a CollectingDispatcher, and assertions on the events, what the person reads and the database rows."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any, Optional

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.assist import ActionCrisis, ActionHandBack, ActionHandoff
from actions.screening import ActionFinishScreening, ValidateScreeningForm
from bot.store import crud
from bot.store.db import session_scope
from bot.store.models import Escalation

pytestmark = pytest.mark.usefixtures("database")  # tests/conftest.py

FORM = {"name": "screening_form"}
BASE = {
    "consent": True,
    "for_whom": "self",
    "first_name": "Sam",
    "age": 34,
    "state": "OR",
    "screening_status": "in_progress",
}
ON_DUTY = datetime(2025, 6, 2, 17, 0, tzinfo=timezone.utc)  # Monday 10am in Portland
OFF_DUTY = datetime(2025, 6, 3, 5, 0, tzinfo=timezone.utc)  # Monday 10pm in Portland


def at(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setattr("actions.common.utcnow", lambda: when)
    monkeypatch.setattr("actions.assist.utcnow", lambda: when)
    monkeypatch.setattr("actions.screening.utcnow", lambda: when)


def tracker(
    slots: dict[str, Any],
    text: str,
    intent: str,
    *,
    requested: Optional[str] = None,
    active: bool = True,
    category: Optional[str] = None,
    sender: str = "t-safety",
    entities: Optional[list] = None,
) -> Tracker:
    message: dict = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities or []}
    if category:
        message["crisis"] = {"category": category}
    if requested:  # the form's from_text mapping has put the message into the pending question's slot
        slots = {**slots, requested: text}
    events = [{"event": "user", "text": text, "timestamp": 1.0}]
    return Tracker(
        sender_id=sender,
        slots={**slots, "requested_slot": requested},
        latest_message=message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop=FORM if active else {},
        latest_action_name="action_listen",
    )


def run(action: Action, t: Tracker) -> tuple[list[dict], str]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return events, "\n".join(m.get("text") or "" for m in dispatcher.messages)


def rows(database: str) -> dict[str, Any]:
    with session_scope(database) as session:
        screening = crud.latest_screening(session, conversation_id="t-safety")
        handoff = crud.open_handoff_for(session, conversation_id="t-safety")
        return {
            "escalations": [(e.severity, e.category) for e in session.query(Escalation).order_by(Escalation.id)],
            "status": screening.status if screening else None,
            "handoff": handoff.reason if handoff else None,
        }


def test_a_crisis_mid_form_answers_escalates_stops_the_form_and_pauses(database, monkeypatch) -> None:
    at(monkeypatch, ON_DUTY)
    events, said = run(
        ActionCrisis(),
        tracker(BASE, "I want to end my life tonight", "crisis", requested="concerns_text", category="intent_or_plan"),
    )
    assert events == [
        SlotSet("screening_status", "crisis"),
        ActiveLoop(None),
        SlotSet("concerns_text", None),
        SlotSet("requested_slot", None),
        ConversationPaused(),
    ]
    assert "988" in said and "741741" in said and "A member of our team is being alerted now" in said
    assert rows(database) == {"escalations": [("high", "intent_or_plan")], "status": "crisis", "handoff": "crisis"}


def test_off_duty_the_crisis_reply_says_when_the_team_is_back(database, monkeypatch) -> None:
    at(monkeypatch, OFF_DUTY)
    _, said = run(ActionCrisis(), tracker({}, "kms", "crisis", active=False))
    assert "Our team is off duty until 8am tomorrow; please use the numbers above now." in said
    assert "being alerted" not in said


def test_a_crisis_after_a_finished_screening_keeps_its_result(database, monkeypatch) -> None:
    at(monkeypatch, ON_DUTY)
    with session_scope(database) as session:
        screening = crud.current_screening(session, conversation_id="t-safety", channel="rest")
        crud.update_screening(session, screening=screening, status="completed")
    events, _ = run(
        ActionCrisis(), tracker({**BASE, "screening_status": "completed"}, "I want to die", "crisis", active=False)
    )
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), ConversationPaused()]
    assert rows(database)["status"] == "completed" and rows(database)["handoff"] == "crisis"


def test_asking_for_a_person_records_a_handoff_not_an_escalation_and_pauses(database, monkeypatch) -> None:
    at(monkeypatch, OFF_DUTY)
    events, said = run(
        ActionHandoff(), tracker(BASE, "can I talk to a real person", "human", requested="concerns_text")
    )
    assert events == [
        ActiveLoop(None),
        SlotSet("concerns_text", None),
        SlotSet("requested_slot", None),
        ConversationPaused(),
    ]
    assert "back at 8am tomorrow" in said and "503-555-0100" in said and "911" in said
    assert rows(database) == {"escalations": [], "status": None, "handoff": "request"}


def staff_hands_back(slots: dict[str, Any]) -> Tracker:
    return tracker(
        slots,
        "EXTERNAL: EXTERNAL_handback",
        "EXTERNAL_handback",
        active=False,
        entities=[{"entity": "staff", "value": "Dana"}],
    )


def test_handing_back_after_a_crisis_resumes_the_screening_without_asking_anything_twice(database) -> None:
    with session_scope(database) as session:
        screening = crud.current_screening(session, conversation_id="t-safety", channel="rest")
        crud.update_screening(session, screening=screening, status="crisis")
        crud.open_handoff(session, conversation_id="t-safety", reason="crisis")
    events, said = run(ActionHandBack(), staff_hands_back({**BASE, "screening_status": "crisis"}))
    assert events == [SlotSet("screening_status", "in_progress"), FollowupAction("screening_form")]
    assert said == (
        "Thanks for waiting. You're talking with the intake assistant again. Let's pick up where we left off."
    )
    assert rows(database) == {"escalations": [], "status": "in_progress", "handoff": None}
    with session_scope(database) as session:
        assert crud.list_open_handoffs(session) == []
    # The form then starts at the first unanswered question: the one the crisis interrupted.
    resumed = Tracker(
        sender_id="t-safety",
        slots={**BASE, "requested_slot": None},
        latest_message={},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_hand_back",
    )
    form_events, _ = run(ValidateScreeningForm(), resumed)
    assert [e["value"] for e in form_events if e.get("name") == "requested_slot"] == ["concerns_text"]
    assert not any(e.get("name") in BASE for e in form_events)


def test_handing_back_mid_screening_after_a_request_continues_it(database) -> None:
    with session_scope(database) as session:
        crud.open_handoff(session, conversation_id="t-safety", reason="request")
    events, said = run(ActionHandBack(), staff_hands_back({**BASE, "screening_status": None}))
    assert events == [FollowupAction("screening_form")] and said.endswith("pick up where we left off.")


def test_handing_back_a_finished_screening_says_what_the_bot_can_do(database) -> None:
    with session_scope(database) as session:
        crud.open_handoff(session, conversation_id="t-safety", reason="request")
    events, said = run(ActionHandBack(), staff_hands_back({**BASE, "screening_status": "completed"}))
    assert events == [] and "Your screening is complete" in said
    with session_scope(database) as session:
        assert crud.list_open_handoffs(session) == []
    events, said = run(ActionHandBack(), staff_hands_back({"screening_status": "crisis"}))  # never consented
    assert events == [] and 'Say "start"' in said


C_SSRS_SO_FAR = {
    **BASE,
    "concerns_text": {"text": "x", "concerns": ["depression"]},
    "current_care": ["none"],
    **{f"phq9_{i}": 2 for i in range(1, 10)},
    **{f"gad7_{i}": 1 for i in range(1, 8)},
    "alcohol_use": False,
    "cssrs_1": True,
    "cssrs_2": True,
}


def validate(slots: dict[str, Any], requested: str, text: str) -> list[dict]:
    t = tracker(slots, text, "inform", requested=requested)
    t.events.append({"event": "slot", "name": requested, "value": text})  # the form's slot candidate
    events, _ = run(ValidateScreeningForm(), t)
    return events


def test_moderate_risk_is_escalated_when_answered_once_and_not_again_at_the_end(database) -> None:
    validate(C_SSRS_SO_FAR, "cssrs_3", "yes")  # thought about how: moderate
    assert rows(database)["escalations"] == [("moderate", "cssrs_moderate")]
    validate(C_SSRS_SO_FAR, "cssrs_3", "yes")  # the same answer again after "go back"
    answers = {
        **C_SSRS_SO_FAR,
        "cssrs_3": True,
        "cssrs_4": False,
        "cssrs_5": False,
        "cssrs_6": False,
        "screening_status": "completed",
    }
    run(ActionFinishScreening(), tracker(answers, "skip", "inform", active=False))
    assert rows(database)["escalations"] == [("moderate", "cssrs_moderate")]


def test_low_risk_answers_raise_nothing_until_the_end(database) -> None:
    validate({**C_SSRS_SO_FAR, "cssrs_2": False}, "cssrs_6", "no")
    assert rows(database)["escalations"] == []


def test_high_risk_ends_with_places_to_go_and_a_person_taking_over(database, monkeypatch) -> None:
    at(monkeypatch, ON_DUTY)
    answers = {**C_SSRS_SO_FAR, "cssrs_3": True, "cssrs_4": True, "screening_status": "high_risk"}
    events, said = run(ActionFinishScreening(), tracker(answers, "yes", "inform", active=False))
    assert events == [
        SlotSet("screening_reported", False),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        ConversationPaused(),
    ]
    assert said.index("988") < said.index("Willamette Crisis Stabilization Center: 503-555-0150")
    assert said.rstrip().endswith("If you need to talk to someone before then, please use the numbers above.")
    assert rows(database) == {"escalations": [("high", "cssrs_high")], "status": "high_risk", "handoff": "crisis"}


# ---------------------------------------------------------------------------------------------------
# The crisis path wins, refusals are never a no, and the end of the screening keeps its promises


def test_a_crisis_that_reaches_the_form_all_the_same_takes_the_crisis_path_and_stores_nothing(
    database, monkeypatch
) -> None:
    at(monkeypatch, ON_DUTY)
    slots = {**C_SSRS_SO_FAR, "cssrs_2": False}
    t = tracker(slots, "yes I just took 30 pills", "crisis", requested="cssrs_6", category="overdose_or_medical")
    t.events.append({"event": "slot", "name": "cssrs_6", "value": t.latest_message["text"]})  # the slot candidate
    events, said = run(ValidateScreeningForm(), t)
    assert SlotSet("cssrs_6", None) in events and ConversationPaused() in events
    assert not [e for e in events if e.get("name") == "cssrs_6" and e.get("value") is not None]
    assert "Poison Control" in said and "1-800-222-1222" in said
    assert rows(database)["escalations"] == [("high", "overdose_or_medical")]
    with session_scope(database) as session:
        screening = crud.latest_screening(session, conversation_id="t-safety")
        assert "cssrs_6" not in crud.answers_of(session, screening)


def refuse(slots: dict[str, Any], requested: str, text: str, *, refused_before: bool) -> tuple[list[dict], str]:
    t = tracker(
        {**slots, "screening_refused": requested if refused_before else None}, text, "inform", requested=requested
    )
    t.events.append({"event": "slot", "name": requested, "value": text})  # the form's slot candidate
    return run(ValidateScreeningForm(), t)


def test_a_refused_safety_question_is_asked_once_more_then_stored_as_declined_with_a_callback(database) -> None:
    slots = {**C_SSRS_SO_FAR, "cssrs_1": True}
    del slots["cssrs_2"]
    events, said = refuse(slots, "cssrs_2", "no comment", refused_before=False)
    assert SlotSet("cssrs_2", None) in events and SlotSet("screening_refused", "cssrs_2") in events
    assert "It matters for your safety" in said and "Have you actually had any thoughts of killing yourself?" in said
    assert rows(database)["escalations"] == []
    events, _ = refuse(slots, "cssrs_2", "I'd rather not say", refused_before=True)
    assert SlotSet("cssrs_2", "declined") in events
    assert [e["value"] for e in events if e.get("name") == "requested_slot"] == ["cssrs_3"]  # as after a yes
    assert rows(database)["escalations"] == [("moderate", "cssrs_moderate")]


def test_a_refused_item_9_leads_to_the_safety_questions(database) -> None:
    slots = {
        **BASE,
        "concerns_text": {"text": "low", "concerns": ["depression"]},
        "current_care": ["none"],
        **{f"phq9_{i}": 1 for i in range(1, 9)},
    }
    refuse(slots, "phq9_9", "skip", refused_before=False)
    events, _ = refuse(slots, "phq9_9", "skip", refused_before=True)
    assert SlotSet("phq9_9", "declined") in events
    assert [e["value"] for e in events if e.get("name") == "requested_slot"] == ["cssrs_1"]


def test_an_urgent_review_beyond_the_c_ssrs_asks_a_clinician_to_call(database, monkeypatch) -> None:
    at(monkeypatch, ON_DUTY)
    answers = {
        **BASE,
        "concerns_text": {"text": "low", "concerns": ["depression"]},
        "current_care": ["recent_discharge"],
        **{f"phq9_{i}": 3 for i in range(1, 9)},
        "phq9_9": 0,
        "phq9_difficulty": 3,
        **{f"gad7_{i}": 1 for i in range(1, 8)},
        "gad7_difficulty": 1,
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
        "member_id": "skipped",
        "contact_phone": "skipped",
        "screening_status": "completed",
    }
    _, said = run(ActionFinishScreening(), tracker(answers, "skip", "inform", active=False))
    assert rows(database)["escalations"] == [("moderate", "urgent_review")]
    # No number was given: the message asks them to call rather than promising a call.
    assert "will call you" not in said and "Please call our team at 503-555-0100" in said
    assert "call or text 988" in said


# ---------------------------------------------------------------------------------------------------
# The check-in when the crisis detector is unsure


def checkins(database: str) -> list[tuple[str, Optional[str]]]:
    from bot.store.checkins import CheckIn

    with session_scope(database) as session:
        return [(c.outcome, c.category) for c in session.query(CheckIn).order_by(CheckIn.id)]


def test_the_check_in_asks_directly_and_stores_nothing_from_the_message(database) -> None:
    from actions.checkin import ActionCrisisCheck

    t = tracker(BASE, "I'm dying to get started", "inform", requested="concerns_text")
    t.latest_message["crisis"] = {"tier": "check_in", "category": "passive_death_wish", "model_score": 0.55}
    events, said = run(ActionCrisisCheck(), t)
    assert said == (
        "I want to make sure I understand you. Are you having thoughts of ending your life or hurting yourself?"
    )
    assert events == [SlotSet("concerns_text", None), SlotSet("crisis_check", "asked")]
    assert checkins(database) == [("open", "passive_death_wish")]
    assert rows(database)["escalations"] == []  # nobody is paged for a question


def reply(text: str, asked: str = "asked") -> tuple[list[dict], str]:
    from actions.checkin import ActionCrisisCheckReply

    return run(
        ActionCrisisCheckReply(), tracker({**BASE, "crisis_check": asked}, text, "inform", requested="concerns_text")
    )


def open_check_in(database: str) -> None:
    from bot.store import checkins as store

    with session_scope(database) as session:
        store.open_check_in(
            session,
            conversation_id="t-safety",
            screening_id=None,
            channel="rest",
            category="passive_death_wish",
            model_score=0.5,
            now=ON_DUTY,
        )


def test_no_goes_back_to_the_question_it_was_on(database) -> None:
    open_check_in(database)
    events, said = reply("no")
    assert events == [SlotSet("concerns_text", None), SlotSet("crisis_check", None)]
    assert "Thank you for telling me" in said and "988" in said
    assert said.rstrip().endswith("In a few words, what's been going on that brings you here?")
    assert checkins(database) == [("no", "passive_death_wish")] and rows(database)["escalations"] == []


def test_yes_is_the_crisis_path(database, monkeypatch) -> None:
    at(monkeypatch, ON_DUTY)
    open_check_in(database)
    events, said = reply("yes")
    assert ConversationPaused() in events and SlotSet("crisis_check", None) in events
    assert "988" in said and "741741" in said
    assert checkins(database) == [("yes", "passive_death_wish")]
    assert rows(database)["escalations"] == [("high", "passive_death_wish")]


def test_unclear_is_asked_once_more_then_taken_as_yes(database, monkeypatch) -> None:
    at(monkeypatch, ON_DUTY)
    open_check_in(database)
    events, said = reply("what do you mean")
    assert events == [SlotSet("concerns_text", None), SlotSet("crisis_check", "asked_again")]
    assert "right now? Yes or no is enough" in said and rows(database)["escalations"] == []
    events, said = reply("hmm", asked="asked_again")
    assert ConversationPaused() in events and "988" in said
    assert checkins(database) == [("unclear", "passive_death_wish")]
