"""Faults under load on the cluster: participants on REST, the widget and SMS answer a screening through HAProxy
while one Rasa server is killed with SIGKILL, then the action server and the worker; scripts/cluster starts
each again, as a supervisor would. Some participants write a crisis message half-way.

A participant whose message fails (an error, a dropped socket, no reply) does what a person would: waits, looks
at where the conversation stands (the question the bot is waiting for) and answers that. Afterwards the
participants' own logs are checked against the database and the trackers:

- every answer a participant sent and got a reply to is stored, once, with the text they sent, and nothing they
  never answered is stored;
- each crisis message made one escalation, paged once; no other conversation made one;
- every text Twilio had acknowledged got its reply, and no text's turn ran twice (its MessageSid is in the
  tracker once).

    .venv/bin/python -m bench.faults [--participants 10] [--kill-at 0.25 0.6]

Needs what `make run-cluster` needs (PostgreSQL, Redis, RabbitMQ, haproxy); uses the databases iop_faults and
iop_faults_tracker. Twilio is a local stand-in. Prints the figures and writes bench/out/faults.json; exits 1
when a check fails. tests/test_faults.py runs a short version.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
import uuid
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional, Protocol, Sequence

import aiohttp
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bench.cluster import OUT, cluster
from bench.procs import Role, find
from bot.channels.access import rest_conversation_id
from bot.messages import ACTION_FAILED
from bot.screening import QUESTIONS
from bot.sms import store as sms_store
from bot.sms.identity import pseudonym
from bot.store.db import session_scope
from bot.store.models import Answer, Escalation, Screening
from harness.conversation import LIKELY_FIT
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio, inbound, sign
from harness.servers import ROOT
from harness.widget_socket import Tab, open_tab

CHANNELS = ("rest", "widget", "sms")
CRISIS = "I can't do this anymore, I'm going to kill myself tonight"
ON_CALL = "+15035550101"
SMS_PUBLIC = "https://intake.example.org/webhooks/sms"
SMS_ID_KEY = "bench-faults-sms-id-key-" + "x" * 16
REPLY_TIMEOUT_S = 90.0  # a turn queued behind a dead server's lock (TICKET_LOCK_LIFETIME) still answers
SMS_REPLY_TIMEOUT_S = 120.0  # a text a dead server acknowledged waits out its lease (SMS_LEASE_S) elsewhere
SMS_LEASE_S = 10
GIVE_UP_AFTER = 40  # failed turns in a row before a participant stops (reported as a failure)


@dataclass
class Turn:
    key: Optional[str]  # the question answered; None for the greeting and the crisis message
    text: str
    replied: bool
    acknowledged: bool = True  # SMS: Twilio got a 200 (REST and widget: the request was made)
    sid: str = ""  # SMS: the MessageSid
    apology: bool = False  # the bot said it missed the message (the action server unreachable): sent again


@dataclass
class Log:
    name: str
    channel: str
    crisis_at: Optional[int]  # the question (index in the channel's order) answered with CRISIS instead
    conversation_id: str = ""
    turns: list[Turn] = field(default_factory=list)
    failures: int = 0
    longest_outage_s: float = 0.0  # from a failed turn to the next reply
    finished: bool = False
    gave_up: str = ""


class Channel(Protocol):
    conversation_id: str

    async def say(self, text: str, turn: Turn) -> bool: ...

    async def pending(self) -> Optional[str]: ...

    async def recover(self) -> None: ...


class Rasa:
    """What every channel shares: the front's address and the tracker through Rasa's API."""

    def __init__(self, http: aiohttp.ClientSession, front: str, token: str) -> None:
        self.http, self.front, self.token = http, front, token

    async def pending(self, conversation_id: str) -> Optional[str]:
        """The question the bot waits for (None outside the screening form); raises while it cannot tell."""
        async with self.http.get(
            f"{self.front}/conversations/{conversation_id}/tracker", params={"token": self.token}
        ) as response:
            response.raise_for_status()
            tracker = await response.json()
        if not (tracker.get("active_loop") or {}).get("name"):
            return None
        return tracker["slots"].get("requested_slot")

    async def user_message_ids(self, conversation_id: str) -> list[str]:
        async with self.http.get(
            f"{self.front}/conversations/{conversation_id}/tracker",
            params={"token": self.token, "include_events": "ALL"},
        ) as response:
            response.raise_for_status()
            tracker = await response.json()
        return [event.get("message_id") or "" for event in tracker["events"] if event["event"] == "user"]


class Rest:
    def __init__(self, rasa: Rasa, sender: str) -> None:
        self.rasa, self.sender = rasa, sender
        self.conversation_id = rest_conversation_id(sender) or ""

    async def say(self, text: str, turn: Turn) -> bool:
        try:
            async with self.rasa.http.post(
                f"{self.rasa.front}/webhooks/rest/webhook",
                json={"sender": self.sender, "message": text},
                timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S),
            ) as response:
                if response.status != 200:
                    return False
                replies = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False
        return answered([reply.get("text") or "" for reply in replies], turn)

    async def pending(self) -> Optional[str]:
        return await self.rasa.pending(self.conversation_id)

    async def recover(self) -> None:
        pass


class Widget:
    """A browser tab. It keeps its session id across reconnections, as widget.js does in session storage,
    and HAProxy's stickiness cookie (half the tabs on each server)."""

    def __init__(self, rasa: Rasa, server: int) -> None:
        self.rasa, self.cookie = rasa, f"IOPRASA=r{server}"
        self.conversation_id = ""
        self.stack: Optional[AsyncExitStack] = None
        self.tab: Optional[Tab] = None

    async def _open(self) -> None:
        self.stack = AsyncExitStack()
        self.tab = await self.stack.enter_async_context(open_tab(self.rasa.front, cookie=self.cookie))
        session_id, _ = await self.tab.session(self.conversation_id or None)
        self.conversation_id = session_id

    async def recover(self) -> None:
        await self.close()
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while True:
            try:
                await self._open()
                return
            except Exception:  # noqa: BLE001 (any failure to connect: try again, as widget.js does)
                await self.close()
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(2)

    async def close(self) -> None:
        if self.stack is not None:
            try:
                await self.stack.aclose()
            except Exception:  # noqa: BLE001 (a socket the server dropped may fail to close cleanly)
                pass
        self.stack = self.tab = None

    async def say(self, text: str, turn: Turn) -> bool:
        if self.tab is None or not self.tab.connected:
            return False
        try:
            await self.tab.emit("user_uttered", {"message": text, "session_id": self.conversation_id})
            [first] = await self.tab.next("bot_uttered", REPLY_TIMEOUT_S)
            await self.tab.quiet(1.0)  # the turn's other messages, so they are not taken for the next reply
        except Exception:  # noqa: BLE001 (a closed socket or no reply: the turn failed, as a person would see)
            return False
        return answered([first.get("text") or ""], turn)

    async def pending(self) -> Optional[str]:
        return await self.rasa.pending(self.conversation_id)


