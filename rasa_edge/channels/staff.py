"""The staff handoff endpoint: list the conversations waiting for a person, take one over, reply in it and
hand it back to the bot, over HTTP with a bearer token (STAFF_API_TOKEN), for tools other than the console.

The console, with its own accounts, is the staff's door: this one exists only while STAFF_API_TOKEN is set
(404 otherwise). Whoever holds the token names the member of staff, so every take-over, reply and hand-back
through it writes an audit row (the console's audit log) marked as coming through the staff API, with the
account's id when the name is a console account's, and what was refused.

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
import logging
from functools import partial
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import handoff
from bot.channels.access import staff_refusal
from bot.settings import settings
from bot.store import crud
from bot.store import staff as staff_store
from bot.store.db import session_scope
from rasa_edge import speedups

log = logging.getLogger(__name__)
THROUGH = "staff API"  # the audit rows' detail: which door the act came through


def audit_act(action: str, conversation_id: str, staff: str, refused: str = "") -> None:
    """The audit row of one act through the endpoint, in the console's audit log."""
    name = " ".join(staff.split()) or "?"
    with session_scope(settings().database_url) as session:
        account = staff_store.staff_by_name(session, name=name) if name != "?" else None
        staff_store.audit(
            session,
            staff_name=name,
            staff_id=account.id if account and account.active else None,
            action=action,
            subject_kind="conversation",
            subject_id=conversation_id,
            detail=f"{THROUGH}, refused: {refused}" if refused else THROUGH,
        )


def _handoff_json(row: Any) -> dict:
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "reason": row.reason,
        "opened_at": row.opened_at.isoformat(),
        "opened_by": row.opened_by,
    }


class StaffChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "staff"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        speedups.apply()  # server start: this channel's routes are being registered
        staff = Blueprint("staff_handoff", __name__)

        @staff.middleware("request")
        async def check_token(request: Request) -> HTTPResponse | None:
            refused = staff_refusal(settings().staff_api_token, request.headers.get("Authorization"))
            if refused == 404:
                return response.json({"error": "not found"}, status=404)
            if refused is not None:
                log.warning("staff endpoint: refused a call without the bearer token from %s", request.ip)
                return response.json({"error": "a valid bearer token is required"}, status=401)
            return None

        @staff.route("/handoffs", methods=["GET"])
        async def waiting(request: Request) -> HTTPResponse:
            with session_scope(settings().database_url) as session:
                rows = [_handoff_json(row) for row in crud.list_open_handoffs(session)]
            return response.json({"handoffs": rows})

        async def call(action: str, conversation_id: str, staff_name: str, work: Callable[[], Any]) -> HTTPResponse:
            def audited() -> Any:
                try:
                    result = work()
                except handoff.HandoffError as error:
                    audit_act(action, conversation_id, staff_name, refused=str(error))
                    raise
                audit_act(action, conversation_id, staff_name)
                return result

            try:
                result = await asyncio.get_running_loop().run_in_executor(None, audited)
            except handoff.HandoffError as error:
                log.warning("staff handoff request refused: %s", error)
                return response.json({"error": str(error)}, status=409)
            return response.json({"ok": True, **(result or {})})

        def named(request: Request) -> str:
            return str((request.json or {}).get("staff") or "")

        @staff.route("/conversations/<conversation_id>/take", methods=["POST"])
        async def take(request: Request, conversation_id: str) -> HTTPResponse:
            name = named(request)
            return await call(
                "take_over",
                conversation_id,
                name,
                lambda: {"handoff": _handoff_json(handoff.take_over(conversation_id, name))},
            )

        @staff.route("/conversations/<conversation_id>/reply", methods=["POST"])
        async def reply(request: Request, conversation_id: str) -> HTTPResponse:
            name, text = named(request), str((request.json or {}).get("text") or "")
            return await call("reply", conversation_id, name, partial(handoff.reply, conversation_id, text, name))

        @staff.route("/conversations/<conversation_id>/release", methods=["POST"])
        async def release(request: Request, conversation_id: str) -> HTTPResponse:
            name = named(request)
            return await call(
                "hand_back", conversation_id, name, lambda: {"bot_said": handoff.hand_back(conversation_id, name)}
            )

        return staff
