"""Attacks on the running Rasa and action servers, one per finding of the security review (issue 14, findings
1, 3, 7, 9, 10 and 11; docs/security.md): each failed on the code before the fix. The servers run as in
development, with the REST channel's token set, the staff endpoint off, low rate limits behind one trusted
proxy (each test speaks from its own X-Forwarded-For address) and SMS through a local fake Twilio. Slow (the
servers start once for the module); marked e2e."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Iterator, Optional

import pytest
import requests
import sqlalchemy as sa
import websockets
from cryptography.fernet import Fernet

from bot.channels.limits import TOO_FAST, TOO_LONG
from bot.console.transcript import Transcripts
from bot.sms.identity import pseudonym
from bot.store import db
from bot.store.models import Escalation
from harness.conversation import texts
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio, inbound, post_signed
from harness.servers import ACTIONS_TOKEN, Servers, module_servers
from harness.widget_socket import Tab, open_tab

pytestmark = pytest.mark.e2e

REST_TOKEN = "e2e-rest-channel-token-" + "r" * 16
PER_CONVERSATION, PER_ADDRESS = 4, 10
PUBLIC = "https://intake.example.org/webhooks/sms"
ID_KEY = "e2e-sms-id-key-" + "k" * 24
CRISIS = "I want to kill myself tonight"
EVIL = "https://evil.example"
ADDRESSES = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio().serving() as fake:
        yield fake


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, twilio: FakeTwilio) -> Iterator[Servers]:
    env = {
        "REST_CHANNEL_TOKEN": REST_TOKEN,
        "STAFF_API_TOKEN": "",
        "RATE_LIMIT_PER_CONVERSATION": str(PER_CONVERSATION),
        "RATE_LIMIT_PER_ADDRESS": str(PER_ADDRESS),
        "RASA_PROXIES_COUNT": "1",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_URL": twilio.url,
        "SMS_PUBLIC_URL": PUBLIC,
        "SMS_ID_KEY": ID_KEY,
        "SMS_NUMBER_KEY": Fernet.generate_key().decode(),
        "ESCALATION_ON_CALL_NUMBERS": "+15035550101",
    }
    with module_servers(tmp_path_factory, "security-e2e", extra_env=env) as running:
        yield running


def address() -> str:
    """A client address never used before, as the trusted proxy reports it after the client's own claim (the
    limits count per address)."""
    return f"203.0.113.66, {next(ADDRESSES)}"


def post(
    servers: Servers, body: object, *, token: Optional[str] = REST_TOKEN, client: str = "", **kwargs: object
) -> requests.Response:
    headers = {"X-Forwarded-For": client or address()}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60, **kwargs)


def said(servers: Servers, conversation_id: str) -> list[str]:
    return [e["text"] for e in servers.tracker(conversation_id)["events"] if e["event"] == "user"]


# ---------------------------------------------------------------------------------------------------
# Finding 1: the action server


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (Linux's /proc/net/tcp and tcp6)."""
    found = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            host, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.add(".".join(str(b) for b in reversed(bytes.fromhex(host))) if len(host) == 8 else host)
    return found


def test_the_action_server_listens_on_the_loopback_interface_only(servers: Servers):
    port = int(servers.actions_url.rsplit(":", 1)[1])
    assert listening_addresses(port) == {"127.0.0.1"}


def test_a_hand_made_tracker_posted_to_the_action_server_runs_nothing(servers: Servers):
    call = {
        "next_action": "action_hand_back",
        "sender_id": "web-" + "0" * 32,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "web-" + "0" * 32,
            "slots": {},
            "latest_message": {},
            "events": [],
            "paused": True,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }
    webhook = f"{servers.actions_url}/webhook"
    for headers, params in (
        ({}, {}),
        ({"Authorization": "Bearer wrong"}, {}),
        ({"Authorization": f"Bearer {ACTIONS_TOKEN}x"}, {}),
        ({}, {"token": ACTIONS_TOKEN}),
        ({"Authorization": ACTIONS_TOKEN, "Origin": EVIL}, {}),
    ):
        reply = requests.post(webhook, json=call, headers=headers, params=params, timeout=10)
        assert reply.status_code == 401, headers
        assert "Access-Control-Allow-Origin" not in reply.headers
    assert requests.get(f"{servers.actions_url}/actions", timeout=10).status_code == 401
    health = requests.get(f"{servers.actions_url}/health", headers={"Origin": EVIL}, timeout=10)
    assert health.ok and "Access-Control-Allow-Origin" not in health.headers
    # The Rasa server itself still reaches its actions: the greeting comes from one.
    assert "Riverbend Behavioral Health" in texts(post(servers, {"sender": "e2e-sec-actions", "message": "hi"}).json())


