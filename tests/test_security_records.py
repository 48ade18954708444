"""Issue 14 against the real database (SQLite and, when reachable, PostgreSQL): the pager cannot be flooded
(finding 2), verification codes are limited and numbers kept only as pseudonyms (6), a person's data can be
forgotten and is not kept past program.yml's retention (8), and the audit log is chained, verified and, on
PostgreSQL, closed to the application role (12). Sign-in (4) is in test_console_auth.py. Each attack is
the one the review made; the end-to-end versions against the running servers are in
test_security_records_e2e.py."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import threading
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Optional

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot import cli
from bot.booking import store as bookings
from bot.booking.desk import CODES_PER_NUMBER_PER_DAY, Check, CodeRefused, Desk, code_refusal
from bot.booking.store import CodeCounts, NumberCheck
from bot.instruments.cssrs import Risk
from bot.notify import Contacts, Notifier
from bot.program import ProgramError, Retention, load_program, parse_program
from bot.safety.escalation import CLIENT_REF, Limits, Policy, Severity, client_ref, for_cssrs, for_message, summary_body
from bot.safety.lexicon import Category
from bot.settings import ROOT, settings
from bot.sms import store as sms_store
from bot.sms.identity import pseudonym
from bot.store import crud, db, forget
from bot.store import staff as store
from bot.store.models import Answer, Escalation, EscalationMessage, Handoff, Screening, metadata
from bot.store.refs import keyed_ref
from rasa_edge.event_broker import RealertBroker
from tests.conftest import POSTGRES_URL, _postgres_unavailable
from tests.test_booking_store import CIPHER, NOW, NUMBER, book, first_free
from tests.test_console_auth import Console, add_account, audit_rows
from tests.test_notify import BACKUP, CREATED, ON_CALL, FakeTwilio, sms

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # many sign-ins: cheap argon2id (tests/conftest.py)
T0 = datetime(2026, 3, 2, 17, 5, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)
ID_KEY = "test-sms-id-key-" + "k" * 20
ATTACKER = "198.51.100.66"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def paging(url: str, http: FakeTwilio, clock: Clock, limits: Limits = Limits()) -> Notifier:
    return Notifier(
        url,
        sms=sms(http),
        contacts=Contacts((ON_CALL,), (BACKUP,)),
        policy=Policy(timedelta(minutes=10), timedelta(minutes=60), renotify=timedelta(minutes=10)),
        limits=limits,
        clock=clock,
    )


def realert(notifier: Notifier) -> RealertBroker:
    """The event broker as the Rasa server runs it, paging at once on this thread."""
    return RealertBroker(
        notifier, pager=lambda page, escalation_id: page(escalation_id), reminder=lambda conversation, text: None
    )


def crisis_event(conversation: str, text: str, at: datetime, address: Optional[str] = None) -> dict:
    return {
        "sender_id": conversation,
        "event": "user",
        "text": text,
        "timestamp": at.timestamp(),
        "parse_data": {
            "intent": {"name": "crisis", "confidence": 1.0},
            "text": text,
            "crisis": {"category": "suicidal_ideation"},
        },
        # As the channels record it: a keyed pseudonym of the address.
        "metadata": {CLIENT_REF: keyed_ref("address", address, ID_KEY)} if address else {},
    }


def paused(url: str, conversation: str, at: datetime) -> None:
    with db.session_scope(url) as session:
        crud.open_handoff(session, conversation_id=conversation, reason="crisis", now=at)


def escalation_rows(url: str) -> list[Escalation]:
    with db.session_scope(url) as session:
        return list(session.execute(sa.select(Escalation).order_by(Escalation.id)).scalars())


# ---------------------------------------------------------------------------------------------------
# Finding 2: nobody can flood the on-call phone, and no crisis message is lost


def test_six_crisis_messages_in_a_paused_conversation_page_once_and_are_all_kept(migrated_db_url: str) -> None:
    """The attack: six crisis messages after the first gave six more texts to the on-call phone."""
    http, clock = FakeTwilio(CREATED), Clock(T0)
    notifier = paging(migrated_db_url, http, clock)
    conversation = "web-" + "a" * 32
    first = notifier.escalate(
        conversation_id=conversation, trigger=for_message(Category.SUICIDAL_IDEATION), trigger_text="I want to die"
    )  # action_crisis, then the bot steps back
    paused(migrated_db_url, conversation, T0)
    broker = realert(notifier)
    for minute in range(1, 7):
        clock.at = T0 + minute * MINUTE
        broker.publish(crisis_event(conversation, f"message {minute}: I am going to do it", clock.at))
    assert len(http.sent) == 1
    [row] = escalation_rows(migrated_db_url)
    assert row.id == first and row.trigger_text == "I want to die"
    assert [(m.received_at, m.text) for m in row.messages] == [
        (T0 + minute * MINUTE, f"message {minute}: I am going to do it") for minute in range(1, 7)
    ]
    assert notifier.notify_due(now=T0 + 9 * MINUTE) == []
    notifier.notify_due(now=T0 + 10 * MINUTE)  # one re-page for the six, ESCALATION_RENOTIFY_MINUTES on
    assert [to for to, _ in http.sent] == [ON_CALL, ON_CALL, BACKUP]  # nobody acknowledged: the backup too
    notifier.notify_due(now=T0 + 15 * MINUTE)
    assert len(http.sent) == 3
    clock.at = T0 + 16 * MINUTE
    broker.publish(crisis_event(conversation, "still here", clock.at))
    assert len(http.sent) == 3 and notifier.notify_due(now=T0 + 19 * MINUTE) == []
    notifier.notify_due(now=T0 + 20 * MINUTE)
    assert [body for _, body in http.sent] == [f"Urgent intake escalation {first} - open the console"] * 4
    assert escalation_rows(migrated_db_url)[0].paged_at == T0 + 20 * MINUTE


def test_an_acknowledged_escalation_is_paged_again_for_a_new_crisis_message_until_resolved(
    migrated_db_url: str,
) -> None:
    http, clock = FakeTwilio(CREATED), Clock(T0)
    notifier = paging(migrated_db_url, http, clock)
    conversation = "web-" + "b" * 32
    escalation_id = notifier.escalate(conversation_id=conversation, trigger=for_message(None), trigger_text="help")
    with db.session_scope(migrated_db_url) as session:
        crud.acknowledge_escalation(session, escalation_id=escalation_id, by="Dana Reyes", now=T0 + MINUTE)
    clock.at = T0 + 12 * MINUTE
    assert (
        notifier.escalate(
            conversation_id=conversation,
            trigger=for_message(Category.OVERDOSE_OR_MEDICAL),
            trigger_text="I took all the pills",
        )
        == escalation_id
    )
    assert len(http.sent) == 2  # a new message may be new danger: whoever is on call hears of it
    with db.session_scope(migrated_db_url) as session:
        crud.resolve_escalation(session, escalation_id=escalation_id, by="Dana Reyes", outcome="called 911")
    clock.at = T0 + 30 * MINUTE
    later = notifier.escalate(conversation_id=conversation, trigger=for_message(None), trigger_text="again")
    assert later != escalation_id and len(http.sent) == 3  # resolved: a new crisis is a new escalation


def test_a_flood_of_new_conversations_pages_up_to_the_ceiling_then_one_summary(migrated_db_url: str) -> None:
    """The attack: each new sender id started another series of pages. Twenty at once now give six pages and
    one summary; every escalation is in the console's queue."""
    http, clock = FakeTwilio(CREATED), Clock(T0)
    notifier = paging(migrated_db_url, http, clock)
    ids = [
        notifier.escalate(conversation_id=f"rest-flood-{i}", trigger=for_message(None), trigger_text=f"die {i}")
        for i in range(20)
    ]
    bodies = [body for _, body in http.sent]
    assert bodies == [f"Urgent intake escalation {i} - open the console" for i in ids[:6]] + [
        "1 more urgent escalation - open the console"
    ]  # at once: the later ones are in the next summary
    with db.session_scope(migrated_db_url) as session:
        assert {e.id for e in crud.list_escalations(session, open_only=True)} == set(ids)
        held = crud.get_escalation(session, escalation_id=ids[-1])
        assert held.held_at == T0 and held.notified_at is None and held.last_error.startswith("held: ")
    clock.at = T0 + 61 * timedelta(seconds=1)
    real = notifier.escalate(conversation_id="web-" + "c" * 32, trigger=for_message(None), trigger_text="I can't")
    assert http.sent[-1] == (ON_CALL, f"Urgent intake escalation {real} - open the console")  # a new minute
    rounds = notifier.notify_due(now=T0 + 10 * MINUTE)  # nobody acknowledged: the backup, within the ceiling
    assert sorted(http.sent[8:]) == sorted(
        [(BACKUP, f"Urgent intake escalation {i} - open the console") for i in ids[:6]]
        + [
            (ON_CALL, "13 more urgent escalations - open the console"),  # held since the first summary
            (BACKUP, "1 more urgent escalation - open the console"),
        ]
    )
    assert sum(1 for r in rounds if r.held) == 14
    assert notifier.notify_due(now=T0 + 11 * MINUTE) == [] and len(http.sent) == 16