class Sms:
    """A phone: texts go to the front as Twilio posts them; replies are what reached the local Twilio."""

    def __init__(self, rasa: Rasa, twilio: FakeTwilio, number: str) -> None:
        self.rasa, self.twilio, self.number = rasa, twilio, number
        self.conversation_id = pseudonym(number, SMS_ID_KEY)

    async def say(self, text: str, turn: Turn) -> bool:
        before = len(self.twilio.to(self.number))
        form = inbound(self.number, text)
        turn.sid = form["MessageSid"]
        try:
            async with self.rasa.http.post(
                f"{self.rasa.front}/webhooks/sms/webhook",
                data=form,
                headers={"X-Twilio-Signature": sign(f"{SMS_PUBLIC}/webhook", form)},
                timeout=aiohttp.ClientTimeout(total=30),
            ) as response:
                turn.acknowledged = response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            turn.acknowledged = False
        if not turn.acknowledged:
            return False  # Twilio does not retry a failed webhook: the person sends it again
        deadline = time.monotonic() + SMS_REPLY_TIMEOUT_S
        while len(self.twilio.to(self.number)) == before:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.3)
        await asyncio.sleep(1.0)  # the rest of the turn's texts
        return answered(self.twilio.to(self.number)[before:], turn)

    async def pending(self) -> Optional[str]:
        return await self.rasa.pending(self.conversation_id)

    async def recover(self) -> None:
        pass


