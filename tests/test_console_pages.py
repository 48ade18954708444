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
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import pytest
import sqlalchemy as sa

from bot.console import transcript
from bot.console.funnel import Row, counts
from bot.handoff import RasaApi
from bot.safety.escalation import Severity, Source, Trigger
from bot.settings import Settings
from bot.store import booking as bookings
from bot.store import crud, db
from bot.store import staff as store
from bot.store.models import Handoff, Screening, utcnow
from tests.test_console_auth import (PASSWORD, Console, add_account, audit_rows, cheap_hashes,  # noqa: F401
                                     config)

CONVERSATION = "web-5b1e0c44d2aa"
ATTACK = "<script>alert('owned')</script><img src=x onerror=alert(2)>"
ESCAPED = "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;"
T0 = datetime(2026, 3, 2, 17, 5, tzinfo=timezone.utc)  # 09:05 in Los Angeles (PST)


def screening(url: str, *, conversation: str = CONVERSATION, channel: str = "socketio", status: str = "completed",
              outcome: Optional[str] = "likely_fit", consent: bool = True, started: Optional[datetime] = None) -> int:
    with db.session_scope(url) as session:
        row = crud.current_screening(session, conversation_id=conversation, channel=channel)
        crud.record_answer(session, screening=row, key="consent", raw_text="yes" if consent else "no", value=consent)
        if consent:
            crud.record_answer(session, screening=row, key="concerns_text", raw_text=ATTACK,
                               value={"text": ATTACK, "concerns": ["depression"]})
            crud.record_answer(session, screening=row, key="phq9_1", raw_text="most days", value=2, instrument="phq9")
            crud.record_answer(session, screening=row, key="cssrs_1", raw_text="sometimes", value=True,
                               instrument="cssrs")
        crud.update_screening(session, screening=row, status=status, outcome=outcome, phq9_total=14,
                              phq9_band="moderate", cssrs_risk="low", concerns=["depression"],
                              reasons=["Symptoms fit an IOP"] if outcome else None,
                              insurance={"given": "blue crss", "carrier": "Blue Cross", "status": "in_network"},
                              track="adult_morning" if outcome == "likely_fit" else None)
        if started:
            row.started_at = started
        return row.id


def escalation(url: str, severity: Severity = Severity.HIGH, *, at: Optional[datetime] = None,
               screening_id: Optional[int] = None) -> int:
    trigger = Trigger(severity, "suicidal_ideation", Source.MESSAGE) if severity is Severity.HIGH \
        else Trigger(severity, f"cssrs_{severity.value}", Source.CSSRS)
    with db.session_scope(url) as session:
        return crud.create_escalation(session, conversation_id=CONVERSATION, trigger=trigger, trigger_text=ATTACK,
                                      screening_id=screening_id, now=at).id


def tracker_events(config: Settings, events: list[tuple[str, float, dict]], sender: str = CONVERSATION) -> None:
    """Rows as Rasa's SQL tracker store writes them."""
    engine = sa.create_engine(config.tracker_store_url)
    table = sa.Table("events", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("sender_id", sa.String(255), nullable=False, index=True),
                     sa.Column("type_name", sa.String(255), nullable=False), sa.Column("timestamp", sa.Float),
                     sa.Column("intent_name", sa.String(255)), sa.Column("action_name", sa.String(255)),
                     sa.Column("data", sa.Text))
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        for type_name, at, data in events:
            connection.execute(table.insert().values(sender_id=sender, type_name=type_name, timestamp=at,
                                                     data=json.dumps({"event": type_name, "timestamp": at, **data})))
    engine.dispose()