def test_escalations_from_one_client_ref_page_three_times_an_hour(migrated_db_url: str) -> None:
    http, clock = FakeTwilio(CREATED), Clock(T0)
    notifier = paging(migrated_db_url, http, clock)
    broker = realert(notifier)
    for i in range(5):
        paused(migrated_db_url, f"web-{i:032x}", T0 - MINUTE)  # asked for a person earlier
        broker.publish(crisis_event(f"web-{i:032x}", "I want to kill myself", T0, address=ATTACKER))
    paused(migrated_db_url, "web-" + "d" * 32, T0 - MINUTE)
    broker.publish(crisis_event("web-" + "d" * 32, "I want to end it", T0, address="203.0.113.20"))
    rows = escalation_rows(migrated_db_url)
    assert len(rows) == 6 and len({row.source_ref for row in rows}) == 2
    assert ATTACKER not in {row.source_ref for row in rows}  # a keyed pseudonym, never the address
    assert [body for _, body in http.sent] == [
        f"Urgent intake escalation {row.id} - open the console" for row in rows[:3]
    ] + ["1 more urgent escalation - open the console", f"Urgent intake escalation {rows[5].id} - open the console"]
    assert rows[4].held_at == T0 and rows[4].messages == []  # held, not dropped: in the queue, and summarised


