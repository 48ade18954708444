"""The SMS channel over HTTP, in process: the real channel blueprint on a Sanic server, a stand-in for the
bot (Rasa's on_new_message) and for Twilio's REST API. Signatures, replays, STOP / START / HELP and the
no-send rule, numbered options, ordering, retries, delivery reports, and no phone number in the database
or the logs. Rasa itself is in tests/test_sms_e2e.py."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Optional

import aiohttp
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.messages import EMPTY_MESSAGE
from bot.program import load_program
from bot.screening import QUESTIONS
from bot.settings import ConfigError, Settings, settings
from bot.sms import compliance, store
from bot.sms.identity import NumberCipher, pseudonym
from bot.sms.outbox import Attempt, Outbox, TwilioTransport
from bot.sms.service import SmsService
from bot.sms.twilio_rest import Retry, TwilioConfig
from bot.store import db
from bot.store.models import metadata
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, inbound, sign
from harness.servers import free_port
from rasa_edge.channels.sms import EMPTY_TWIML, SmsChannel

PUBLIC = "https://intake.example.org/webhooks/sms"
NUMBER, OTHER = "+15035550123", "+15035550188"
DIGITS = ("5035550123", "555-0123", "5550123", "5035550188", "5550188")
ID_KEY = "test-sms-id-key-" + "x" * 24
NUMBER_KEY = Fernet.generate_key().decode()
PROGRAM = load_program()
CARE = [{"title": c.label, "payload": c.payload} for c in QUESTIONS["current_care"].choices]
CRISIS_TEXT = "I want to kill myself tonight"
CRISIS_REPLY = "Call or text 988 (Suicide & Crisis Lifeline), any time, day or night."


@dataclass
class Transport:
    """Twilio's REST API as the outbox sees it: records each send; `results` are used in turn."""

    results: list[Attempt] = field(default_factory=list)
    delay: float = 0.0
    sent: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, to: str, body: str) -> Attempt:
        time.sleep(self.delay)
        with self.lock:
            self.sent.append((to, body))
            if self.results:
                return self.results.pop(0)
            return Attempt(True, 1, f"SM{uuid.uuid4().hex}", None, 201)

    def to(self, number: str) -> list[str]:
        return [body for to, body in self.sent if to == number]


def echo(message: UserMessage) -> list[dict]:
    """The stand-in bot: the crisis reply for a crisis text, else a question with options."""
    if message.text == CRISIS_TEXT:
        return [{"text": CRISIS_REPLY}]
    return [{"text": "Are you seeing any of these?", "buttons": CARE}]


@dataclass
class FakeBot:
    answer: Callable[[UserMessage], list[dict]] = echo
    delay: float = 0.0
    received: list[UserMessage] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await asyncio.sleep(self.delay)
        for reply in self.answer(message):
            await message.output_channel.send_response(message.sender_id, dict(reply))

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.received]


@dataclass
class Harness:
    base: str
    channel: SmsChannel
    service: SmsService
    bot: FakeBot
    transport: Transport
    http: aiohttp.ClientSession

    async def post(
        self, path: str, form: dict, *, signature: Optional[str] = "sign", url: Optional[str] = None, query: str = ""
    ) -> tuple[int, str, float]:
        if signature == "sign":
            signature = sign(url or f"{PUBLIC}/{path}" + (f"?{query}" if query else ""), form)
        headers = {"X-Twilio-Signature": signature} if signature is not None else {}
        start = time.monotonic()
        target = f"{self.base}/{path}" + (f"?{query}" if query else "")
        async with self.http.post(target, data=form, headers=headers) as reply:
            return reply.status, await reply.text(), time.monotonic() - start

    async def text(self, body: str, number: str = NUMBER, **kwargs: Any) -> int:
        status, _, _ = await self.post("webhook", inbound(number, body, **kwargs))
        await self.channel.idle()
        return status