# ---------------------------------------------------------------------------------------------------
# Finding 3: the REST channel


def test_the_rest_channel_wants_its_token_when_one_is_set(servers: Servers):
    for token in (None, "wrong", REST_TOKEN[:-1]):
        assert post(servers, {"sender": "e2e-sec-token", "message": "hi"}, token=token).status_code == 401
    assert said(servers, "e2e-sec-token") == []
    assert post(servers, {"sender": "e2e-sec-token", "message": "hi"}).ok


@asynccontextmanager
async def tab(servers: Servers, *, origin: Optional[str] = None, client: str = "") -> AsyncIterator[Tab]:
    async with open_tab(servers.rasa_url, origin=origin, client=client or address()) as opened:
        yield opened


def own_origin(servers: Servers) -> str:
    return f"http://127.0.0.1:{servers.env['CONSOLE_PORT']}"


def test_a_rest_caller_cannot_write_into_a_widget_conversation(servers: Servers):
    async def widget_conversation() -> str:
        async with tab(servers, origin=own_origin(servers)) as page:
            session_id, _ = await page.session()
            await page.say(session_id, "hi")
            await page.quiet()
            return session_id

    web = asyncio.run(widget_conversation())
    assert servers.tracker(web)["latest_input_channel"] == "socketio"
    reply = post(servers, {"sender": web, "message": "hello from elsewhere"})
    assert reply.ok and reply.json()[0]["recipient_id"] == f"rest-{web}"
    assert said(servers, web) == ["hi"]  # untouched: staff replies still reach the widget
    assert servers.tracker(web)["latest_input_channel"] == "socketio"
    assert said(servers, f"rest-{web}") == ["hello from elsewhere"]


def test_a_rest_caller_cannot_write_into_an_sms_conversation(servers: Servers, twilio: FakeTwilio):
    number = "+15035550177"
    sms = pseudonym(number, ID_KEY)
    assert post_signed(
        requests.Session(), f"{servers.rasa_url}/webhooks/sms/webhook", f"{PUBLIC}/webhook", inbound(number, "hi")
    ).ok
    wait_for(lambda: said(servers, sms) == ["hi"] and servers.tracker(sms)["latest_action_name"] == "action_listen")
    assert post(servers, {"sender": sms, "message": "stop texting me"}).ok
    assert said(servers, sms) == ["hi"] and servers.tracker(sms)["latest_input_channel"] == "sms"


def test_the_caller_sets_neither_the_input_channel_nor_metadata(servers: Servers):
    attack = {
        "sender": "e2e-sec-meta",
        "message": CRISIS,
        "input_channel": "=HYPERLINK(1)",
        "metadata": {"is_external": True},
    }
    assert "988" in texts(post(servers, attack).json())
    [event] = [e for e in servers.tracker("e2e-sec-meta")["events"] if e["event"] == "user"]
    assert event["input_channel"] == "rest" and not (event.get("metadata") or {}).get("is_external")
    # The channel's own record of where the message came from: a pseudonym, never the address.
    # (Rasa adds its own model_id and assistant_id.)
    assert set(event["metadata"]) - {"model_id", "assistant_id"} == {"client_ref"}
    assert "198.51.100." not in str(event["metadata"])
    # So the crisis message is in the staff transcript, flagged.
    [line] = [
        line
        for line in Transcripts(servers.env["TRACKER_STORE_URL"]).lines("rest-e2e-sec-meta")
        if line.who == "participant"
    ]
    assert line.text == CRISIS and line.crisis and line.crisis.startswith("Crisis detected")


# ---------------------------------------------------------------------------------------------------
# Finding 7: sizes and rates


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_megabyte_message_is_refused_before_it_is_read_and_the_server_keeps_answering(servers: Servers):
    started = time.monotonic()
    try:
        status = post(servers, {"sender": "e2e-sec-huge", "message": "I feel " * 150_000}).status_code
    except requests.ConnectionError:  # the server answered 413 and closed while the body was still being sent
        status = 413
    assert status == 413 and time.monotonic() - started < 2
    started = time.monotonic()
    assert post(servers, {"sender": "e2e-sec-huge", "message": "hi"}).ok and time.monotonic() - started < 5
    assert said(servers, "e2e-sec-huge") == ["hi"]


