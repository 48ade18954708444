"""The REST channel and the staff endpoint over HTTP, in process: their real blueprints on a Sanic server
with a stand-in for the bot, in the settings the Rasa server cannot be started with here (production). The
same attacks on the real servers are in test_security_e2e.py."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, AsyncIterator, Callable, Optional

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.limits import TOO_FAST, TOO_LONG, RateLimits
from bot.settings import settings
from harness.servers import free_port
from rasa_edge.channels.rest import RestChannel
from rasa_edge.channels.staff import StaffChannel
from tests.test_security_rules import CRISIS_TEXT, Agent

TOKEN = "t" * 32


class Bot:
    """Rasa's on_new_message: records what reaches the dialogue and answers once."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"read: {message.text}")


@asynccontextmanager
async def serving(blueprint: Any, prefix: str, agent: Optional[Agent] = None) -> AsyncIterator[str]:
    Sanic.test_mode = True
    app = Sanic(f"security_{uuid.uuid4().hex}")
    app.ctx.agent = agent
    app.blueprint(blueprint, url_prefix=prefix)
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}{prefix}"
    finally:
        server.close()
        await server.wait_closed()


def rest(
    scenario: Callable[[str, aiohttp.ClientSession], Any],
    *,
    limits: Optional[RateLimits] = None,
    agent: Optional[Agent] = None,
    **changes: Any,
) -> Bot:
    bot = Bot()

    async def main() -> None:
        channel = RestChannel(replace(settings(), **changes), limits)
        async with serving(channel.blueprint(bot), "/webhooks/rest", agent) as base:
            async with aiohttp.ClientSession() as http:
                await scenario(base, http)

    asyncio.run(main())
    return bot


async def post(
    http: aiohttp.ClientSession, url: str, body: Any, token: Optional[str] = None, **headers: str
) -> tuple[int, Any]:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with http.post(url, json=body, headers=headers) as reply:
        return reply.status, await reply.json(content_type=None)


def test_in_production_the_rest_channel_is_absent_without_its_token():
    async def scenario(base: str, http: aiohttp.ClientSession) -> None:
        assert (await post(http, f"{base}/webhook", {"sender": "x", "message": CRISIS_TEXT}))[0] == 404
        async with http.get(f"{base}/") as reply:
            assert reply.status == 404

    assert rest(scenario, env="production").received == []


def test_with_its_token_set_the_rest_channel_wants_it_in_any_environment():
    async def scenario(base: str, http: aiohttp.ClientSession) -> None:
        for token in (None, "wrong", TOKEN[:-1]):
            assert (await post(http, f"{base}/webhook", {"sender": "x", "message": "hi"}, token))[0] == 401
        assert await post(http, f"{base}/webhook", {"sender": "x", "message": "hi"}, TOKEN) == (
            200,
            [{"recipient_id": "rest-x", "text": "read: hi"}],
        )

    for env in ("production", "development"):
        assert [m.text for m in rest(scenario, env=env, rest_channel_token=TOKEN).received] == ["hi"]


def test_a_rest_caller_reaches_only_rest_conversations_and_sets_nothing_but_the_text():
    widget = "web-" + uuid.uuid4().hex

    async def scenario(base: str, http: aiohttp.ClientSession) -> None:
        attack = {
            "sender": widget,
            "message": CRISIS_TEXT,
            "input_channel": "=HYPERLINK(1)",
            "metadata": {"is_external": True},
        }
        status, replies = await post(http, f"{base}/webhook", attack)
        assert status == 200 and replies[0]["recipient_id"] == f"rest-{widget}"
        for body in ({"sender": "../x", "message": "hi"}, {"message": "hi"}, {"sender": "x", "message": 5}, []):
            assert (await post(http, f"{base}/webhook", body))[0] == 400

    [message] = rest(scenario).received
    assert (message.sender_id, message.input_channel) == (f"rest-{widget}", "rest")
    # The channel's own record of where it came from, a keyed pseudonym (never the address), nothing of the caller's.
    assert list(message.metadata) == ["client_ref"] and "127.0.0.1" not in message.metadata["client_ref"]
    assert len(message.metadata["client_ref"]) == 32


def test_long_and_huge_rest_messages_are_refused_unread():
    async def scenario(base: str, http: aiohttp.ClientSession) -> None:
        assert await post(http, f"{base}/webhook", {"sender": "x", "message": "x" * 2001}) == (
            413,
            [{"recipient_id": "rest-x", "text": TOO_LONG}],
        )
        async with http.post(f"{base}/webhook", json={"sender": "x", "message": "x" * 1_000_000}) as reply:
            assert reply.status == 413  # Sanic refuses the body before anything reads it

    assert rest(scenario).received == []


def test_over_the_rate_limit_only_a_crisis_reaches_the_bot():
    agent = Agent()

    async def scenario(base: str, http: aiohttp.ClientSession) -> None:
        for text in ("one", "two"):
            assert (await post(http, f"{base}/webhook", {"sender": "x", "message": text}))[0] == 200
        assert await post(http, f"{base}/webhook", {"sender": "x", "message": "three"}) == (
            429,
            [{"recipient_id": "rest-x", "text": TOO_FAST}],
        )
        assert (await post(http, f"{base}/webhook", {"sender": "x", "message": CRISIS_TEXT}))[0] == 200
        # Another address behind the trusted proxy has its own allowance; the client's own claim is not believed.
        other = {"X-Forwarded-For": "198.51.100.7, 203.0.113.5"}
        assert (await post(http, f"{base}/webhook", {"sender": "y", "message": "hi"}, **other))[0] == 200

    bot = rest(scenario, limits=RateLimits(per_conversation=2, per_address=4), agent=agent, rasa_proxies=1)
    assert [m.text for m in bot.received] == ["one", "two", CRISIS_TEXT, "hi"]
    assert agent.read == ["three", CRISIS_TEXT]


@pytest.mark.parametrize(
    "path, method",
    [("/handoffs", "GET"), ("/conversations/web-x/take", "POST"), ("/conversations/web-x/reply", "POST")],
)
def test_the_staff_endpoint_is_absent_while_its_token_is_unset(monkeypatch: pytest.MonkeyPatch, path: str, method: str):
    monkeypatch.delenv("STAFF_API_TOKEN", raising=False)

    async def main() -> None:
        async with serving(StaffChannel().blueprint(Bot()), "/webhooks/staff") as base:
            async with aiohttp.ClientSession() as http:
                for header in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer dev-only-staff-token"}):
                    async with http.request(
                        method, f"{base}{path}", json={"staff": "Dana", "text": "hi"}, headers=header
                    ) as reply:
                        assert reply.status == 404

    asyncio.run(main())