def make_service(db_url: str, transport: Any) -> SmsService:
    cipher = NumberCipher(NUMBER_KEY)
    return SmsService(
        program=PROGRAM,
        database_url=db_url,
        auth_token=AUTH_TOKEN,
        public_url=PUBLIC,
        id_key=ID_KEY,
        cipher=cipher,
        outbox=Outbox(db_url, transport, cipher),
    )


def new_app() -> Sanic:
    Sanic.test_mode = True  # Sanic rewrites its own methods on an app's first start; this keeps the originals
    return Sanic(f"sms_test_{uuid.uuid4().hex}")


@asynccontextmanager
async def serving(db_url: str, bot: FakeBot, transport: Any) -> AsyncIterator[Harness]:
    service = make_service(db_url, transport)
    channel = SmsChannel(service)
    app = new_app()
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/sms")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    await server.after_start()
    try:
        async with aiohttp.ClientSession() as http:
            yield Harness(f"http://127.0.0.1:{port}/webhooks/sms", channel, service, bot, transport, http)
        await channel.idle()
    finally:
        server.close()
        await server.wait_closed()


def run(
    db_url: str, scenario: Callable[[Harness], Any], *, bot: Optional[FakeBot] = None, transport: Optional[Any] = None
) -> Harness:
    async def main() -> Harness:
        async with serving(db_url, bot or FakeBot(), transport or Transport()) as harness:
            await scenario(harness)
            return harness

    return asyncio.run(main())


CONVERSATION = pseudonym(NUMBER, ID_KEY)


def rows(db_url: str) -> list[store.SmsOutbound]:
    with db.session_scope(db_url) as session:
        return store.outbound(session, conversation_id=CONVERSATION)


def contact(db_url: str) -> store.SmsContact:
    with db.session_scope(db_url) as session:
        return store.contact(session, conversation_id=CONVERSATION)


@pytest.fixture
def url(migrated_db_url: str) -> str:
    return migrated_db_url


# ---------------------------------------------------------------------------------------------------
# Signatures


def test_a_signed_message_reaches_the_bot_under_a_pseudonym_and_twilio_gets_empty_twiml(url: str) -> None:
    async def scenario(h: Harness) -> None:
        status, body, _ = await h.post("webhook", inbound(NUMBER, "hello", sid="SM" + "1" * 32))
        assert (status, body) == (200, EMPTY_TWIML)
        await h.channel.idle()

    h = run(url, scenario)
    [message] = h.bot.received
    assert (message.text, message.sender_id, message.input_channel) == ("hello", CONVERSATION, "sms")
    assert message.message_id == "SM" + "1" * 32
    assert message.metadata is None  # nothing of Twilio's form (numbers, location) reaches the tracker
    replies = h.transport.to(NUMBER)
    assert replies[0].startswith("Are you seeing") and replies[0].endswith("Reply 1, 2, 3 or 4.")
    assert replies[1] == compliance.first_contact_notice(PROGRAM)  # after the first reply, once
    assert len(replies) == 2


def test_a_query_string_is_part_of_what_is_signed(url: str) -> None:
    async def scenario(h: Harness) -> None:
        form = inbound(NUMBER, "hello")
        assert (await h.post("webhook", form, query="source=sms"))[0] == 200
        wrong = sign(f"{PUBLIC}/webhook", form)  # signed without the query string
        assert (await h.post("webhook", inbound(NUMBER, "hello"), signature=wrong, query="source=sms"))[0] == 403

    run(url, scenario)