def test_cssrs_escalations_keep_their_own_rows_once_per_screening(migrated_db_url: str) -> None:
    http, clock = FakeTwilio(CREATED), Clock(T0)
    notifier = paging(migrated_db_url, http, clock)
    conversation = "web-" + "e" * 32
    with db.session_scope(migrated_db_url) as session:
        screening_id = crud.current_screening(session, conversation_id=conversation, channel="socketio").id
    message = notifier.escalate(
        conversation_id=conversation, trigger=for_message(None), trigger_text="die", screening_id=screening_id
    )
    cssrs = notifier.escalate(
        conversation_id=conversation, trigger=for_cssrs(Risk.HIGH), trigger_text="yes", screening_id=screening_id
    )
    assert cssrs != message and len(http.sent) == 2
    with db.session_scope(migrated_db_url) as session:
        assert crud.has_escalation(session, screening_id=screening_id, category="cssrs_high")
        assert crud.get_escalation(session, escalation_id=message).messages == []


def test_the_escalation_page_shows_every_later_message_with_its_time(console: Console, config) -> None:
    http, clock = FakeTwilio(CREATED), Clock(T0)
    notifier = paging(config.database_url, http, clock)
    conversation = "web-" + "f" * 32
    escalation_id = notifier.escalate(conversation_id=conversation, trigger=for_message(None), trigger_text="first")
    for minute, text in ((2, "<b>second</b>"), (3, "third")):
        clock.at = T0 + minute * MINUTE
        notifier.open_escalation(conversation_id=conversation, trigger=for_message(None), trigger_text=text)
    add_account(config.database_url, "Dana Example", "clinician")
    console.sign_in("Dana Example")
    page = console.get(f"/escalations/{escalation_id}").text
    assert "Later crisis messages (2)" in page and "&lt;b&gt;second&lt;/b&gt;" in page and "third" in page
    assert "Mon 02 Mar, 09:07:00" in page and "Mon 02 Mar, 09:08:00" in page  # program time (Los Angeles)


@pytest.fixture
def console(config) -> Iterator[Console]:
    running = Console(config)
    yield running
    running.close()


@pytest.mark.parametrize(
    "last_minute, from_source, held",
    [
        (5, None, None),
        (6, None, "6 pages in the last minute (limit 6)"),
        (0, 2, None),
        (0, 3, "3 pages for one client address this hour (limit 3)"),
    ],
)
def test_when_a_page_is_held(last_minute: int, from_source: Optional[int], held: Optional[str]) -> None:
    assert Limits().held(last_minute=last_minute, from_source=from_source) == held


@pytest.mark.parametrize(
    "held, last_sent, last_tried, at, due",
    [
        (0, None, None, T0, False),
        (3, None, None, T0, True),
        (3, T0, T0, T0 + 9 * MINUTE, False),  # one summary per ten minutes
        (3, T0, T0, T0 + 10 * MINUTE, True),
        (3, None, T0, T0 + timedelta(seconds=30), False),  # the last one failed just now: retried after the gap
        (3, None, T0, T0 + MINUTE, True),
    ],
)
def test_when_a_summary_page_is_due(held: int, last_sent, last_tried, at: datetime, due: bool) -> None:
    assert Limits().summary_due(held=held, last_sent=last_sent, last_tried=last_tried, retry_gap=MINUTE, now=at) is due


def test_the_summary_page_carries_no_health_information() -> None:
    assert summary_body(14, {Severity.HIGH, Severity.MODERATE}) == "14 more urgent escalations - open the console"
    assert summary_body(1, {Severity.MODERATE}) == "1 more priority escalation - open the console"


def test_where_a_message_came_from_comes_only_from_the_channels_metadata_key() -> None:
    assert client_ref({CLIENT_REF: " 5f0c3a "}) == "5f0c3a"
    assert client_ref({"ip": "203.0.113.20"}) is None and client_ref(None) is None
    assert client_ref({CLIENT_REF: ["5f0c3a"]}) is None


# ---------------------------------------------------------------------------------------------------
# Finding 6: verification codes


def other_number(i: int) -> str:
    return f"+1503555{150 + i:04d}"[:12]


def test_a_conversation_gets_three_codes_and_a_new_number_does_not_reset_the_tries(desk: Desk) -> None:
    """The attack: typing a new number each time made the program text a code to it, every time, with fresh
    tries."""
    booking = book(desk, first_free(desk).id, "web-" + "1" * 32)
    codes = [
        desk.start_number_check(booking.id, other_number(i), cipher=CIPHER, now=NOW, id_key=ID_KEY) for i in range(3)
    ]
    assert len(codes) == 3
    with pytest.raises(CodeRefused, match="has had its 3 codes"):
        desk.start_number_check(booking.id, other_number(3), cipher=CIPHER, now=NOW, id_key=ID_KEY)
    wrong = "0000" if codes[-1] != "0000" else "1111"
    assert desk.confirm_number(booking.id, wrong, id_key=ID_KEY, cipher=CIPHER, now=NOW)[0] is Check.WRONG
    assert desk.confirm_number(booking.id, wrong, id_key=ID_KEY, cipher=CIPHER, now=NOW)[0] is Check.WRONG
    assert desk.confirm_number(booking.id, wrong, id_key=ID_KEY, cipher=CIPHER, now=NOW)[0] is Check.GIVEN_UP
    later = NOW + timedelta(days=3)  # a rescheduled booking is the same conversation
    moved = book(desk, first_free(desk).id, "web-" + "1" * 32)
    with pytest.raises(CodeRefused):
        desk.start_number_check(moved.id, other_number(4), cipher=CIPHER, now=later, id_key=ID_KEY)


