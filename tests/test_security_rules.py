"""The rules behind the doors of the Rasa server, without servers (bot/channels/access.py, limits.py and the
widget's idle period): who may call, which conversation a REST caller reaches, which client address counts,
how long and how fast messages may come. The attacks on the running servers are in test_security_e2e.py."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Optional

import pytest
import yaml

from bot.channels.access import bearer_matches, client_address, rest_conversation_id, rest_refusal, staff_refusal
from bot.channels.limits import (
    MAX_MESSAGE_CHARS,
    REQUEST_MAX_BYTES,
    TOO_FAST,
    TOO_LONG,
    UNREAD_FACTOR,
    RateLimits,
    Verdict,
    cap_request_size,
    is_crisis,
    refusal,
    too_long,
)
from bot.program import ProgramError, load_program, parse_program
from bot.settings import ROOT
from rasa_edge.channels.widget import idle_expired, last_activity

CRISIS_TEXT = "I want to kill myself tonight"

# ---------------------------------------------------------------------------------------------------
# Tokens and doors


def test_a_bearer_token_must_match_exactly_and_an_empty_one_matches_nothing():
    assert bearer_matches("Bearer s3cret-token", "s3cret-token")
    assert bearer_matches("bearer  s3cret-token ", "s3cret-token")
    for header in (None, "", "s3cret-token", "Basic s3cret-token", "Bearer s3cret", "Bearer s3cret-token-x"):
        assert not bearer_matches(header, "s3cret-token")
    assert not bearer_matches("Bearer ", "") and not bearer_matches("", "")


@pytest.mark.parametrize(
    "token, production, header, status",
    [
        ("", False, None, None),  # development: open
        ("", True, None, 404),  # production without REST_CHANNEL_TOKEN: the channel is not there
        ("", True, "Bearer anything", 404),
        ("t" * 32, False, None, 401),  # set: required in any environment
        ("t" * 32, True, "Bearer wrong", 401),
        ("t" * 32, True, "Bearer " + "t" * 32, None),
    ],
)
def test_the_rest_channel_is_open_in_development_off_in_production_and_token_bound_when_set(
    token: str, production: bool, header: Optional[str], status: Optional[int]
):
    assert rest_refusal(token, production, header) == status


def test_the_staff_endpoint_is_absent_without_its_token():
    assert staff_refusal("", "Bearer ") == 404
    assert staff_refusal("", None) == 404
    assert staff_refusal("s" * 32, "Bearer nope") == 401
    assert staff_refusal("s" * 32, "Bearer " + "s" * 32) is None


# ---------------------------------------------------------------------------------------------------
# The REST channel's namespace


@pytest.mark.parametrize(
    "sender, conversation",
    [
        ("e2e-likely-fit", "rest-e2e-likely-fit"),
        ("rest-e2e-1", "rest-e2e-1"),  # already the channel's own id: the same conversation
        ("web-" + "a" * 32, "rest-web-" + "a" * 32),  # a widget conversation's id names a REST one
        ("sms-0123456789abcdef01234567", "rest-sms-0123456789abcdef01234567"),
        ("user@example.org:7", "rest-user@example.org:7"),
    ],
)
def test_a_rest_sender_always_names_a_conversation_of_the_rest_channel(sender: str, conversation: str):
    assert rest_conversation_id(sender) == conversation


@pytest.mark.parametrize(
    "sender", [None, 7, "", " ", "a b", "x" * 65, "../x", "web-a/../b", "=HYPERLINK(1)", "name\n", "é"]
)
def test_a_sender_that_is_no_short_printable_id_is_refused(sender: object):
    assert rest_conversation_id(sender) is None


# ---------------------------------------------------------------------------------------------------
# Client addresses


@pytest.mark.parametrize(
    "forwarded, proxies, address",
    [
        ("203.0.113.9", 0, "10.0.0.2"),  # no trusted proxy: whatever the header says, the peer
        ("203.0.113.9", 1, "203.0.113.9"),
        ("198.51.100.1, 203.0.113.9", 1, "203.0.113.9"),  # the left entry is the client's own claim
        ("198.51.100.1, 203.0.113.9, 10.0.0.7", 2, "203.0.113.9"),
        ("203.0.113.9", 2, "10.0.0.2"),  # fewer hops than proxies: not believed
        (None, 1, "10.0.0.2"),
        ("", 1, "10.0.0.2"),
    ],
)
def test_x_forwarded_for_counts_only_behind_trusted_proxies(forwarded: Optional[str], proxies: int, address: str):
    assert client_address("10.0.0.2", forwarded, proxies) == address


# ---------------------------------------------------------------------------------------------------
# Sizes


def test_a_message_over_2000_characters_is_too_long():
    assert not too_long("x" * MAX_MESSAGE_CHARS) and too_long("x" * (MAX_MESSAGE_CHARS + 1))
    assert "2,000" in TOO_LONG and "988" in TOO_LONG and "911" in TOO_LONG


def test_the_server_caps_request_bodies_and_websocket_frames():
    config = SimpleNamespace(REQUEST_MAX_SIZE=100_000_000, WEBSOCKET_MAX_SIZE=2**20)
    cap_request_size(config)
    assert (config.REQUEST_MAX_SIZE, config.WEBSOCKET_MAX_SIZE) == (REQUEST_MAX_BYTES, REQUEST_MAX_BYTES)
    assert REQUEST_MAX_BYTES >= 12 * MAX_MESSAGE_CHARS  # the longest message, JSON-escaped, still fits


# ---------------------------------------------------------------------------------------------------
# Rates


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verdicts(limits: RateLimits, count: int, conversation: str = "c", address: Optional[str] = "a") -> list[str]:
    return [limits.verdict(conversation, address).value for _ in range(count)]


def test_over_the_conversation_limit_only_a_crisis_is_read_and_far_over_nothing_is():
    limits = RateLimits(per_conversation=3, per_address=100, clock=Clock())
    assert verdicts(limits, 3 * UNREAD_FACTOR + 1) == ["read"] * 3 + ["crisis_only"] * 6 + ["refused"]


def test_the_limit_counts_the_last_minute():
    clock = Clock()
    limits = RateLimits(per_conversation=2, per_address=100, clock=clock)
    assert verdicts(limits, 3) == ["read", "read", "crisis_only"]
    clock.now += 59.9
    assert verdicts(limits, 1) == ["crisis_only"]
    clock.now += 0.2  # the first two are a minute old
    assert verdicts(limits, 1) == ["read"]


def test_a_flood_stays_refused_while_it_goes_on():
    clock = Clock()
    limits = RateLimits(per_conversation=2, per_address=100, clock=clock)
    for _ in range(30):
        limits.verdict("c", "a")
        clock.now += 1.0  # 60 a minute, ten times the allowance
    assert limits.verdict("c", "a") is Verdict.REFUSED


def test_one_address_is_limited_across_conversations_and_other_addresses_are_not():
    limits = RateLimits(per_conversation=100, per_address=4, clock=Clock())
    assert [limits.verdict(f"c{i}", "203.0.113.9").value for i in range(5)] == ["read"] * 4 + ["crisis_only"]
    assert limits.verdict("c9", "198.51.100.1") is Verdict.READ
    assert limits.verdict("c10", None) is Verdict.READ  # SMS: no address of its own


def test_the_texted_answer_to_a_refusal_goes_at_most_once_a_minute():
    clock = Clock()
    limits = RateLimits(per_conversation=1, per_address=1, clock=clock)
    assert [limits.answer_due("sms-1") for _ in range(3)] == [True, False, False]
    assert limits.answer_due("sms-2")
    clock.now += 60.0
    assert limits.answer_due("sms-1")


class Agent:
    """Rasa's Agent as the limits see it: the NLU reading of a message."""

    def __init__(self, ready: bool = True) -> None:
        self.read: list[str] = []
        self.ready = ready

    def is_ready(self) -> bool:
        return self.ready

    async def parse_message(self, text: str) -> dict:
        self.read.append(text)
        return {"intent": {"name": "crisis" if "kill myself" in text else "greet"}}