def answered(texts: Sequence[str], turn: Turn) -> bool:
    """Whether the bot's texts for a turn answer it: not nothing, and not its apology when the action server
    could not be reached (bot/routing.py), which asks the person to send the message again."""
    turn.apology = any(ACTION_FAILED in text for text in texts)
    return any(texts) and not turn.apology


GREETING = "<greeting>"


async def learn_order(channel: Channel) -> list[str]:
    """The questions in the order the bot asks them on this channel, by one participant who checks the
    tracker after every reply (the load's participants do not: they know the order)."""
    await channel.recover()
    order: list[str] = []
    if not await channel.say("hi", Turn(None, "hi", False)):
        raise RuntimeError("the greeting got no reply")
    while (key := await channel.pending()) is not None:
        if order.count(key) > 1:
            raise RuntimeError(f"the bot asked {key!r} again: {order}")
        order.append(key)
        if not await channel.say(LIKELY_FIT[key], Turn(key, LIKELY_FIT[key], False)):
            raise RuntimeError(f"no reply to the answer to {key!r}")
    return order


async def participate(log: Log, channel: Channel, order: Sequence[str], progress: Counter) -> None:
    """One screening, resuming where the conversation stands after a failed turn."""
    await channel.recover()
    log.conversation_id = channel.conversation_id
    pending: Optional[str] = GREETING
    failed_since: Optional[float] = None
    failures_in_a_row = 0
    while pending is not None:
        crisis = pending != GREETING and log.crisis_at is not None and order.index(pending) == log.crisis_at
        key = None if pending == GREETING or crisis else pending
        text = "hi" if pending == GREETING else CRISIS if crisis else LIKELY_FIT[pending]
        turn = Turn(key, text, False)
        turn.replied = await channel.say(text, turn)
        log.turns.append(turn)
        progress["sent"] += 1
        if turn.replied:
            progress["replied"] += 1
            failures_in_a_row = 0
            if failed_since is not None:
                log.longest_outage_s = max(log.longest_outage_s, time.monotonic() - failed_since)
                failed_since = None
            if crisis:
                break  # the crisis lines and a person now: this participant's screening ends here
            position = -1 if pending == GREETING else order.index(pending)
            pending = order[position + 1] if position + 1 < len(order) else None
            continue
        log.failures += 1
        failures_in_a_row += 1
        failed_since = failed_since or time.monotonic()
        if failures_in_a_row >= GIVE_UP_AFTER:
            log.gave_up = f"{failures_in_a_row} failed turns in a row at {pending}"
            return
        pending = await resume_point(channel, pending, crisis, order[-1])
    log.finished = True


async def resume_point(channel: Channel, pending: str, crisis: bool, last: str) -> Optional[str]:
    """Where to go on after a failed turn: wait, reconnect if need be, and read the question the bot waits
    for twice, 2 s apart, so a turn still running elsewhere is not answered over."""
    while True:
        await asyncio.sleep(3)
        try:
            await channel.recover()
            first = await channel.pending()
            await asyncio.sleep(2)
            if await channel.pending() != first:
                continue
        except Exception:  # noqa: BLE001 (the front may be unreachable for a moment: look again)
            continue
        if first is not None:
            return first
        # No question pending: before the consent (the greeting was lost), or the screening is over.
        if pending == GREETING:
            return GREETING
        # The last answer (or the crisis message) may have ended it unseen; any other question must be
        # pending, so asking it again shows the conversation lost its place (the checks will say so).
        return None if crisis or pending == last else pending


@dataclass
class Kill:
    what: str
    at_s: float
    pid: int


def kill(cluster_port: str, role: Role, *, start: float) -> Kill:
    pid = find(f"CLUSTER_PORT={cluster_port}", [role])[role.name]
    if pid is None:
        raise RuntimeError(f"no process to kill for {role.name}")
    os.kill(pid, signal.SIGKILL)
    print(f"    {time.monotonic() - start:6.1f} s: killed {role.name} (SIGKILL, pid {pid})", flush=True)
    return Kill(role.name, round(time.monotonic() - start, 1), pid)