CONVERSATION_EVENTS = [
    ("action", T0.timestamp(), {"name": "action_session_start"}),
    ("session_started", T0.timestamp(), {}),
    ("user", T0.timestamp() + 1, {"text": "hi", "parse_data": {"intent": {"name": "greet"}}}),
    ("bot", T0.timestamp() + 2, {"text": "Is it OK to start?", "data": {"buttons": [
        {"title": "Yes, let's start", "payload": "yes"}, {"title": "Not now", "payload": "no"}]}, "metadata": {}}),
    ("slot", T0.timestamp() + 2, {"name": "consent", "value": True}),
    ("user", T0.timestamp() + 60, {"text": ATTACK + " I want to end my life", "parse_data": {
        "intent": {"name": "crisis"}, "crisis": {"category": "suicidal_ideation", "source": "rules", "flags": [],
                                                 "history": []}}}),
    ("bot", T0.timestamp() + 61, {"text": "Call or text 988.", "metadata": {"assistant": "crisis"}}),
    ("pause", T0.timestamp() + 62, {}),
    ("bot", T0.timestamp() + 120, {"text": "Hi, this is Dana. Are you safe right now?",
                                   "metadata": {"staff": "Dana Example"}}),
    ("user", T0.timestamp() + 180, {"text": "I attempted years ago but I'm ok now", "parse_data": {
        "intent": {"name": "inform"}, "crisis": {"category": None, "source": None, "flags": ["historical"],
                                                 "history": ["suicide_attempt"]}}}),
    ("resume", T0.timestamp() + 240, {}),
    ("user", T0.timestamp() + 241, {"text": "EXTERNAL: EXTERNAL_handback", "metadata": {"is_external": True},
                                    "parse_data": {"intent": {"name": "EXTERNAL_handback"},
                                                   "entities": [{"entity": "staff", "value": "Dana Example"}]}}),
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


def test_the_queue_puts_open_escalations_first_most_severe_then_oldest(signed_in: Console, config: Settings) -> None:
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
    likely, review = screening(url), screening(url, conversation="sms-0a1b2c3d4e", channel="sms", outcome="needs_review")
    stopped = screening(url, conversation="web-stopped000", status="stopped", outcome=None)
    page = signed_in.get("/")
    assert page.status_code == 200 and 'data-live="20"' in page.text
    order = [int(n) for n in re.findall(r'href="/escalations/(\d+)"', page.text)]
    assert order == [high_old, high_new, moderate_old]  # the resolved one is gone
    shown = text_of(page.text)
    assert "Sam Sample after 10 min" in shown and "Nobody yet" in shown
    waits = [shown.find(f" {wait} ") for wait in ("50 min", "5 min", "3 h 00 min")]
    assert -1 not in waits and waits == sorted(waits)
    assert "Asked for a person" in shown and 'href="/conversations/web-waiting00/handoff"' in page.text
    for title, screening_id in (("Likely fit", likely), ("Needs clinical review", review), ("Ended early", stopped)):
        section = page.text.split(f"<h3>{title}")[1].split("</div>")[0]
        assert f'href="/screenings/{screening_id}"' in section and "New" in section
    signed_in.get(f"/screenings/{likely}")  # opened: no longer new
    assert "New" not in signed_in.get("/").text.split("<h3>Likely fit")[1].split("</div>")[0]
    assert ATTACK not in page.text and ESCAPED not in page.text  # the queue shows no message text at all


def test_the_queue_lists_todays_assessments(signed_in: Console, config: Settings) -> None:
    screening_id = screening(config.database_url)
    book(config, screening_id, starts_in=timedelta(hours=1), tomorrow_too=True)
    page = signed_in.get("/")
    today = page.text.split("Today's assessments")[1]
    assert today.count('href="/screenings/') == 1 and "Dana Example, LCSW" in today


def book(config: Settings, screening_id: int, *, starts_in: timedelta, tomorrow_too: bool = False) -> int:
    """A booking in a slot added for it; with `tomorrow_too` another one a day later."""
    with db.session_scope(config.database_url) as session:
        ids = []
        for extra in ((timedelta(0), timedelta(days=1)) if tomorrow_too else (timedelta(0),)):
            start = (utcnow() + starts_in + extra).replace(microsecond=0)
            slot = bookings.add_slot(session, assessor="Dana Example, LCSW", starts_at=start, minutes=60,
                                     modality="telehealth", location=None, by="test")
            ids.append(bookings.book(session, slot_id=slot.id, conversation_id=CONVERSATION, channel="socketio",
                                     screening_id=screening_id, contact_conversation_id=None, person_tz=None,
                                     reminders_hours_before=(), earliest=start - timedelta(days=30),
                                     now=start - timedelta(days=2)).id)
        return ids[0]


# ---------------------------------------------------------------------------------------------------
# Screening and notes


def test_the_screening_page_shows_answers_scores_outcome_and_insurance_and_is_audited(
        signed_in: Console, config: Settings) -> None:
    screening_id = screening(config.database_url)
    escalation_id = escalation(config.database_url, screening_id=screening_id)
    page = signed_in.get(f"/screenings/{screening_id}")
    assert page.status_code == 200
    assert f"<title>Screening {screening_id} · " in page.text  # the title names the id and nothing else
    shown = text_of(page.text)
    for expected in ("Little interest or pleasure in doing things", "2 · More than half the days", "most days",
                     "PHQ-9 (depression) 14 Moderate", "Likely fit · track: Adult morning", "Symptoms fit an IOP",
                     "Insurance as given blue crss", "Insurance recognised Blue Cross In network", "Yes",
                     "Concerns Depression", f"Escalation {escalation_id}"):
        assert expected in shown, expected
    assert ATTACK not in page.text and ESCAPED in page.text  # typed text is shown, never run
    assert 'class="badge sev-low"' in page.text  # the C-SSRS risk
    [view] = audit_rows(config.database_url, "view_screening")
    assert (view.staff_name, view.subject_kind, view.subject_id) == ("Dana Example", "screening", str(screening_id))
    assert signed_in.get("/screenings/424242").status_code == 404


def test_a_screening_about_someone_else_shows_the_questions_as_they_were_asked(signed_in: Console,
                                                                               config: Settings) -> None:
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
    assert signed_in.post(f"/screenings/{screening_id}/notes", {"text": "   "}).headers["location"].endswith(
        "?error=empty#notes")
    with db.session_scope(config.database_url) as session:
        assert [n.text for n in store.notes_for(session, screening_id=screening_id)] == [f"Called back. {ATTACK}"]
    assert [row.subject_id for row in audit_rows(config.database_url, "add_note")] == [str(screening_id)]


# ---------------------------------------------------------------------------------------------------
# Transcript


def test_the_transcript_shows_who_said_what_when_with_crises_and_handoffs_marked(
        signed_in: Console, config: Settings) -> None:
    tracker_events(config, CONVERSATION_EVENTS)
    tracker_events(config, [("user", T0.timestamp(), {"text": "someone else's conversation"})], sender="web-other")
    page = signed_in.get(f"/conversations/{CONVERSATION}/transcript")
    assert page.status_code == 200 and "<title>Transcript · " in page.text
    shown = text_of(page.text)
    assert "someone else's" not in shown
    order = ["New session", "Participant Mon 02 Mar, 09:05:01 hi", "Bot Mon 02 Mar, 09:05:02 Is it OK to start?",
             "Options: Yes, let's start · Not now", "I want to end my life",
             "Crisis detected: suicidal ideation by the rules", "Call or text 988.",
             "The bot stepped back: a person has the conversation",
             "Dana Example (staff) Mon 02 Mar, 09:07:00 Hi, this is Dana.",
             "Past risk mentioned (not treated as a crisis now): suicide attempt", "The bot resumed",
             "Handed back to the bot by Dana Example"]
    positions = [shown.find(part) for part in order]
    assert -1 not in positions and positions == sorted(positions), dict(zip(order, positions))
    assert "EXTERNAL" not in shown and "action_session_start" not in shown
    assert ATTACK not in page.text and ESCAPED in page.text and page.text.count("<script") == 1  # console.js only
    [view] = audit_rows(config.database_url, "view_transcript")
    assert (view.subject_kind, view.subject_id) == ("conversation", CONVERSATION)
    assert signed_in.get("/conversations/web-unknown00/transcript").status_code == 404


def test_transcript_lines_read_rasa_events_and_skip_what_is_not_said() -> None:
    rows = [(type_name, at, json.dumps(data)) for type_name, at, data in CONVERSATION_EVENTS]
    rows.append(("user", T0.timestamp(), "not json"))
    lines = transcript.lines(rows)
    assert [line.who for line in lines] == ["event", "participant", "bot", "participant", "bot", "event", "staff",
                                            "participant", "event", "event"]
    assert lines[1].at == T0 + timedelta(seconds=1)
    assert lines[6].staff == "Dana Example" and lines[2].options == ("Yes, let's start", "Not now")


def test_a_transcript_of_an_empty_tracker_store_is_not_an_error(signed_in: Console, config: Settings) -> None:
    screening(config.database_url)  # the screening is known; Rasa has written nothing yet (no file)
    page = signed_in.get(f"/conversations/{CONVERSATION}/transcript")
    assert page.status_code == 200 and "Nothing was said" in page.text


# ---------------------------------------------------------------------------------------------------
# Escalations


def test_acknowledging_and_resolving_an_escalation_records_who_and_when(signed_in: Console, config: Settings) -> None:
    escalation_id = escalation(config.database_url)
    page = signed_in.get(f"/escalations/{escalation_id}")
    assert "Not yet" in page.text and ESCAPED in page.text and ATTACK not in page.text
    assert signed_in.post(f"/escalations/{escalation_id}/acknowledge", {"back": "/"}).headers["location"] == "/"
    reply = signed_in.post(f"/escalations/{escalation_id}/resolve", {"outcome": "made up", "note": ""})
    assert reply.status_code == 422 and "Choose what happened." in reply.text
    reply = signed_in.post(f"/escalations/{escalation_id}/resolve", {"outcome": "Other (see note)", "note": " "})
    assert reply.status_code == 422 and "Say what happened in the note." in reply.text
    reply = signed_in.post(f"/escalations/{escalation_id}/resolve", {
        "outcome": "Reached the person: safety plan made", "note": "Spoke for 20 minutes."})
    assert reply.status_code == 303
    with db.session_scope(config.database_url) as session:
        row = crud.get_escalation(session, escalation_id=escalation_id)
        assert (row.acknowledged_by, row.resolved_by, row.outcome, row.note) == (
            "Dana Example", "Dana Example", "Reached the person: safety plan made", "Spoke for 20 minutes.")
        assert row.acknowledged_at <= row.resolved_at <= utcnow()
    page = text_of(signed_in.get(f"/escalations/{escalation_id}").text)
    assert "Resolved Dana Example" in page and "Spoke for 20 minutes." in page
    again = signed_in.post(f"/escalations/{escalation_id}/resolve", {"outcome": "Not a crisis on review"})
    assert again.status_code == 422 and "already resolved" in again.text
    assert [r.action for r in audit_rows(config.database_url) if r.subject_kind == "escalation"] == [
        "acknowledge", "resolve"]


# ---------------------------------------------------------------------------------------------------
# Live handoff


def test_staff_take_over_reply_and_hand_back_as_themselves_and_each_step_is_audited(
        signed_in: Console, config: Settings, rasa: FakeRasa) -> None:
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
        ("events", {"event": "bot", "text": "Hi, I'm Dana from the intake team.", "metadata": {"staff": "Dana Example"}}),
        ("events", {"event": "resume"}),
        ("trigger_intent", {"name": "EXTERNAL_handback", "entities": {"staff": "Dana Example"}}),
    ]
    assert rasa.requests[1]["params"]["output_channel"] == "latest"
    with db.session_scope(config.database_url) as session:
        [handoff] = session.execute(sa.select(Handoff)).scalars().all()
        assert handoff.opened_by == "Dana Example" and handoff.closed_at is None  # the bot's action closes it
    actions = [r.action for r in audit_rows(config.database_url) if r.subject_kind == "conversation"]
    assert actions == ["view_transcript", "take_over", "view_transcript", "reply", "hand_back"]  # refusals: none