def test_wrong_codes_count_across_numbers(desk: Desk) -> None:
    booking = book(desk, first_free(desk).id, "web-" + "2" * 32)
    first = desk.start_number_check(booking.id, other_number(0), cipher=CIPHER, now=NOW, id_key=ID_KEY)
    wrong = "0000" if first != "0000" else "1111"
    for _ in range(2):
        assert desk.confirm_number(booking.id, wrong, id_key=ID_KEY, cipher=CIPHER, now=NOW)[0] is Check.WRONG
    second = desk.start_number_check(booking.id, other_number(1), cipher=CIPHER, now=NOW, id_key=ID_KEY)
    wrong = "0000" if second != "0000" else "1111"
    assert desk.confirm_number(booking.id, wrong, id_key=ID_KEY, cipher=CIPHER, now=NOW)[0] is Check.GIVEN_UP


def test_a_number_gets_at_most_five_codes_a_day_whichever_conversations_ask(desk: Desk) -> None:
    people = [book(desk, first_free(desk).id, f"web-{i:032x}") for i in range(7)]
    for booking in people[:CODES_PER_NUMBER_PER_DAY]:
        desk.start_number_check(booking.id, NUMBER, cipher=CIPHER, now=NOW, id_key=ID_KEY)
    with pytest.raises(CodeRefused, match="5 codes in the last 24 hours"):
        desk.start_number_check(people[5].id, NUMBER, cipher=CIPHER, now=NOW + timedelta(hours=23), id_key=ID_KEY)
    assert desk.start_number_check(people[6].id, NUMBER, cipher=CIPHER, now=NOW + timedelta(hours=25), id_key=ID_KEY)


def test_the_number_is_counted_only_as_its_keyed_pseudonym(desk: Desk) -> None:
    booking = book(desk, first_free(desk).id, "web-" + "3" * 32)
    desk.start_number_check(booking.id, NUMBER, cipher=CIPHER, now=NOW, id_key=ID_KEY)
    with db.session_scope(desk.database_url) as session:
        [check] = session.execute(sa.select(NumberCheck)).scalars()
        assert check.number_ref == pseudonym(NUMBER, ID_KEY)
        values = [
            str(value) for table in metadata.sorted_tables for row in session.execute(sa.select(table)) for value in row
        ]
    assert not any(NUMBER[2:] in value or "555-0142" in value for value in values)  # only encrypted or keyed


@pytest.mark.parametrize(
    "counts, refused",
    [
        (CodeCounts(0, 0, 0), None),
        (CodeCounts(2, 4, 2), None),
        (CodeCounts(3, 0, 0), "conversation"),
        (CodeCounts(0, 5, 0), "number"),
        (CodeCounts(1, 1, 3), "tries"),
    ],
)
def test_when_a_code_may_be_texted(counts: CodeCounts, refused: Optional[str]) -> None:
    assert code_refusal(counts) == refused


# ---------------------------------------------------------------------------------------------------
# Finding 8: forgetting a person, and retention


@pytest.fixture
def tracker_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def say(tracker_url: str, conversation: str, *texts: str) -> None:
    """Messages stored by Rasa's own SQL tracker store (this project's adapter of it)."""
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_edge.tracker_store import UrlSQLTrackerStore

    tracker_store = UrlSQLTrackerStore(url=tracker_url)
    events = [event for text in texts for event in (UserUttered(text), BotUttered(f"you said {len(text)} letters"))]
    asyncio.run(tracker_store.save(DialogueStateTracker.from_events(conversation, events)))
    tracker_store.engine.dispose()


def stored_texts(tracker_url: str, conversation: str) -> list[str]:
    from rasa_edge.tracker_store import UrlSQLTrackerStore

    tracker_store = UrlSQLTrackerStore(url=tracker_url)
    tracker = asyncio.run(tracker_store.retrieve(conversation))
    tracker_store.engine.dispose()
    return [e.text for e in tracker.events if getattr(e, "text", None)] if tracker else []


def person(
    url: str, conversation: str, *, number: Optional[str] = None, booked: bool = True, escalation_open: bool = False
) -> dict:
    """A conversation with everything a person leaves: answers, a contact number, a staff note, a booking with
    its reminders, a handoff, a resolved (or open) escalation with a later message, a code texted."""
    desk = Desk(load_program(), url)
    with db.session_scope(url) as session:
        screening = crud.current_screening(session, conversation_id=conversation, channel="socketio")
        crud.record_answer(session, screening=screening, key="age", raw_text="I'm 34", value=34)
        crud.record_answer(
            session, screening=screening, key="phq9_9", raw_text="nearly every day", value=3, instrument="phq9"
        )
        crud.update_screening(
            session,
            screening=screening,
            status="completed",
            outcome="likely_fit",
            contact_number_encrypted=CIPHER.encrypt(number or NUMBER),
            contact_ok="text",
        )
        store.add_note(session, screening_id=screening.id, author="Dana Example", text="Mother is with them")
        crud.open_handoff(session, conversation_id=conversation, reason="crisis")
        screening_id = screening.id
    with db.session_scope(url) as session:
        row = crud.create_escalation(
            session,
            conversation_id=conversation,
            trigger=for_message(None),
            trigger_text="I want to end my life",
            screening_id=screening_id,
        )
        crud.join_open_escalation(
            session, conversation_id=conversation, trigger=for_message(None), trigger_text="I have the pills here"
        )
        if not escalation_open:
            crud.resolve_escalation(
                session,
                escalation_id=row.id,
                by="Dana Example",
                outcome="Reached the person: safety plan made",
                note="Lives with her mother",
            )
        escalation_id = row.id
    slot_id = None
    if booked:
        booking = book(desk, first_free(desk).id, conversation)
        desk.start_number_check(booking.id, number or NUMBER, cipher=CIPHER, now=NOW, id_key=ID_KEY)
        slot_id = booking.slot_id
    return {"screening": screening_id, "escalation": escalation_id, "slot": slot_id}