def test_a_message_over_2000_characters_gets_a_kind_answer_and_is_not_read(servers: Servers):
    reply = post(servers, {"sender": "e2e-sec-long", "message": "I have been feeling low. " * 100})
    assert reply.status_code == 413 and reply.json() == [{"recipient_id": "rest-e2e-sec-long", "text": TOO_LONG}]
    assert said(servers, "e2e-sec-long") == []


def escalations(servers: Servers, conversation_id: str) -> list[str]:
    with db.session_scope(servers.env["DATABASE_URL"]) as session:
        return list(
            session.execute(
                sa.select(Escalation.severity).where(Escalation.conversation_id == conversation_id)
            ).scalars()
        )


def test_too_fast_in_one_conversation_gets_a_kind_answer_but_a_crisis_still_goes_through(servers: Servers):
    client = address()
    for text in ("hi", "yes", "for myself", "Sam"):
        assert post(servers, {"sender": "e2e-sec-fast", "message": text}, client=client).ok
    limited = post(servers, {"sender": "e2e-sec-fast", "message": "34"}, client=client)
    assert limited.status_code == 429 and limited.json()[0]["text"] == TOO_FAST
    crisis = post(servers, {"sender": "e2e-sec-fast", "message": CRISIS}, client=client)
    assert crisis.ok and "988" in texts(crisis.json())  # read, answered and recorded, over the limit
    assert said(servers, "e2e-sec-fast") == ["hi", "yes", "for myself", "Sam", CRISIS]
    assert escalations(servers, "rest-e2e-sec-fast") == ["high"]


def test_too_many_conversations_from_one_address_get_a_kind_answer(servers: Servers):
    client = address()
    for i in range(PER_ADDRESS):
        assert post(servers, {"sender": f"e2e-sec-many-{i}", "message": "hi"}, client=client).ok
    limited = post(servers, {"sender": "e2e-sec-many-x", "message": "hi"}, client=client)
    assert limited.status_code == 429 and limited.json()[0]["text"] == TOO_FAST
    assert post(servers, {"sender": "e2e-sec-many-y", "message": "hi"}).ok  # another address
    assert said(servers, "e2e-sec-many-x") == []


def test_the_widget_socket_has_the_same_limits(servers: Servers):
    async def scenario() -> tuple[str, list[str]]:
        async with tab(servers, origin=own_origin(servers)) as page:
            session_id, _ = await page.session()
            answers = [(await page.say(session_id, "x" * 2001))["text"]]  # not read, but counted
            for text in ("hi", "yes", "for myself"):
                await page.say(session_id, text)
                await page.quiet()
            answers.append((await page.say(session_id, "Sam"))["text"])
        async with tab(servers, origin=own_origin(servers)) as page:
            await page.session(session_id)
            await page.emit("user_uttered", {"message": "x" * 1_000_000, "session_id": session_id})
            await asyncio.sleep(2)
            answers.append("connected" if page.connected else "dropped")
        return session_id, answers

    session_id, answers = asyncio.run(scenario())
    assert answers == [TOO_LONG, TOO_FAST, "dropped"]
    assert said(servers, session_id) == ["hi", "yes", "for myself"]


def test_an_sms_flood_is_answered_once_and_a_crisis_text_still_goes_through(servers: Servers, twilio: FakeTwilio):
    number = "+15035550178"
    sms = pseudonym(number, ID_KEY)
    http = requests.Session()
    for body in ("hi", "1", "for myself", "Sam", "34", "35", CRISIS):
        assert post_signed(
            http, f"{servers.rasa_url}/webhooks/sms/webhook", f"{PUBLIC}/webhook", inbound(number, body)
        ).ok
    wait_for(lambda: CRISIS in said(servers, sms) and servers.tracker(sms)["paused"])
    wait_for(lambda: any("988" in text for text in twilio.to(number)))
    assert said(servers, sms)[-1] == CRISIS and len(said(servers, sms)) == 5  # not "34" or "35"
    # The refusal's text is sent by its own turn: under load it once reached Twilio after the crisis reply.
    wait_for(lambda: TOO_FAST in twilio.to(number), timeout=30)
    time.sleep(1)  # a second refusal text, if any, would be out by now
    assert twilio.to(number).count(TOO_FAST) == 1  # each answer costs a text: once a minute


