"""The audit log page (admins only): who viewed, acknowledged, replied, exported... newest first. Read only:
no route changes or deletes a row."""

from __future__ import annotations

from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console.auth import allow
from bot.console.web import Console, blocking, int_or_none
from bot.store import staff as store
from bot.store.db import session_scope

PAGE = 100


def register(app: Sanic) -> None:
    @app.get("/audit")
    @allow("admin")
    async def audit_log(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        who = (request.args.get("staff") or "")[:100]
        action = request.args.get("action") if request.args.get("action") in store.AUDIT_ACTIONS else ""
        before = int_or_none(request.args.get("before"))

        def load() -> dict[str, Any]:
            with session_scope(console.db_url) as session:
                rows = store.audit_log(
                    session, before_id=before, staff_name=who or None, action=action or None, limit=PAGE
                )
                names = [account.name for account in store.list_staff(session)]
            return {"rows": rows, "names": names, "older": rows[-1].id if len(rows) == PAGE else None}

        data = await blocking(load)
        return console.render(
            request,
            "audit.html",
            title="Audit log",
            nav="audit",
            who=who,
            action=action,
            actions=store.AUDIT_ACTIONS,
            **data,
        )