@pytest.mark.parametrize("attack", ["forged", "missing", "stale_url", "tampered", "other_path", "empty"])
def test_requests_not_signed_by_twilio_for_our_public_url_get_403_and_are_logged_without_content(
    url: str, attack: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "my secret message about my meds"

    async def scenario(h: Harness) -> None:
        form = inbound(NUMBER, secret)
        signature: Optional[str] = sign(f"{PUBLIC}/webhook", form)
        if attack == "forged":
            signature = sign(f"{PUBLIC}/webhook", form, token="not-the-auth-token")
        elif attack == "missing":
            signature = None
        elif attack == "stale_url":  # signed for the address Twilio was given before a move
            signature = sign("https://old-intake.example.org/webhooks/sms/webhook", form)
        elif attack == "tampered":
            form = {**form, "Body": "a different text"}
        elif attack == "other_path":
            signature = sign(f"{PUBLIC}/status", form)
        else:
            signature = ""
        status, body, _ = await h.post("webhook", form, signature=signature)
        assert (status, body) == (403, "invalid signature")

    h = run(url, scenario)
    assert h.bot.received == [] and h.transport.sent == []
    with db.session_scope(url) as session:
        assert session.execute(sa.select(store.SmsInbound)).first() is None
        assert session.execute(sa.select(store.SmsContact)).first() is None
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].levelno == logging.WARNING
    assert secret not in caplog.text and not any(d in caplog.text for d in DIGITS)


def test_the_channel_is_off_without_its_settings(url: str) -> None:
    async def main() -> None:
        channel = SmsChannel(None)
        app = new_app()
        app.blueprint(channel.blueprint(FakeBot()), url_prefix="/webhooks/sms")
        port = free_port()
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
        await server.startup()
        try:
            async with aiohttp.ClientSession() as http:
                form = inbound(NUMBER, "hi")
                async with http.post(
                    f"http://127.0.0.1:{port}/webhooks/sms/webhook",
                    data=form,
                    headers={"X-Twilio-Signature": sign(f"{PUBLIC}/webhook", form)},
                ) as reply:
                    assert reply.status == 503
        finally:
            server.close()
            await server.wait_closed()
        assert channel.get_output_channel() is None

    asyncio.run(main())


def test_a_signed_request_without_sender_or_sid_is_a_400_not_a_500(url: str) -> None:
    async def scenario(h: Harness) -> None:
        for form in ({"Body": "hi"}, {**inbound(NUMBER, "hi"), "From": "not a number"}, {}):
            assert (await h.post("webhook", form))[0] == 400

    assert run(url, scenario).bot.received == []


# ---------------------------------------------------------------------------------------------------
# Acknowledgement, replays, ordering


def test_twilio_is_answered_before_the_bot_has_finished(url: str) -> None:
    async def scenario(h: Harness) -> None:
        _, _, seconds = await h.post("webhook", inbound(NUMBER, "hello"))
        assert seconds < 0.5  # the bot below takes 2 s
        assert h.transport.sent == []
        await h.channel.idle()
        assert len(h.transport.to(NUMBER)) == 2

    run(url, scenario, bot=FakeBot(delay=2.0))


def test_a_replayed_message_sid_is_handled_once(url: str) -> None:
    async def scenario(h: Harness) -> None:
        form = inbound(NUMBER, "hello", sid="SM" + "7" * 32)
        for _ in range(3):  # Twilio retries when it thinks the first delivery failed
            status, body, _ = await h.post("webhook", form)
            assert (status, body) == (200, EMPTY_TWIML)
        await h.channel.idle()

    h = run(url, scenario)
    assert h.bot.texts == ["hello"]
    assert len(h.transport.to(NUMBER)) == 2  # one reply and the notice, not three
    with db.session_scope(url) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(store.SmsInbound)).scalar_one() == 1


def test_replies_go_out_in_order_one_at_a_time(url: str) -> None:
    many = [{"text": f"Part {i}."} for i in range(1, 6)]

    async def scenario(h: Harness) -> None:
        await h.text("hello")

    h = run(url, scenario, bot=FakeBot(answer=lambda m: many), transport=Transport(delay=0.05))
    assert h.transport.to(NUMBER) == [f"Part {i}." for i in range(1, 6)] + [compliance.first_contact_notice(PROGRAM)]
    assert [r.status for r in rows(url)] == ["sent"] * 6
    assert [r.id for r in rows(url)] == sorted(r.id for r in rows(url))


