"""Handing a conversation to a person and back: the handoff records, the staff functions against a fake
Rasa HTTP API (no network), `iop-intake handoff`, the wording about when staff reply, and the event broker
that alerts again on a crisis message while the bot is paused."""

from __future__ import annotations

import importlib.util
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import pytest
import requests
import sqlalchemy as sa

from bot import cli, handoff, messages
from bot.notify import Contacts, Notifier
from bot.program import load_program
from bot.safety.resources import crisis_message
from bot.store import crud, db
from bot.store.models import HANDOFF_REASONS, Escalation, Handoff
from rasa_edge.event_broker import RealertBroker

CONVERSATION = "web-5b1e0c44d2"
MONDAY_10AM = datetime(2025, 6, 2, 17, 0, tzinfo=timezone.utc)  # in Portland: the team is on duty
MONDAY_10PM = datetime(2025, 6, 3, 5, 0, tzinfo=timezone.utc)  # in Portland: off duty until 8am Tuesday
SATURDAY_2PM = datetime(2025, 6, 7, 21, 0, tzinfo=timezone.utc)  # in Portland: off duty until Monday
SECOND = timedelta(seconds=1)


@pytest.fixture(scope="module")
def program():
    return load_program()


# ---------------------------------------------------------------------------------------------------
# Records


