"""Twilio SMS as a Rasa input channel, safe to put on a real number (bot/sms/ has the logic).

Rasa's own Twilio channel checks no signature, uses the phone number as the conversation id and sends
while Twilio waits. Here: POST /webhooks/sms/webhook answers 403 to a request whose X-Twilio-Signature does
not match the configured public URL, writes the message to the database (its text encrypted, pending),
answers Twilio with empty TwiML, and hands the text to the bot in a background task under a pseudonymous
conversation id; replies go out through the REST API. POST /webhooks/sms/status takes Twilio's delivery
reports, checked the same way, and answers 2xx only once the report is committed.

Durable: Twilio never sends an acknowledged message again, so one is marked done only once the bot's turn
on it is stored, and what the bot says during the turn is held until then. On start and every
`replay_every` seconds, messages left pending longer than `lease` seconds (the process working on them died)
are claimed by one server and run again — unless Rasa's tracker already holds a user event with the
message's MessageSid as its message_id (the turn was stored just before the crash): then its held replies
are simply released. Either way the person gets one answer. Both settings can be given under the
channel's entry in credentials.yml.

`get_output_channel()` sends through the same queue, so a staff message added through Rasa's HTTP API
with `output_channel=latest` reaches the phone of an SMS conversation.

Size and rate limits as on every participant channel (limits.py), per conversation only: every request
comes from Twilio's addresses, and each phone has its own conversation. Twilio joins a long text into at
most 1,600 characters, under the 2,000 the bot reads. The kind answer to a refused text goes at most once
a minute per phone: each costs a text, and an auto-responder answering it must not start an endless exchange.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from datetime import timedelta
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import UserUttered
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse

from bot.channels.limits import RateLimits, Verdict, cap_request_size, refusal, shared_limits
from bot.settings import ConfigError, settings
from bot.sms.service import STATUS_PATH, WEBHOOK_PATH, BadRequest, Pending, SmsService
from rasa_edge import speedups

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Messages the bot works on at once. Rasa runs NLU, policies and the tracker store on the event loop that
# also answers Twilio: with 20 people texting and every message worked on at once, an acknowledgement
# waited behind them (p95 410 ms in bench/sms_webhook.py); one at a time it is 63 ms, for about 15% less
# throughput (11.5 instead of 13.7 messages a second on the 2-core machine). The rest wait, in order.
BOT_TURNS_AT_ONCE = 1
REPLAY_EVERY = 30.0  # seconds between looks for messages a dead process left pending
# Seconds a claim on a pending message holds before another server may replay it: far longer than a turn
# (under a second, plus its wait behind others), short enough that a person waits minutes, not hours.
LEASE = 120.0
# Test only: seconds each turn waits before the bot runs, so a test can kill the server between Twilio's
# acknowledgement and the reply. Refused outside IOP_ENV=test.
TEST_TURN_DELAY = "IOP_TEST_SMS_TURN_DELAY"


def _test_turn_delay() -> float:
    value = os.environ.get(TEST_TURN_DELAY, "").strip()
    if not value:
        return 0.0
    if settings().env != "test":
        raise ConfigError(f"{TEST_TURN_DELAY} is for tests only: unset it")
    return float(value)


async def turn_stored(agent: Any, conversation_id: str, message_sid: str) -> bool:
    """Whether Rasa's tracker holds the user event of this message (Rasa gives a UserUttered the
    UserMessage's message_id, and saves it with the turn's bot events once the turn has run)."""
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker_store is None:
        raise RuntimeError("no tracker store to check a replayed message against")
    retrieve = getattr(tracker_store, "retrieve_full_tracker", None) or tracker_store.retrieve
    tracker = await retrieve(conversation_id)  # every session: one may have started since the message
    return tracker is not None and any(
        isinstance(event, UserUttered) and event.message_id == message_sid for event in tracker.events
    )


class SmsOutput(OutputChannel):
    """Rasa's way back to the phone. `turn`: the MessageSid whose turn this is (its texts are held until the
    turn is stored); None for messages outside a turn (staff through Rasa's HTTP API)."""

    def __init__(self, service: SmsService, turn: Optional[str] = None) -> None:
        self.service = service
        self.turn = turn

    @classmethod
    def name(cls) -> Text:
        return "sms"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """One bot message, whatever it holds, as one queued SMS reply (texts and buttons; a picture or
        attachment as its link)."""
        parts = [message.get("text") or ""]
        parts += [str(message[key]) for key in ("image", "attachment") if message.get(key)]
        buttons = message.get("buttons") or message.get("quick_replies")
        await self.service.send_bot_message(
            recipient_id, "\n".join(p for p in parts if p), buttons, staff=bool(message.get("staff")), turn=self.turn
        )

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.service.send_bot_message(recipient_id, text, turn=self.turn)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.service.send_bot_message(recipient_id, text, buttons, turn=self.turn)


class _Blueprint(Blueprint):
    def register(self, app: Any, options: Dict[Text, Any]) -> None:
        cap_request_size(app.config)
        super().register(app, options)


class SmsChannel(InputChannel):
    def __init__(
        self,
        service: Optional[SmsService],
        limits: Optional[RateLimits] = None,
        *,
        replay_every: float = REPLAY_EVERY,
        lease: float = LEASE,
    ) -> None:
        self.service = service
        self.limits = limits or RateLimits.from_settings(settings())
        self.replay_every = replay_every
        self.lease = timedelta(seconds=lease)
        self.turn_delay = _test_turn_delay()
        self._tasks: set[asyncio.Task] = set()  # the bot's work on each message, kept until done
        self._in_hand: set[str] = set()  # MessageSids this process is working on or has waiting
        self._turns = asyncio.Semaphore(BOT_TURNS_AT_ONCE)
        self._sweeper: Optional[asyncio.Task] = None

    @classmethod
    def name(cls) -> Text:
        return "sms"  # routes under /webhooks/sms/

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        current = settings()
        service = SmsService.from_settings(current)
        if service is None:
            log.info("SMS channel off: set SMS_PUBLIC_URL and the TWILIO_* settings to turn it on")
        options = credentials or {}
        return cls(
            service,
            shared_limits(current),
            replay_every=float(options.get("replay_every", REPLAY_EVERY)),
            lease=float(options.get("lease", LEASE)),
        )

    async def idle(self) -> None:
        """Wait until the bot has handled every message received and every reply is sent (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self.service is not None:
            await self.service.outbox.idle()

    def get_output_channel(self) -> Optional[OutputChannel]:
        return SmsOutput(self.service) if self.service else None

    def _checked(self, request: Request, path: str) -> tuple[Optional[HTTPResponse], dict[str, str]]:
        """The response refusing the request (None when it may be handled), and its form fields."""
        if self.service is None:
            return response.text("SMS channel not configured", status=503), {}
        # Parsed here, not by Sanic: its form drops empty fields (the Body of a picture-only message), and
        # Twilio signs those too.
        params = RequestParameters(parse_qs(request.body.decode("utf-8", errors="replace"), keep_blank_values=True))
        signature = request.headers.get("X-Twilio-Signature")
        if not self.service.signed(path, request.query_string, params, signature):
            # Neither the body nor the sender: a forged request may carry anything.
            log.warning(
                "SMS %s: refused a request with a %s signature from %s",
                path,
                "wrong" if signature else "missing",
                request.remote_addr or request.ip,
            )
            return response.text("invalid signature", status=403), {}
        return None, {key: values[0] for key, values in params.items()}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        speedups.apply()  # server start: this channel's routes are being registered
        sms = _Blueprint("sms_webhook", __name__)

        @sms.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.service else "not configured"})

        @sms.route(f"/{WEBHOOK_PATH}", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            refused, form = self._checked(request, WEBHOOK_PATH)
            if refused is not None or self.service is None:
                return refused
            try:
                inbound = await self.service.receive(form)
            except BadRequest as error:
                log.warning("SMS webhook: %s", error)
                return response.text(str(error), status=400)
            if inbound.text is not None:  # already committed, pending: a crash from here on loses nothing
                pending = Pending(inbound.conversation_id, inbound.message_sid, inbound.text)
                verdict = self.limits.verdict(inbound.conversation_id)  # counted on arrival, read in turn
                self._start(on_new_message, pending, verdict, getattr(request.app.ctx, "agent", None), replay=False)
            # Twilio waits at most 15 s: acknowledge now, reply through the REST API.
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @sms.route(f"/{STATUS_PATH}", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            refused, form = self._checked(request, STATUS_PATH)
            if refused is not None or self.service is None:
                return refused
            # Committed before the 2xx; a database failure raises, Sanic answers 500 and Twilio may retry.
            if not self.service.delivery_status(form):
                log.info("SMS status callback for a message that is not ours, or a status not tracked")
            return response.empty()

        @sms.listener("after_server_start")
        async def resume(app: Any, *_: Any) -> None:
            if self.service is not None:  # its first look, now, resumes what a stopped process left
                self._sweeper = asyncio.get_running_loop().create_task(self._sweep(on_new_message, app))

        @sms.listener("before_server_stop")
        async def stop(*_: Any) -> None:
            if self._sweeper is not None:
                self._sweeper.cancel()

        return sms

    async def replay(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], agent: Any) -> int:
        """One look for messages a dead process left pending: each claimed is run again (or released, if its
        turn was stored). The number claimed."""
        if self.service is None:
            return 0
        service = self.service
        loop = asyncio.get_running_loop()
        claimed = await loop.run_in_executor(None, lambda: service.stale_inbound(self.lease, skip=set(self._in_hand)))
        for pending in claimed:
            log.warning(
                "SMS %s: message %s was left unfinished by a stopped process; running it again",
                pending.conversation_id,
                pending.message_sid,
            )
            self._start(on_new_message, pending, self.limits.verdict(pending.conversation_id), agent, replay=True)
        await service.outbox.resume()
        return len(claimed)

    async def _sweep(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], app: Any) -> None:
        while True:
            try:
                await self.replay(on_new_message, getattr(app.ctx, "agent", None))
            except Exception as error:  # the database may be down for a while: look again next time
                log.error("SMS: looking for unfinished messages failed: %s", type(error).__name__)
            await asyncio.sleep(self.replay_every)

    async def _keep_claim(self, service: SmsService, message_sid: str) -> None:
        while True:
            await asyncio.sleep(max(self.lease.total_seconds() / 3, 1.0))
            try:
                if not await service.renew_claim(message_sid):
                    return  # finished meanwhile
            except Exception as error:  # the database may be busy: the next renewal tries again
                log.error("SMS: renewing a claim failed: %s", type(error).__name__)

    def _start(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        pending: Pending,
        verdict: Verdict,
        agent: Any,
        *,
        replay: bool,
    ) -> None:
        assert self.service is not None  # only called with the channel configured
        self._in_hand.add(pending.message_sid)
        task = asyncio.get_running_loop().create_task(
            self._handle(on_new_message, self.service, pending, verdict, agent, replay, time.monotonic())
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: self._in_hand.discard(pending.message_sid))

    async def _handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        service: SmsService,
        pending: Pending,
        verdict: Verdict,
        agent: Any,
        replay: bool,
        claimed: float,
    ) -> None:
        """The bot's turn on a message claimed (at `claimed`, monotonic) by this process."""
        conversation_id, sid = pending.conversation_id, pending.message_sid
        message = UserMessage(
            pending.text, SmsOutput(service, turn=sid), conversation_id, input_channel=self.name(), message_id=sid
        )
        failed = False
        async with self._turns:
            # A claim that waited a good part of its lease behind other messages is renewed first, so no
            # other server takes the message over while its turn runs.
            waited = time.monotonic() - claimed > self.lease.total_seconds() / 4
            if waited and not await service.renew_claim(sid):
                log.info("SMS %s: message %s was finished or taken over meanwhile", conversation_id, sid)
                return
            # The claim is renewed while the turn runs: a turn that waits for its conversation's lock (held by
            # a server that died, until TICKET_LOCK_LIFETIME) must not look abandoned and be run twice.
            keeper = asyncio.get_running_loop().create_task(self._keep_claim(service, sid))
            try:
                if replay and await turn_stored(agent, conversation_id, sid):
                    log.info("SMS %s: message %s had its turn stored; its replies are released", conversation_id, sid)
                else:
                    if replay:
                        await service.restart_turn(sid)
                    if self.turn_delay:
                        await asyncio.sleep(self.turn_delay)
                    kind = await refusal(verdict, pending.text, agent)
                    if kind is None:
                        await on_new_message(message)
                    elif self.limits.answer_due(conversation_id):
                        await message.output_channel.send_text_message(conversation_id, kind)
            except Exception as error:  # not retried: it would fail again. Its text must not reach the log
                failed = True
                log.error("SMS: the bot failed on a message in %s: %s", conversation_id, type(error).__name__)
                log.debug("SMS bot failure", exc_info=True)
            finally:
                keeper.cancel()
        # Not reached when the task is cancelled (shutdown): the message stays pending for a replay.
        await service.finish_turn(conversation_id, sid, failed=failed)
        await service.turn_done(conversation_id)