def test_a_long_reply_is_split_into_texts_of_at_most_320_characters(url: str) -> None:
    long = " ".join(f"Sentence {i} of the program description is here." for i in range(20))

    async def scenario(h: Harness) -> None:
        await h.text("what is an iop")

    h = run(url, scenario, bot=FakeBot(answer=lambda m: [{"text": long}]))
    parts = h.transport.to(NUMBER)[:-1]
    assert len(parts) > 2 and all(len(p) <= 320 for p in parts) and " ".join(parts) == long


# ---------------------------------------------------------------------------------------------------
# STOP, START, HELP


def test_stop_opts_out_with_one_confirmation_and_then_nothing_is_sent(url: str) -> None:
    async def scenario(h: Harness) -> None:
        await h.text("hello")
        sent_before = len(h.transport.sent)
        await h.text(" Stop ")
        assert h.transport.sent[sent_before:] == [(NUMBER, compliance.opted_out_text(PROGRAM))]
        await h.text("STOP")  # a second STOP: no second confirmation
        await h.text("hello again")  # still read by the bot (crisis detection), never answered
        await h.text(CRISIS_TEXT)
        await h.text("help")
        # A staff reply through Rasa's API (output_channel=latest) is withheld as well.
        await h.channel.get_output_channel().send_response(CONVERSATION, {"text": "Hi, this is Dana.", "staff": "Dana"})
        await h.channel.idle()
        assert len(h.transport.sent) == sent_before + 1

    h = run(url, scenario)
    assert h.bot.texts == ["hello", "hello again", CRISIS_TEXT]  # never the bare keywords
    saved = contact(url)
    assert saved.opted_out and saved.opted_out_at is not None
    kinds = [(r.kind, r.status) for r in rows(url)]
    assert kinds[:3] == [("bot", "sent"), ("channel", "sent"), ("opt_out", "sent")]
    assert kinds[3:] == [
        ("bot", "suppressed"),
        ("bot", "suppressed"),
        ("channel", "suppressed"),
        ("staff", "suppressed"),
    ]


def test_start_unstop_or_yes_opt_back_in_and_replies_resume(url: str) -> None:
    async def scenario(h: Harness) -> None:
        await h.text("hello")
        await h.text("quit")
        before = len(h.transport.sent)
        await h.text("YES")
        assert h.transport.sent[before:] == [(NUMBER, compliance.opted_in_text(PROGRAM))]
        await h.text("ok")
        assert h.transport.to(NUMBER)[-1].startswith("Are you seeing")

    h = run(url, scenario)
    assert h.bot.texts == ["hello", "ok"]
    assert not contact(url).opted_out and contact(url).opted_in_at is not None


def test_yes_and_start_are_messages_for_the_bot_when_the_number_has_not_opted_out(url: str) -> None:
    async def scenario(h: Harness) -> None:
        await h.text("start")
        await h.text("yes")

    assert run(url, scenario).bot.texts == ["start", "yes"]


def test_help_answers_with_the_programs_facts_and_does_not_reach_the_bot(url: str) -> None:
    async def scenario(h: Harness) -> None:
        await h.text("HELP")
        await h.text(" info")

    h = run(url, scenario)
    assert h.bot.received == []
    assert h.transport.to(NUMBER) == [compliance.help_text(PROGRAM)] * 2  # the HELP text says how to opt out


def test_a_crisis_text_as_the_very_first_message_gets_the_crisis_reply_before_the_notice(url: str) -> None:
    async def scenario(h: Harness) -> None:
        await h.text(CRISIS_TEXT)

    h = run(url, scenario)
    assert h.bot.texts == [CRISIS_TEXT]
    assert h.transport.to(NUMBER) == [CRISIS_REPLY, compliance.first_contact_notice(PROGRAM)]


