"""The REST channel (POST /webhooks/rest/webhook): for development and integrations, and never trusted.

Rasa's own REST channel lets the caller name any conversation and set the message's input channel and
metadata: a caller could write into a widget or SMS conversation (its latest channel became REST, so staff
replies and crisis reminders no longer reached the phone) or mark a crisis message `is_external`, which
hid it from the staff transcript. Here (decisions in access.py and limits.py):

- with REST_CHANNEL_TOKEN set every call needs it as a bearer token; without it the channel is open outside
  production and absent (404) in production;
- the conversation is the caller's `sender` in the channel's own namespace ("rest-..."), never another
  channel's; the input channel is always "rest", and the only metadata is the channel's own record of the
  client address (the paging limits count escalations per address: bot/safety/escalation.py);
- size and rate limits, as on every participant channel; a typed "/command" is text; an empty message gets a
  kind answer (Rasa drops it before the dialogue, so the person would get no reply at all).

Replies come back in the response as from Rasa's channel: [{"recipient_id": "rest-...", "text": ...}, ...].
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.access import client_address, rest_conversation_id, rest_refusal
from bot.channels.limits import TOO_LONG, RateLimits, cap_request_size, refusal, shared_limits
from bot.channels.text import participant_text
from bot.messages import EMPTY_MESSAGE
from bot.safety.escalation import CLIENT_REF
from bot.settings import Settings, settings
from bot.store.refs import keyed_ref
from rasa_edge import speedups

log = logging.getLogger(__name__)


class _Blueprint(Blueprint):
    def register(self, app: Any, options: Dict[Text, Any]) -> None:
        cap_request_size(app.config)
        super().register(app, options)


class RestChannel(InputChannel):
    def __init__(self, current: Settings, limits: Optional[RateLimits] = None) -> None:
        self.settings = current
        self.limits = limits or RateLimits.from_settings(current)

    @classmethod
    def name(cls) -> Text:
        return "rest"  # same webhook path as Rasa's own: /webhooks/rest/webhook

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        current = settings()
        current.check()  # the Rasa server does not start with unsafe settings
        if current.production and not current.rest_channel_token:
            log.info("REST channel off in production: set REST_CHANNEL_TOKEN to turn it on with a bearer token")
        return cls(current, shared_limits(current))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        speedups.apply()  # server start: this channel's routes are being registered
        rest = _Blueprint("rest_webhook", __name__)

        @rest.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            refused = self._refused(request)
            return refused or response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refused = self._refused(request)
            if refused is not None:
                return refused
            body = request.json if isinstance(request.json, dict) else {}  # invalid JSON: Sanic answers 400
            conversation = rest_conversation_id(body.get("sender"))
            message = body.get("message")
            if conversation is None or not isinstance(message, str):
                return response.json(
                    {
                        "error": 'send a JSON object with "sender" (up to 64 letters, digits and '
                        '._:@-) and "message" (text)'
                    },
                    status=400,
                )
            text = participant_text(message)  # "/restart" typed by a person is text, never a command
            address = client_address(request.ip, request.headers.get("X-Forwarded-For"), self.settings.rasa_proxies)
            verdict = self.limits.verdict(conversation, address)
            kind = await refusal(verdict, text, getattr(request.app.ctx, "agent", None))
            if kind is not None:
                return response.json(
                    [{"recipient_id": conversation, "text": kind}], status=413 if kind == TOO_LONG else 429
                )
            if not text.strip():
                return response.json([{"recipient_id": conversation, "text": EMPTY_MESSAGE}])
            collector = CollectingOutputChannel()
            try:
                ref = keyed_ref("address", address, self.settings.sms_id_key)
                await on_new_message(
                    UserMessage(text, collector, conversation, input_channel=self.name(), metadata={CLIENT_REF: ref})
                )
            except Exception as error:  # the text may be health information: never in the log
                log.error("REST: the bot failed on a message in %s: %s", conversation, type(error).__name__)
                log.debug("REST bot failure", exc_info=True)
            return response.json(collector.messages)

        return rest

    def _refused(self, request: Request) -> Optional[HTTPResponse]:
        status = rest_refusal(
            self.settings.rest_channel_token, self.settings.production, request.headers.get("Authorization")
        )
        if status is None:
            return None
        if status == 404:
            return response.json({"error": "not found"}, status=404)
        return response.json(
            {"error": "a valid bearer token is required"}, status=401, headers={"WWW-Authenticate": "Bearer"}
        )