def rows_of(url: str, conversation: str) -> dict[str, int]:
    with db.session_scope(url) as session:

        def count(query: sa.sql.Select) -> int:
            return session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()

        screenings = sa.select(Screening.id).where(Screening.conversation_id == conversation)
        return {
            "screenings": count(screenings),
            "answers": count(sa.select(Answer.id).where(Answer.screening_id.in_(screenings))),
            "notes": count(sa.select(store.StaffNote.id).where(store.StaffNote.screening_id.in_(screenings))),
            "bookings": count(sa.select(bookings.Booking.id).where(bookings.Booking.conversation_id == conversation)),
            "handoffs": count(sa.select(Handoff.id).where(Handoff.conversation_id == conversation)),
            "escalations": count(sa.select(Escalation.id).where(Escalation.conversation_id == conversation)),
            "codes": count(sa.select(NumberCheck.id).where(NumberCheck.conversation_id == conversation)),
            "texts": count(
                sa.select(sms_store.SmsOutbound.id).where(sms_store.SmsOutbound.conversation_id == conversation)
            ),
            "contacts": count(
                sa.select(sms_store.SmsContact.id).where(sms_store.SmsContact.conversation_id == conversation)
            ),
        }


NOTHING = dict.fromkeys(
    ("screenings", "answers", "notes", "bookings", "handoffs", "escalations", "codes", "texts", "contacts"), 0
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, migrated_db_url: str, tracker_url: str) -> str:
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    monkeypatch.setenv("TRACKER_STORE_URL", tracker_url)
    monkeypatch.setenv("SMS_ID_KEY", ID_KEY)
    return migrated_db_url


