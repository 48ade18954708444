"""Several Rasa servers sharing the load (`make run-cluster`): two real `rasa run` servers on one PostgreSQL
tracker store with Rasa's Redis lock store and RabbitMQ event broker (endpoints.cluster.yml), the action
server and the worker. A conversation whose messages alternate between the servers follows on, and a crisis
message in a paused conversation reaches the worker through RabbitMQ and pages once, even when a worker dies
half-way through it. Skipped, saying why, without PostgreSQL, Redis or RabbitMQ; started once per module."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator, Optional

import aio_pika
import pytest
import rasa.shared.core.events  # noqa: F401 (Rasa's pika broker uses it without importing it)
import sqlalchemy as sa
from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from bot.handoff import RasaApi, send_crisis_lines
from bot.notify import Contacts, Notifier
from bot.safety.escalation import Policy
from bot.settings import settings
from bot.store import crud
from bot.store.db import session_scope
from bot.store.models import Answer, Escalation, EscalationMessage, Screening
from harness.conversation import LIKELY_FIT, texts
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio
from harness.servers import BIN, ROOT, Servers, conversation, free_port, newest_model, stop, wait_ready
from harness.widget_socket import open_tab
from rasa_edge.event_broker import RealertBroker
from rasa_edge.event_queue import RealertConsumer
from rasa_edge.tracker_store import UrlSQLTrackerStore
from tests.conftest import _postgres_unavailable, _postgres_url, _schema_sql
from tests.test_notify import CREATED, sms
from tests.test_notify import FakeTwilio as FakeTwilioClient
from tests.test_tracker_store import _texts, _turn

pytestmark = pytest.mark.e2e

REDIS = ("127.0.0.1", int(os.environ.get("TEST_REDIS_PORT", "6379")))
RABBITMQ = ("127.0.0.1", int(os.environ.get("TEST_RABBITMQ_PORT", "5672")))
ON_CALL, BACKUP = "+15035550101", "+15035550102"
TOKEN = "cluster-test-token"


def _unreachable(name: str, address: tuple[str, int]) -> Optional[str]:
    try:
        socket.create_connection(address, timeout=3).close()
    except OSError as error:
        return f"{name} not reachable at {address[0]}:{address[1]} ({type(error).__name__})"
    return None


def services_missing() -> Optional[str]:
    return _postgres_unavailable() or _unreachable("Redis", REDIS) or _unreachable("RabbitMQ", RABBITMQ)


def drop_queue(queue: str, exchange: str) -> None:
    async def drop() -> None:
        connection = await aio_pika.connect(host=RABBITMQ[0], port=RABBITMQ[1], login="guest", password="guest")
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)
            await channel.exchange_delete(exchange)

    asyncio.run(drop())


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    _schema_sql(f"CREATE SCHEMA {schema}")
    try:
        yield _postgres_url(schema)
    finally:
        _schema_sql(f"DROP SCHEMA {schema} CASCADE")


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


class Cluster:
    def __init__(self, servers: list[Servers], twilio: FakeTwilio, env: dict) -> None:
        self.servers = servers
        self.twilio = twilio
        self.env = env

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    missing = services_missing()
    if missing:
        pytest.skip(f"the cluster tests need PostgreSQL, Redis and RabbitMQ: {missing}")
    model = newest_model()
    if model is None:
        pytest.fail("no trained model: run the tests through `make test`, which trains it")
    workdir = tmp_path_factory.mktemp("cluster")
    run = uuid.uuid4().hex[:10]
    queue = f"test_cluster_{run}"
    with ExitStack() as stack:
        app_url = stack.enter_context(postgres_schema("cluster_app"))
        tracker_url = stack.enter_context(postgres_schema("cluster_tracker"))
        twilio = stack.enter_context(FakeTwilio().serving())
        stack.callback(drop_queue, queue, queue)
        ports = [free_port(), free_port()]
        actions_port = free_port()
        env = {
            **os.environ,
            "IOP_ENV": "test",
            "DATABASE_URL": app_url,
            "TRACKER_STORE_URL": tracker_url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
            "ACTIONS_PORT": str(actions_port),
            "ACTION_SERVER_TOKEN": "cluster-action-server-token",
            "RATE_LIMIT_PER_CONVERSATION": "100000",
            "RATE_LIMIT_PER_ADDRESS": "100000",
            "RASA_AUTH_TOKEN": TOKEN,
            "RASA_URL": f"http://127.0.0.1:{ports[0]}",  # the worker's crisis lines (HAProxy in make run-cluster)
            "REDIS_HOST": REDIS[0],
            "REDIS_PORT": str(REDIS[1]),
            "REDIS_DB": "1",
            "LOCK_KEY_PREFIX": f"test{run}",
            "WIDGET_REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/1",
            "RABBITMQ_HOST": RABBITMQ[0],
            "RABBITMQ_PORT": str(RABBITMQ[1]),
            "RABBITMQ_USERNAME": "guest",
            "RABBITMQ_PASSWORD": "guest",
            "EVENTS_QUEUE": queue,
            "EVENTS_EXCHANGE": queue,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_API_URL": twilio.url,
            "ESCALATION_ON_CALL_NUMBERS": ON_CALL,
            "ESCALATION_BACKUP_NUMBER": BACKUP,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_TELEMETRY_ENABLED": "false",
        }
        subprocess.run([str(BIN / "iop-intake"), "db", "upgrade"], env=env, cwd=ROOT, check=True)
        procs: list[subprocess.Popen] = []
        stack.callback(stop, procs)
        procs.append(start([str(BIN / "iop-intake"), "actions"], env, workdir / "actions.log"))
        for i, port in enumerate(ports):
            procs.append(
                start(
                    [
                        str(BIN / "rasa"),
                        "run",
                        "--model",
                        str(model),
                        "--interface",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--enable-api",
                        "--auth-token",
                        TOKEN,
                        "--endpoints",
                        "endpoints.cluster.yml",
                        "--credentials",
                        "credentials.yml",
                    ],
                    env,
                    workdir / f"rasa{i + 1}.log",
                )
            )
        procs.append(start([str(BIN / "iop-intake"), "worker", "--interval", "3600"], env, workdir / "worker.log"))
        wait_ready(f"http://127.0.0.1:{actions_port}/health", procs[0], 120, workdir / "actions.log")
        for i, port in enumerate(ports):
            wait_ready(f"http://127.0.0.1:{port}/status?token={TOKEN}", procs[1 + i], 300, workdir / f"rasa{i + 1}.log")
        yield Cluster([Servers(f"http://127.0.0.1:{port}", TOKEN, env) for port in ports], twilio, env)


def eventually(check: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


# ---------------------------------------------------------------------------------------------------
# The tracker store's memory with several writers (no servers needed)


def test_a_conversation_forgotten_then_begun_again_elsewhere_is_read_afresh(db_url: str) -> None:
    mine = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url)
    other = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url)  # another Rasa server
    _turn(mine, "conv-again", "before")
    _turn(mine, "conv-again", "still before")  # kept in memory here: five rows
    with mine.session_scope() as session:  # `iop-intake forget`, from another process
        session.execute(sa.delete(mine.SQLEvent).where(mine.SQLEvent.sender_id == "conv-again"))
        session.commit()
    _turn(other, "conv-again", "after")
    _turn(other, "conv-again", "still after")  # begun again there, with as many rows
    assert _texts(asyncio.run(mine.retrieve("conv-again"))) == ["after", "got after", "still after", "got still after"]
    mine.engine.dispose()
    other.engine.dispose()


def test_a_conversation_last_written_here_is_not_read_back_from_sql(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url)
    _turn(store, "conv-kept", "one")
    _turn(store, "conv-kept", "two")

    async def no_sql(self: SQLTrackerStore, sender_id: str) -> None:
        raise AssertionError("read back from SQL")

    monkeypatch.setattr(SQLTrackerStore, "retrieve", no_sql)
    _turn(store, "conv-kept", "three")
    assert _texts(asyncio.run(store.retrieve("conv-kept")))[-2:] == ["three", "got three"]
    store.engine.dispose()


# ---------------------------------------------------------------------------------------------------
# One conversation, two servers


def test_a_conversation_alternating_between_two_servers_follows_on(cluster: Cluster) -> None:
    sender = "cluster-alternate"
    first, second = cluster.servers
    assert "Riverbend" in texts(first.send(sender, "hi"))
    asked: list[str] = []
    for turn in range(16):  # consent to the PHQ-9's first questions: each message on the other server
        here, there = (second, first) if turn % 2 == 0 else (first, second)
        key = there.requested(sender)  # what the other server last stored is what this one sees
        assert key is not None and key not in asked, f"question {key!r} asked again after {asked}"
        asked.append(key)
        reply = texts(here.send(sender, LIKELY_FIT[key]))
        assert reply, f"no reply to the answer to {key!r}"
    assert asked[:7] == ["consent", "for_whom", "first_name", "age", "state", "concerns_text", "current_care"]
    assert asked[7:9] == ["phq9_1", "phq9_2"]
    with session_scope(cluster.database_url) as session:
        screening = crud.latest_screening(session, conversation_id=conversation(sender))
        assert screening is not None
        stored = session.execute(
            sa.select(Answer.question_key, Answer.raw_text).where(Answer.screening_id == screening.id)
        ).all()
    keys = [key for key, _ in stored]
    assert len(keys) == len(set(keys))  # once each
    assert {"age", "state", "phq9_1", "phq9_2"} <= set(keys) <= set(asked)
    assert all(raw == LIKELY_FIT[key] for key, raw in stored)
    # Every message is in the transcript once, whichever server stored it.
    said = [e["text"] for e in first.tracker(sender)["events"] if e["event"] == "user"]
    assert said == ["hi"] + [LIKELY_FIT[key] for key in asked]


def test_the_screening_rows_are_one_per_conversation(cluster: Cluster) -> None:
    with session_scope(cluster.database_url) as session:
        counts = session.execute(
            sa.select(Screening.conversation_id, sa.func.count()).group_by(Screening.conversation_id)
        ).all()
    assert counts and all(count == 1 for _, count in counts)


# ---------------------------------------------------------------------------------------------------
# The widget: a message sent through one server reaches a socket held by the other


def test_crisis_lines_sent_through_one_server_reach_a_widget_connected_to_the_other(cluster: Cluster) -> None:
    first, second = cluster.servers

    async def scenario() -> dict:
        async with open_tab(first.rasa_url) as tab:
            session_id, _ = await tab.session()
            await tab.say(session_id, "hi")
            await tab.quiet()
            # As the worker or a staff reply does it: through Rasa's API, on whichever server takes the call.
            await asyncio.to_thread(
                send_crisis_lines, session_id, "Call or text 988 now.", rasa=RasaApi(second.rasa_url, second.token)
            )
            return (await tab.next("bot_uttered", 30))[0]

    assert asyncio.run(scenario())["text"] == "Call or text 988 now."


# ---------------------------------------------------------------------------------------------------
# Re-alerts through RabbitMQ, in the worker


def test_a_crisis_while_paused_pages_once_from_the_worker_through_rabbitmq(cluster: Cluster) -> None:
    sender = "cluster-paused"
    first, second = cluster.servers
    first.send(sender, "hi")
    second.send(sender, "yes")
    first.send(sender, "for myself")
    assert "503-555-0100" in texts(second.send(sender, "can I talk to a real person"))  # a handoff: no page
    assert first.tracker(sender)["paused"] is True and cluster.twilio.to(ON_CALL) == []
    # Paused: Rasa runs no action, so nothing answers this but the worker, fed by RabbitMQ.
    assert second.send(sender, "I want to kill myself") == []
    assert eventually(lambda: len(cluster.twilio.to(ON_CALL)) == 1), "on-call was not paged"
    with session_scope(cluster.database_url) as session:
        rows = [e for e in crud.list_escalations(session) if e.conversation_id == conversation(sender)]
    assert [(e.severity, e.source, e.trigger_text) for e in rows] == [("high", "message", "I want to kill myself")]

    # The crisis lines again, through the events API, as the assistant, after the message.
    def crisis_lines_after() -> bool:
        events = first.tracker(sender)["events"]
        said = max(i for i, e in enumerate(events) if e["event"] == "user" and e.get("text") == "I want to kill myself")
        return any(
            e["event"] == "bot"
            and "988" in (e.get("text") or "")
            and (e.get("metadata") or {}).get("assistant") == "crisis"
            for e in events[said + 1 :]
        )

    assert eventually(crisis_lines_after)
    time.sleep(2)
    assert len(cluster.twilio.to(ON_CALL)) == 1  # once
    assert "kill" not in cluster.twilio.to(ON_CALL)[0].lower()  # no health information in the page


# ---------------------------------------------------------------------------------------------------
# A worker that dies half-way: the message comes back and is handled once


def crisis_event(conversation_id: str, text: str, at: datetime) -> dict:
    return {
        "sender_id": conversation_id,
        "event": "user",
        "text": text,
        "timestamp": at.timestamp(),
        "parse_data": {
            "intent": {"name": "crisis", "confidence": 1.0},
            "text": text,
            "crisis": {"category": "suicidal_ideation"},
        },
        "metadata": {},
    }


def publish_as_rasa(event: dict, queue: str) -> None:
    """Through Rasa's own pika broker, as the Rasa servers publish."""

    async def run() -> None:
        broker = PikaEventBroker(
            RABBITMQ[0], "guest", "guest", port=RABBITMQ[1], queues=[queue], exchange_name=queue, connection_attempts=1
        )
        await broker.connect()
        broker.publish(event)
        for _ in range(50):
            await asyncio.sleep(0.05)
            if not broker._background_tasks:  # published
                break
        await broker.close()

    asyncio.run(run())


