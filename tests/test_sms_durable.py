"""Durable SMS: a process that dies after acknowledging Twilio loses no text, and running the text again never
answers twice. The real channel on a Sanic server, Rasa's own SQL tracker store, and a stand-in for Rasa's
turn that works in Rasa's order (replies go out during the turn, the tracker is saved at its end). A process
"dies" by having its tasks cancelled mid-turn: nothing after that point of the turn runs, as after kill -9.
A short run against the real `rasa run` killed with SIGKILL is at the end (marked e2e)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, AsyncIterator, Optional

import aiohttp
import pytest
import requests
import sqlalchemy as sa
from alembic import command
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sqlalchemy.exc import OperationalError

from bot.settings import ConfigError
from bot.sms import store
from bot.sms.identity import NumberCipher
from bot.sms.outbox import Attempt, TwilioTransport
from bot.sms.service import SmsService
from bot.sms.twilio_rest import Retry, TwilioConfig
from bot.store import db
from bot.store.models import utcnow
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio, inbound, post_signed, sign
from harness.servers import BIN, ROOT, free_port, newest_model, running_servers, wait_ready
from rasa_edge.channels.sms import EMPTY_TWIML, TEST_TURN_DELAY, SmsChannel
from tests.test_notify import CREATED, CRISIS, TEXT, notifier, row
from tests.test_notify import FakeTwilio as FakePagerHttp
from tests.test_sms_channel import CONVERSATION, ID_KEY, NUMBER, NUMBER_KEY, PUBLIC, Transport, make_service, new_app

LEASE = 60.0


class Died(BaseException):
    """The process stops here (what kill -9 does to a turn): nothing after it in the turn runs."""


@dataclass
class RasaTurn:
    """Rasa's on_new_message, in its order: the user event and the bot's reply join the tracker, the reply
    goes to the output channel during the turn, and the tracker is saved at the end. `die` stops the turn
    before or after the save."""

    tracker_store: TrackerStore
    lock: Optional[asyncio.Lock] = None  # Rasa's lock store: one turn per conversation, across servers
    die: Optional[str] = None  # "before_save" | "after_save"
    hold: Optional[asyncio.Event] = None  # the turn waits for it (a slow turn)
    ran: list[str] = field(default_factory=list)  # MessageSids the turn ran on
    dying: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, message: UserMessage) -> None:
        if self.lock is None:
            await self._turn(message)
        else:
            async with self.lock:
                await self._turn(message)

    async def _turn(self, message: UserMessage) -> None:
        self.ran.append(message.message_id)
        if self.hold is not None:
            await self.hold.wait()
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, {"name": "inform", "confidence": 1.0}, message_id=message.message_id))
        reply = f"Thanks - you said {message.text!r}."
        await message.output_channel.send_response(message.sender_id, {"text": reply})
        tracker.update(BotUttered(reply))
        if self.die == "before_save":
            await self._die()
        await self.tracker_store.save(tracker)
        if self.die == "after_save":
            await self._die()

    async def _die(self) -> None:
        self.dying.set()
        await asyncio.Event().wait()  # until the test cancels it: the process is gone


@dataclass
class Server:
    base: str
    channel: SmsChannel
    service: SmsService
    transport: Transport
    http: aiohttp.ClientSession

    async def text(self, body: str, *, sid: Optional[str] = None) -> tuple[int, str]:
        form = inbound(NUMBER, body, sid=sid)
        headers = {"X-Twilio-Signature": sign(f"{PUBLIC}/webhook", form)}
        async with self.http.post(f"{self.base}/webhook", data=form, headers=headers) as reply:
            return reply.status, await reply.text()


@asynccontextmanager
async def serving(
    db_url: str, bot: RasaTurn, transport: Transport, *, lease: float = LEASE, replay_every: float = 3600
) -> AsyncIterator[Server]:
    """The channel on a server, with an agent whose tracker store is the bot's (as Rasa's app.ctx.agent)."""
    service = make_service(db_url, transport)
    channel = SmsChannel(service, replay_every=replay_every, lease=lease)
    app = new_app()
    app.ctx.agent = SimpleNamespace(tracker_store=bot.tracker_store)
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/sms")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    await server.after_start()
    try:
        async with aiohttp.ClientSession() as http:
            yield Server(f"http://127.0.0.1:{port}/webhooks/sms", channel, service, transport, http)
    finally:
        if channel._sweeper is not None:
            channel._sweeper.cancel()
        server.close()
        await server.wait_closed()


async def die(server: Server) -> None:
    """Kill the process's work where it stands: its turns and sends are cancelled, nothing finishes them.
    Its claims are then made older than the lease (it died a while ago)."""
    tasks = list(server.channel._tasks) + list(server.service.outbox._tasks.values())
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    with db.session_scope(server.service.database_url) as session:
        session.execute(sa.update(store.SmsInbound).values(claimed_at=utcnow() - timedelta(seconds=2 * LEASE)))


async def settle(server: Server, url: str) -> None:
    """Wait until the first look of a started server has finished every pending message, and sent its texts."""
    deadline = time.monotonic() + 20
    while any(r.state == "pending" for r in inbound_rows(url)) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await server.channel.idle()


@pytest.fixture
def url(migrated_db_url: str) -> str:
    return migrated_db_url


@pytest.fixture
def tracker_store(tmp_path: Path) -> SQLTrackerStore:
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))


def inbound_rows(url: str) -> list[store.SmsInbound]:
    with db.session_scope(url) as session:
        return list(session.execute(sa.select(store.SmsInbound).order_by(store.SmsInbound.id)).scalars())


def user_events(tracker_store: TrackerStore, sid: str) -> int:
    async def count() -> int:
        tracker = await tracker_store.retrieve_full_tracker(CONVERSATION)
        return sum(1 for e in tracker.events if isinstance(e, UserUttered) and e.message_id == sid)

    return asyncio.run(count())


def replies(transport: Transport) -> list[str]:
    return [body for body in transport.to(NUMBER) if body.startswith("Thanks")]


# ---------------------------------------------------------------------------------------------------
# (a) Written before the 200; a process that dies mid-turn loses nothing


def test_a_message_is_on_record_before_twilio_is_answered_and_runs_once_after_the_process_dies(
    url: str, tracker_store: SQLTrackerStore
) -> None:
    transport = Transport()
    first = RasaTurn(tracker_store, die="before_save")
    sid = "SM" + "a" * 32

    async def before_the_crash() -> None:
        async with serving(url, first, transport) as server:
            assert await server.text("I have been feeling low", sid=sid) == (200, EMPTY_TWIML)
            await asyncio.wait_for(first.dying.wait(), 10)
            # Twilio has its 200; the bot's reply is written but held: the turn is not stored.
            [pending] = inbound_rows(url)
            assert (pending.message_sid, pending.state, pending.conversation_id) == (sid, "pending", CONVERSATION)
            assert "feeling low" not in (pending.text_encrypted or "")
            assert NumberCipher(NUMBER_KEY).decrypt(pending.text_encrypted) == "I have been feeling low"
            assert [r.status for r in store_rows(url) if r.kind == "bot"] == ["held"]
            await die(server)

    asyncio.run(before_the_crash())
    assert replies(transport) == []

    second = RasaTurn(tracker_store)

    async def after_restart() -> None:
        async with serving(url, second, transport) as server:
            await settle(server, url)

    asyncio.run(after_restart())

    assert second.ran == [sid]
    assert replies(transport) == ["Thanks - you said 'I have been feeling low'."]
    assert user_events(tracker_store, sid) == 1
    [done] = inbound_rows(url)
    assert (done.state, done.text_encrypted, done.attempts) == ("done", None, 2)
    assert all(r.status == "sent" for r in store_rows(url))


def store_rows(url: str) -> list[store.SmsOutbound]:
    with db.session_scope(url) as session:
        return store.outbound(session, conversation_id=CONVERSATION)


def test_a_message_is_marked_done_only_once_its_turn_is_stored(url: str, tracker_store: SQLTrackerStore) -> None:
    transport = Transport()
    states: list[str] = []

    class Watching(RasaTurn):
        async def __call__(self, message: UserMessage) -> None:
            states.append(inbound_rows(url)[0].state)
            await super().__call__(message)
            states.append(inbound_rows(url)[0].state)

    async def scenario() -> None:
        async with serving(url, Watching(tracker_store), transport) as server:
            await server.text("hello")
            await server.channel.idle()

    asyncio.run(scenario())
    assert states == ["pending", "pending"]
    assert inbound_rows(url)[0].state == "done" and len(replies(transport)) == 1


# ---------------------------------------------------------------------------------------------------
# (b) The turn was stored, "done" was not: the replay releases the reply and does not run the turn again


def test_a_replay_after_the_turn_was_stored_does_not_answer_twice(url: str, tracker_store: SQLTrackerStore) -> None:
    transport = Transport()
    first = RasaTurn(tracker_store, die="after_save")
    sid = "SM" + "b" * 32

    async def before_the_crash() -> None:
        async with serving(url, first, transport) as server:
            await server.text("what is an IOP", sid=sid)
            await asyncio.wait_for(first.dying.wait(), 10)
            await die(server)

    asyncio.run(before_the_crash())
    assert user_events(tracker_store, sid) == 1 and inbound_rows(url)[0].state == "pending"

    second = RasaTurn(tracker_store)

    async def after_restart() -> None:
        async with serving(url, second, transport) as server:
            await settle(server, url)
            await server.text("what is an IOP", sid=sid)  # and Twilio's retry of it changes nothing
            await server.channel.idle()

    asyncio.run(after_restart())

    assert second.ran == []
    assert user_events(tracker_store, sid) == 1
    assert replies(transport) == ["Thanks - you said 'what is an IOP'."]
    assert inbound_rows(url)[0].state == "done"


def test_a_live_turn_is_not_replayed_by_another_server_or_its_own(url: str, tracker_store: SQLTrackerStore) -> None:
    transport = Transport()

    async def scenario() -> tuple[int, int]:
        slow = RasaTurn(tracker_store, hold=asyncio.Event())
        async with serving(url, slow, transport, lease=60) as server:
            await server.text("hello")
            other = SmsChannel(make_service(url, transport), lease=60)
            by_other = await other.replay(RasaTurn(tracker_store), SimpleNamespace(tracker_store=tracker_store))
            server.channel.lease = timedelta(0)  # its own look skips what it has in hand, lease or not
            by_itself = await server.channel.replay(slow, SimpleNamespace(tracker_store=tracker_store))
            slow.hold.set()
            await server.channel.idle()
            assert len(slow.ran) == 1
            return by_other, by_itself

    assert asyncio.run(scenario()) == (0, 0)
    assert len(replies(transport)) == 1


# ---------------------------------------------------------------------------------------------------
# (c) Several servers replaying at once: each message runs once


def test_two_servers_replaying_at_once_run_each_message_once(url: str, tracker_store: SQLTrackerStore) -> None:
    transport = Transport()
    dead = RasaTurn(tracker_store, die="before_save")
    sids = [f"SM{i:032d}" for i in range(6)]

    async def before_the_crash() -> None:
        async with serving(url, dead, transport) as server:
            for i, sid in enumerate(sids):
                await server.text(f"message {i}", sid=sid)
            await asyncio.wait_for(dead.dying.wait(), 10)
            await die(server)

    asyncio.run(before_the_crash())
    assert [r.state for r in inbound_rows(url)] == ["pending"] * 6

    async def two_servers() -> list[int]:
        lock_store = asyncio.Lock()
        bots[:] = [RasaTurn(tracker_store, lock=lock_store), RasaTurn(tracker_store, lock=lock_store)]
        channels = [SmsChannel(make_service(url, transport), lease=LEASE) for _ in bots]
        agent = SimpleNamespace(tracker_store=tracker_store)
        claimed = await asyncio.gather(*(c.replay(b, agent) for c, b in zip(channels, bots, strict=True)))
        await asyncio.gather(*(c.idle() for c in channels))
        return list(claimed)

    bots: list[RasaTurn] = []
    claimed = asyncio.run(two_servers())

    assert sum(claimed) == 6
    assert sorted(claimed) == [0, 6]  # one conversation: one server takes all its messages, in order
    assert bots[0].ran + bots[1].ran == sids
    assert replies(transport) == [f"Thanks - you said 'message {i}'." for i in range(6)]
    assert all(user_events(tracker_store, sid) == 1 for sid in sids)
    assert [r.state for r in inbound_rows(url)] == ["done"] * 6


def test_only_one_of_two_claims_on_a_lapsed_message_wins(url: str) -> None:
    with db.session_scope(url) as session:
        row_ = store.record_inbound(session, message_sid="SM" + "c" * 32, conversation_id=CONVERSATION)
        store.for_bot(row_, text_encrypted="x", claimed_by="dead", now=utcnow() - timedelta(minutes=5))
        inbound_id = row_.id
    lapsed = utcnow() - timedelta(minutes=2)
    with db.session_scope(url) as first, db.session_scope(url) as second:
        wins = [store.claim(first, inbound_id=inbound_id, by="a", older_than=lapsed)]
        first.commit()
        wins.append(store.claim(second, inbound_id=inbound_id, by="b", older_than=lapsed))
    assert wins == [True, False] and inbound_rows(url)[0].claimed_by == "a"


# ---------------------------------------------------------------------------------------------------
# (d) The outbox: texts left "sending" by a dead process


@dataclass
class TwilioRecords(Transport):
    """The fake transport, able to list what Twilio accepted (as GET Messages.json does)."""

    listed: int = 0

    def find_sent(self, to: str, body: str, since: datetime) -> Optional[str]:
        self.listed += 1
        return next(
            (sid for number, text, sid, at in self.accepted if number == to and text == body and at >= since), None
        )

    accepted: list[tuple[str, str, str, datetime]] = field(default_factory=list)

    def __call__(self, to: str, body: str) -> Attempt:
        attempt = super().__call__(to, body)
        self.accepted.append((to, body, attempt.sid or "", utcnow()))
        return attempt


def left_sending(url: str, body: str, *, sid: Optional[str] = None, ago: timedelta = timedelta(minutes=5)) -> int:
    """A text a process marked sending `ago`, then died (with Twilio's SID stored when `sid`)."""
    with db.session_scope(url) as session:
        if store.contact(session, conversation_id=CONVERSATION) is None:
            added = store.ensure_contact(
                session, conversation_id=CONVERSATION, number_encrypted=NumberCipher(NUMBER_KEY).encrypt(NUMBER)
            )
            added.notice_sent_at = added.created_at
        text = store.enqueue(session, conversation_id=CONVERSATION, body=body, kind="bot")
        session.execute(
            sa.update(store.SmsOutbound)
            .where(store.SmsOutbound.id == text.id)
            .values(status="sending", twilio_sid=sid, updated_at=utcnow() - ago)
        )
        return text.id


def resume(url: str, transport: Any) -> None:
    async def main() -> None:
        service = make_service(url, transport)
        await service.outbox.resume()
        await service.outbox.idle()

    asyncio.run(main())


def test_a_text_left_sending_with_twilios_sid_is_not_sent_again(url: str) -> None:
    left_sending(url, "Are you seeing anyone for this now?", sid="SM" + "d" * 32)
    transport = TwilioRecords()
    resume(url, transport)
    assert transport.sent == [] and transport.listed == 0
    assert [(r.status, r.twilio_sid) for r in store_rows(url)] == [("sent", "SM" + "d" * 32)]


def test_a_text_left_sending_without_a_sid_is_sent_once_when_twilio_has_no_record_of_it(url: str) -> None:
    left_sending(url, "First text")
    after = left_sending(url, "Second text", ago=timedelta(0))  # never reached: still queued behind the first
    with db.session_scope(url) as session:
        session.execute(sa.update(store.SmsOutbound).where(store.SmsOutbound.id == after).values(status="queued"))
    transport = TwilioRecords()
    resume(url, transport)
    resume(url, transport)  # a second start sends nothing more
    assert transport.sent == [(NUMBER, "First text"), (NUMBER, "Second text")]  # in order
    assert [r.status for r in store_rows(url)] == ["sent", "sent"] and transport.listed == 1


def test_a_text_twilio_accepted_before_the_crash_is_found_there_and_not_sent_again(url: str) -> None:
    transport = TwilioRecords()
    outbound_id = left_sending(url, "Call or text 988 any time.")
    accepted = transport(NUMBER, "Call or text 988 any time.")  # the POST got through; the process died after it
    transport.sent.clear()
    resume(url, transport)
    assert transport.sent == []
    with db.session_scope(url) as session:
        text = session.get(store.SmsOutbound, outbound_id)
        assert (text.status, text.twilio_sid) == ("sent", accepted.sid)


def test_a_text_sending_in_a_live_process_is_left_alone(url: str) -> None:
    left_sending(url, "In flight", ago=timedelta(seconds=5))
    transport = TwilioRecords()
    resume(url, transport)
    assert transport.sent == [] and [r.status for r in store_rows(url)] == ["sending"]


def test_twilio_is_asked_through_its_messages_list(url: str) -> None:
    """The real transport against the fake Twilio: GET Messages.json?To=&From= finds what was accepted."""
    with FakeTwilio().serving() as twilio:
        config = TwilioConfig(ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, twilio.url)
        transport = TwilioTransport(
            config,
            status_callback=f"{PUBLIC}/status",
            http=requests.Session(),
            sleep=lambda _: None,
            retry=Retry(attempts=1),
        )
        found = left_sending(url, "Found at Twilio")
        accepted = transport(NUMBER, "Found at Twilio")
        missing = left_sending(url, "Never reached Twilio")
        resume(url, transport)
        assert twilio.listed == 2
        assert twilio.to(NUMBER) == ["Found at Twilio", "Never reached Twilio"]
    with db.session_scope(url) as session:
        assert session.get(store.SmsOutbound, found).twilio_sid == accepted.sid
        assert session.get(store.SmsOutbound, missing).status == "sent"


def test_when_twilio_cannot_be_asked_the_text_is_sent_again(url: str) -> None:
    config = TwilioConfig(ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, f"http://127.0.0.1:{free_port()}")  # nobody there
    sent: list[str] = []

    class Unlistable(TwilioTransport):
        def __call__(self, to: str, body: str) -> Attempt:
            sent.append(body)
            return Attempt(True, 1, "SM" + "e" * 32, None, 201)

    left_sending(url, "Is this a good time?")
    resume(url, Unlistable(config, status_callback=None, http=requests.Session()))
    assert sent == ["Is this a good time?"]


def test_two_processes_never_send_the_same_queued_text(url: str) -> None:
    with db.session_scope(url) as session:
        added = store.ensure_contact(
            session, conversation_id=CONVERSATION, number_encrypted=NumberCipher(NUMBER_KEY).encrypt(NUMBER)
        )
        added.notice_sent_at = added.created_at
        for i in range(10):
            store.enqueue(session, conversation_id=CONVERSATION, body=f"text {i}", kind="bot")
    transport = Transport(delay=0.01)

    async def two() -> None:
        services = [make_service(url, transport), make_service(url, transport)]
        await asyncio.gather(*(s.outbox.resume() for s in services))
        for _ in range(3):  # each wakes the other's conversation as new texts would
            for s in services:
                s.outbox.wake(CONVERSATION)
            await asyncio.gather(*(s.outbox.idle() for s in services))

    asyncio.run(two())
    assert [body for _, body in transport.sent] == [f"text {i}" for i in range(10)]


# ---------------------------------------------------------------------------------------------------
# (e) Delivery reports: committed before the 2xx


def test_a_delivery_report_that_cannot_be_recorded_gets_a_5xx_and_its_retry_is_recorded(
    url: str, tracker_store: SQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = Transport()
    original = store.update_status

    def database_down(*args: Any, **kwargs: Any) -> bool:
        raise OperationalError("UPDATE sms_outbound", {}, Exception("database is locked"))

    async def scenario() -> list[int]:
        async with serving(url, RasaTurn(tracker_store), transport) as server:
            await server.text("hi")
            await server.channel.idle()
            sid = store_rows(url)[0].twilio_sid
            form = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
            headers = {"X-Twilio-Signature": sign(f"{PUBLIC}/status", form)}
            statuses = []
            for broken in (True, False):
                monkeypatch.setattr(store, "update_status", database_down if broken else original)
                async with server.http.post(f"{server.base}/status", data=form, headers=headers) as reply:
                    statuses.append(reply.status)
            return statuses

    assert asyncio.run(scenario()) == [500, 204]
    assert store_rows(url)[0].status == "delivered"


# ---------------------------------------------------------------------------------------------------
# Escalation pages: a round cut off by a crash is paged again by the next pass


def test_a_page_round_cut_off_by_a_crash_is_sent_by_the_next_pass(migrated_db_url: str) -> None:
    class Crash(Exception):
        """Not a network error: nothing catches it, nothing after it runs (the process is gone)."""

    http = FakePagerHttp(Crash())
    paging = notifier(migrated_db_url, http)
    escalation_id = paging.open_escalation(conversation_id="web-7f3c9a1e2b", trigger=CRISIS, trigger_text=TEXT)
    with pytest.raises(Crash):
        paging.page(escalation_id)
    assert row(migrated_db_url, escalation_id).notified_at is None  # the process died before recording it

    http.replies = [CREATED]
    later = notifier(migrated_db_url, http)  # a new process, a minute and more later
    rounds = later.notify_due(now=row(migrated_db_url, escalation_id).last_attempt_at + timedelta(minutes=2))
    assert [(r.escalation_id, r.sent) for r in rounds] == [(escalation_id, 1)]
    assert row(migrated_db_url, escalation_id).notified_at is not None


# ---------------------------------------------------------------------------------------------------
# Migration 0010


def test_migration_0010_goes_down_and_up_and_a_held_text_is_queued_rather_than_lost(db_url: str) -> None:
    db.upgrade(db_url)
    with db.session_scope(db_url) as session:
        store.enqueue(session, conversation_id=CONVERSATION, body="Held", kind="bot", turn_sid="SM" + "9" * 32)
    config, engine = db.alembic_config(), db.make_engine(db_url, migrating=True)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
            columns = {c["name"] for c in sa.inspect(connection).get_columns("sms_inbound")}
            statuses = connection.execute(sa.text("SELECT status FROM sms_outbound")).scalars().all()
    finally:
        engine.dispose()
    assert "state" not in columns and statuses == ["queued"]
    db.upgrade(db_url)
    assert [r.status for r in store_rows(db_url)] == ["queued"]


# ---------------------------------------------------------------------------------------------------
# The test-only delay


def test_the_test_only_turn_delay_is_refused_outside_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEST_TURN_DELAY, "5")
    monkeypatch.setenv("IOP_ENV", "development")
    with pytest.raises(ConfigError, match=TEST_TURN_DELAY):
        SmsChannel(None)
    monkeypatch.setenv("IOP_ENV", "test")
    assert SmsChannel(None).turn_delay == 5.0


# ---------------------------------------------------------------------------------------------------
# The real server, killed with SIGKILL right after Twilio's 200


MODEL = newest_model()


@pytest.mark.e2e
@pytest.mark.skipif(MODEL is None, reason="no trained model (scripts/train)")
def test_rasa_killed_after_the_200_answers_once_after_a_restart(tmp_path: Path) -> None:
    env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "SMS_PUBLIC_URL": PUBLIC,
        "SMS_ID_KEY": ID_KEY,
        "SMS_NUMBER_KEY": NUMBER_KEY,
        TEST_TURN_DELAY: "30",
    }
    with FakeTwilio().serving() as twilio:
        env["TWILIO_API_URL"] = twilio.url
        with running_servers(tmp_path, MODEL, extra_env=env) as servers:
            webhook = f"{servers.rasa_url}/webhooks/sms/webhook"
            form = inbound(NUMBER, "hi", sid="SM" + "f" * 32)
            reply = post_signed(requests.Session(), webhook, f"{PUBLIC}/webhook", form)
            assert (reply.status_code, reply.text) == (200, EMPTY_TWIML)
            assert twilio.to(NUMBER) == []  # the turn is waiting out the delay: nothing sent yet
            rasa = restart_rasa_killed(servers, tmp_path)  # with a lease of 1 s: it replays at once
            try:
                deadline = time.monotonic() + 45
                while time.monotonic() < deadline and not twilio.to(NUMBER):
                    time.sleep(0.5)
                time.sleep(2)  # anything sent twice would be out by now
            finally:
                os.killpg(rasa.pid, signal.SIGTERM)
                rasa.wait(timeout=20)
        texts = twilio.to(NUMBER)
    with db.session_scope(servers.env["DATABASE_URL"]) as session:
        [message] = session.execute(sa.select(store.SmsInbound)).scalars().all()
        bot_texts = [r.body for r in store.outbound(session, conversation_id=CONVERSATION) if r.kind == "bot"]
    assert message.state == "done" and message.attempts == 2
    assert bot_texts and texts[: len(bot_texts)] == bot_texts  # the bot's answer, once, then the opt-out notice
    assert len(texts) == len(set(texts))