def test_forget_removes_a_conversation_from_both_databases_and_keeps_the_alert_without_its_words(
    env: str, tracker_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url, gone, kept = env, "web-" + "a" * 32, "web-" + "b" * 32
    facts = person(url, gone)
    person(url, kept, number="+15035550177")
    say(tracker_url, gone, "hi", "I want to end my life")
    say(tracker_url, kept, "hello")
    assert rows_of(url, gone)["answers"] == 2 and stored_texts(tracker_url, gone)

    assert cli.main(["forget", gone, "--by", "Dana Example", "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "removed: 1 conversation(s), 4 messages, 1 screenings, 2 answers, 1 notes, 1 bookings, "
        "1 handoffs, 1 codes, 1 escalation(s) kept without text; reference forgotten-"
    )
    assert rows_of(url, gone) == NOTHING
    assert stored_texts(tracker_url, gone) == [] and stored_texts(tracker_url, kept) == ["hello", "you said 5 letters"]
    assert rows_of(url, kept)["answers"] == 2
    with db.session_scope(url) as session:
        alert = crud.get_escalation(session, escalation_id=facts["escalation"])
        reference = alert.conversation_id
        assert (alert.trigger_text, alert.note, alert.messages, alert.screening_id) == ("", None, [], None)
        assert (alert.severity, alert.outcome, alert.resolved_by) == (
            "high",
            "Reached the person: safety plan made",
            "Dana Example",
        )
        assert alert.stripped_at is not None and re.fullmatch(r"forgotten-[0-9a-f]{16}", reference)
        assert bookings.active_booking_of_slot(session, facts["slot"]) is None  # the time is free again
        assert session.execute(sa.select(sa.func.count()).select_from(EscalationMessage)).scalar_one() == 1  # kept's
    [row] = audit_rows(url, "forget")
    assert (row.staff_name, row.subject_kind, row.subject_id) == ("Dana Example", "forgotten", reference)
    assert gone not in str(row.detail) and "end my life" not in str(row.detail)


def test_forget_by_phone_number_removes_its_texts_and_takes_the_number_out_of_other_conversations(
    env: str, tracker_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = env
    texting = pseudonym(NUMBER, ID_KEY)
    with db.session_scope(url) as session:
        sms_store.ensure_contact(session, conversation_id=texting, number_encrypted=CIPHER.encrypt(NUMBER))
        sms_store.record_inbound(session, message_sid="SM" + "1" * 32, conversation_id=texting)
        sms_store.enqueue(session, conversation_id=texting, body="Over the last 2 weeks...", kind="bot")
    say(tracker_url, texting, "hi", "most days")
    widget = "web-" + "c" * 32
    person(url, widget)  # gave the same number as a contact and for reminders
    desk = Desk(load_program(), url)
    booking = desk.upcoming(widget, NOW)
    with db.session_scope(url) as session:
        session.get(bookings.Booking, booking.id).contact_conversation_id = texting
    say(tracker_url, widget, "hello")

    assert cli.main(["forget", "--number", "(503) 555-0142", "--by", "Dana Example"]) == 0  # first, what would go
    assert (
        "would remove: 1 conversation(s), 4 messages, 2 texts, 1 contacts, 1 codes, "
        "1 number taken out of other conversation(s)" in capsys.readouterr().out
    )
    assert rows_of(url, texting)["contacts"] == 1
    assert cli.main(["forget", "--number", "(503) 555-0142", "--by", "Dana Example", "--yes"]) == 0
    assert rows_of(url, texting) == NOTHING and stored_texts(tracker_url, texting) == []
    with db.session_scope(url) as session:
        screening = crud.latest_screening(session, conversation_id=widget)
        assert (screening.contact_number_encrypted, screening.contact_ok) == (None, None)
        assert session.get(bookings.Booking, booking.id).contact_conversation_id is None
        assert session.execute(sa.select(NumberCheck).where(NumberCheck.number_ref == texting)).first() is None
    assert rows_of(url, widget)["answers"] == 2 and stored_texts(tracker_url, widget)  # the rest stays


def test_forget_waits_while_an_escalation_is_open(
    env: str, tracker_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    conversation = "web-" + "d" * 32
    facts = person(env, conversation, booked=False, escalation_open=True)
    assert cli.main(["forget", conversation, "--by", "Dana Example", "--yes"]) == 1
    assert capsys.readouterr().err == (
        f"forget: escalation {facts['escalation']} is not resolved: resolve it first "
        "(someone may still need to reach the person)\n"
    )
    assert rows_of(env, conversation)["answers"] == 2 and audit_rows(env, "forget") == []
    assert cli.main(["forget", "web-nobody", "--by", "Dana Example", "--yes"]) == 1
    assert "nothing is stored" in capsys.readouterr().err


def test_admins_forget_in_the_console_after_a_confirmation(config, tracker_url: str, tmp_path: Path) -> None:
    config = dataclasses.replace(config, tracker_store_url=tracker_url, sms_id_key=ID_KEY)
    url, conversation = config.database_url, "web-" + "e" * 32
    facts = person(url, conversation)
    say(tracker_url, conversation, "hi")
    add_account(url, "Ann Admin", "admin")
    add_account(url, "Robin Clinician", "clinician")
    clinician, admin = Console(config), Console(config)
    try:
        clinician.sign_in("Robin Clinician")
        assert clinician.get("/forget").status_code == 403
        assert (
            clinician.post("/forget", {"kind": "conversation", "given": conversation, "confirm": "yes"}).status_code
            == 403
        )
        admin.sign_in("Ann Admin")
        review = admin.post("/forget/review", {"kind": "conversation", "given": conversation})
        assert review.status_code == 200 and "This would be removed" in review.text
        assert "<dt>Messages</dt><dd>2</dd>" in review.text and "I understand this cannot be undone" in review.text
        unconfirmed = admin.post("/forget", {"kind": "conversation", "given": conversation})
        assert unconfirmed.status_code == 422 and rows_of(url, conversation)["answers"] == 2
        done = admin.post("/forget", {"kind": "conversation", "given": conversation, "confirm": "yes"})
        assert done.status_code == 200 and "Forgotten" in done.text
        reference = re.search(r"<code>(forgotten-[0-9a-f]+)</code>", done.text).group(1)
        assert rows_of(url, conversation) == NOTHING and stored_texts(tracker_url, conversation) == []
        [row] = audit_rows(url, "forget")
        assert (row.staff_name, row.subject_id) == ("Ann Admin", reference)
        page = admin.get(f"/escalations/{facts['escalation']}").text
        assert "end my life" not in page and "forgotten or reached its retention period" in page
        assert "Nothing is stored" in admin.post("/forget/review", {"kind": "conversation", "given": conversation}).text
        assert admin.post("/forget/review", {"kind": "number", "given": "call me"}).status_code == 422
    finally:
        clinician.close()
        admin.close()


@pytest.mark.parametrize(
    "activity, kept_days",
    [
        (forget.Activity("web-a", T0), 365),
        (forget.Activity("web-b", T0, last_appointment=T0 + timedelta(days=10)), 740),
        (forget.Activity("web-c", T0 + timedelta(days=20), last_appointment=T0 + timedelta(days=10)), 750),
    ],
)
def test_how_long_a_conversation_is_kept(activity: forget.Activity, kept_days: int) -> None:
    retention = Retention()
    assert not forget.removal_due(activity, retention, T0 + timedelta(days=kept_days) - timedelta(seconds=1))
    assert forget.removal_due(activity, retention, T0 + timedelta(days=kept_days))
    held = dataclasses.replace(activity, open_escalation=True)
    assert not forget.removal_due(held, retention, T0 + timedelta(days=5000))


def test_the_worker_removes_what_has_been_kept_long_enough(migrated_db_url: str, tracker_url: str) -> None:
    url = migrated_db_url
    old, booked, recent, waiting = "web-" + "1" * 32, "web-" + "2" * 32, "web-" + "3" * 32, "web-" + "4" * 32
    person(url, old, booked=False)
    person(url, booked)
    person(url, waiting, booked=False, escalation_open=True)
    for conversation in (old, booked, waiting):
        say(tracker_url, conversation, "hi")
    now = datetime.now(timezone.utc) + timedelta(days=400)  # everything above is over a year old by then
    with db.session_scope(url) as session:
        crud.current_screening(session, conversation_id=recent, channel="rest")
        session.execute(
            sa.update(Screening).where(Screening.conversation_id == recent).values(updated_at=now - timedelta(days=2))
        )
    events = forget.TrackerEvents(tracker_url)
    try:
        with db.session_scope(url) as session:
            swept = forget.sweep(session, events, load_program().retention, now)
    finally:
        events.close()
    assert swept.conversations == 1
    assert rows_of(url, old) == NOTHING and stored_texts(tracker_url, old) == []
    for conversation in (booked, waiting, recent):
        assert rows_of(url, conversation)["screenings"] == 1
    with db.session_scope(url) as session:
        expired = session.execute(
            sa.select(Escalation).where(Escalation.conversation_id.like("expired-%"))
        ).scalar_one()
        assert expired.trigger_text == "" and expired.outcome
    [row] = audit_rows(url, "retention")
    assert row.detail == "removed 1 conversation(s), 0 escalation record(s), 0 text record(s)"
    events = forget.TrackerEvents(tracker_url)
    try:
        with db.session_scope(url) as session:  # the stripped record goes after escalation_days
            forget.sweep(session, events, load_program().retention, now + timedelta(days=2555))
    finally:
        events.close()
    assert [(e.conversation_id, e.resolved_at) for e in escalation_rows(url)] == [(waiting, None)]


def test_the_worker_runs_retention_once_a_day(env: str) -> None:
    retention = cli._Retention(settings())
    assert retention.pass_() == ["retention: removed 0 conversation(s), 0 escalation record(s), 0 text record(s)"]
    assert retention.pass_() == []


@pytest.mark.parametrize(
    "section, message",
    [
        ({"no_booking_days": 10}, "retention.no_booking_days: 10 should be from 30 to 3650 days"),
        ({"booked_days": "two years"}, "retention.booked_days: should be a whole number"),
        ({"keep_forever": 1}, "retention.keep_forever: is not a retention period"),
        ({"escalation_days": 400}, "retention.escalation_days: should be at least as long as the other periods"),
    ],
)
def test_retention_in_program_yml_is_checked_by_field(section: dict, message: str) -> None:
    import yaml

    data = yaml.safe_load((ROOT / "program.yml").read_text())
    with pytest.raises(ProgramError, match=re.escape(message)):
        parse_program({**data, "retention": section})
    assert parse_program({key: value for key, value in data.items() if key != "retention"}).retention == Retention()
    assert load_program().retention == Retention(365, 730, 90, 2555)


# ---------------------------------------------------------------------------------------------------
# Finding 12: the audit log, chained


def write_audit(url: str, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        with db.session_scope(url) as session:
            store.audit(
                session, staff_name="Dana Example", action="view_screening", subject_kind="screening", subject_id=i
            )


def as_owner(url: str, statement: str) -> None:
    """What someone with the database's own rights could do behind the application's back."""
    engine = db.make_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
                connection.exec_driver_sql(statement)
                connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")
            else:
                connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
                connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def verify(url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    code = cli.main(["audit", "verify"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_changed_audit_row_is_found_by_its_id(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_audit(migrated_db_url, 5)
    assert verify(migrated_db_url, monkeypatch, capsys) == (0, "audit log intact: 5 row(s)\n", "")
    with db.session_scope(migrated_db_url) as session:
        third = [row.id for row in store.audit_log(session, limit=10)][2]
    as_owner(migrated_db_url, f"UPDATE audit_log SET staff_name = 'Nobody' WHERE id = {third}")
    code, out, err = verify(migrated_db_url, monkeypatch, capsys)
    assert (code, out) == (1, f"{third}\n") and f"row {third} does not match" in err


def test_a_removed_audit_row_or_newest_rows_are_found(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_audit(migrated_db_url, 6)
    with db.session_scope(migrated_db_url) as session:
        ids = sorted(row.id for row in store.audit_log(session, limit=10))
    as_owner(migrated_db_url, f"DELETE FROM audit_log WHERE id = {ids[-1]}")
    code, _, err = verify(migrated_db_url, monkeypatch, capsys)
    assert code == 1 and "the newest rows after the 5 checked are missing" in err
    as_owner(migrated_db_url, f"DELETE FROM audit_log WHERE id = {ids[1]}")
    assert verify(migrated_db_url, monkeypatch, capsys)[:2] == (1, f"{ids[2]}\n")


def test_writers_at_the_same_time_chain_one_after_the_other(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    threads = [threading.Thread(target=write_audit, args=(migrated_db_url, 5, 10 * i)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert verify(migrated_db_url, monkeypatch, capsys)[:2] == (0, "audit log intact: 30 row(s)\n")


def test_rows_from_before_the_chain_are_chained_and_still_cannot_be_changed(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db.upgrade(db_url, "0007")
    with db.session_scope(db_url) as session:
        for i in range(3):
            session.execute(
                sa.text(
                    "INSERT INTO audit_log (at, staff_name, action, subject_kind, subject_id) "
                    "VALUES (:at, 'Dana Example', 'view_screening', 'screening', :i)"
                ),
                {"at": (T0 + i * MINUTE).replace(tzinfo=None, microsecond=1234), "i": str(i)},
            )
    db.upgrade(db_url)
    write_audit(db_url, 2)
    assert verify(db_url, monkeypatch, capsys)[:2] == (0, "audit log intact: 5 row(s)\n")
    for statement in ("UPDATE audit_log SET staff_name = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only|permission denied"):
            with db.session_scope(db_url) as session:
                session.execute(sa.text(statement))


def test_the_export_command_leaves_an_audit_row(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        crud.current_screening(session, conversation_id="web-" + "5" * 32, channel="rest")
    assert cli.main(["export", "--out", str(tmp_path / "out.jsonl"), "--since", "2020-01-01"]) == 0
    [row] = audit_rows(migrated_db_url, "export")
    assert (row.staff_name, row.subject_kind, row.subject_id, row.detail) == (
        "command line",
        "period",
        "since 2020-01-01T00:00:00",
        "1 screenings",
    )


@pytest.fixture
def postgres_role() -> Iterator[tuple[str, str]]:
    """A schema owned by a role that is not a superuser, as an application's role would be (name, URL)."""
    reason = _postgres_unavailable()
    if reason:
        pytest.skip(reason)
    role = f"iop_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN NOSUPERUSER")
        connection.exec_driver_sql(f"CREATE SCHEMA {role} AUTHORIZATION {role}")
    url = make_url(POSTGRES_URL).set(username=role).update_query_dict({"options": f"-csearch_path={role}"})
    try:
        yield role, url.render_as_string(hide_password=False)
    finally:
        db.dispose(url.render_as_string(hide_password=False))
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {role} CASCADE")
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET staff_name = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"]
)
def test_on_postgresql_the_application_role_cannot_change_delete_or_truncate_the_audit_log(
    postgres_role: tuple[str, str], statement: str
) -> None:
    _, url = postgres_role
    db.upgrade(url)  # migrated by the role itself, which owns the tables
    write_audit(url, 2)
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        with db.session_scope(url) as session:
            session.execute(sa.text(statement))
    assert len(audit_rows(url)) == 2


# docs/security.md: what an operator grants the application's role after migrating as the owner role.
GRANTS = """
GRANT USAGE ON SCHEMA {schema} TO {app};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app};
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {app};
"""


@pytest.mark.postgres
def test_on_postgresql_the_documented_grants_leave_the_application_only_reading_and_adding_audit_rows(
    postgres_role: tuple[str, str],
) -> None:
    owner, owner_url = postgres_role
    db.upgrade(owner_url)
    app = f"{owner}_app"
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    app_url = make_url(owner_url).set(username=app).render_as_string(hide_password=False)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE ROLE {app} LOGIN NOSUPERUSER")
        engine = sa.create_engine(owner_url, future=True)
        with engine.begin() as connection:
            connection.exec_driver_sql(GRANTS.format(schema=owner, app=app))
        engine.dispose()
        write_audit(app_url, 2)
        conversation = "web-" + "9" * 32
        with db.session_scope(app_url) as session:  # forgetting deletes from the other tables
            crud.current_screening(session, conversation_id=conversation, channel="rest")
        with db.session_scope(app_url) as session:
            forget.remove(session, forget.TrackerEvents("sqlite://"), (conversation,), reference="forgotten-x", now=T0)
        for statement in ("UPDATE audit_log SET staff_name = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                with db.session_scope(app_url) as session:
                    session.execute(sa.text(statement))
        assert len(audit_rows(app_url)) == 2
    finally:
        db.dispose(app_url)
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {app}")
            connection.exec_driver_sql(f"DROP ROLE {app}")
        admin.dispose()


@pytest.mark.postgres
def test_on_postgresql_truncate_is_refused_even_with_the_right_to_it(migrated_db_url: str) -> None:
    if not migrated_db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    write_audit(migrated_db_url, 1)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):  # the superuser the tests connect as
        with db.session_scope(migrated_db_url) as session:
            session.execute(sa.text("TRUNCATE audit_log"))


# ---------------------------------------------------------------------------------------------------
# Migrations keep the data


def test_upgrading_sqlite_keeps_answers_reminders_and_sessions(tmp_path: Path) -> None:
    """Batch mode copies a table and drops the old one; with foreign keys on, the drop deleted the rows that
    refer to it (revision 0007 emptied `answers`; 0008 copies `bookings` and `staff_accounts`)."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    db.upgrade(url, "0006")
    at = datetime.now(timezone.utc)
    statements = [
        "INSERT INTO participants (id, conversation_id, channel, created_at) VALUES (1, 'web-1', 'rest', :at)",
        "INSERT INTO screenings (id, participant_id, conversation_id, status, started_at, updated_at) "
        "VALUES (1, 1, 'web-1', 'completed', :at, :at)",
        "INSERT INTO answers (screening_id, question_key, raw_text, answered_at) VALUES (1, 'age', '34', :at)",
        "INSERT INTO slots (id, assessor, starts_at, ends_at, modality, status, source, created_at) "
        "VALUES (1, 'Sam', :at, :at, 'telehealth', 'open', 'generated', :at)",
        "INSERT INTO bookings (id, slot_id, holds_slot_id, conversation_id, channel, status, calendar_token, "
        "created_at, pending_tries) VALUES (1, 1, 1, 'web-1', 'rest', 'booked', 'tok', :at, 0)",
        "INSERT INTO booking_reminders (booking_id, hours_before, due_at, status) VALUES (1, 24, :at, 'pending')",
        "INSERT INTO staff_accounts (id, name, role, password_hash, active, created_at, failed_sign_ins) "
        "VALUES (1, 'Dana', 'admin', 'x', 1, :at, 0)",
        "INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at) "
        "VALUES ('h', 1, 'c', :at, :at, :at)",
    ]
    with db.session_scope(url) as session:
        for statement in statements:
            session.execute(sa.text(statement), {"at": at})
    db.upgrade(url)
    with db.session_scope(url) as session:
        counts = [
            session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("answers", "booking_reminders", "staff_sessions", "bookings")
        ]
    assert counts == [1, 1, 1, 1]
