"""The widget channel's own rules (rasa_edge/channels/widget.py) and the console's demo page, without servers."""

from __future__ import annotations

import re

from bot.console.app import demo_facts
from bot.program import load_program
from rasa_edge.channels.widget import SESSION_ID, history, new_session_id, widget_message

CHOICES = [{"title": "Yes, let's start", "payload": "yes"}, {"title": "Not now", "payload": "no"}]


def test_session_ids_are_issued_by_the_server_and_never_name_another_channel():
    issued = new_session_id()
    assert SESSION_ID.fullmatch(issued) and issued != new_session_id()
    for foreign in ("sms-0123456789abcdef01234567", "e2e-likely-fit", "web-../x", issued.upper(), ""):
        assert not SESSION_ID.fullmatch(foreign)


def test_a_bot_message_keeps_its_buttons_and_says_who_speaks():
    assert widget_message({"text": "Shall we start?", "buttons": CHOICES, "timestamp": 1.0}) == {
        "text": "Shall we start?",
        "quick_replies": CHOICES,
    }
    assert widget_message({"text": "Call 988", "assistant": "crisis"}) == {"text": "Call 988", "crisis": True}
    assert widget_message({"text": "Hi, I'm Dana", "staff": "Dana"}) == {"text": "Hi, I'm Dana", "staff": "Dana"}


def test_history_shows_texts_in_order_with_answers_as_the_person_saw_them():
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "bot", "text": "Shall we start?", "data": {"buttons": CHOICES}, "metadata": {}},
        {"event": "slot", "name": "consent", "value": "yes"},
        {"event": "user", "text": "yes"},
        {"event": "bot", "text": "Call or text 988.", "data": {}, "metadata": {"assistant": "crisis"}},
        {"event": "user", "text": "no"},  # not a payload of the latest buttons: shown as typed
        {"event": "bot", "text": "Dana here.", "data": {}, "metadata": {"staff": "Dana"}},
    ]
    assert history(events) == [
        {"sender": "user", "text": "hi"},
        {"sender": "bot", "text": "Shall we start?", "quick_replies": CHOICES},
        {"sender": "user", "text": "Yes, let's start"},
        {"sender": "bot", "text": "Call or text 988.", "crisis": True},
        {"sender": "user", "text": "no"},
        {"sender": "bot", "text": "Dana here.", "staff": "Dana"},
    ]
    assert history(events, limit=2) == history(events)[-2:]


def test_demo_page_facts_come_from_program_yml():
    program = load_program()
    facts = demo_facts(program)
    assert "Intensive Outpatient Program" in facts["what_is_iop"]
    assert facts["tel"] == re.sub(r"\D", "", program.phone)
    assert [track["name"] for track in facts["tracks"]] == [track.name for track in program.tracks]
    assert facts["tracks"][0]["days"] == "Mon, Tue, Thu" and facts["tracks"][0]["hours"] == "09:00-12:00"