async def fault_plan(
    cluster_port: str,
    rasa_port: int,
    kill_at: Sequence[float],
    expected: int,
    progress: Counter,
    start: float,
    kills: list[Kill],
) -> None:
    """Kill the first Rasa server when `kill_at[0]` of the expected replies are in, then the action server
    and the worker at `kill_at[1]`."""
    plan = [
        (kill_at[0], [Role("Rasa server 1", "rasa", (("run",), ("--port", str(rasa_port))))]),
        (
            kill_at[1],
            [Role("action server", "iop-intake", (("actions",),)), Role("worker", "iop-intake", (("worker",),))],
        ),
    ]
    for share, roles in plan:
        while progress["replied"] < share * expected:
            await asyncio.sleep(0.2)
        for role in roles:
            kills.append(kill(cluster_port, role, start=start))


@dataclass
class Report:
    participants: dict[str, int]
    elapsed_s: float
    sent: int
    replied: int
    failed_turns: int
    apologies: int  # failed turns the bot answered with "send it again" (a call the action server died on)
    longest_outage_s: float
    kills: list[Kill]
    restarts: list[str]
    checked_answers: int
    escalations: int
    pages: int
    sms_acknowledged: int
    problems: list[str]


async def run_load(
    front: str,
    token: str,
    twilio: FakeTwilio,
    cluster_port: str,
    rasa_port: int,
    per_channel: int,
    kill_at: Sequence[float],
    prefix: str,
) -> tuple[list[Log], list[Kill], float]:
    progress: Counter = Counter()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
        rasa = Rasa(http, front, token)

        def make(channel: str, index: int) -> Channel:
            if channel == "rest":
                return Rest(rasa, f"{prefix}-rest-{index}")
            if channel == "widget":
                return Widget(rasa, 1 + index % 2)
            return Sms(rasa, twilio, f"+150355501{index:02d}")  # 555-01xx: fictional numbers

        orders = {}
        for channel in CHANNELS:  # one by one, before the load: what each channel asks, in order
            probe = make(channel, 99)  # 555-0199 for SMS; 0100-0102 are the program's and on-call
            orders[channel] = await learn_order(probe)
            if isinstance(probe, Widget):
                await probe.close()
        if len({order[-1] for order in orders.values()}) != 1:
            raise RuntimeError(f"the channels end on different questions: {orders}")
        logs, tasks = [], []
        for channel in CHANNELS:
            for index in range(per_channel):
                # Every third participant writes a crisis message, at a different question each time.
                # Past the first two questions, so a screening exists to check.
                crisis_at = 2 + (5 * index) % (len(orders[channel]) - 2) if index % 3 == 1 else None
                log = Log(f"{channel}-{index}", channel, crisis_at)
                logs.append(log)
                tasks.append(participate(log, make(channel, 10 + index), orders[channel], progress))
        expected = sum(len(orders[log.channel]) + 1 for log in logs)
        kills: list[Kill] = []
        start = time.monotonic()
        plan = asyncio.get_running_loop().create_task(
            fault_plan(cluster_port, rasa_port, kill_at, expected, progress, start, kills)
        )
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - start
        if not plan.done():
            plan.cancel()
            raise RuntimeError(f"the load ended before every fault was made ({len(kills)} made)")
        plan.result()
    return logs, kills, elapsed


