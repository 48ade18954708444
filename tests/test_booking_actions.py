"""The booking action as a function (tracker built in the test, CollectingDispatcher, a migrated database),
and which messages the policy sends to it. The fifty-at-once test runs the action itself, so what the
forty-nine people who lost the race are told is checked, not only the database."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from typing import Any, Optional
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import ActionBooking, desk
from bot.booking.conversation import STAGE_SLOT, Stage
from bot.booking.offers import Preferences
from bot.routing import booking_action
from bot.store import crud
from bot.store.db import session_scope
from bot.store.models import utcnow

ANSWERS = {"schedule_times": ["afternoon", "evening"], "modality": "telehealth"}


def tracker(
    text: str,
    *,
    stage: Optional[str] = None,
    offered: Optional[list[int]] = None,
    channel: str = "rest",
    sender: str = "web-" + "a" * 32,
    **slots: Any,
) -> Tracker:
    slots = {"booking_offered_at": time.time() - 60, **slots}  # offered a minute ago unless the test says
    return Tracker(
        sender_id=sender,
        slots={**ANSWERS, STAGE_SLOT: stage, "booking_offer": offered, **slots},
        latest_message={"text": text, "intent": {"name": "inform", "confidence": 0.9}},
        events=[{"event": "user", "text": text, "timestamp": time.time(), "input_channel": channel}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionBooking().run(dispatcher, t, {}))
    return events, dispatcher.messages


def slot(events: list[dict], name: str) -> Any:
    return [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name][-1]


def completed_screening(sender: str, outcome: str = "likely_fit") -> None:
    with session_scope(desk().database_url) as session:
        screening = crud.current_screening(session, conversation_id=sender, channel="rest")
        crud.update_screening(session, screening=screening, status="completed", outcome=outcome)


@pytest.fixture
def booking_db(migrated_db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite or PostgreSQL database (tests/conftest.py) as the actions' DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    return migrated_db_url


@pytest.fixture
def offered(booking_db: str) -> list[int]:
    return [s.id for s in desk().offer(Preferences.from_answers(ANSWERS), utcnow()).slots]


# --- which messages reach the action ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, intent, stage, in_form, expected",
    [
        ("2", "inform", Stage.OFFERING, False, "action_booking"),
        ("next tuesday", "nlu_fallback", Stage.OFFERING, False, "action_booking"),
        ("what is an IOP?", "faq", Stage.OFFERING, False, None),  # a program question is answered by its rule
        ("thanks", "thanks", Stage.OFFERING, False, None),
        ("C", "booking", Stage.BOOKED, False, "action_booking"),
        ("R", "inform", None, False, "action_booking"),  # cancel/reschedule: the action checks the database
        ("can I book an appointment?", "booking", None, False, None),  # before a screening: the rules start one
        ("can I book an appointment?", "booking", Stage.OPEN, False, "action_booking"),
        ("when is my appointment?", "booking", Stage.BOOKED, False, "action_booking"),
        ("cancel", "stop", Stage.BOOKED, True, None),  # inside the screening it is the form's business
        ("2", "inform", Stage.BOOKED, False, None),
        ("503 555 0177", "inform", Stage.REMINDERS, False, "action_booking"),
        ("when is my appointment?", "booking", None, False, "action_booking"),  # the action looks it up
        ("can I change my appointment?", "faq", Stage.BOOKED, False, None),  # a program question is answered as one
        ("I can't make it on mornings, is there an evening group?", "inform", Stage.BOOKED, False, None),
    ],
)
def test_the_policy_sends_booking_replies_to_the_booking_action(text, intent, stage, in_form, expected):
    assert booking_action(intent=intent, text=text, in_form=in_form, stage=stage, actions_since_message=[]) == expected
    assert (
        booking_action(intent=intent, text=text, in_form=in_form, stage=stage, actions_since_message=["action_booking"])
        is None
    )


# --- the action -----------------------------------------------------------------------------------------


def test_choosing_a_time_books_it_and_confirms_with_the_calendar_link(offered):
    completed_screening("web-" + "a" * 32)
    events, messages = run(tracker("2", stage=Stage.OFFERING, offered=offered))
    assert slot(events, STAGE_SLOT) == Stage.BOOKED
    text = messages[0]["text"]
    assert text.startswith("You're booked for a free assessment with a clinician: ")
    assert "/calendar/" in text and ".ics" in text and "web-" not in text
    booking = desk().upcoming("web-" + "a" * 32, utcnow())
    assert booking.slot_id == offered[1] and booking.screening_id is not None


def test_over_sms_the_confirmation_is_short_and_says_how_to_cancel(offered):
    sender = "sms-" + "1" * 24
    events, messages = run(tracker("1", stage=Stage.OFFERING, offered=offered, channel="sms", sender=sender))
    text = messages[0]["text"]
    assert text.startswith("Booked: ") and text.endswith("Reply C to cancel, R to reschedule.")
    assert "http" not in text and "bring" not in text
    assert desk().upcoming(sender, utcnow()).contact_conversation_id == sender  # reminders go to this number


def test_fifty_people_pressing_the_same_time_get_one_booking_and_forty_nine_kind_refusals_with_other_times(offered):
    start = threading.Barrier(50)
    said: dict[int, list[dict]] = {}

    def press(i: int) -> None:
        t = tracker("1", stage=Stage.OFFERING, offered=offered, sender=f"web-{i:032x}")
        start.wait()
        said[i] = run(t)[1]

    threads = [threading.Thread(target=press, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first = [m[0]["text"] for m in said.values()]
    assert sum(text.startswith("You're booked") for text in first) == 1
    refused = [m for m in said.values() if m[0]["text"].startswith("Sorry, that time was just taken")]
    assert len(refused) == 49
    for messages in refused:
        payloads = [b["payload"] for b in messages[0]["buttons"]]
        assert payloads[:3] == ["1", "2", "3"] and "other times" in payloads


def test_a_day_in_words_is_offered_in_the_zone_the_person_names(offered):
    events, messages = run(tracker("tuesday at 6pm eastern", stage=Stage.OFFERING, offered=offered))
    assert slot(events, "booking_tz") == "America/New_York"
    titles = [b["title"] for b in messages[0]["buttons"][:-2]]
    assert titles and all(" ES" in t or " ED" in t for t in titles), titles


def test_a_time_that_has_passed_is_said_kindly(offered):
    events, messages = run(tracker("yesterday", stage=Stage.OFFERING, offered=offered))
    assert messages[0]["text"].endswith("has already passed. Which other day or time would suit you?")
    assert events == []


def test_an_unclear_reply_repeats_the_choices(offered):
    _, messages = run(tracker("purple", stage=Stage.OFFERING, offered=offered))
    assert "Reply with a number from 1 to 3" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]][:3] == ["1", "2", "3"]


def test_cancel_and_reschedule_by_letter_and_nothing_to_cancel_for_anyone_else(offered):
    sender = "sms-" + "2" * 24
    run(tracker("1", stage=Stage.OFFERING, offered=offered, channel="sms", sender=sender))
    _, messages = run(tracker("R", stage=Stage.BOOKED, channel="sms", sender=sender))
    assert "stays booked until you choose" in messages[0]["text"]
    _, messages = run(tracker("C", stage=Stage.OFFERING, offered=offered, channel="sms", sender=sender))
    assert "is cancelled" in messages[0]["text"]
    assert desk().upcoming(sender, utcnow()) is None
    _, messages = run(tracker("C", stage=Stage.BOOKED, channel="sms", sender="sms-" + "3" * 24))
    assert "I don't see an upcoming appointment" in messages[0]["text"]


def test_asking_to_book_after_a_referral_elsewhere_goes_to_the_intake_team(booking_db):
    sender = "web-" + "b" * 32
    completed_screening(sender, outcome="refer_outpatient")
    events, messages = run(tracker("can I book an appointment?", stage=Stage.OPEN, sender=sender))
    assert messages[0]["text"].startswith("Our intake team will call you about the next steps")
    assert events == [] and desk().upcoming(sender, utcnow()) is None


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch):
    """Twilio configured, talking to a local fake of its API."""
    from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio

    fake = FakeTwilio()
    with fake.serving():
        for name, value in {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_API_URL": fake.url,
        }.items():
            monkeypatch.setenv(name, value)
        yield fake


PHONE = "+15035550177"


def test_after_booking_in_the_widget_text_reminders_go_to_a_number_once_its_code_is_typed(offered, twilio):
    from bot.settings import settings
    from bot.sms import store as sms_store
    from bot.sms.identity import pseudonym

    sender = "web-" + "c" * 32
    events, messages = run(tracker("1", stage=Stage.OFFERING, offered=offered, sender=sender))
    assert slot(events, STAGE_SLOT) == Stage.REMINDERS
    assert messages[1]["text"].startswith("Would you like text reminders 24 hours and 2 hours before?")
    _, messages = run(tracker("hmm", stage=Stage.REMINDERS, sender=sender))
    assert messages[0]["text"] == "Please send a mobile number like 503-555-0123, or say no thanks."
    events, messages = run(tracker("(503) 555-0177", stage=Stage.REMINDERS, sender=sender))
    assert slot(events, STAGE_SLOT) == Stage.VERIFYING and "ending in 77" in messages[0]["text"]
    [text] = twilio.to(PHONE)
    assert text.startswith("Riverbend: your code is ") and text.endswith("Reply STOP to opt out.")
    code = text.split("code is ")[1][:4]
    assert desk().upcoming(sender, utcnow()).contact_conversation_id is None  # not before the code
    wrong = "0000" if code != "0000" else "1111"
    events, messages = run(tracker(wrong, stage=Stage.VERIFYING, sender=sender))
    assert messages[0]["text"].startswith("That code doesn't match") and events == []
    events, messages = run(tracker(code, stage=Stage.VERIFYING, sender=sender))
    assert slot(events, STAGE_SLOT) == Stage.BOOKED
    assert "ending in 77" in messages[0]["text"] and "555" not in messages[0]["text"]
    phone = pseudonym(PHONE, settings().sms_id_key)
    assert desk().upcoming(sender, utcnow()).contact_conversation_id == phone
    with session_scope(desk().database_url) as session:
        contact = sms_store.contact(session, conversation_id=phone)
        assert contact is not None and "555" not in contact.number_encrypted  # stored encrypted only
    # The same phone texting "C" later reaches this booking: the same person, by their number.
    _, messages = run(tracker("C", stage=None, channel="sms", sender=phone))
    assert "is cancelled" in messages[0]["text"] and desk().upcoming(sender, utcnow()) is None


def test_a_number_that_said_stop_gets_no_code(offered, twilio):
    from bot.settings import settings
    from bot.sms import store as sms_store
    from bot.sms.identity import NumberCipher, pseudonym

    with session_scope(desk().database_url) as session:
        contact = sms_store.ensure_contact(
            session,
            conversation_id=pseudonym(PHONE, settings().sms_id_key),
            number_encrypted=NumberCipher(settings().sms_number_key).encrypt(PHONE),
        )
        sms_store.opt_out(session, contact=contact)
    sender = "web-" + "g" * 32
    run(tracker("1", stage=Stage.OFFERING, offered=offered, sender=sender))
    _, messages = run(tracker("503-555-0177", stage=Stage.REMINDERS, sender=sender))
    assert "has asked us not to text it" in messages[0]["text"] and twilio.to(PHONE) == []


def test_no_thanks_to_text_reminders(offered, twilio):
    sender = "web-" + "d" * 32
    run(tracker("1", stage=Stage.OFFERING, offered=offered, sender=sender))
    events, messages = run(tracker("no thanks", stage=Stage.REMINDERS, sender=sender))
    assert messages[0]["text"] == "No problem, no text reminders." and slot(events, STAGE_SLOT) == Stage.BOOKED
    assert desk().upcoming(sender, utcnow()).contact_conversation_id is None


def test_an_old_offer_is_made_again_with_the_times_open_now(offered):
    stale = time.time() - 7 * 60 * 60
    events, messages = run(tracker("1", stage=Stage.OFFERING, offered=offered, booking_offered_at=stale))
    assert messages[0]["text"] == "Open times change, so here are the ones open now:"
    assert slot(events, STAGE_SLOT) == Stage.OFFERING and desk().upcoming("web-" + "a" * 32, utcnow()) is None


def test_a_time_blocked_since_it_was_offered_is_no_longer_available(offered):
    from bot.booking import store

    with session_scope(desk().database_url) as session:
        store.set_slot_status(session, slot_id=offered[0], status="blocked", by="Ada Staff")
    events, messages = run(tracker("1", stage=Stage.OFFERING, offered=offered))
    assert messages[0]["text"] == "Sorry, that time is no longer available. Here are the times open now:"
    assert offered[0] not in slot(events, "booking_offer")


def test_a_day_beyond_the_booking_horizon_is_said_as_such(offered):
    far = utcnow().astimezone(ZoneInfo("America/Los_Angeles")) + timedelta(days=60)
    _, messages = run(tracker(f"{far:%B} {far.day}", stage=Stage.OFFERING, offered=offered))
    assert messages[0]["text"].startswith("I can only book up to 21 days ahead")


def test_not_now_while_choosing_a_new_time_keeps_the_booking(offered):
    sender = "web-" + "e" * 32
    run(tracker("1", stage=Stage.OFFERING, offered=offered, sender=sender))
    events, messages = run(tracker("not now", stage=Stage.OFFERING, offered=offered, sender=sender))
    assert messages[0]["text"].startswith("No problem: your appointment on ")
    assert slot(events, STAGE_SLOT) == Stage.BOOKED and desk().upcoming(sender, utcnow()) is not None


def test_times_are_said_in_the_zone_the_person_named_everywhere_after(offered):
    sender = "web-" + "f" * 32
    events, messages = run(tracker("tuesday at 6pm eastern", stage=Stage.OFFERING, offered=offered, sender=sender))
    new_offer = slot(events, "booking_offer")
    events, messages = run(
        tracker("1", stage=Stage.OFFERING, offered=new_offer, sender=sender, booking_tz="America/New_York")
    )
    assert " ES" in messages[0]["text"] or " ED" in messages[0]["text"]
    _, messages = run(
        tracker("when is my appointment?", stage=Stage.BOOKED, sender=sender)
    )  # slot gone: from the booking
    assert messages[0]["text"].startswith("You're booked for ") and (
        " EST." in messages[0]["text"] or " EDT." in messages[0]["text"]
    )


def test_stepping_back_for_a_person_withdraws_the_times_on_offer(booking_db):
    from actions.common import step_back

    events = step_back(tracker("I want to die", stage=Stage.OFFERING, offered=[1, 2, 3]), "crisis")
    assert {"event": "slot", "timestamp": None, "name": "booking_offer", "value": None} in events
    assert slot(events, STAGE_SLOT) == Stage.OPEN