def test_a_refresh_of_the_live_page_is_not_a_new_view_and_rasa_errors_are_shown(
        signed_in: Console, config: Settings, rasa: FakeRasa) -> None:
    tracker_events(config, CONVERSATION_EVENTS[:4])
    base = f"/conversations/{CONVERSATION}"
    signed_in.get(f"{base}/handoff", headers={"X-Console-Refresh": "1"})
    assert audit_rows(config.database_url, "view_transcript") == []
    rasa.status = 500
    reply = signed_in.post(f"{base}/take")
    assert reply.status_code == 409 and "the Rasa server answered 500" in reply.text
    assert audit_rows(config.database_url, "take_over") == []
    assert signed_in.post("/conversations/web-unknown00/take").status_code == 404 and len(rasa.requests) == 1


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
    assert signed_in.post(f"/bookings/{future}/cancel", {"back": "https://evil.example"}).headers["location"] == \
        "/appointments"
    with db.session_scope(config.database_url) as session:
        assert bookings.get_booking(session, past).status == "attended"
        assert bookings.get_booking(session, past).outcome_by == "Dana Example"
        assert bookings.get_booking(session, future).status == "cancelled"
    assert [r.action for r in audit_rows(config.database_url) if r.subject_kind == "booking"] == [
        "mark_attended", "cancel_booking"]
    assert "Attended" in text_of(signed_in.get("/appointments?view=past&status=attended").text)