def test_a_worker_killed_mid_event_gets_it_again_and_pages_and_records_once(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = _unreachable("RabbitMQ", RABBITMQ)
    if missing:
        pytest.skip(f"the re-alert consumer needs RabbitMQ: {missing}")
    queue = f"test_realert_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("EVENTS_QUEUE", queue)
    monkeypatch.setenv("EVENTS_EXCHANGE", queue)
    current = settings()
    conversation_id = "web-" + "c" * 32
    with session_scope(database) as session:
        crud.open_handoff(
            session,
            conversation_id=conversation_id,
            reason="request",
            now=datetime.now(timezone.utc) - timedelta(minutes=1),
        )
    twilio = FakeTwilioClient(CREATED)
    notifier = Notifier(
        database,
        sms=sms(twilio),
        contacts=Contacts((ON_CALL,), (BACKUP,)),
        policy=Policy(timedelta(minutes=10), timedelta(minutes=60)),
    )
    reminded: list[str] = []
    died = threading.Event()

    def dies_while_replying(conversation: str, text: str) -> None:
        # The page went out; the worker dies before it acknowledges the message.
        first.close()
        assert eventually(lambda: not first.ready.is_set(), timeout=10)
        died.set()

    first = RealertConsumer(
        RealertBroker(notifier, pager=lambda page, e: page(e), reminder=dies_while_replying), current, retry_seconds=0.2
    )
    second = RealertConsumer(
        RealertBroker(
            notifier, pager=lambda page, e: page(e), reminder=lambda conversation, text: reminded.append(text)
        ),
        current,
        retry_seconds=0.2,
    )
    try:
        first.start()
        assert first.ready.wait(10)
        publish_as_rasa(
            crisis_event(conversation_id, "I am going to end it tonight", datetime.now(timezone.utc)), queue
        )
        assert died.wait(20)
        second.start()
        assert eventually(lambda: len(reminded) == 1, timeout=20)
    finally:
        first.close()
        second.close()
        drop_queue(queue, queue)
    assert len([call for call in twilio.calls if call.data.get("To") == ON_CALL]) == 1  # paged once
    with session_scope(database) as session:
        rows = list(session.execute(sa.select(Escalation.trigger_text)).scalars())
        joined = session.execute(sa.select(sa.func.count()).select_from(EscalationMessage)).scalar_one()
    assert rows == ["I am going to end it tonight"] and joined == 0  # recorded once
    assert "988" in reminded[0]  # the crisis lines: sent again rather than never
