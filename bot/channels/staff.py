"""The staff handoff endpoint: list the conversations waiting for a person, take one over, reply in it and
hand it back to the bot, over HTTP with a bearer token (STAFF_API_TOKEN). The console builds its pages on it.

A Rasa input channel only so that it is served by the Rasa server without another process; it receives no
participant messages. Each route calls bot/handoff.py, which goes through Rasa's own API (tracker events
with `output_channel=latest`, the `EXTERNAL_handback` intent): those calls come back into this server, so
they run on a worker thread while the event loop keeps serving them.

    GET  /webhooks/staff/handoffs
    POST /webhooks/staff/conversations/<id>/take     {"staff": "Dana"}
    POST /webhooks/staff/conversations/<id>/reply    {"staff": "Dana", "text": "..."}
    POST /webhooks/staff/conversations/<id>/release  {"staff": "Dana"}
"""
from __future__ import annotations

import asyncio
import hmac
import logging
from functools import partial
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import handoff
from bot.settings import settings
from bot.store import crud
from bot.store.db import session_scope

log = logging.getLogger(__name__)


def authorised(header: str, token: str) -> bool:
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _handoff_json(row: Any) -> dict:
    return {"id": row.id, "conversation_id": row.conversation_id, "reason": row.reason,
            "opened_at": row.opened_at.isoformat(), "opened_by": row.opened_by}


class StaffChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "staff"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        staff = Blueprint("staff_handoff", __name__)

        @staff.middleware("request")
        async def check_token(request: Request) -> HTTPResponse | None:
            if not authorised(request.headers.get("Authorization", ""), settings().staff_api_token):
                return response.json({"error": "a valid bearer token is required"}, status=401)
            return None

        @staff.route("/handoffs", methods=["GET"])
        async def waiting(request: Request) -> HTTPResponse:
            with session_scope(settings().database_url) as session:
                rows = [_handoff_json(row) for row in crud.list_open_handoffs(session)]
            return response.json({"handoffs": rows})

        async def call(work: Callable[[], Any]) -> HTTPResponse:
            try:
                result = await asyncio.get_running_loop().run_in_executor(None, work)
            except handoff.HandoffError as error:
                log.warning("staff handoff request refused: %s", error)
                return response.json({"error": str(error)}, status=409)
            return response.json({"ok": True, **(result or {})})

        @staff.route("/conversations/<conversation_id>/take", methods=["POST"])
        async def take(request: Request, conversation_id: str) -> HTTPResponse:
            body = request.json or {}
            return await call(lambda: {"handoff": _handoff_json(
                handoff.take_over(conversation_id, str(body.get("staff") or "")))})

        @staff.route("/conversations/<conversation_id>/reply", methods=["POST"])
        async def reply(request: Request, conversation_id: str) -> HTTPResponse:
            body = request.json or {}
            return await call(partial(handoff.reply, conversation_id, str(body.get("text") or ""),
                                      str(body.get("staff") or "")))

        @staff.route("/conversations/<conversation_id>/release", methods=["POST"])
        async def release(request: Request, conversation_id: str) -> HTTPResponse:
            body = request.json or {}
            return await call(lambda: {"bot_said": handoff.hand_back(conversation_id, str(body.get("staff") or ""))})

        return staff