def test_slots_can_be_added_blocked_and_opened_again(signed_in: Console, config: Settings) -> None:
    day = (utcnow() + timedelta(days=3)).astimezone(signed_in.app.ctx.console.program.tz).date()
    reply = signed_in.post("/slots", {"assessor": "Sam Sample, LPC", "date": day.isoformat(), "time": "07:30",
                                      "minutes": "45"})
    assert reply.status_code == 303
    with db.session_scope(config.database_url) as session:
        [slot] = [s for s in bookings.slots_between(session, start=utcnow(), end=utcnow() + timedelta(days=30))
                  if s.source == "staff"]
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
        "add_slot", "slot_blocked", "slot_open"]


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
    assert "Started 4, Consented 3, Completed the screening 3, Likely fit 1, Needs clinical review 1, " \
           "Referred elsewhere 1, Booked an assessment 1, Attended 1" in svg
    rows = {row.split("</th>")[0].split(">")[-1]: re.findall(r"<td>(\d+)</td>", row)
            for row in page.text.split('id="channels-title"')[1].split("<tr")[2:]}
    assert rows == {"SMS": ["1", "1", "1", "0", "1", "0", "0", "0"],
                    "Website chat": ["3", "2", "2", "1", "0", "1", "1", "1"],
                    "All": ["4", "3", "3", "1", "1", "1", "1", "1"]}
    only_sms = signed_in.get("/funnel?channel=sms").text
    assert "Started 1, Consented 1" in only_sms and "on SMS" in text_of(only_sms)