def test_twilio_reporting_an_unsubscribed_number_opts_it_out(url: str) -> None:
    # Twilio's own STOP handling may have opted the number out first: error 21610 on a send.
    transport = Transport(results=[Attempt(False, 1, None, 21610, 400)])

    async def scenario(h: Harness) -> None:
        await h.text("hello")
        await h.text("anyone there?")

    h = run(url, scenario, transport=transport)
    assert len(h.transport.sent) == 1
    assert contact(url).opted_out
    assert [(r.status, r.error_code) for r in rows(url)][0] == ("failed", 21610)
    assert {r.status for r in rows(url)[1:]} == {"suppressed"}


# ---------------------------------------------------------------------------------------------------
# Options, odd messages


def test_a_number_reply_picks_the_latest_questions_option(url: str) -> None:
    answers = iter(
        [
            [{"text": "Are you seeing any of these?", "buttons": CARE}],
            [{"text": "How old are you?"}],  # no options: "2" is an answer as typed
            [{"text": "Are you seeing any of these?", "buttons": CARE}],
            [{"text": "Thanks."}],
        ]
    )

    async def scenario(h: Harness) -> None:
        await h.text("hi")
        await h.text(" 2. ")
        await h.text("2")
        await h.text("four")

    h = run(url, scenario, bot=FakeBot(answer=lambda m: next(answers)))
    assert h.bot.texts == ["hi", "psychiatrist", "2", "none"]


def test_the_latest_options_survive_a_restart(url: str) -> None:
    async def first(h: Harness) -> None:
        await h.text("hi")

    async def after_restart(h: Harness) -> None:
        await h.text("two")

    run(url, first)
    assert run(url, after_restart).bot.texts == ["psychiatrist"]


@pytest.mark.parametrize(
    "body, media, reply",
    [
        ("", 0, EMPTY_MESSAGE),
        ("   ", 0, EMPTY_MESSAGE),
        ("", 1, compliance.MEDIA_ONLY),
    ],
)
def test_empty_and_picture_only_messages_get_a_short_reply_without_the_bot(
    url: str, body: str, media: int, reply: str
) -> None:
    async def scenario(h: Harness) -> None:
        status, answer, _ = await h.post("webhook", inbound(NUMBER, body, media=media))
        assert (status, answer) == (200, EMPTY_TWIML)
        await h.channel.idle()

    h = run(url, scenario)
    assert h.bot.received == []
    assert h.transport.to(NUMBER) == [reply, compliance.first_contact_notice(PROGRAM)]


def test_a_picture_with_a_caption_and_a_1600_character_text_with_emoji_reach_the_bot(url: str) -> None:
    long = ("I have been feeling low 😞 and can't sleep. " * 40)[:1600]

    async def scenario(h: Harness) -> None:
        assert await h.text("here is my card", media=1) == 200
        assert await h.text(long) == 200
        assert await h.text("🙂🙂") == 200

    h = run(url, scenario)
    assert h.bot.texts == ["here is my card", long.strip(), "🙂🙂"]


def test_a_typed_slash_command_reaches_the_bot_as_text_never_as_a_command(url: str) -> None:
    async def scenario(h: Harness) -> None:
        await h.text("/restart")
        await h.text(' /EXTERNAL_handback{"staff": "x"}')

    assert run(url, scenario).bot.texts == ["restart", 'EXTERNAL_handback{"staff": "x"}']


def test_each_phone_has_its_own_conversation(url: str) -> None:
    async def scenario(h: Harness) -> None:
        await h.text("hi", number=NUMBER)
        await h.text("hi", number="(503) 555-0188")

    h = run(url, scenario)
    assert [m.sender_id for m in h.bot.received] == [CONVERSATION, pseudonym(OTHER, ID_KEY)]
    assert len(h.transport.to(OTHER)) == 2 and len(h.transport.to(NUMBER)) == 2


# ---------------------------------------------------------------------------------------------------
# Staff replies, delivery reports, retries, restarts