def refused(verdict: Verdict, text: str, agent: Optional[Agent]) -> Optional[str]:
    return asyncio.run(refusal(verdict, text, agent))


def test_a_crisis_over_the_limit_still_reaches_the_bot_and_anything_else_gets_the_kind_answer():
    agent = Agent()
    assert refused(Verdict.CRISIS_ONLY, CRISIS_TEXT, agent) is None
    assert refused(Verdict.CRISIS_ONLY, "hello again", agent) == TOO_FAST
    assert agent.read == [CRISIS_TEXT, "hello again"]
    assert refused(Verdict.READ, "hello", agent) is None and agent.read == [CRISIS_TEXT, "hello again"]
    assert TOO_FAST.startswith("You're sending messages faster than I can read them") and "988" in TOO_FAST


def test_a_message_that_cannot_be_checked_for_a_crisis_is_let_through():
    assert refused(Verdict.CRISIS_ONLY, "hello again", None) is None
    assert refused(Verdict.CRISIS_ONLY, "hello again", Agent(ready=False)) is None
    assert asyncio.run(is_crisis(None, "anything"))


def test_long_and_far_too_fast_messages_are_refused_without_being_read():
    agent = Agent()
    assert refused(Verdict.READ, "x" * 2001, agent) == TOO_LONG
    assert refused(Verdict.CRISIS_ONLY, CRISIS_TEXT + "!" * 2000, agent) == TOO_LONG
    assert refused(Verdict.REFUSED, CRISIS_TEXT, agent) == TOO_FAST  # a program, not a person: still says 988
    assert agent.read == []


# ---------------------------------------------------------------------------------------------------
# The widget's idle period


def test_a_widget_conversation_is_over_after_the_idle_period_without_a_message():
    events = [
        {"event": "action", "timestamp": 5000.0},
        {"event": "user", "text": "hi", "timestamp": 1000.0},
        {"event": "bot", "text": "Hello", "timestamp": 1001.0},
        {"event": "slot", "timestamp": 4000.0},
    ]
    assert last_activity(events) == 1001.0  # only what someone said counts
    assert last_activity([{"event": "action", "timestamp": 5.0}]) is None
    assert not idle_expired(1001.0, 1001.0 + 30 * 60 - 1, 30)
    assert idle_expired(1001.0, 1001.0 + 30 * 60, 30)
    assert not idle_expired(None, 10**10, 30)  # nothing said yet: a new conversation, nothing to hide


def test_the_idle_period_comes_from_program_yml_and_is_checked():
    assert load_program().widget_idle_minutes == 30
    data = yaml.safe_load((ROOT / "program.yml").read_text())
    del data["widget_idle_minutes"]
    assert parse_program(data).widget_idle_minutes == 30  # the default
    for wrong in (2, 241, "soon", True):
        data["widget_idle_minutes"] = wrong
        with pytest.raises(ProgramError, match="^widget_idle_minutes: "):
            parse_program(data)
