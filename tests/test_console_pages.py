"""The staff console's pages in process: the queue, a screening with its notes, a transcript from the tracker
store, acknowledging and resolving an escalation, live handoff through a stand-in for Rasa's HTTP API,
appointments and slots, the funnel with its chart and CSV export, the audit log and staff accounts.

What a participant typed is shown as text (a `<script>` in a transcript or a note runs nothing), and every
view of a screening or transcript and every action leaves an audit row.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Optional
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from bot.booking import store as bookings
from bot.booking.desk import Desk
from bot.booking.slots import SlotTime
from bot.console import transcript
from bot.console.funnel import Row, counts
from bot.console.queue import local_day
from bot.handoff import RasaApi
from bot.safety.escalation import Severity, Source, Trigger
from bot.screening import QUESTIONS
from bot.settings import Settings
from bot.store import crud, db
from bot.store import staff as store
from bot.store.models import Handoff, Screening, utcnow
from tests.test_console_auth import PASSWORD, Console, add_account, audit_rows

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # many sign-ins: cheap argon2id (tests/conftest.py)
CONVERSATION = "web-5b1e0c44d2aa"
ATTACK = "<script>alert('owned')</script><img src=x onerror=alert(2)>"
ESCAPED = "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;"
T0 = datetime(2026, 3, 2, 17, 5, tzinfo=timezone.utc)  # 09:05 in Los Angeles (PST)


# Answers after consent: (key, as typed, value, instrument).
ANSWERS = (
    ("phq9_1", "most days", 2, "phq9"),
    ("gad7_1", "a few days", 1, "gad7"),
    ("alcohol_use", "yes", True, None),
    ("auditc_1", "a couple of times a month", 2, "auditc"),
    ("cssrs_1", "sometimes", True, "cssrs"),
    ("cssrs_2", "no never", False, "cssrs"),
    ("schedule_times", "mornings or evenings", ["morning", "evening"], None),
    ("schedule_days", "3", 3, None),
    ("modality", "video", "telehealth", None),
    ("transport", "it's hard", True, None),
)


def screening(
    url: str,
    *,
    conversation: str = CONVERSATION,
    channel: str = "socketio",
    status: str = "completed",
    outcome: Optional[str] = "likely_fit",
    consent: bool = True,
    started: Optional[datetime] = None,
    concerns_text: str = ATTACK,
) -> int:
    with db.session_scope(url) as session:
        row = crud.current_screening(session, conversation_id=conversation, channel=channel)
        crud.record_answer(session, screening=row, key="consent", raw_text="yes" if consent else "no", value=consent)
        if consent:
            crud.record_answer(
                session,
                screening=row,
                key="concerns_text",
                raw_text=concerns_text,
                value={"text": concerns_text, "concerns": ["depression"]},
            )
            for key, raw, value, instrument in ANSWERS:
                crud.record_answer(session, screening=row, key=key, raw_text=raw, value=value, instrument=instrument)
        crud.update_screening(
            session,
            screening=row,
            status=status,
            outcome=outcome,
            phq9_total=14,
            phq9_band="moderate",
            gad7_total=8,
            gad7_band="mild",
            auditc_total=5,
            auditc_band="positive",
            cssrs_risk="low",
            concerns=["depression"],
            schedule={
                "times": ["evening", "morning"],
                "days_per_week": 3,
                "modality": "telehealth",
                "transport_problem": True,
            },
            reasons=["Symptoms fit an IOP"] if outcome else None,
            insurance={"given": "blue crss", "carrier": "Blue Cross", "status": "in_network"},
            track="adult_morning" if outcome == "likely_fit" else None,
        )
        if started:
            row.started_at = started
        return row.id


def escalation(
    url: str,
    severity: Severity = Severity.HIGH,
    *,
    at: Optional[datetime] = None,
    screening_id: Optional[int] = None,
    conversation: str = CONVERSATION,
    text: str = ATTACK,
) -> int:
    trigger = (
        Trigger(severity, "suicidal_ideation", Source.MESSAGE)
        if severity is Severity.HIGH
        else Trigger(severity, f"cssrs_{severity.value}", Source.CSSRS)
    )
    with db.session_scope(url) as session:
        return crud.create_escalation(
            session, conversation_id=conversation, trigger=trigger, trigger_text=text, screening_id=screening_id, now=at
        ).id


def tracker_events(config: Settings, events: list[tuple[str, float, dict]], sender: str = CONVERSATION) -> None:
    """Rows as Rasa's SQL tracker store writes them."""
    engine = sa.create_engine(config.tracker_store_url)
    table = sa.Table(
        "events",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        for type_name, at, data in events:
            connection.execute(
                table.insert().values(
                    sender_id=sender,
                    type_name=type_name,
                    timestamp=at,
                    data=json.dumps({"event": type_name, "timestamp": at, **data}),
                )
            )
    engine.dispose()


CONVERSATION_EVENTS = [
    ("action", T0.timestamp(), {"name": "action_session_start"}),
    ("session_started", T0.timestamp(), {}),
    ("user", T0.timestamp() + 1, {"text": "hi", "parse_data": {"intent": {"name": "greet"}}}),
    (
        "bot",
        T0.timestamp() + 2,
        {
            "text": "Is it OK to start?",
            "data": {
                "buttons": [{"title": "Yes, let's start", "payload": "yes"}, {"title": "Not now", "payload": "no"}]
            },
            "metadata": {},
        },
    ),
    ("slot", T0.timestamp() + 2, {"name": "consent", "value": True}),
    (
        "user",
        T0.timestamp() + 60,
        {
            "text": ATTACK + " I want to end my life",
            "parse_data": {
                "intent": {"name": "crisis"},
                "crisis": {"category": "suicidal_ideation", "source": "rules", "flags": [], "history": []},
            },
        },
    ),
    ("bot", T0.timestamp() + 61, {"text": "Call or text 988.", "metadata": {"assistant": "crisis"}}),
    ("pause", T0.timestamp() + 62, {}),
    (
        "bot",
        T0.timestamp() + 120,
        {"text": "Hi, this is Dana. Are you safe right now?", "metadata": {"staff": "Dana Example"}},
    ),
    (
        "user",
        T0.timestamp() + 180,
        {
            "text": "I attempted years ago but I'm ok now",
            "parse_data": {
                "intent": {"name": "inform"},
                "crisis": {"category": None, "source": None, "flags": ["historical"], "history": ["suicide_attempt"]},
            },
        },
    ),
    ("resume", T0.timestamp() + 240, {}),
    (
        "user",
        T0.timestamp() + 241,
        {
            "text": "EXTERNAL: EXTERNAL_handback",
            "metadata": {"is_external": True},
            "parse_data": {
                "intent": {"name": "EXTERNAL_handback"},
                "entities": [{"entity": "staff", "value": "Dana Example"}],
            },
        },
    ),
]


class Reply:
    def __init__(self, status: int = 200, body: Optional[dict] = None) -> None:
        self.status_code, self.body = status, body or {}

    def json(self) -> dict:
        return self.body


class FakeRasa:
    """Rasa's HTTP API as bot.handoff calls it: records each request."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200

    def post(self, url: str, params: dict, json: dict, timeout: float) -> Reply:
        self.requests.append({"url": url, "params": params, "json": json})
        return Reply(self.status, {"messages": [{"text": "Welcome back."}]})


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def console(config: Settings, rasa: FakeRasa):
    running = Console(config, rasa=RasaApi("http://rasa.test", "t0ken", http=rasa))
    yield running
    running.close()


@pytest.fixture
def signed_in(console: Console, config: Settings) -> Console:
    add_account(config.database_url, "Dana Example", "intake")
    assert console.sign_in("Dana Example").status_code == 303
    return console


def text_of(page: str) -> str:
    """What a reader sees: tags dropped, entities read, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


# ---------------------------------------------------------------------------------------------------
# Queue


def test_the_queue_puts_unacknowledged_escalations_first_then_most_severe_then_oldest(
    signed_in: Console, config: Settings
) -> None:
    url = config.database_url
    now = utcnow()
    moderate_old = escalation(url, Severity.MODERATE, at=now - timedelta(hours=3))
    high_new = escalation(url, Severity.HIGH, at=now - timedelta(minutes=5))
    high_old = escalation(url, Severity.HIGH, at=now - timedelta(minutes=50))
    resolved = escalation(url, at=now - timedelta(days=1))
    with db.session_scope(url) as session:
        crud.acknowledge_escalation(session, escalation_id=high_old, by="Sam Sample", now=now - timedelta(minutes=40))
        crud.resolve_escalation(session, escalation_id=resolved, by="Sam Sample", outcome="Not a crisis on review")
        crud.open_handoff(session, conversation_id="web-waiting00", reason="request", now=now - timedelta(minutes=7))
    likely = screening(url)
    review = screening(url, conversation="sms-0a1b2c3d4e", channel="sms", outcome="needs_review")
    stopped = screening(url, conversation="web-stopped000", status="stopped", outcome=None)
    page = signed_in.get("/")
    assert page.status_code == 200 and 'data-live="20"' in page.text
    order = [int(n) for n in re.findall(r'href="/escalations/(\d+)"', page.text)]
    assert order == [high_new, moderate_old, high_old]  # nobody has them yet: on top; the resolved one is gone
    rows = page.text.split('id="escalations-title"')[1].split("</table>")[0].split("<tr")[2:]
    waits = [text_of(row) for row in rows]
    assert " 5 min " in waits[0] and "Nobody yet" in waits[0]  # the wait still running
    assert " 3 h 00 min " in waits[1] and "Nobody yet" in waits[1]
    acknowledged_at = signed_in.app.ctx.console.local(now - timedelta(minutes=40), "%H:%M")
    assert " waited 10 min " in waits[2] and f"Sam Sample at {acknowledged_at}" in waits[2]  # until acknowledged
    assert "50 min" not in waits[2]
    shown = text_of(page.text)
    assert "Asked for a person" in shown and 'href="/conversations/web-waiting00/handoff"' in page.text
    for title, screening_id in (("Likely fit", likely), ("Needs clinical review", review), ("Ended early", stopped)):
        section = page.text.split(f"<h3>{title}")[1].split("</div>")[0]
        assert f'href="/screenings/{screening_id}"' in section and "New" in section
    signed_in.get(f"/screenings/{likely}")  # opened: no longer new
    assert "New" not in signed_in.get("/").text.split("<h3>Likely fit")[1].split("</div>")[0]
    assert ATTACK not in page.text and ESCAPED not in page.text  # the queue shows no message text at all


def test_the_queue_lists_todays_assessments(signed_in: Console, config: Settings) -> None:
    screening_id = screening(config.database_url)
    now = utcnow()
    start, end = local_day(signed_in.app.ctx.console, now)  # the program's day, whatever the hour here
    book(config, screening_id, starts_in=start + (end - start) / 2 - now, tomorrow_too=True)
    page = signed_in.get("/")
    today = page.text.split("Today's assessments")[1]
    assert today.count('href="/screenings/') == 1 and "Dana Example, LCSW" in today


def book(config: Settings, screening_id: int, *, starts_in: timedelta, tomorrow_too: bool = False) -> int:
    """A booking in a slot added for it; with `tomorrow_too` another one a day later."""
    with db.session_scope(config.database_url) as session:
        ids = []
        for extra in (timedelta(0), timedelta(days=1)) if tomorrow_too else (timedelta(0),):
            start = (utcnow() + starts_in + extra).replace(microsecond=0)
            slot = bookings.add_slot(
                session,
                assessor="Dana Example, LCSW",
                starts_at=start,
                minutes=60,
                modality="telehealth",
                location=None,
                by="test",
            )
            ids.append(
                bookings.book(
                    session,
                    slot_id=slot.id,
                    conversation_id=CONVERSATION,
                    channel="socketio",
                    screening_id=screening_id,
                    contact_conversation_id=None,
                    person_tz=None,
                    reminders_hours_before=(),
                    earliest=start - timedelta(days=30),
                    now=start - timedelta(days=2),
                ).id
            )
        return ids[0]


# ---------------------------------------------------------------------------------------------------
# Screening and notes


def answer_rows(page: str, heading: str) -> list[list[str]]:
    """The cells of each row of the answers table under the heading that starts with `heading`."""
    table = page.split(f"<h3>{heading}")[1].split("</table>")[0]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    return [[text_of(cell).strip() for cell in cells] for cells in rows if cells]


def booked_through_the_desk(config: Settings, screening_id: int, assessor: str, starts_at: datetime) -> None:
    """A generated slot (as the booking desk makes them) and a booking in it."""
    with db.session_scope(config.database_url) as session:
        bookings.ensure_slots(
            session, [SlotTime(assessor, starts_at, starts_at + timedelta(minutes=60), "telehealth", None)]
        )
        [slot] = bookings.slots_between(session, start=starts_at, end=starts_at + timedelta(minutes=1))
        bookings.book(
            session,
            slot_id=slot.id,
            conversation_id=CONVERSATION,
            channel="socketio",
            screening_id=screening_id,
            contact_conversation_id=None,
            person_tz=None,
            reminders_hours_before=(),
            earliest=utcnow(),
        )


def test_the_screening_page_shows_answers_scores_schedule_booking_and_outcome_and_is_audited(
    signed_in: Console, config: Settings
) -> None:
    screening_id = screening(config.database_url)
    escalation_id = escalation(config.database_url, screening_id=screening_id)
    starts_at = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    booked_through_the_desk(config, screening_id, "Sam Sample, LPC", starts_at)
    page = signed_in.get(f"/screenings/{screening_id}")
    assert page.status_code == 200
    assert f"<title>Screening {screening_id} · " in page.text  # the title names the id and nothing else
    shown = text_of(page.text)
    for expected in (
        "PHQ-9 (depression) 14 Moderate",
        "GAD-7 (anxiety) 8 Mild",
        "AUDIT-C (alcohol) 5 Positive",
        "Likely fit · track: Adult morning",
        "Symptoms fit an IOP",
        "Schedule Evening, Morning · 3 days a week · Telehealth · transport is hard",
        "Insurance as given blue crss",
        "Insurance recognised Blue Cross In network",
        "Concerns Depression",
        f"Escalation {escalation_id}",
    ):
        assert expected in shown, expected
    when = signed_in.app.ctx.console.local(starts_at)
    booking = text_of(page.text.split('id="booking-title"')[1].split("</section>")[0])
    assert f"{when} with Sam Sample, LPC, Telehealth · Booked" in booking
    # Each instrument's heading gives its total and band in words; each answer sits in its question's row.
    for heading, expected in (
        ("PHQ-9", "total 14, Moderate"),
        ("GAD-7", "total 8, Mild"),
        ("Alcohol", "total 5, Positive"),
        ("C-SSRS screener", "risk: Low"),
    ):
        title = text_of(page.text.split(f"<h3>{heading}")[1].split("</h3>")[0])
        assert title.strip() == expected, heading
    assert [row[:3] for row in answer_rows(page.text, "PHQ-9")] == [
        ["Little interest or pleasure in doing things", "2 · More than half the days", "most days"]
    ]
    assert [row[:3] for row in answer_rows(page.text, "GAD-7")] == [
        ["Feeling nervous, anxious, or on edge", "1 · Several days", "a few days"]
    ]
    assert [row[1:3] for row in answer_rows(page.text, "Alcohol")] == [
        ["Yes", "yes"],
        ["2 · 2-4 times a month", "a couple of times a month"],
    ]
    assert [row[:3] for row in answer_rows(page.text, "C-SSRS screener")] == [
        [QUESTIONS["cssrs_1"].text, "Yes", "sometimes"],
        [QUESTIONS["cssrs_2"].text, "No", "no never"],
    ]
    assert [row[1:3] for row in answer_rows(page.text, "Schedule")] == [
        ["Mornings, Evenings", "mornings or evenings"],
        ["3 · 3 days", "3"],
        ["Online (video)", "video"],
        ["Yes, it's hard", "it's hard"],
    ]
    every_row = [
        row
        for table in page.text.split("<h3>")[1:]
        if 'class="list answers"' in table
        for row in answer_rows("<h3>" + table, "")
    ]
    assert every_row and all(len(row) == 4 and row[0] for row in every_row)  # no answer without its question
    assert ATTACK not in page.text and ESCAPED in page.text  # typed text is shown, never run
    assert 'class="badge sev-low"' in page.text  # the C-SSRS risk
    [view] = audit_rows(config.database_url, "view_screening")
    assert (view.staff_name, view.subject_kind, view.subject_id) == ("Dana Example", "screening", str(screening_id))
    assert signed_in.get("/screenings/424242").status_code == 404


def test_a_screening_about_someone_else_shows_the_questions_as_they_were_asked(
    signed_in: Console, config: Settings
) -> None:
    with db.session_scope(config.database_url) as session:
        row = crud.current_screening(session, conversation_id=CONVERSATION, channel="sms")
        for key, raw, value in (("for_whom", "my son", "other"), ("first_name", "Alex", "Alex"), ("age", "17", 17)):
            crud.record_answer(session, screening=row, key=key, raw_text=raw, value=value)
        screening_id = row.id
    shown = text_of(signed_in.get(f"/screenings/{screening_id}").text)
    assert "How old is Alex? 17 17" in shown and "For someone else my son" in shown and "Channel SMS" in shown


def test_a_note_is_kept_with_its_author_shown_as_text_and_audited(signed_in: Console, config: Settings) -> None:
    screening_id = screening(config.database_url)
    reply = signed_in.post(f"/screenings/{screening_id}/notes", {"text": f"Called back. {ATTACK}"})
    assert reply.status_code == 303 and reply.headers["location"] == f"/screenings/{screening_id}#notes"
    page = signed_in.get(f"/screenings/{screening_id}").text
    notes = page.split('id="notes"')[1]
    assert "Dana Example" in notes and f"Called back. {ESCAPED}" in notes and "<script>" not in notes
    assert (
        signed_in.post(f"/screenings/{screening_id}/notes", {"text": "   "})
        .headers["location"]
        .endswith("?error=empty#notes")
    )
    with db.session_scope(config.database_url) as session:
        assert [n.text for n in store.notes_for(session, screening_id=screening_id)] == [f"Called back. {ATTACK}"]
    assert [row.subject_id for row in audit_rows(config.database_url, "add_note")] == [str(screening_id)]


# ---------------------------------------------------------------------------------------------------
# Transcript


def test_the_transcript_shows_who_said_what_when_with_crises_and_handoffs_marked(
    signed_in: Console, config: Settings
) -> None:
    tracker_events(config, CONVERSATION_EVENTS)
    tracker_events(config, [("user", T0.timestamp(), {"text": "someone else's conversation"})], sender="web-other")
    page = signed_in.get(f"/conversations/{CONVERSATION}/transcript")
    assert page.status_code == 200 and "<title>Transcript · " in page.text
    shown = text_of(page.text)
    assert "someone else's" not in shown
    order = [
        "New session",
        "Participant Mon 02 Mar, 09:05:01 hi",
        "Bot Mon 02 Mar, 09:05:02 Is it OK to start?",
        "Options: Yes, let's start · Not now",
        "I want to end my life",
        "Crisis detected: suicidal ideation by the rules",
        "Call or text 988.",
        "The bot stepped back: a person has the conversation",
        "Dana Example (staff) Mon 02 Mar, 09:07:00 Hi, this is Dana.",
        "Past risk mentioned (not treated as a crisis now): suicide attempt",
        "The bot resumed",
        "Handed back to the bot by Dana Example",
    ]
    positions = [shown.find(part) for part in order]
    assert -1 not in positions and positions == sorted(positions), dict(zip(order, positions, strict=True))
    assert "EXTERNAL" not in shown and "action_session_start" not in shown
    assert ATTACK not in page.text and ESCAPED in page.text and page.text.count("<script") == 1  # console.js only
    [view] = audit_rows(config.database_url, "view_transcript")
    assert (view.subject_kind, view.subject_id) == ("conversation", CONVERSATION)
    assert signed_in.get("/conversations/web-unknown00/transcript").status_code == 404


def test_transcript_lines_read_rasa_events_and_skip_what_is_not_said() -> None:
    rows = [(type_name, at, json.dumps(data)) for type_name, at, data in CONVERSATION_EVENTS]
    rows.append(("user", T0.timestamp(), "not json"))
    lines = transcript.lines(rows)
    assert [line.who for line in lines] == [
        "event",
        "participant",
        "bot",
        "participant",
        "bot",
        "event",
        "staff",
        "participant",
        "event",
        "event",
    ]
    assert lines[1].at == T0 + timedelta(seconds=1)
    assert lines[6].staff == "Dana Example" and lines[2].options == ("Yes, let's start", "Not now")


def test_a_transcript_of_an_empty_tracker_store_is_not_an_error(signed_in: Console, config: Settings) -> None:
    screening(config.database_url)  # the screening is known; Rasa has written nothing yet (no file)
    page = signed_in.get(f"/conversations/{CONVERSATION}/transcript")
    assert page.status_code == 200 and "Nothing was said" in page.text


# ---------------------------------------------------------------------------------------------------
# Escalations


def test_acknowledging_and_resolving_an_escalation_records_who_and_when_and_every_view_is_audited(
    signed_in: Console, config: Settings
) -> None:
    escalation_id = escalation(config.database_url)
    page = signed_in.get(f"/escalations/{escalation_id}")
    assert "Not yet" in page.text and ESCAPED in page.text and ATTACK not in page.text
    assert signed_in.post(f"/escalations/{escalation_id}/acknowledge", {"back": "/"}).headers["location"] == "/"
    reply = signed_in.post(f"/escalations/{escalation_id}/resolve", {"outcome": "made up", "note": ""})
    assert reply.status_code == 422 and "Choose what happened." in reply.text
    reply = signed_in.post(f"/escalations/{escalation_id}/resolve", {"outcome": "Other (see note)", "note": " "})
    assert reply.status_code == 422 and "Say what happened in the note." in reply.text
    reply = signed_in.post(
        f"/escalations/{escalation_id}/resolve",
        {"outcome": "Reached the person: safety plan made", "note": "Spoke for 20 minutes."},
    )
    assert reply.status_code == 303
    with db.session_scope(config.database_url) as session:
        row = crud.get_escalation(session, escalation_id=escalation_id)
        assert (row.acknowledged_by, row.resolved_by, row.outcome, row.note) == (
            "Dana Example",
            "Dana Example",
            "Reached the person: safety plan made",
            "Spoke for 20 minutes.",
        )
        assert row.acknowledged_at <= row.resolved_at <= utcnow()
    page = text_of(signed_in.get(f"/escalations/{escalation_id}").text)
    assert "Resolved Dana Example" in page and "Spoke for 20 minutes." in page
    again = signed_in.post(f"/escalations/{escalation_id}/resolve", {"outcome": "Not a crisis on review"})
    assert again.status_code == 422 and "already resolved" in again.text
    # The page shows the person's words: each showing is a view (the refused forms showed it again too).
    rows = [r for r in audit_rows(config.database_url) if r.subject_kind == "escalation"]
    assert [r.action for r in rows] == [
        "view_escalation",
        "acknowledge",
        "view_escalation",
        "view_escalation",
        "resolve",
        "view_escalation",
        "view_escalation",
    ]
    assert {(r.staff_name, r.subject_id) for r in rows} == {("Dana Example", str(escalation_id))}


# ---------------------------------------------------------------------------------------------------
# Live handoff


def test_staff_take_over_reply_and_hand_back_as_themselves_and_each_step_is_audited(
    signed_in: Console, config: Settings, rasa: FakeRasa
) -> None:
    tracker_events(config, CONVERSATION_EVENTS[:4])
    base = f"/conversations/{CONVERSATION}"
    page = signed_in.get(f"{base}/handoff")
    assert page.status_code == 200 and 'data-live="3"' in page.text and "Take over from the bot" in page.text
    assert signed_in.post(f"{base}/reply", {"text": "hello?"}).status_code == 409  # not taken over yet
    assert signed_in.post(f"{base}/take").status_code == 303
    assert "The bot is paused" in signed_in.get(f"{base}/handoff").text
    reply = signed_in.post(f"{base}/reply", {"text": "Hi, I'm Dana from the intake team."})
    assert reply.status_code == 303 and reply.headers["location"] == f"{base}/handoff#reply"
    assert signed_in.post(f"{base}/reply", {"text": "x" * 1601}).status_code == 409
    assert signed_in.post(f"{base}/hand-back").status_code == 303
    sent = [(r["url"].rsplit("/", 1)[-1], r["json"]) for r in rasa.requests]
    assert sent == [
        ("events", {"event": "pause"}),
        (
            "events",
            {"event": "bot", "text": "Hi, I'm Dana from the intake team.", "metadata": {"staff": "Dana Example"}},
        ),
        ("events", {"event": "resume"}),
        ("trigger_intent", {"name": "EXTERNAL_handback", "entities": {"staff": "Dana Example"}}),
    ]
    assert rasa.requests[1]["params"]["output_channel"] == "latest"
    with db.session_scope(config.database_url) as session:
        [handoff] = session.execute(sa.select(Handoff)).scalars().all()
        assert handoff.opened_by == "Dana Example" and handoff.closed_at is None  # the bot's action closes it
    actions = [r.action for r in audit_rows(config.database_url) if r.subject_kind == "conversation"]
    # One view for the visit (the second opening is minutes later: the same view); refusals: none.
    assert actions == ["view_transcript", "take_over", "reply", "hand_back"]


def staff_id_of(config: Settings, name: str) -> int:
    with db.session_scope(config.database_url) as session:
        return store.staff_by_name(session, name=name).id


def test_every_opening_of_a_transcript_is_audited_whatever_the_browser_says(
    signed_in: Console, config: Settings
) -> None:
    tracker_events(config, CONVERSATION_EVENTS[:4])
    path = f"/conversations/{CONVERSATION}/transcript"
    assert signed_in.get(path).status_code == 200
    assert signed_in.get(path, headers={"X-Console-Refresh": "1"}).status_code == 200  # a forged refresh
    assert signed_in.get(path).status_code == 200
    rows = audit_rows(config.database_url, "view_transcript")
    assert [(r.staff_name, r.subject_id) for r in rows] == [("Dana Example", CONVERSATION)] * 3


def test_the_live_page_is_audited_once_per_person_and_conversation_in_ten_minutes(
    signed_in: Console, config: Settings
) -> None:
    tracker_events(config, CONVERSATION_EVENTS[:4])
    dana = staff_id_of(config, "Dana Example")
    sam = add_account(config.database_url, "Sam Sample", "intake")
    with db.session_scope(config.database_url) as session:  # Dana's view 11 minutes ago; Sam's a minute ago
        for staff_id, name, ago in ((dana, "Dana Example", 11), (sam, "Sam Sample", 1)):
            store.audit(
                session,
                staff_name=name,
                staff_id=staff_id,
                action="view_transcript",
                subject_kind="conversation",
                subject_id=CONVERSATION,
                now=utcnow() - timedelta(minutes=ago),
            )
        store.audit(
            session,
            staff_name="Dana Example",
            staff_id=dana,
            action="view_transcript",  # elsewhere
            subject_kind="conversation",
            subject_id="web-other00000",
        )

    def dana_views() -> int:
        return sum(
            r.staff_id == dana and r.subject_id == CONVERSATION
            for r in audit_rows(config.database_url, "view_transcript")
        )

    path = f"/conversations/{CONVERSATION}/handoff"
    assert signed_in.get(path, headers={"X-Console-Refresh": "1"}).status_code == 200
    assert dana_views() == 2  # the old view has lapsed: a refresh header does not stop the new row
    for headers in ({"X-Console-Refresh": "1"}, {}):  # the page refreshing itself, or opened again
        assert signed_in.get(path, headers=headers).status_code == 200
    assert dana_views() == 2
    assert signed_in.get(f"/conversations/{CONVERSATION}/transcript").status_code == 200  # always audited
    assert dana_views() == 3


def test_rasa_errors_on_the_live_page_are_shown_and_not_audited_as_actions(
    signed_in: Console, config: Settings, rasa: FakeRasa
) -> None:
    tracker_events(config, CONVERSATION_EVENTS[:4])
    rasa.status = 500
    reply = signed_in.post(f"/conversations/{CONVERSATION}/take")
    assert reply.status_code == 409 and "the Rasa server answered 500" in reply.text
    assert audit_rows(config.database_url, "take_over") == []
    assert signed_in.post("/conversations/web-unknown00/take").status_code == 404 and len(rasa.requests) == 1


def links(page: str) -> list[str]:
    """Every href, form action and src on the page, as the browser reads them."""
    return [html.unescape(value) for value in re.findall(r'(?:href|action|src)="([^"]*)"', page)]


def test_a_conversation_id_that_needs_encoding_works_in_every_link_and_form(
    console: Console, config: Settings, rasa: FakeRasa
) -> None:
    odd = "web test#1?&%+"  # REST sender ids are chosen by the client
    encoded = quote(odd, safe="")
    url = config.database_url
    add_account(url, "Ann Admin", "admin")
    transcript_link = f"/conversations/{encoded}/transcript"  # signed out, the way back survives signing in
    assert console.get(transcript_link).headers["location"] == f"/sign-in?next={quote(transcript_link, safe='/')}"
    assert console.sign_in("Ann Admin", next_=transcript_link).headers["location"] == transcript_link
    screening_id = screening(url, conversation=odd, channel="rest")
    escalation_id = escalation(url, conversation=odd, screening_id=screening_id)
    tracker_events(config, CONVERSATION_EVENTS[:4], sender=odd)

    def conversation_links(path: str) -> set[str]:
        page = console.get(path)
        assert page.status_code == 200, path
        found = {link for link in links(page.text) if link.startswith("/conversations/")}
        assert found and {link.split("/")[2] for link in found} == {encoded}, (path, found)
        return found

    def opens(link: str) -> None:
        page = console.get(link)
        assert page.status_code == 200 and f"<code>{html.escape(odd)}</code>" in page.text, link

    handoff = f"/conversations/{encoded}/handoff"
    for path in (f"/screenings/{screening_id}", f"/escalations/{escalation_id}", transcript_link):
        for link in conversation_links(path):
            opens(link)
    [take] = conversation_links(handoff) - {transcript_link}
    assert take == f"/conversations/{encoded}/take"
    assert console.post(take).headers["location"] == f"{handoff}#reply"
    assert conversation_links("/") == {handoff}  # the queue's waiting conversation
    forms = conversation_links(handoff) - {transcript_link}
    assert forms == {f"/conversations/{encoded}/reply", f"/conversations/{encoded}/hand-back"}
    reply = console.post(f"/conversations/{encoded}/reply", {"text": "Hello from the intake team."})
    assert reply.status_code == 303 and reply.headers["location"] == f"{handoff}#reply"
    assert console.post(f"/conversations/{encoded}/hand-back").status_code == 303
    assert {r["url"].split("/conversations/")[1].split("/")[0] for r in rasa.requests} == {encoded}
    assert {r.subject_id for r in audit_rows(url) if r.subject_kind == "conversation"} == {odd}
    assert conversation_links("/audit") == {transcript_link}


# ---------------------------------------------------------------------------------------------------
# Appointments


def test_appointments_list_and_mark_who_came(signed_in: Console, config: Settings) -> None:
    screening_id = screening(config.database_url)
    past = book(config, screening_id, starts_in=-timedelta(days=2))
    future = book(config, screening_id, starts_in=timedelta(days=2))
    upcoming = signed_in.get("/appointments").text
    assert f"/bookings/{future}/cancel" in upcoming and f"/bookings/{past}/" not in upcoming
    earlier = signed_in.get("/appointments?view=past").text
    assert f"/bookings/{past}/outcome" in earlier and f"/bookings/{future}/" not in earlier
    back = "/appointments?view=past"
    reply = signed_in.post(f"/bookings/{past}/outcome", {"attended": "yes", "back": back})
    assert reply.status_code == 303 and reply.headers["location"] == back
    assert signed_in.post(f"/bookings/{future}/outcome", {"attended": "no"}).status_code == 409  # not yet
    assert (
        signed_in.post(f"/bookings/{future}/cancel", {"back": "https://evil.example"}).headers["location"]
        == "/appointments"
    )
    with db.session_scope(config.database_url) as session:
        assert bookings.get_booking(session, past).status == "attended"
        assert bookings.get_booking(session, past).outcome_by == "Dana Example"
        assert bookings.get_booking(session, future).status == "cancelled"
    assert [r.action for r in audit_rows(config.database_url) if r.subject_kind == "booking"] == [
        "mark_attended",
        "cancel_booking",
    ]
    assert "Attended" in text_of(signed_in.get("/appointments?view=past&status=attended").text)


def test_a_no_show_is_marked_once_the_slot_has_started_and_a_free_slot_is_removed(
    signed_in: Console, config: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[datetime] = []
    refresh = Desk.refresh_slots

    def counted(desk: Desk, session: Any, now: datetime) -> int:
        made.append(now)
        return refresh(desk, session, now)

    monkeypatch.setattr(Desk, "refresh_slots", counted)
    screening_id = screening(config.database_url)
    started = book(config, screening_id, starts_in=-timedelta(minutes=20))  # under way now
    upcoming = book(config, screening_id, starts_in=timedelta(days=2))
    with db.session_scope(config.database_url) as session:
        later = (utcnow() + timedelta(days=2, hours=2)).replace(microsecond=0)
        free = bookings.add_slot(
            session,
            assessor="Sam Sample, LPC",
            starts_at=later,
            minutes=60,
            modality="telehealth",
            location=None,
            by="test",
        ).id
        held = bookings.get_booking(session, upcoming).slot_id
    page = signed_in.get("/appointments").text
    assert f'action="/bookings/{started}/outcome"' in page and f'action="/slots/{free}/status"' in page
    reply = signed_in.post(f"/bookings/{started}/outcome", {"attended": "no", "back": "/appointments"})
    assert reply.status_code == 303 and reply.headers["location"] == "/appointments"
    assert signed_in.post(f"/slots/{free}/status", {"status": "removed"}).status_code == 303
    refused = signed_in.post(f"/slots/{held}/status", {"status": "removed"})
    assert refused.status_code == 409 and "cancel the booking first" in refused.text
    with db.session_scope(config.database_url) as session:
        booking = bookings.get_booking(session, started)
        assert (booking.status, booking.outcome_by) == ("no_show", "Dana Example")
        statuses = {
            s.id: s.status
            for s in bookings.slots_between(
                session, start=utcnow() - timedelta(days=1), end=utcnow() + timedelta(days=30)
            )
        }
        assert (statuses[free], statuses[held]) == ("removed", "open")
    page = signed_in.get("/appointments").text
    assert f"/slots/{free}/" not in page  # a removed slot is gone from the list
    row = text_of(page.split(f'action="/bookings/{started}/outcome"')[0].rsplit("<tr>", 1)[1])
    assert "No show by Dana Example" in row
    rows = [r for r in audit_rows(config.database_url) if r.subject_kind in ("booking", "slot")]
    assert [(r.action, r.subject_id) for r in rows] == [("mark_no_show", str(started)), ("slot_removed", str(free))]
    assert len(made) == 1  # the booking horizon's slots are made once a day, not on every view


def test_slots_can_be_added_blocked_and_opened_again(signed_in: Console, config: Settings) -> None:
    day = (utcnow() + timedelta(days=3)).astimezone(signed_in.app.ctx.console.program.tz).date()
    reply = signed_in.post(
        "/slots", {"assessor": "Sam Sample, LPC", "date": day.isoformat(), "time": "07:30", "minutes": "45"}
    )
    assert reply.status_code == 303
    with db.session_scope(config.database_url) as session:
        [slot] = [
            s
            for s in bookings.slots_between(session, start=utcnow(), end=utcnow() + timedelta(days=30))
            if s.source == "staff"
        ]
        assert (slot.assessor, slot.modality, slot.changed_by) == ("Sam Sample, LPC", "telehealth", "Dana Example")
        assert slot.starts_at.astimezone(signed_in.app.ctx.console.program.tz).strftime("%H:%M") == "07:30"
        assert slot.ends_at - slot.starts_at == timedelta(minutes=45)
    for status in ("blocked", "open"):
        assert signed_in.post(f"/slots/{slot.id}/status", {"status": status}).status_code == 303
    assert signed_in.post("/slots", {"assessor": "Nobody", "date": day.isoformat(), "time": "07:30"}).status_code == 422
    taken = signed_in.post("/slots", {"assessor": "Sam Sample, LPC", "date": day.isoformat(), "time": "07:30"})
    assert taken.status_code == 422 and "already has a slot" in taken.text
    page = signed_in.get(f"/appointments?from={day.isoformat()}&to={day.isoformat()}&assessor=Sam+Sample%2C+LPC")
    assert f"/slots/{slot.id}/status" in page.text and "added by Dana Example" in page.text
    assert [r.action for r in audit_rows(config.database_url) if r.subject_kind == "slot"] == [
        "add_slot",
        "slot_blocked",
        "slot_open",
    ]


# ---------------------------------------------------------------------------------------------------
# Funnel


def test_the_funnel_counts_each_step_draws_it_and_splits_it_by_channel(signed_in: Console, config: Settings) -> None:
    url = config.database_url
    fit = screening(url)
    screening(url, conversation="sms-review0001", channel="sms", outcome="needs_review")
    screening(url, conversation="web-referred01", outcome="refer_higher_level")
    screening(url, conversation="web-declined01", status="declined", outcome=None, consent=False)
    screening(url, conversation="web-longago001", started=utcnow() - timedelta(days=90))  # outside the period
    book(config, fit, starts_in=-timedelta(hours=2))
    with db.session_scope(url) as session:
        [booking] = bookings.bookings_between(session, start=utcnow() - timedelta(days=1), end=utcnow())
        bookings.mark_outcome(session, booking_id=booking.id, attended=True, by="Dana Example")
    page = signed_in.get("/funnel")
    assert page.status_code == 200
    svg = page.text.split("<svg")[1].split("</svg>")[0]
    assert svg.count("<rect") == 8
    assert (
        "Started 4, Consented 3, Completed the screening 3, Likely fit 1, Needs clinical review 1, "
        "Referred elsewhere 1, Booked an assessment 1, Attended 1" in svg
    )
    rows = {
        row.split("</th>")[0].split(">")[-1]: re.findall(r"<td>(\d+)</td>", row)
        for row in page.text.split('id="channels-title"')[1].split("<tr")[2:]
    }
    assert rows == {
        "SMS": ["1", "1", "1", "0", "1", "0", "0", "0"],
        "Website chat": ["3", "2", "2", "1", "0", "1", "1", "1"],
        "All": ["4", "3", "3", "1", "1", "1", "1", "1"],
    }
    only_sms = signed_in.get("/funnel?channel=sms").text
    assert "Started 1, Consented 1" in only_sms and "on SMS" in text_of(only_sms)


def test_the_csv_export_is_codes_and_scores_only_and_is_audited(signed_in: Console, config: Settings) -> None:
    screening_id = screening(config.database_url)
    with db.session_scope(config.database_url) as session:  # a formula in a stored code must not run in a spreadsheet
        session.get(Screening, screening_id).track = '=HYPERLINK("http://evil.example")'
    reply = signed_in.post("/funnel/export", {"from": "2020-01-01", "to": "2099-12-31", "channel": ""})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    assert reply.headers["content-disposition"] == 'attachment; filename="screenings-2020-01-01-2099-12-31.csv"'
    [row] = list(csv.DictReader(io.StringIO(reply.text)))
    assert row["screening_id"] == str(screening_id) and row["outcome"] == "likely_fit" and row["phq9_total"] == "14"
    assert row["consented"] == "yes" and row["booked"] == "no" and row["insurance_status"] == "in_network"
    assert row["track"].startswith("'=")
    assert CONVERSATION not in reply.text and "script" not in reply.text and "blue crss" not in reply.text
    [export] = audit_rows(config.database_url, "export")
    assert (export.subject_id, export.detail) == ("2020-01-01..2099-12-31", "1 screenings")


def test_the_funnel_counts_the_crisis_check_ins_of_the_period(signed_in: Console, config: Settings) -> None:
    from bot.store import checkins

    now = utcnow()
    with db.session_scope(config.database_url) as session:
        for conversation, outcome in (("web-checkin-01", "no"), ("web-checkin-02", "yes"), ("sms-checkin-03", None)):
            checkins.open_check_in(
                session,
                conversation_id=conversation,
                screening_id=None,
                channel=conversation.split("-")[0],
                category="passive_death_wish",
                model_score=0.5,
                now=now,
            )
            if outcome:
                checkins.close_check_in(session, conversation_id=conversation, outcome=outcome, now=now)
    page = text_of(signed_in.get("/funnel").text)
    assert "In this period: asked 3; answered yes (crisis path) 1; no 1;" in page
    assert "waiting for a reply 1" in page
    assert "asked 1;" in text_of(signed_in.get("/funnel?channel=sms").text)


def test_funnel_steps_follow_the_screening() -> None:
    class Fake:
        def __init__(self, status: str, outcome: Optional[str]) -> None:
            self.status, self.outcome = status, outcome

    found: list[Any] = [
        Row(Fake("completed", "refer_specialized"), "sms", True, True, False),  # type: ignore[arg-type]
        Row(Fake("stopped", None), "sms", True, False, False),
    ]  # type: ignore[arg-type]
    totals = counts(found)
    assert (totals["started"], totals["consented"], totals["completed"], totals["referred"], totals["booked"]) == (
        2,
        2,
        1,
        1,
        1,
    )


# ---------------------------------------------------------------------------------------------------
# Privacy


def test_what_the_person_wrote_stays_out_of_urls_titles_and_logs(
    console: Console, config: Settings, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = "quillfeather"  # letters only: any encoding of the phrase still contains it
    phrase = f"My panic attacks come back every {marker} night"
    url = config.database_url
    add_account(url, "Ann Admin", "admin")
    console.sign_in("Ann Admin")
    screening_id = screening(url, concerns_text=phrase)
    escalation_id = escalation(url, screening_id=screening_id, text=phrase)
    tracker_events(config, CONVERSATION_EVENTS[:4] + [("user", T0.timestamp() + 5, {"text": phrase})])
    replies = [
        console.post(f"/screenings/{screening_id}/notes", {"text": f"Said: {phrase}"}),
        console.post(f"/conversations/{CONVERSATION}/take"),
        console.post(f"/conversations/{CONVERSATION}/reply", {"text": f"About the {marker} nights:"}),
        console.post(f"/conversations/{CONVERSATION}/reply", {"text": f"{marker} " * 400}),
    ]  # refused: too long
    assert [r.status_code for r in replies] == [303, 303, 303, 409]
    shown = 0
    for path in (
        "/",
        f"/screenings/{screening_id}",
        f"/conversations/{CONVERSATION}/transcript",
        f"/conversations/{CONVERSATION}/handoff",
        f"/escalations/{escalation_id}",
        "/appointments",
        "/funnel",
        "/audit",
        "/staff",
    ):
        replies.append(console.get(path))
        shown += html.escape(phrase) in replies[-1].text
    assert shown == 4  # the screening, the transcript, the live page and the escalation show it, as they must
    for reply in replies:
        addresses = links(reply.text) + [reply.headers.get("location", "")]
        titles = re.findall(r"<title>(.*?)</title>", reply.text, re.S)
        assert not [a for a in addresses if marker in a.lower()], reply.url
        assert (reply.status_code == 303 or titles) and not [t for t in titles if marker in t.lower()], reply.url
    logged = caplog.text + "".join(capfd.readouterr())
    assert logged and marker not in logged.lower()


# ---------------------------------------------------------------------------------------------------
# Every form, on real records: without this session's CSRF token nothing happens


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table in the application database (a session's last-seen time aside)."""
    with db.session_scope(url) as session:
        tables = sa.MetaData()
        tables.reflect(bind=session.get_bind())
        return {
            name: sorted(
                tuple(
                    str(value)
                    for key, value in row._mapping.items()
                    if (name, key) != ("staff_sessions", "last_seen_at")
                )
                for row in session.execute(sa.select(table))
            )
            for name, table in tables.tables.items()
        }


def lock_out(url: str, staff_id: int, times: int = 5) -> None:
    """Failed sign-ins enough to lock the account from one address (CONSOLE_LOCKOUT_AFTER is 5 here)."""
    with db.session_scope(url) as session:
        for _ in range(times):
            session.add(store.SignInFailure(at=utcnow(), account_key=store.account_key(staff_id), address_ref="a1"))


def test_every_form_without_this_sessions_csrf_token_is_refused_and_changes_nothing(
    console: Console, config: Settings, rasa: FakeRasa
) -> None:
    url = config.database_url
    add_account(url, "Ann Admin", "admin")  # an admin may post every form
    sam, robin = add_account(url, "Sam Sample", "intake"), add_account(url, "Robin Clinician", "clinician")
    lock_out(url, sam)
    with db.session_scope(url) as session:
        store.set_active(session, staff_id=robin, active=False)
        crud.open_handoff(session, conversation_id=CONVERSATION, reason="request")
    screening_id = screening(url)
    escalation_id = escalation(url, screening_id=screening_id)
    tracker_events(config, CONVERSATION_EVENTS[:4])
    past = book(config, screening_id, starts_in=-timedelta(days=2))
    future = book(config, screening_id, starts_in=timedelta(days=2))
    with db.session_scope(url) as session:
        later = (utcnow() + timedelta(days=4)).replace(microsecond=0)
        free = bookings.add_slot(
            session,
            assessor="Sam Sample, LPC",
            starts_at=later,
            minutes=60,
            modality="telehealth",
            location=None,
            by="test",
        ).id
    day = (utcnow() + timedelta(days=3)).astimezone(console.app.ctx.console.program.tz).date().isoformat()
    talk = f"/conversations/{CONVERSATION}"
    # (route, path, form, status when the token is right), in an order where each would succeed
    forms = [
        ("screenings/<screening_id:int>/notes", f"/screenings/{screening_id}/notes", {"text": "Called back."}, 303),
        ("escalations/<escalation_id:int>/acknowledge", f"/escalations/{escalation_id}/acknowledge", {}, 303),
        (
            "escalations/<escalation_id:int>/resolve",
            f"/escalations/{escalation_id}/resolve",
            {"outcome": "Not a crisis on review"},
            303,
        ),
        ("conversations/<conversation_id:str>/take", f"{talk}/take", {}, 303),
        ("conversations/<conversation_id:str>/reply", f"{talk}/reply", {"text": "Hello, this is Ann."}, 303),
        ("conversations/<conversation_id:str>/hand-back", f"{talk}/hand-back", {}, 303),
        ("bookings/<booking_id:int>/outcome", f"/bookings/{past}/outcome", {"attended": "yes"}, 303),
        ("bookings/<booking_id:int>/cancel", f"/bookings/{future}/cancel", {}, 303),
        ("slots/<slot_id:int>/status", f"/slots/{free}/status", {"status": "blocked"}, 303),
        ("slots", "/slots", {"assessor": "Sam Sample, LPC", "date": day, "time": "07:30"}, 303),
        ("funnel/export", "/funnel/export", {"from": "2020-01-01", "to": "2099-12-31"}, 200),
        (
            "staff",
            "/staff",
            {"name": "Kim Keeper", "role": "intake", "password": "a fine long phrase", "again": "a fine long phrase"},
            303,
        ),
        ("staff/<staff_id:int>/unlock", f"/staff/{sam}/unlock", {}, 303),
        ("staff/<staff_id:int>/password", f"/staff/{sam}/password", {"password": "sam's new phrase"}, 303),
        ("staff/<staff_id:int>/disable", f"/staff/{sam}/disable", {}, 303),
        ("staff/<staff_id:int>/enable", f"/staff/{robin}/enable", {}, 303),
        ("forget/review", "/forget/review", {"kind": "conversation", "given": CONVERSATION}, 200),
        ("forget", "/forget", {"kind": "conversation", "given": CONVERSATION, "confirm": "yes"}, 200),
        ("sign-out", "/sign-out", {}, 303),
    ]
    guarded = {
        route.path
        for route in console.app.router.routes
        if "POST" in route.methods and hasattr(route.handler, "permission")
    }
    assert {route for route, *_ in forms} == guarded  # every form the console has
    console.sign_in("Ann Admin")
    before = snapshot(url)
    for token in ("", "forged-token"):
        for _, path, data, _ in forms:
            reply = console.post(path, data, csrf=token)
            assert reply.status_code == 403 and "expired" in reply.text, (token, path)
    assert snapshot(url) == before and rasa.requests == []
    assert [r.action for r in audit_rows(url)] == ["sign_in"]
    assert console.get("/").status_code == 200  # still signed in
    for _, path, data, status in forms:  # the same forms with the token: each one does its work
        assert console.post(path, data).status_code == status, path
    assert [r.action for r in audit_rows(url)][1:] == [
        "add_note",
        "acknowledge",
        "resolve",
        "take_over",
        "reply",
        "hand_back",
        "mark_attended",
        "cancel_booking",
        "slot_blocked",
        "add_slot",
        "export",
        "add_staff",
        "unlock_staff",
        "set_password",
        "disable_staff",
        "enable_staff",
        "forget",
        "sign_out",
    ]
    assert len(rasa.requests) == 4


# ---------------------------------------------------------------------------------------------------
# Audit log and accounts (admins)


@pytest.mark.parametrize(
    "role, admin_pages, reports", [("clinician", 403, 403), ("intake", 403, 200), ("admin", 200, 200)]
)
def test_each_role_on_real_records(
    console: Console, config: Settings, role: str, admin_pages: int, reports: int
) -> None:
    url = config.database_url
    screening_id = screening(url)
    escalation_id = escalation(url, screening_id=screening_id)
    tracker_events(config, CONVERSATION_EVENTS[:4])
    add_account(url, f"Casey {role}", role)
    console.sign_in(f"Casey {role}")
    for path in (
        f"/screenings/{screening_id}",
        f"/conversations/{CONVERSATION}/transcript",
        f"/escalations/{escalation_id}",
        f"/conversations/{CONVERSATION}/handoff",
        "/appointments",
    ):
        assert console.get(path).status_code == 200, (role, path)
    assert console.post(f"/escalations/{escalation_id}/acknowledge").status_code == 303
    with db.session_scope(url) as session:
        assert crud.get_escalation(session, escalation_id=escalation_id).acknowledged_by == f"Casey {role}"
    for path in ("/audit", "/staff"):
        assert console.get(path).status_code == admin_pages, (role, path)
    assert console.get("/funnel").status_code == reports


def test_admins_read_the_audit_log_newest_first_and_filter_it(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Ann Admin", "admin")
    add_account(config.database_url, "Dana Example", "intake")
    screening_id = screening(config.database_url)
    console.sign_in("Dana Example")
    console.get(f"/screenings/{screening_id}")
    console.post("/sign-out")
    console.sign_in("Ann Admin")
    page = console.get("/audit").text
    assert page.index("Sign out") < page.index("View screening")  # newest first
    assert f'href="/screenings/{screening_id}"' in page
    filtered = console.get("/audit?staff=Dana+Example&action=view_screening").text
    assert filtered.count("<td>View screening</td>") == 1 and "<td>Sign in</td>" not in filtered
    assert "cannot be changed or deleted" in page
    assert not re.search(r'<form method="post" action="/audit', page)  # nothing to edit with


def test_admins_add_disable_unlock_and_reset_accounts(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Ann Admin", "admin")
    console.sign_in("Ann Admin")
    form = {
        "name": "Robin Clinician",
        "role": "clinician",
        "password": "a fine long phrase",
        "again": "a fine long phrase",
    }
    assert console.post("/staff", form).status_code == 303
    assert "already a staff account" in console.post("/staff", form).text
    assert "differ" in console.post("/staff", {**form, "name": "Sam", "again": "something else entirely"}).text
    assert "at least 12" in console.post("/staff", {**form, "name": "Sam", "password": "short", "again": "short"}).text
    with db.session_scope(config.database_url) as session:
        robin = store.staff_by_name(session, name="Robin Clinician")
        assert robin.role == "clinician" and robin.password_hash.startswith("$argon2id$")
        me = store.staff_by_name(session, name="Ann Admin").id
    lock_out(config.database_url, robin.id)
    assert "Locked out from 1 address" in console.get("/staff").text and "Unlock" in console.get("/staff").text
    for step in ("unlock", "disable", "enable"):
        assert console.post(f"/staff/{robin.id}/{step}").status_code == 303
    assert console.post(f"/staff/{robin.id}/password", {"password": "robin's new phrase"}).status_code == 303
    assert "cannot disable your own" in console.post(f"/staff/{me}/disable").text
    other = Console(config)
    try:
        assert other.sign_in("Robin Clinician", "robin's new phrase").status_code == 303
    finally:
        other.close()
    assert [r.action for r in audit_rows(config.database_url) if r.subject_kind == "staff"] == [
        "add_staff",
        "unlock_staff",
        "disable_staff",
        "enable_staff",
        "set_password",
    ]
    assert PASSWORD not in json.dumps([r.detail for r in audit_rows(config.database_url)])