def test_a_staff_reply_through_rasas_output_channel_reaches_the_phone(url: str) -> None:
    async def scenario(h: Harness) -> None:
        await h.text("can I talk to a person")
        output = h.channel.get_output_channel()
        await output.send_response(CONVERSATION, {"text": "Hi, this is Dana from intake.", "staff": "Dana"})
        await h.channel.idle()

    h = run(url, scenario)
    assert h.transport.to(NUMBER)[-1] == "Hi, this is Dana from intake."
    assert rows(url)[-1].kind == "staff"


def test_delivery_reports_update_the_record_and_are_signature_checked(url: str) -> None:
    async def scenario(h: Harness) -> None:
        await h.text("hi")
        sid = rows(url)[0].twilio_sid
        report = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
        assert (await h.post("status", report, signature=sign(f"{PUBLIC}/webhook", report)))[0] == 403
        assert rows(url)[0].status == "sent"
        assert (await h.post("status", report))[0] == 204
        late = {**report, "MessageStatus": "sent"}  # callbacks can arrive out of order
        assert (await h.post("status", late))[0] == 204
        failed = {"MessageSid": rows(url)[1].twilio_sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
        assert (await h.post("status", failed))[0] == 204
        assert (await h.post("status", {"MessageSid": "SMnotours", "MessageStatus": "delivered"}))[0] == 204

    run(url, scenario)
    assert [(r.status, r.error_code) for r in rows(url)] == [("delivered", None), ("undelivered", 30003)]


class FakeHttp:
    """Twilio's HTTP answers in turn (the last repeats), for the real TwilioTransport."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.forms: list[dict] = []

    def post(self, url: str, *, data: dict, auth: tuple, timeout: float) -> Any:
        self.forms.append(dict(data))
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

        class Reply:
            status_code = status
            headers: dict = {}

            def json(self) -> dict:
                if status == 201:
                    return {"sid": f"SM{uuid.uuid4().hex}"}
                return {"code": 20500 if status >= 500 else 21211}

        return Reply()


def transport_with(http: FakeHttp) -> TwilioTransport:
    config = TwilioConfig(ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, "http://127.0.0.1:9")
    return TwilioTransport(
        config, status_callback=f"{PUBLIC}/status", http=http, sleep=lambda _: None, retry=Retry(attempts=3)
    )


def test_a_twilio_500_is_retried_and_the_send_recorded_with_its_attempts(url: str) -> None:
    http = FakeHttp(500, 500, 201)

    async def scenario(h: Harness) -> None:
        await h.text("hi")

    run(url, scenario, transport=transport_with(http))
    first = rows(url)[0]
    assert (first.status, first.attempts, first.http_status) == ("sent", 3, 201)
    assert first.twilio_sid.startswith("SM")
    assert http.forms[0]["StatusCallback"] == f"{PUBLIC}/status" and http.forms[0]["To"] == NUMBER
    assert http.forms[0]["From"] == FROM_NUMBER


def test_a_text_that_finally_fails_is_recorded_as_failed_and_the_next_still_goes(url: str) -> None:
    http = FakeHttp(500, 500, 500, 201)

    async def scenario(h: Harness) -> None:
        await h.text("hi")

    run(url, scenario, transport=transport_with(http))
    assert [(r.status, r.attempts, r.http_status, r.error_code) for r in rows(url)] == [
        ("failed", 3, 500, 20500),
        ("sent", 1, 201, None),
    ]


def test_texts_queued_before_a_restart_are_sent_after_it(url: str) -> None:
    with db.session_scope(url) as session:
        added = store.ensure_contact(
            session, conversation_id=CONVERSATION, number_encrypted=NumberCipher(NUMBER_KEY).encrypt(NUMBER)
        )
        added.notice_sent_at = added.created_at
        store.enqueue(session, conversation_id=CONVERSATION, body="Still there?", kind="bot")
    transport = Transport()

    async def main() -> None:
        service = make_service(url, transport)
        await service.outbox.resume()
        await service.outbox.idle()

    asyncio.run(main())
    assert transport.sent == [(NUMBER, "Still there?")]


# ---------------------------------------------------------------------------------------------------
# Privacy


def test_no_phone_number_in_the_database_or_the_logs(url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario(h: Harness) -> None:
        for text in ("hi", "2", "help", CRISIS_TEXT, "stop", "start", "my number is 503 555 0199"):
            await h.text(text, number="+1 (503) 555-0123")

    run(url, scenario)
    with db.session_scope(url) as session:
        stored = [
            str(value) for table in metadata.sorted_tables for row in session.execute(sa.select(table)) for value in row
        ]
    assert stored and not [value for value in stored if any(d in value for d in DIGITS)]
    assert not any(d in caplog.text for d in DIGITS)
    assert CRISIS_TEXT not in caplog.text


# ---------------------------------------------------------------------------------------------------
# Settings


def production(**changes: Any) -> Settings:
    values = dict(
        env="production",
        database_url="sqlite://",
        tracker_store_url="sqlite://",
        program_file=PROGRAM_FILE,
        rasa_auth_token="r" * 32,
        staff_api_token="s" * 32,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number=FROM_NUMBER,
        twilio_api_url="https://api.twilio.com",
        on_call_numbers=("+15035550101",),
        backup_number="+15035550199",
        sms_public_url=PUBLIC,
        sms_id_key=ID_KEY,
        sms_number_key=NUMBER_KEY,
        console_public_url="https://intake.example.org",
        action_server_token="a" * 32,
        widget_allowed_origins=("https://www.example.org",),
    )
    return Settings(**{**values, **changes})


PROGRAM_FILE = settings().program_file


def test_production_with_the_sms_channel_configured_starts() -> None:
    production().check()
    production(sms_public_url="").check()  # channel off: its keys are still checked (tests/test_security_settings.py)


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(sms_id_key=Settings.__dataclass_fields__["sms_id_key"].default), "SMS_ID_KEY must be set"),
        (dict(sms_id_key="short"), "SMS_ID_KEY must be set"),
        (dict(sms_number_key=Settings.__dataclass_fields__["sms_number_key"].default), "SMS_NUMBER_KEY must be set"),
        (dict(sms_public_url="http://intake.example.org/webhooks/sms"), "SMS_PUBLIC_URL must be an https://"),
    ],
)
def test_production_refuses_development_keys_for_the_sms_channel(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        production(**changes).check()


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(twilio_account_sid="", twilio_auth_token="", twilio_from_number=""), "replies through Twilio"),
        (dict(sms_number_key="not-a-fernet-key"), "SMS_NUMBER_KEY should be a Fernet key"),
        (dict(sms_public_url="intake.example.org/sms"), "SMS_PUBLIC_URL should be"),
        (dict(sms_public_url="https://intake.example.org/webhooks/sms?x=1"), "SMS_PUBLIC_URL should be"),
    ],
)
def test_bad_sms_channel_settings_are_refused_in_any_environment(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        production(env="development", **changes).check()


def test_sms_channel_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMS_PUBLIC_URL", "SMS_ID_KEY", "SMS_NUMBER_KEY", "IOP_ENV"):
        monkeypatch.delenv(name, raising=False)
    defaults = settings()
    assert not defaults.sms_channel_configured and "sms_id_key" not in repr(defaults)
    monkeypatch.setenv("SMS_PUBLIC_URL", " https://intake.example.org/webhooks/sms/ ")
    monkeypatch.setenv("SMS_ID_KEY", ID_KEY)
    monkeypatch.setenv("SMS_NUMBER_KEY", NUMBER_KEY)
    current = settings()
    assert (current.sms_public_url, current.sms_id_key, current.sms_number_key) == (PUBLIC, ID_KEY, NUMBER_KEY)
    assert current.sms_channel_configured
    assert ID_KEY not in repr(current) and NUMBER_KEY not in repr(current)
