"""How much the participant-facing channels (REST, widget, SMS) take in, decided without Rasa: the size of a
message and of a request, and how fast one conversation or one client address may send (docs/security.md).

A 1 MB message once held the server's only event loop for 7 s: a message over MAX_MESSAGE_CHARS is answered
kindly and never parsed, and Sanic refuses a body over REQUEST_MAX_BYTES before anything reads it.

Rate limits never drop a crisis. Over a limit, a message is still read by the bot's own NLU (the crisis
detector is part of it) and goes on as usual when it is a crisis: a person in crisis may type fast, in
bursts, or share an address (a clinic, a school, a mobile carrier) with someone else who is typing, and the
bot's answer to a crisis is the crisis lines and a person. Storing the limited message without answering
would not do: a crisis needs its answer now, not a record. Only other messages over a limit get "you're
sending messages faster than I can read them", unread. Reading costs one NLU parse, so far beyond any
person's typing speed (UNREAD_FACTOR times a limit) messages are refused unread: that is a program, not a
person, and the refusal still names the crisis lines.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from enum import Enum
from functools import lru_cache
from typing import Any, Callable, Optional

from bot.dialogue import CRISIS_INTENT
from bot.safety.resources import EMERGENCY, LIFELINE

MAX_MESSAGE_CHARS = 2000
# A 2,000-character message is at most ~24 KB as JSON (\\uXXXX escapes); nothing a participant, Twilio or
# staff tools send through the Rasa server comes near this.
REQUEST_MAX_BYTES = 64 * 1024
WINDOW_S = 60.0  # the limits count messages in the last minute
UNREAD_FACTOR = 3  # beyond this many times a limit, messages are refused without reading them
MAX_KEYS = 20_000  # conversations and addresses remembered; the least recently seen are forgotten first

SAFETY = (
    f"If you are thinking about ending your life or are in danger, call or text {LIFELINE} now, or call {EMERGENCY}."
)
TOO_LONG = (
    "That message is longer than I can read (more than 2,000 characters). Could you send it again in "
    f"shorter parts? {SAFETY}"
)
TOO_FAST = (
    "You're sending messages faster than I can read them. Please wait a moment, then send your last "
    f"message again. {SAFETY}"
)


class Verdict(Enum):
    READ = "read"  # within the limits
    CRISIS_ONLY = "crisis_only"  # over a limit: read only to see whether it is a crisis
    REFUSED = "refused"  # far over a limit: not read


def too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS


class _Window:
    """When the recent messages of each key came, at most `cap` of them per key, for at most MAX_KEYS keys."""

    def __init__(self, cap: int, window_s: float) -> None:
        self.cap, self.window_s = cap, window_s
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def count(self, key: str, now: float) -> int:
        times = self._seen.get(key)
        if times is None:
            return 0
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return len(times)

    def add(self, key: str, now: float) -> None:
        times = self._seen.setdefault(key, deque(maxlen=self.cap))
        self._seen.move_to_end(key)
        times.append(now)
        while len(self._seen) > MAX_KEYS:
            self._seen.popitem(last=False)


class RateLimits:
    """Messages a minute per conversation and per client address. The Rasa server has one for all its
    channels (shared_limits), so a client address has one allowance whichever channel it uses."""

    def __init__(
        self,
        per_conversation: int,
        per_address: int,
        *,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = {"conversation": per_conversation, "address": per_address}
        self.clock = clock
        self._windows = {kind: _Window(limit * UNREAD_FACTOR, window_s) for kind, limit in self.limits.items()}
        self._answered = _Window(1, window_s)

    @classmethod
    def from_settings(cls, current: Any) -> RateLimits:
        return cls(current.rate_limit_per_conversation, current.rate_limit_per_address)

    def verdict(self, conversation: str, address: Optional[str] = None) -> Verdict:
        """What to do with a message that just came, counted from here on (over a limit or not: a flood
        stays over it). `address` None: the channel has no client address of its own (SMS: Twilio's)."""
        now = self.clock()
        keys = {"conversation": conversation, "address": address}
        worst = Verdict.READ
        for kind, key in keys.items():
            if key is None:
                continue
            window, limit = self._windows[kind], self.limits[kind]
            seen = window.count(key, now)
            if seen >= limit * UNREAD_FACTOR:
                worst = Verdict.REFUSED
            elif seen >= limit and worst is Verdict.READ:
                worst = Verdict.CRISIS_ONLY
            window.add(key, now)
        return worst

    def answer_due(self, conversation: str) -> bool:
        """Whether to send TOO_FAST (or TOO_LONG) now: once a minute per conversation on a channel where each
        answer costs a text, so that an auto-responder texting us back cannot start an endless exchange."""
        now = self.clock()
        if self._answered.count(conversation, now):
            return False
        self._answered.add(conversation, now)
        return True


def shared_limits(current: Any) -> RateLimits:
    """The Rasa server's limits (bot.settings.Settings): every channel of the process counts together."""
    return _shared(current.rate_limit_per_conversation, current.rate_limit_per_address)


@lru_cache(maxsize=4)
def _shared(per_conversation: int, per_address: int) -> RateLimits:
    return RateLimits(per_conversation, per_address)


async def is_crisis(agent: Any, text: str) -> bool:
    """The bot's own crisis reading of `text` (Rasa's Agent: NLU only, no dialogue, nothing stored). True
    when there is no model to ask: a message that cannot be checked is let through, not dropped."""
    if agent is None or not getattr(agent, "is_ready", lambda: False)():
        return True
    parsed = await agent.parse_message(text)
    return ((parsed or {}).get("intent") or {}).get("name") == CRISIS_INTENT


def cap_request_size(config: Any) -> None:
    """Sanic's limits for the Rasa server's app (a channel's blueprint sets them as it is registered, before
    the server starts): request bodies and websocket frames (the widget's socket.io)."""
    config.REQUEST_MAX_SIZE = min(config.REQUEST_MAX_SIZE, REQUEST_MAX_BYTES)
    config.WEBSOCKET_MAX_SIZE = min(config.WEBSOCKET_MAX_SIZE, REQUEST_MAX_BYTES)


async def refusal(verdict: Verdict, text: str, agent: Any) -> Optional[str]:
    """The kind answer that replaces the bot's for a message that came with `verdict` (None: the bot reads
    it). Rasa's Agent reads a message over a limit for a crisis, which always goes through."""
    if verdict is Verdict.REFUSED:
        return TOO_FAST
    if too_long(text):
        return TOO_LONG
    if verdict is Verdict.CRISIS_ONLY and not await is_crisis(agent, text):
        return TOO_FAST
    return None