def check(
    logs: Sequence[Log], env: dict, twilio: FakeTwilio, sms_turns: dict[str, list[str]]
) -> tuple[list[str], int, int, int]:
    """The participants' logs against the database, the trackers and the texts sent: the problems found,
    the number of answers checked, of escalations and of pages to on-call."""
    problems, checked = [], 0
    with session_scope(env["DATABASE_URL"]) as session:
        for log in logs:
            if log.gave_up or not log.finished:
                problems.append(f"{log.name}: did not finish ({log.gave_up or 'stopped'})")
            screenings = (
                session.execute(sa.select(Screening.id).where(Screening.conversation_id == log.conversation_id))
                .scalars()
                .all()
            )
            if len(screenings) != 1:
                problems.append(f"{log.name}: {len(screenings)} screenings, expected 1")
                continue
            stored = dict(
                session.execute(
                    sa.select(Answer.question_key, Answer.raw_text).where(Answer.screening_id == screenings[0])
                ).all()
            )
            sent = {turn.key: turn.text for turn in log.turns if turn.key is not None}
            for turn in log.turns:
                if turn.key is None or not turn.replied:
                    continue
                checked += 1
                expected = "" if QUESTIONS[turn.key].meta.get("secret") else turn.text  # kept encrypted elsewhere
                if stored.get(turn.key) != expected:
                    problems.append(
                        f"{log.name}: answer to {turn.key} stored as {stored.get(turn.key)!r}, sent {turn.text!r}"
                    )
            for key in set(stored) - set(sent):
                problems.append(f"{log.name}: an answer to {key} is stored that was never sent")
            escalations = (
                session.execute(sa.select(Escalation).where(Escalation.conversation_id == log.conversation_id))
                .scalars()
                .all()
            )
            said_crisis = any(turn.text == CRISIS and turn.acknowledged for turn in log.turns)
            if said_crisis and (len(escalations) != 1 or escalations[0].notified_at is None):
                problems.append(
                    f"{log.name}: {len(escalations)} escalation(s) for one crisis message"
                    f"{'' if len(escalations) != 1 else ', not paged'}"
                )
            if not said_crisis and escalations:
                problems.append(f"{log.name}: {len(escalations)} escalation(s) without a crisis message")
            if log.channel == "sms":
                turns = Counter(sms_turns[log.conversation_id])
                for turn in log.turns:
                    if turn.acknowledged and turn.sid and turns[turn.sid] != 1:
                        problems.append(f"{log.name}: an acknowledged text ran {turns[turn.sid]} turns")
                    if turn.acknowledged and not turn.replied and not turn.apology:
                        problems.append(
                            f"{log.name}: an acknowledged text got no reply within {SMS_REPLY_TIMEOUT_S:.0f} s"
                        )
        unfinished = session.execute(
            sa.select(sa.func.count()).select_from(sms_store.SmsInbound).where(sms_store.SmsInbound.state == "pending")
        ).scalar_one()
        if unfinished:
            problems.append(f"{unfinished} text(s) still pending after the run")
        escalation_count = session.execute(
            sa.select(sa.func.count())
            .select_from(Escalation)
            .where(Escalation.conversation_id.in_([log.conversation_id for log in logs]))
        ).scalar_one()
    pages = len(twilio.to(ON_CALL))
    if pages != escalation_count:
        problems.append(f"{pages} page(s) to on-call for {escalation_count} escalation(s)")
    return problems, checked, escalation_count, pages


async def sms_turns_of(front: str, token: str, logs: Sequence[Log]) -> dict[str, list[str]]:
    async with aiohttp.ClientSession() as http:
        rasa = Rasa(http, front, token)
        return {
            log.conversation_id: await rasa.user_message_ids(log.conversation_id)
            for log in logs
            if log.channel == "sms"
        }


