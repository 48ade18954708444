"""End to end over SMS: the real Rasa and action servers with the SMS channel on, driven through its signed
webhook like Twilio would, replies captured by a local fake of Twilio's REST API. A full screening by text
(options picked by number), STOP / START with a crisis text in between, a staff reply through Rasa's HTTP
API, delivery reports, forged and replayed requests; then the databases and logs are searched for the
phone number. Where npx and ../shared/twilio are available, the channel's request is also checked against
a mock served from Twilio's OpenAPI description. Slow (servers start once per module); marked e2e."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bot.booking.store import Booking
from bot.messages import EMPTY_MESSAGE
from bot.program import load_program
from bot.sms import compliance, store
from bot.sms.encoding import MAX_SMS_CHARS, is_gsm7
from bot.sms.identity import pseudonym
from bot.sms.outbox import TwilioTransport
from bot.sms.twilio_rest import TwilioConfig
from bot.store import db
from bot.store.models import Escalation
from harness.conversation import LIKELY_FIT
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio, inbound, post_signed, sign
from harness.servers import BIN, ROOT, Servers, newest_model, running_servers
from rasa_edge.channels.sms import EMPTY_TWIML
from tests.test_notify import twilio_mock  # noqa: F401 (the Prism fixture)

pytestmark = pytest.mark.e2e

MODEL = newest_model()
PUBLIC = "https://intake.example.org/webhooks/sms"  # what Twilio is told; the server sees 127.0.0.1
ID_KEY = "e2e-sms-id-key-" + "k" * 24
NUMBER_KEY = Fernet.generate_key().decode()
PROGRAM = load_program()
# Options picked by number where the question has them (consent 1 = yes, current care 1 = a therapist, the
# PHQ-9 and GAD-7 keep their 0-3 scale, modality 3 = either, transport 2 = no), the rest in words.
BY_TEXT = {
    **LIKELY_FIT,
    "consent": "1",
    "for_whom": "1",
    "current_care": "1",
    "phq9_1": "2",
    "gad7_1": "two",
    "modality": "3",
    "transport": "2",
}


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio().serving() as fake:
        yield fake


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sms-e2e")


@pytest.fixture(scope="module")
def servers(workdir: Path, twilio: FakeTwilio) -> Iterator[Servers]:
    if MODEL is None:
        pytest.fail("no trained model: run the tests through `make test`, which trains it")
    env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_URL": twilio.url,
        "SMS_PUBLIC_URL": PUBLIC,
        "SMS_ID_KEY": ID_KEY,
        "SMS_NUMBER_KEY": NUMBER_KEY,
        "ESCALATION_ON_CALL_NUMBERS": "+15035550101",
        "ESCALATION_BACKUP_NUMBER": "+15035550102",
        "LOG_LEVEL": "DEBUG",
    }  # every log line Rasa and the channel write is searched for numbers below
    with running_servers(workdir, MODEL, extra_env=env) as running:
        yield running


class Phone:
    """One person texting the program's number."""

    def __init__(self, servers: Servers, twilio: FakeTwilio, number: str) -> None:
        self.servers, self.twilio, self.number = servers, twilio, number
        self.conversation_id = pseudonym(number, ID_KEY)
        self.webhook = f"{servers.rasa_url}/webhooks/sms/webhook"
        self.http = requests.Session()

    @property
    def database_url(self) -> str:
        return self.servers.env["DATABASE_URL"]

    def text(self, body: str, *, to_bot: bool = True, sid: str = "") -> list[str]:
        """Send a text; the texts the phone received in return."""
        before = len(self.twilio.to(self.number))
        form = inbound(self.number, body, sid=sid or None)
        reply = post_signed(self.http, self.webhook, f"{PUBLIC}/webhook", form)
        assert (reply.status_code, reply.text) == (200, EMPTY_TWIML)
        if to_bot:
            self._wait_for_bot(form["MessageSid"])
        self._wait_for_outbox()
        return self.twilio.to(self.number)[before:]

    def _wait_for_bot(self, sid: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            tracker = self.servers.tracker(self.conversation_id)
            events = tracker["events"]
            mine = [i for i, e in enumerate(events) if e.get("event") == "user" and e.get("message_id") == sid]
            if mine and (
                tracker.get("paused")
                or (
                    events[-1].get("event") == "action"
                    and events[-1].get("name") == "action_listen"
                    and mine[-1] < len(events) - 1
                )
            ):
                return
            time.sleep(0.05)
        raise AssertionError(f"the bot did not answer message {sid} within {timeout} s")

    def _wait_for_outbox(self, timeout: float = 60) -> None:
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            rows = self.rows()
            state = [(r.id, r.status) for r in rows]
            if state == last and not [r for r in rows if r.status in ("queued", "sending")]:
                return
            last = state
            time.sleep(0.2)
        raise AssertionError("texts still waiting to be sent")

    def rows(self) -> list[store.SmsOutbound]:
        with db.session_scope(self.database_url) as session:
            return store.outbound(session, conversation_id=self.conversation_id)

    def requested(self) -> str | None:
        return self.servers.requested(self.conversation_id)


def export(servers: Servers) -> list[dict]:
    out = subprocess.run(
        [str(BIN / "iop-intake"), "export"], env=servers.env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_a_full_screening_by_text_message(servers: Servers, twilio: FakeTwilio) -> None:
    phone = Phone(servers, twilio, "+15035550123")
    first = phone.text("hi")
    assert "Riverbend Behavioral Health" in first[0] and "911" in "\n".join(first)
    assert first[-2].endswith("Reply 1 or 2.")  # the consent question, with its options
    assert first[-1] == compliance.first_contact_notice(PROGRAM)  # after the first reply, once
    asked = []
    for _ in range(80):
        key = phone.requested()
        if key is None:
            break
        asked.append(key)
        phone.text(BY_TEXT[key])
    assert asked[:7] == ["consent", "for_whom", "first_name", "age", "state", "concerns_text", "current_care"]
    assert phone.requested() is None
    received = twilio.to(phone.number)
    done = next(i for i, text in enumerate(received) if "screening is complete" in text)
    ending = "\n".join(received[done:]).lower()
    assert "503-555-0100" in ending and "book your free assessment" in ending  # times offered, numbered
    for result_word in ("likely", "depression", "anxiety", "moderate", "range", "network"):  # no results by text
        assert result_word not in ending
    assert received.count(compliance.first_contact_notice(PROGRAM)) == 1
    assert all(len(text) <= MAX_SMS_CHARS and is_gsm7(text) for text in received)

    [row] = [r for r in export(servers) if r["conversation_id"] == phone.conversation_id]
    assert (row["status"], row["outcome"]) == ("completed", "likely_fit")
    assert row["instruments"]["phq9"]["total"] == 13 and row["instruments"]["gad7"]["total"] == 10
    assert row["insurance"]["status"] == "in_network"

    rows = phone.rows()
    assert [r.body for r in rows] == received  # every text on record, in the order the phone got them
    assert {r.status for r in rows} == {"sent"} and all(r.twilio_sid and r.attempts == 1 for r in rows)
    callbacks = {sent.status_callback for sent in twilio.sent if sent.to == phone.number}
    assert callbacks == {f"{PUBLIC}/status"}


def test_moderate_risk_by_text_ends_with_a_promised_call_and_the_crisis_lines(
    servers: Servers, twilio: FakeTwilio
) -> None:
    phone = Phone(servers, twilio, "+15035550131")
    answers = {**BY_TEXT, "cssrs_1": "yes", "cssrs_2": "yes", "cssrs_3": "yes", "cssrs_4": "no", "cssrs_5": "no"}
    phone.text("hi")
    asked = []
    for _ in range(80):
        key = phone.requested()
        if key is None:
            break
        asked.append(key)
        phone.text(answers[key])
    assert "contact_phone" not in asked and asked[-2:] == ["contact_ok", "contact_time"]  # the number is known
    received = twilio.to(phone.number)
    [done] = [text for text in received if "screening is complete" in text]
    assert "A clinician from our team will call you at this number soon." in done
    assert "call or text 988" in done and "741741" in done and "911" in done
    for result_word in ("risk", "thoughts", "depress", "moderate"):  # still nothing of the answers by text
        assert result_word not in done.lower()
    assert all(len(text) <= MAX_SMS_CHARS and is_gsm7(text) for text in received)


def test_an_unsure_message_by_text_gets_the_check_in_and_a_no_goes_back(servers: Servers, twilio: FakeTwilio) -> None:
    phone = Phone(servers, twilio, "+15035550133")
    phone.text("hi")
    while (key := phone.requested()) != "concerns_text":
        phone.text(BY_TEXT[key])
    asked = "\n".join(phone.text("I'm not suicidal or anything, I just can't sleep"))
    assert "Are you having thoughts of ending your life or hurting yourself?" in asked and "Reply 1 or 2." in asked
    back = "\n".join(phone.text("2"))  # the numbered options: 1 Yes, 2 No
    assert "Thank you for telling me" in back and phone.requested() == "concerns_text"
    with db.session_scope(phone.database_url) as session:
        assert (
            session.execute(sa.select(Escalation).where(Escalation.conversation_id == phone.conversation_id)).first()
            is None
        )


def test_booking_by_text_then_reschedule_and_cancel_by_letter(servers: Servers, twilio: FakeTwilio) -> None:
    phone = Phone(servers, twilio, "+15035550129")
    phone.text("hi")
    for _ in range(80):
        key = phone.requested()
        if key is None:
            break
        phone.text(BY_TEXT[key])
    offer = twilio.to(phone.number)[-1]
    assert offer.startswith("1) ") and offer.endswith('Reply 1, 2, 3, "Other times" or "Not now".')
    [confirmation] = phone.text("1")
    assert confirmation.startswith(f"Booked: {PROGRAM.sms_name} appointment ")
    assert confirmation.endswith("Reply C to cancel, R to reschedule.")
    for word in ("assessment", "clinician", "depress", "screen", "http"):
        assert word not in confirmation.lower()
    moving = "\n".join(phone.text("R"))
    assert "stays booked until you choose" in moving and 'Reply 1, 2, 3, "Other times" or "Not now".' in moving
    [moved] = phone.text("2")
    assert moved.startswith(f"Moved: {PROGRAM.sms_name} appointment ")
    [cancelled] = phone.text("C")
    assert "is cancelled" in cancelled
    with db.session_scope(phone.database_url) as session:
        rows = (
            session.execute(
                sa.select(Booking).where(Booking.conversation_id == phone.conversation_id).order_by(Booking.id)
            )
            .scalars()
            .all()
        )
    assert [(b.status, b.contact_conversation_id) for b in rows] == [("cancelled", phone.conversation_id)] * 2
    assert all(len(text) <= MAX_SMS_CHARS and is_gsm7(text) for text in twilio.to(phone.number))


def test_stop_silences_everything_a_crisis_still_reaches_staff_and_start_resumes(
    servers: Servers, twilio: FakeTwilio
) -> None:
    phone = Phone(servers, twilio, "+15035550124")
    phone.text("hello")
    assert phone.text("STOP", to_bot=False) == [compliance.opted_out_text(PROGRAM)]
    assert phone.text("Stop", to_bot=False) == []  # one confirmation only
    assert phone.text("hi, are you there?") == []
    # Opted out of texts: no reply goes out, but the crisis detector still reads the text and staff are paged.
    assert phone.text("I want to kill myself tonight") == []
    with db.session_scope(phone.database_url) as session:
        escalations = (
            session.execute(sa.select(Escalation).where(Escalation.conversation_id == phone.conversation_id))
            .scalars()
            .all()
        )
    assert [e.severity for e in escalations] == ["high"]
    pages = [s for s in twilio.sent if s.to == "+15035550101"]
    assert pages and all("kill" not in s.body for s in pages)
    statuses = [(r.kind, r.status) for r in phone.rows()]
    assert ("opt_out", "sent") in statuses and statuses[-1] == ("bot", "suppressed")
    assert phone.text("START", to_bot=False) == [compliance.opted_in_text(PROGRAM)]


def test_a_crisis_in_the_very_first_text_gets_the_crisis_reply_before_anything_else(
    servers: Servers, twilio: FakeTwilio
) -> None:
    phone = Phone(servers, twilio, "+15035550128")
    received = phone.text("i just want to kill myself")
    assert "988" in received[0] and "741741" in "\n".join(received)  # no consent asked first
    assert received[-1] == compliance.first_contact_notice(PROGRAM)


def test_a_staff_reply_through_rasas_api_reaches_the_phone(servers: Servers, twilio: FakeTwilio) -> None:
    phone = Phone(servers, twilio, "+15035550125")
    phone.text("hi")
    response = requests.post(
        f"{servers.rasa_url}/conversations/{phone.conversation_id}/tracker/events",
        params={"token": servers.token, "output_channel": "latest", "execute_side_effects": "true"},
        json={"event": "bot", "text": "Hi, this is Dana from the intake team.", "metadata": {"staff": "Dana"}},
        timeout=30,
    )
    assert response.status_code == 200
    deadline = time.monotonic() + 30
    while "Hi, this is Dana from the intake team." not in twilio.to(phone.number) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert twilio.to(phone.number)[-1] == "Hi, this is Dana from the intake team."
    phone._wait_for_outbox()
    assert phone.rows()[-1].kind == "staff"


def test_forged_and_replayed_requests(servers: Servers, twilio: FakeTwilio) -> None:
    phone = Phone(servers, twilio, "+15035550126")
    form = inbound(phone.number, "hello")
    forged = requests.post(
        phone.webhook,
        data=form,
        timeout=30,
        headers={"X-Twilio-Signature": sign(f"{PUBLIC}/webhook", form, token="guessed")},
    )
    unsigned = requests.post(phone.webhook, data=form, timeout=30)
    local = requests.post(
        phone.webhook,
        data=form,
        timeout=30,  # signed for the address the server sees
        headers={"X-Twilio-Signature": sign(phone.webhook, form)},
    )
    assert [forged.status_code, unsigned.status_code, local.status_code] == [403, 403, 403]
    assert phone.servers.tracker(phone.conversation_id)["events"] in ([], None) or not [
        e for e in phone.servers.tracker(phone.conversation_id)["events"] if e.get("event") == "user"
    ]

    sid = "SM" + "e2e0" * 8
    phone.text("hello", sid=sid)
    phone.text("hello", sid=sid, to_bot=False)  # Twilio's retry of the same message
    users = [e for e in servers.tracker(phone.conversation_id)["events"] if e.get("event") == "user"]
    assert [u["text"] for u in users] == ["hello"]

    sent = phone.rows()[0]
    report = {"MessageSid": sent.twilio_sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
    status_url = f"{servers.rasa_url}/webhooks/sms/status"
    assert requests.post(status_url, data=report, timeout=30).status_code == 403
    assert post_signed(requests.Session(), status_url, f"{PUBLIC}/status", report).status_code == 204
    assert phone.rows()[0].status == "delivered"


def test_empty_picture_only_and_long_emoji_texts_get_sensible_replies(servers: Servers, twilio: FakeTwilio) -> None:
    phone = Phone(servers, twilio, "+15035550127")
    assert phone.text("", to_bot=False)[0] == EMPTY_MESSAGE
    before = len(twilio.to(phone.number))
    form = inbound(phone.number, "", media=1)
    assert post_signed(phone.http, phone.webhook, f"{PUBLIC}/webhook", form).status_code == 200
    phone._wait_for_outbox()
    assert twilio.to(phone.number)[before:] == [compliance.MEDIA_ONLY]
    assert phone.text("hi 🙂 " + "so much to say " * 105)  # 1,600 characters with an emoji: an answer, no error
    assert phone.text("🙂🙂")


def every_value(database: Path) -> list[str]:
    """Every value in every table of a SQLite file, as text."""
    connection = sqlite3.connect(database)
    try:
        tables = [table for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [str(v) for table in tables for row in connection.execute(f'SELECT * FROM "{table}"') for v in row]
    finally:
        connection.close()


def test_no_phone_number_in_the_tracker_store_the_database_or_the_logs(
    servers: Servers, twilio: FakeTwilio, workdir: Path
) -> None:
    numbers = {sent.to for sent in twilio.sent} - {"+15035550101", "+15035550102"}
    assert len(numbers) >= 4  # the conversations above ran
    digits = {n[2:] for n in numbers} | {n[-7:] for n in numbers} | {f"{n[-7:-4]}-{n[-4:]}" for n in numbers}
    tracker_values = every_value(workdir / "tracker.db")
    assert any("sms-" in v for v in tracker_values)  # the pseudonyms are there, the numbers are not
    assert not [v for v in tracker_values if any(d in v for d in digits)]
    app_values = every_value(workdir / "app.db")
    assert not [v for v in app_values if any(d in v for d in digits)]
    for log in ("rasa.log", "actions.log"):
        text = (workdir / log).read_text()
        assert not [d for d in digits if d in text], log


def test_the_channels_request_is_what_twilios_api_accepts(twilio_mock: str) -> None:  # noqa: F811
    transport = TwilioTransport(
        TwilioConfig(ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, twilio_mock),
        status_callback=f"{PUBLIC}/status",
        sleep=lambda _: None,
    )
    attempt = transport("+15035550123", "Over the last 2 weeks, how often?\n0) Not at all\nReply 0, 1, 2 or 3.")
    assert (attempt.ok, attempt.http_status, attempt.attempts) == (True, 201, 1)
    assert attempt.sid and attempt.sid.startswith("SM")