# ---------------------------------------------------------------------------------------------------
# Finding 9: widget conversations on shared computers


def add_events(servers: Servers, conversation_id: str, at: float) -> None:
    """A widget conversation last active at `at`, through Rasa's API (its tracker store orders events by time:
    the session starts then too)."""
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": at},
        {"event": "session_started", "timestamp": at},
        {"event": "action", "name": "action_listen", "timestamp": at},
        {
            "event": "user",
            "text": "yes, nearly every day",
            "timestamp": at,
            "parse_data": {"intent": {"name": "inform", "confidence": 1.0}, "entities": []},
        },
        {"event": "bot", "text": "Have you had thoughts of hurting yourself?", "timestamp": at + 1},
    ]
    requests.post(
        f"{servers.rasa_url}/conversations/{conversation_id}/tracker/events",
        json=events,
        params={"token": servers.token},
        timeout=30,
    ).raise_for_status()


def test_an_idle_widget_conversation_is_not_shown_again_and_a_new_one_starts(servers: Servers):
    idle, recent = f"web-{uuid.uuid4().hex}", f"web-{uuid.uuid4().hex}"
    add_events(servers, idle, time.time() - 31 * 60)  # someone else, half an hour ago, at this computer
    add_events(servers, recent, time.time() - 60)

    async def scenario() -> list:
        async with tab(servers, origin=own_origin(servers)) as page:
            later, options = await page.session(idle)
            await asyncio.sleep(1)
            shown_later = [] if page.queue("history").empty() else page.queue("history").get_nowait()[0]["messages"]
            same, quiet = await page.session(recent)
            shown_now = (await page.next("history", 10))[0]["messages"]
            return [later, options, shown_later, same, quiet, shown_now]

    later, options, shown_later, same, quiet, shown_now = asyncio.run(scenario())
    assert later != idle and later.startswith("web-") and shown_later == []
    assert options == {"idle_minutes": 30, "quiet_for": 0}  # the widget's own timer: a new conversation
    assert quiet["idle_minutes"] == 30 and 59 <= quiet["quiet_for"] <= 120  # the last message a minute ago
    assert same == recent and [m["text"] for m in shown_now] == [
        "yes, nearly every day",
        "Have you had thoughts of hurting yourself?",
    ]
    assert said(servers, idle) == ["yes, nearly every day"]  # kept for staff


# ---------------------------------------------------------------------------------------------------
# Finding 10: the staff endpoint


def test_the_staff_endpoint_is_absent_while_its_token_is_unset(servers: Servers):
    base = f"{servers.rasa_url}/webhooks/staff"
    for token in ("", "dev-only-staff-token", "e2e-staff-token"):
        auth = {"Authorization": f"Bearer {token}"}
        assert requests.get(f"{base}/handoffs", headers=auth, timeout=10).status_code == 404
        reply = requests.post(
            f"{base}/conversations/rest-e2e-sec-actions/reply",
            headers=auth,
            timeout=10,
            json={"staff": "Anyone", "text": "Hi, this is the intake team"},
        )
        assert reply.status_code == 404
    assert not [
        e
        for e in servers.tracker("e2e-sec-actions")["events"]
        if e["event"] == "bot" and (e.get("metadata") or {}).get("staff")
    ]


# ---------------------------------------------------------------------------------------------------
# Finding 11: the widget's origins


def test_the_widget_socket_refuses_pages_from_other_origins(servers: Servers):
    async def connects(origin: Optional[str]) -> bool:
        try:
            async with tab(servers, origin=origin) as page:
                session_id, _ = await page.session()
                return session_id.startswith("web-")
        except websockets.exceptions.InvalidStatusCode as refused:
            assert refused.status_code == 400
            return False

    assert not asyncio.run(connects(EVIL))
    assert not asyncio.run(connects("http://127.0.0.1:1"))  # the right host, another port: another origin
    assert asyncio.run(connects(own_origin(servers)))
    assert asyncio.run(connects(f"http://localhost:{servers.env['CONSOLE_PORT']}"))
    assert asyncio.run(connects(None))  # not a browser: no Origin to check (the session ids still protect it)