def settle(env: dict, logs: Sequence[Log], timeout_s: float = 180) -> None:
    """Wait until no text is pending (a dead server's texts are replayed after their lease) and every
    escalation of the run is paged."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with session_scope(env["DATABASE_URL"]) as session:
            pending = session.execute(
                sa.select(sa.func.count())
                .select_from(sms_store.SmsInbound)
                .where(sms_store.SmsInbound.state == "pending")
            ).scalar_one()
            unpaged = session.execute(
                sa.select(sa.func.count())
                .select_from(Escalation)
                .where(
                    Escalation.notified_at.is_(None),
                    Escalation.conversation_id.in_([log.conversation_id for log in logs]),
                )
            ).scalar_one()
        if not pending and not unpaged:
            return
        time.sleep(2)


def fresh_databases(*names: str) -> None:
    """Drop the run's databases; scripts/cluster creates them again and applies the migrations."""
    engine = sa.create_engine("postgresql://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def run(per_channel: int, kill_at: Sequence[float], workdir: Path, database: str = "iop_faults") -> Report:
    prefix = f"faults-{uuid.uuid4().hex[:8]}"
    fresh_databases(database, f"{database}_tracker")  # pages are counted: no escalation of an earlier run
    credentials = workdir / "credentials-faults.yml"
    # A dead server's acknowledged texts are taken over after SMS_LEASE_S, not the production 120 s.
    credentials.write_text(
        (ROOT / "credentials.yml")
        .read_text()
        .replace(
            "rasa_edge.channels.sms.SmsChannel:\n",
            f"rasa_edge.channels.sms.SmsChannel:\n  lease: {SMS_LEASE_S}\n  replay_every: 2\n",
        )
    )
    with FakeTwilio().serving() as twilio:
        extra = {
            "RASA_CREDENTIALS": str(credentials),
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_API_URL": twilio.url,
            "SMS_PUBLIC_URL": SMS_PUBLIC,
            "SMS_ID_KEY": SMS_ID_KEY,
            "SMS_NUMBER_KEY": Fernet.generate_key().decode(),
            "ESCALATION_ON_CALL_NUMBERS": ON_CALL,
            "ESCALATION_BACKUP_NUMBER": "+15035550102",
            "ESCALATION_RENOTIFY_MINUTES": "120",  # one page per escalation within the run
            # Every participant is 127.0.0.1: paging limits above the load, as for the rate limits.
            "ESCALATION_PAGES_PER_MINUTE": "1000",
            "ESCALATION_PAGES_PER_SOURCE_HOUR": "1000",
        }
        with cluster(2, workdir, database=database, extra_env=extra) as front:
            env = front.env
            logs, kills, elapsed = asyncio.run(
                run_load(
                    front.rasa_url,
                    front.token,
                    twilio,
                    env["CLUSTER_PORT"],
                    int(env["RASA_PORT"]),
                    per_channel,
                    kill_at,
                    prefix,
                )
            )
            settle(env, logs)
            sms_turns = asyncio.run(sms_turns_of(front.rasa_url, front.token, logs))
            problems, checked, escalations, pages = check(logs, env, twilio, sms_turns)
            restarts = [
                line
                for line in (workdir / f"cluster-{database}-2.log").read_text().splitlines()
                if "starting it again" in line
            ]
    turns = [turn for log in logs for turn in log.turns]
    report = Report(
        participants=dict(Counter(log.channel for log in logs)),
        elapsed_s=round(elapsed, 1),
        sent=len(turns),
        replied=sum(turn.replied for turn in turns),
        failed_turns=sum(log.failures for log in logs),
        apologies=sum(turn.apology for turn in turns),
        longest_outage_s=round(max(log.longest_outage_s for log in logs), 1),
        kills=kills,
        restarts=restarts,
        checked_answers=checked,
        escalations=escalations,
        pages=pages,
        sms_acknowledged=sum(turn.acknowledged for log in logs if log.channel == "sms" for turn in log.turns),
        problems=problems,
    )
    (workdir / "faults-logs.json").write_text(json.dumps([asdict(log) for log in logs], indent=1))
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10, help="participants on each channel (default 10)")
    parser.add_argument(
        "--kill-at",
        type=float,
        nargs=2,
        default=[0.25, 0.6],
        metavar=("RASA", "ACTIONS"),
        help="shares of the expected replies at which to kill a Rasa server, then the action "
        "server and the worker (default 0.25 0.6)",
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    report = run(args.participants, args.kill_at, OUT)
    print(
        f"\nparticipants {report.participants}, {report.elapsed_s} s: {report.sent} messages sent, "
        f"{report.replied} answered, {report.failed_turns} failed turns, {report.apologies} of them answered "
        f'"send it again" (the longest outage a participant saw: {report.longest_outage_s} s)'
    )
    for made in report.kills:
        print(f"  killed {made.what} at {made.at_s} s")
    for line in report.restarts:
        print(f"  {line.strip()}")
    print(
        f"answers checked against the database: {report.checked_answers}; escalations {report.escalations}, "
        f"pages {report.pages}; texts acknowledged {report.sms_acknowledged}"
    )
    print("problems: " + ("none" if not report.problems else f"{len(report.problems)}"))
    for problem in report.problems:
        print(f"  - {problem}")
    (OUT / "faults.json").write_text(json.dumps(asdict(report), indent=2))
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
