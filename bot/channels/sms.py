"""Twilio SMS as a Rasa input channel, safe to put on a real number (bot/sms/ has the logic).

Rasa's own Twilio channel checks no signature, uses the phone number as the conversation id and sends
while Twilio waits. Here: POST /webhooks/sms/webhook answers 403 to a request whose X-Twilio-Signature does
not match the configured public URL, hands the text to the bot in a background task under a pseudonymous
conversation id, and answers Twilio at once with empty TwiML; replies go out through the REST API.
POST /webhooks/sms/status takes Twilio's delivery reports, checked the same way.

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
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse

from bot.channels import speedups
from bot.channels.limits import RateLimits, Verdict, cap_request_size, refusal, shared_limits
from bot.settings import settings
from bot.sms.service import STATUS_PATH, WEBHOOK_PATH, BadRequest, SmsService

log = logging.getLogger(__name__)

speedups.apply()

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Messages the bot works on at once. Rasa runs NLU, policies and the tracker store on the event loop that
# also answers Twilio: with 20 people texting and every message worked on at once, an acknowledgement
# waited behind them (p95 410 ms in bench/sms_webhook.py); one at a time it is 63 ms, for about 15% less
# throughput (11.5 instead of 13.7 messages a second on the 2-core machine). The rest wait, in order.
BOT_TURNS_AT_ONCE = 1


class SmsOutput(OutputChannel):
    def __init__(self, service: SmsService) -> None:
        self.service = service

    @classmethod
    def name(cls) -> Text:
        return "sms"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """One bot message, whatever it holds, as one queued SMS reply (texts and buttons; a picture or
        attachment as its link)."""
        parts = [message.get("text") or ""]
        parts += [str(message[key]) for key in ("image", "attachment") if message.get(key)]
        buttons = message.get("buttons") or message.get("quick_replies")
        await self.service.send_bot_message(recipient_id, "\n".join(p for p in parts if p), buttons,
                                            staff=bool(message.get("staff")))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.service.send_bot_message(recipient_id, text)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self.service.send_bot_message(recipient_id, text, buttons)


class _Blueprint(Blueprint):
    def register(self, app: Any, options: Dict[Text, Any]) -> None:
        cap_request_size(app.config)
        super().register(app, options)


class SmsChannel(InputChannel):
    def __init__(self, service: Optional[SmsService], limits: Optional[RateLimits] = None) -> None:
        self.service = service
        self.limits = limits or RateLimits.from_settings(settings())
        self._tasks: set[asyncio.Task] = set()  # the bot's work on each message, kept until done
        self._turns = asyncio.Semaphore(BOT_TURNS_AT_ONCE)

    @classmethod
    def name(cls) -> Text:
        return "sms"  # routes under /webhooks/sms/

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        current = settings()
        service = SmsService.from_settings(current)
        if service is None:
            log.info("SMS channel off: set SMS_PUBLIC_URL and the TWILIO_* settings to turn it on")
        return cls(service, shared_limits(current))

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
            log.warning("SMS %s: refused a request with a %s signature from %s", path,
                        "wrong" if signature else "missing", request.remote_addr or request.ip)
            return response.text("invalid signature", status=403), {}
        return None, {key: values[0] for key, values in params.items()}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
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
            if inbound.text is not None:
                message = UserMessage(inbound.text, SmsOutput(self.service), inbound.conversation_id,
                                      input_channel=self.name(), message_id=inbound.message_sid)
                verdict = self.limits.verdict(inbound.conversation_id)  # counted on arrival, read in turn
                agent = getattr(request.app.ctx, "agent", None)
                task = asyncio.get_running_loop().create_task(
                    self._handle(on_new_message, message, self.service, verdict, agent))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            # Twilio waits at most 15 s: acknowledge now, reply through the REST API.
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @sms.route(f"/{STATUS_PATH}", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            refused, form = self._checked(request, STATUS_PATH)
            if refused is not None or self.service is None:
                return refused
            if not self.service.delivery_status(form):
                log.info("SMS status callback for a message that is not ours, or a status not tracked")
            return response.empty()

        @sms.listener("after_server_start")
        async def resume(*_: Any) -> None:
            if self.service is not None:
                self.service.outbox.resume()

        return sms

    async def _handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage,
                      service: SmsService, verdict: Verdict, agent: Any) -> None:
        try:
            async with self._turns:
                kind = await refusal(verdict, message.text or "", agent)
                if kind is None:
                    await on_new_message(message)
                elif self.limits.answer_due(message.sender_id):
                    await service.send_bot_message(message.sender_id, kind)
        except Exception as error:  # the message is in the tracker; its text must not reach the log
            log.error("SMS: the bot failed on a message in %s: %s", message.sender_id, type(error).__name__)
            log.debug("SMS bot failure", exc_info=True)
        finally:
            await service.turn_done(message.sender_id)