def test_the_migration_allows_exactly_the_reasons_of_the_model() -> None:
    path = db.HERE / "migrations" / "versions" / "0003_handoffs.py"
    spec = importlib.util.spec_from_file_location("migration_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert module.REASONS == HANDOFF_REASONS == ("crisis", "request", "staff")


def test_one_open_handoff_per_conversation_until_it_is_closed(migrated_db_url: str) -> None:
    with db.session_scope(migrated_db_url) as session:
        first = crud.open_handoff(session, conversation_id=CONVERSATION, reason="request", now=MONDAY_10AM)
        again = crud.open_handoff(session, conversation_id=CONVERSATION, reason="staff", by="Dana")
        assert again.id == first.id and again.reason == "request" and again.opened_by is None
        crisis = crud.open_handoff(session, conversation_id=CONVERSATION, reason="crisis")
        assert crisis.id == first.id and crisis.reason == "crisis"  # a crisis is never hidden as a request
        assert crud.open_handoff_for(session, conversation_id="web-other") is None
    with db.session_scope(migrated_db_url) as session:
        closed = crud.close_handoff(session, conversation_id=CONVERSATION, by=" Dana  Lee ", now=MONDAY_10AM + SECOND)
        assert (closed.closed_by, closed.closed_at) == ("Dana Lee", MONDAY_10AM + SECOND)
        assert crud.open_handoff_for(session, conversation_id=CONVERSATION) is None
        assert crud.close_handoff(session, conversation_id=CONVERSATION, by="Dana") is None
        later = crud.open_handoff(session, conversation_id=CONVERSATION, reason="staff", by="Sam")
        assert later.id != first.id and later.opened_by == "Sam"


def test_the_open_list_is_the_waiting_conversations_oldest_first(migrated_db_url: str) -> None:
    with db.session_scope(migrated_db_url) as session:
        for i, conversation in enumerate(("web-b", "web-a", "web-c")):
            crud.open_handoff(session, conversation_id=conversation, reason="request", now=MONDAY_10AM + i * SECOND)
        crud.close_handoff(session, conversation_id="web-a", by="Dana")
        assert [h.conversation_id for h in crud.list_open_handoffs(session)] == ["web-b", "web-c"]


def test_unknown_reasons_and_phone_numbers_are_refused(migrated_db_url: str) -> None:
    with db.session_scope(migrated_db_url) as session:
        with pytest.raises(ValueError, match="not a handoff reason"):
            crud.open_handoff(session, conversation_id=CONVERSATION, reason="bored")
        with pytest.raises(ValueError, match="looks like a phone number"):
            crud.open_handoff(session, conversation_id="+1 503 555 0123", reason="request")
    with pytest.raises(sa.exc.IntegrityError):
        with db.session_scope(migrated_db_url) as session:
            session.add(Handoff(conversation_id=CONVERSATION, reason="bored", opened_at=MONDAY_10AM))


# ---------------------------------------------------------------------------------------------------
# Staff functions over Rasa's HTTP API


class Reply:
    def __init__(self, status: int, body: Optional[dict] = None) -> None:
        self.status_code = status
        self.body = body or {}

    def json(self) -> dict:
        return self.body


class FakeRasa:
    """Records the requests; answers each with the next reply (200 {} when none is left)."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.requests: list[dict] = []

    def post(self, url: str, params: dict, json: dict, timeout: float) -> Reply:
        self.requests.append({"url": url, "params": params, "json": json})
        reply = self.replies.pop(0) if self.replies else Reply(200)
        if isinstance(reply, Exception):
            raise reply
        return reply


def api(fake: FakeRasa) -> handoff.RasaApi:
    return handoff.RasaApi("http://rasa.test", "t0ken", http=fake)


def open_for(url: str, conversation: str = CONVERSATION, reason: str = "request") -> None:
    with db.session_scope(url) as session:
        crud.open_handoff(session, conversation_id=conversation, reason=reason)


def test_taking_over_pauses_the_bot_and_records_who(migrated_db_url: str) -> None:
    fake = FakeRasa()
    row = handoff.take_over(CONVERSATION, "Dana", rasa=api(fake), database_url=migrated_db_url)
    assert fake.requests == [
        {
            "url": f"http://rasa.test/conversations/{CONVERSATION}/tracker/events",
            "params": {"token": "t0ken"},
            "json": {"event": "pause"},
        }
    ]
    assert (row.reason, row.opened_by, row.closed_at) == ("staff", "Dana", None)


def test_a_staff_reply_goes_out_on_the_persons_channel_with_the_staff_name(migrated_db_url: str) -> None:
    open_for(migrated_db_url)
    fake = FakeRasa()
    handoff.reply(
        CONVERSATION, "  Hi Sam, this is Dana from intake.  ", "Dana", rasa=api(fake), database_url=migrated_db_url
    )
    assert fake.requests == [
        {
            "url": f"http://rasa.test/conversations/{CONVERSATION}/tracker/events",
            "params": {"token": "t0ken", "output_channel": "latest", "execute_side_effects": "true"},
            "json": {"event": "bot", "text": "Hi Sam, this is Dana from intake.", "metadata": {"staff": "Dana"}},
        }
    ]


def test_no_reply_or_hand_back_while_the_bot_is_talking(migrated_db_url: str) -> None:
    fake = FakeRasa()
    with pytest.raises(handoff.HandoffError, match="take it over first"):
        handoff.reply(CONVERSATION, "hello", "Dana", rasa=api(fake), database_url=migrated_db_url)
    with pytest.raises(handoff.HandoffError, match="take it over first"):
        handoff.hand_back(CONVERSATION, "Dana", rasa=api(fake), database_url=migrated_db_url)
    open_for(migrated_db_url)
    with pytest.raises(handoff.HandoffError, match="empty"):
        handoff.reply(CONVERSATION, "  ", "Dana", rasa=api(fake), database_url=migrated_db_url)
    with pytest.raises(handoff.HandoffError, match="--by"):
        handoff.reply(CONVERSATION, "hello", " ", rasa=api(fake), database_url=migrated_db_url)
    assert fake.requests == []


def test_handing_back_resumes_then_triggers_the_external_intent(migrated_db_url: str) -> None:
    open_for(migrated_db_url)
    fake = FakeRasa(
        Reply(200),
        Reply(
            200,
            {
                "messages": [
                    {"recipient_id": CONVERSATION, "text": "I'm back."},
                    {"recipient_id": CONVERSATION, "text": "How old are you?"},
                ]
            },
        ),
    )
    said = handoff.hand_back(CONVERSATION, "Dana", rasa=api(fake), database_url=migrated_db_url)
    assert said == ["I'm back.", "How old are you?"]
    assert [(r["url"].rsplit("/", 2)[-2:], r["json"]) for r in fake.requests] == [
        (["tracker", "events"], {"event": "resume"}),
        ([CONVERSATION, "trigger_intent"], {"name": "EXTERNAL_handback", "entities": {"staff": "Dana"}}),
    ]
    assert fake.requests[1]["params"] == {"token": "t0ken", "output_channel": "latest"}


def test_rasa_errors_are_reported_by_step_and_status_only(migrated_db_url: str) -> None:
    open_for(migrated_db_url)
    fake = FakeRasa(Reply(500, {"message": "I want to die"}))
    with pytest.raises(handoff.HandoffError) as error:
        handoff.reply(CONVERSATION, "I'll call you now", "Dana", rasa=api(fake), database_url=migrated_db_url)
    assert str(error.value) == "the Rasa server answered 500 to tracker/events"
    fake = FakeRasa(requests.ConnectionError("refused"))
    with pytest.raises(handoff.HandoffError, match=r"did not answer \(ConnectionError\)"):
        handoff.take_over(CONVERSATION, "Dana", rasa=api(fake), database_url=migrated_db_url)


def test_conversation_ids_are_quoted_into_the_path() -> None:
    fake = FakeRasa()
    api(fake).post("web/../x y", "tracker/events", {"event": "pause"})
    assert fake.requests[0]["url"] == "http://rasa.test/conversations/web%2F..%2Fx%20y/tracker/events"


@pytest.mark.parametrize(
    "status, consented, resumes",
    [
        ("in_progress", True, True),
        (None, True, True),
        ("crisis", True, True),
        ("in_progress", False, False),
        ("completed", True, False),
        ("stopped", True, False),
        ("high_risk", True, False),
        (None, False, False),
    ],
)
def test_handing_back_continues_only_a_screening_under_way(
    status: Optional[str], consented: bool, resumes: bool
) -> None:
    assert handoff.resumes_screening(status, consented) is resumes


@pytest.mark.parametrize(
    "status, after",
    [
        (None, "crisis"),
        ("in_progress", "crisis"),
        ("completed", None),
        ("stopped", None),
        ("declined", None),
    ],
)
def test_a_crisis_interrupts_only_an_unfinished_screening(status: Optional[str], after: Optional[str]) -> None:
    assert handoff.status_after_crisis(status) == after


# ---------------------------------------------------------------------------------------------------
# `iop-intake handoff`


def test_cli_lists_takes_replies_and_releases(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    fake = FakeRasa()
    monkeypatch.setattr(handoff.RasaApi, "from_settings", classmethod(lambda cls: api(fake)))
    assert cli.main(["handoff", "list"]) == 0
    assert "no conversation is waiting for a person" in capsys.readouterr().out
    assert cli.main(["handoff", "take", CONVERSATION, "--by", "Dana"]) == 0
    assert cli.main(["handoff", "reply", CONVERSATION, "Hi, Dana here", "--by", "Dana"]) == 0
    assert cli.main(["handoff", "list"]) == 0
    listing = capsys.readouterr().out
    assert "staff" in listing and "Dana" in listing and CONVERSATION in listing
    fake.replies = [Reply(200), Reply(200, {"messages": [{"text": "Thanks for waiting."}]})]
    assert cli.main(["handoff", "release", CONVERSATION, "--by", "Dana"]) == 0
    assert "bot: Thanks for waiting." in capsys.readouterr().out
    assert [r["json"].get("event") or r["json"].get("name") for r in fake.requests] == [
        "pause",
        "bot",
        "resume",
        "EXTERNAL_handback",
    ]


def test_cli_explains_what_cannot_be_done(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    monkeypatch.setattr(handoff.RasaApi, "from_settings", classmethod(lambda cls: api(FakeRasa())))
    assert cli.main(["handoff", "reply", CONVERSATION, "hello", "--by", "Dana"]) == 1
    assert "handoff: the bot is talking in this conversation: take it over first" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------
# When staff reply, said honestly


def test_the_crisis_reply_says_a_person_is_alerted_only_when_staff_are_on_duty(program) -> None:
    on_duty = crisis_message(program, MONDAY_10AM)
    assert "A member of our team is being alerted now" in on_duty
    night = crisis_message(program, MONDAY_10PM)
    assert "being alerted" not in night
    assert "Our team is off duty until 8am tomorrow; please use the numbers above now." in night
    assert "off duty until 8am on Monday" in crisis_message(program, SATURDAY_2PM)
    for text in (on_duty, night):
        assert (
            text.index("911")
            < text.index("988")
            < text.index("741741")
            < text.index("503-555-0199")
            < text.lower().index("our team")
        )  # the crisis lines always come first
        assert text.isascii()


def test_asking_for_a_person_is_told_when_someone_will_reply(program) -> None:
    day = messages.handoff_requested(program, MONDAY_10AM)
    assert "someone from the team will reply here shortly" in day and "503-555-0100" in day
    night = messages.handoff_requested(program, MONDAY_10PM)
    assert "shortly" not in night
    assert "back at 8am tomorrow" in night and "503-555-0100" in night and "911" in night and "988" in night


def test_the_hand_back_says_what_comes_next(program) -> None:
    assert messages.handed_back(program, resuming=True, completed=False).endswith("pick up where we left off.")
    assert "Your screening is complete" in messages.handed_back(program, resuming=False, completed=True)
    assert 'Say "start"' in messages.handed_back(program, resuming=False, completed=False)


# ---------------------------------------------------------------------------------------------------
# The event broker: alerting again while the bot is paused


def broker(url: str, reminded: Optional[list] = None) -> tuple[RealertBroker, list[int]]:
    paged: list[int] = []
    notifier = Notifier(url, sms=None, contacts=Contacts())
    remind = (lambda conversation, text: reminded.append((conversation, text))) if reminded is not None else None
    return RealertBroker(
        notifier,
        pager=lambda page, escalation_id: paged.append(escalation_id),
        **({"reminder": remind} if remind else {}),
    ), paged


def user_event(
    text: str,
    at: datetime,
    intent: str = "crisis",
    category: Optional[str] = "suicidal_ideation",
    conversation: str = CONVERSATION,
) -> dict:
    parse_data: dict = {"intent": {"name": intent, "confidence": 1.0}, "text": text}
    if intent == "crisis":
        parse_data["crisis"] = {"category": category}
    return {
        "sender_id": conversation,
        "event": "user",
        "text": text,
        "timestamp": at.timestamp(),
        "parse_data": parse_data,
    }


def escalations(url: str) -> list[tuple]:
    with db.session_scope(url) as session:
        return [
            (e.id, e.severity, e.category, e.source, e.trigger_text)
            for e in session.query(Escalation).order_by(Escalation.id)
        ]


def test_a_crisis_message_while_paused_opens_a_new_escalation_and_pages(migrated_db_url: str) -> None:
    with db.session_scope(migrated_db_url) as session:
        screening_id = crud.current_screening(session, conversation_id=CONVERSATION, channel="rest").id
        crud.open_handoff(session, conversation_id=CONVERSATION, reason="crisis", now=MONDAY_10AM)
    reminded: list = []
    realert, paged = broker(migrated_db_url, reminded)
    realert.publish(user_event("still want to end it", MONDAY_10AM + 60 * SECOND, category="intent_or_plan"))
    rows = escalations(migrated_db_url)
    assert [row[1:] for row in rows] == [("high", "intent_or_plan", "message", "still want to end it")]
    assert paged == [rows[0][0]]
    # The bot cannot act while paused, so the crisis lines are sent again the way staff replies are.
    [(conversation, text)] = reminded
    assert conversation == CONVERSATION and "988" in text and "741741" in text and "911" in text
    with db.session_scope(migrated_db_url) as session:
        assert crud.get_escalation(session, escalation_id=rows[0][0]).screening_id == screening_id


def test_the_message_that_caused_the_pause_does_not_alert_twice(migrated_db_url: str) -> None:
    open_for(migrated_db_url, reason="crisis")  # opened now, after the message below was written
    realert, paged = broker(migrated_db_url)
    realert.publish(user_event("I want to die", datetime.now(timezone.utc) - 2 * SECOND))
    assert escalations(migrated_db_url) == [] and paged == []


def test_the_crisis_lines_are_sent_through_the_events_api_as_the_assistant() -> None:
    fake = FakeRasa()
    handoff.send_crisis_lines("web-paused", "Call or text 988.", rasa=api(fake))
    assert fake.requests == [
        {
            "url": "http://rasa.test/conversations/web-paused/tracker/events",
            "params": {"token": "t0ken", "output_channel": "latest", "execute_side_effects": "true"},
            "json": {"event": "bot", "text": "Call or text 988.", "metadata": {"assistant": "crisis"}},
        }
    ]


def test_no_re_alert_when_the_bot_is_not_paused_or_the_message_is_not_a_crisis(migrated_db_url: str) -> None:
    realert, paged = broker(migrated_db_url)
    realert.publish(user_event("I want to die", MONDAY_10AM))  # no handoff: action_crisis answers it
    with db.session_scope(migrated_db_url) as session:
        crud.open_handoff(session, conversation_id=CONVERSATION, reason="request", now=MONDAY_10AM)
        crud.open_handoff(session, conversation_id="web-closed", reason="request", now=MONDAY_10AM)
        crud.close_handoff(session, conversation_id="web-closed", by="Dana", now=MONDAY_10AM + SECOND)
    later = MONDAY_10AM + 60 * SECOND
    realert.publish(user_event("hello? anyone there", later, intent="greet"))
    realert.publish(user_event("I want to die", later, conversation="web-closed"))
    realert.publish(
        {"sender_id": CONVERSATION, "event": "bot", "text": "I want to die", "timestamp": later.timestamp()}
    )
    assert escalations(migrated_db_url) == [] and paged == []
    realert.publish(user_event("I want to die", later, category=None))  # waiting for a person: still alerts
    assert [row[1:3] for row in escalations(migrated_db_url)] == [("high", "unspecified")]


def fallback_event(at: datetime, conversation: str = CONVERSATION) -> dict:
    """Rasa's own crisis reply, given when the action server could not run action_crisis."""
    return {
        "sender_id": conversation,
        "event": "bot",
        "text": "Call or text 988.",
        "timestamp": at.timestamp(),
        "metadata": {"utter_action": "utter_crisis_fallback"},
    }


def test_a_crisis_the_action_server_could_not_answer_is_escalated_from_its_reply(migrated_db_url: str) -> None:
    realert, paged = broker(migrated_db_url)
    realert.publish(user_event("I took all my pills", MONDAY_10AM, category="overdose_or_medical"))
    realert.publish(fallback_event(MONDAY_10AM + SECOND))
    rows = escalations(migrated_db_url)
    assert [row[1:] for row in rows] == [("high", "overdose_or_medical", "message", "I took all my pills")]
    assert paged == [rows[0][0]]
    # RabbitMQ hands the reply out again (a worker died before acknowledging it): recorded once.
    assert realert.handle(fallback_event(MONDAY_10AM + SECOND), redelivered=True) == rows[0][0]
    assert len(escalations(migrated_db_url)) == 1
    # Other replies, and Rasa's other fallback ("send it again"), escalate nothing.
    other = {**fallback_event(MONDAY_10AM, "web-other"), "metadata": {"utter_action": "utter_action_failed"}}
    realert.publish(other)
    assert len(escalations(migrated_db_url)) == 1


def test_a_database_failure_never_breaks_storing_the_message(tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    realert, paged = broker(f"sqlite:///{tmp_path / 'no-tables.db'}")
    with caplog.at_level(logging.ERROR, logger="rasa_edge.event_broker"):
        realert.publish(user_event("I want to end my life", MONDAY_10AM))
    assert paged == []
    assert "OperationalError" in caplog.text and "end my life" not in caplog.text