def restart_rasa_killed(servers: Any, workdir: Path) -> subprocess.Popen:
    """SIGKILL the Rasa server running `servers` (its turn is waiting out the test delay), and start it again
    without the delay; the caller stops it."""
    port = servers.rasa_url.rsplit(":", 1)[1]
    # The process running_servers started for this test, found by its own port (it keeps no handle to it).
    found = subprocess.run(
        ["pgrep", "-f", "--", f"rasa run .*--port {port}"], capture_output=True, text=True, check=True
    )
    os.kill(int(found.stdout.split()[0]), signal.SIGKILL)
    env = {k: v for k, v in servers.env.items() if k != TEST_TURN_DELAY}
    credentials = workdir / "credentials.yml"
    credentials.write_text(
        (ROOT / "credentials.yml")
        .read_text()
        .replace(
            "rasa_edge.channels.sms.SmsChannel:\n",
            "rasa_edge.channels.sms.SmsChannel:\n  lease: 1\n  replay_every: 1\n",
        )
    )
    log = workdir / "rasa-restarted.log"
    proc = subprocess.Popen(
        [
            str(BIN / "rasa"),
            "run",
            "--model",
            str(MODEL),
            "--interface",
            "127.0.0.1",
            "--port",
            port,
            "--enable-api",
            "--auth-token",
            servers.token,
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            str(credentials),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_ready(f"{servers.rasa_url}/status?token={servers.token}", proc, 240, log)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return proc