def test_the_csv_export_is_codes_and_scores_only_and_is_audited(signed_in: Console, config: Settings) -> None:
    screening_id = screening(config.database_url)
    with db.session_scope(config.database_url) as session:  # a formula in a stored code must not run in a spreadsheet
        session.get(Screening, screening_id).track = "=HYPERLINK(\"http://evil.example\")"
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


def test_funnel_steps_follow_the_screening() -> None:
    class Fake:
        def __init__(self, status: str, outcome: Optional[str]) -> None:
            self.status, self.outcome = status, outcome

    found: list[Any] = [Row(Fake("completed", "refer_specialized"), "sms", True, True, False),  # type: ignore[arg-type]
                        Row(Fake("stopped", None), "sms", True, False, False)]  # type: ignore[arg-type]
    totals = counts(found)
    assert (totals["started"], totals["consented"], totals["completed"], totals["referred"], totals["booked"]) == (
        2, 2, 1, 1, 1)


# ---------------------------------------------------------------------------------------------------
# Audit log and accounts (admins)


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
    form = {"name": "Robin Clinician", "role": "clinician", "password": "a fine long phrase", "again": "a fine long phrase"}
    assert console.post("/staff", form).status_code == 303
    assert "already a staff account" in console.post("/staff", form).text
    assert "differ" in console.post("/staff", {**form, "name": "Sam", "again": "something else entirely"}).text
    assert "at least 12" in console.post("/staff", {**form, "name": "Sam", "password": "short", "again": "short"}).text
    with db.session_scope(config.database_url) as session:
        robin = store.staff_by_name(session, name="Robin Clinician")
        assert robin.role == "clinician" and robin.password_hash.startswith("$argon2id$")
        me = store.staff_by_name(session, name="Ann Admin").id
        robin.locked_until = utcnow() + timedelta(minutes=10)
    assert "Unlock" in console.get("/staff").text
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
        "add_staff", "unlock_staff", "disable_staff", "enable_staff", "set_password"]
    assert PASSWORD not in json.dumps([r.detail for r in audit_rows(config.database_url)])
