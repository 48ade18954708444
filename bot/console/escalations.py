"""An escalation: what raised it (the person's own words), who was paged, and acknowledging and resolving
it. Opening it, acknowledging and resolving are recorded in the audit log, and who and when on the
escalation too."""

from __future__ import annotations

from typing import Any

from sanic import Sanic, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console.auth import Staff, allow
from bot.console.web import Console, blocking, form
from bot.store import crud
from bot.store.db import session_scope
from bot.store.models import Screening

OUTCOMES = (
    "Reached the person: safety plan made",
    "Reached the person: referred to emergency or inpatient care",
    "Emergency services contacted",
    "Could not reach the person after repeated attempts",
    "Not a crisis on review",
    "Other (see note)",
)


def escalation_page(console: Console, staff: Staff, escalation_id: int) -> dict[str, Any]:
    """The page's data. It shows what the person wrote, so each showing writes an audit row (the page shown
    again after a refused form too: that form can be posted without opening the page first)."""
    with session_scope(console.db_url) as session:
        try:
            escalation = crud.get_escalation(session, escalation_id=escalation_id)
        except crud.EscalationNotFound:
            raise NotFound("no such escalation") from None
        screening = session.get(Screening, escalation.screening_id) if escalation.screening_id else None
        handoff = crud.open_handoff_for(session, conversation_id=escalation.conversation_id)
        staff.audit(session, "view_escalation", "escalation", escalation_id)
        return {
            "escalation": escalation,
            "screening_id": screening.id if screening else None,
            "handoff": handoff,
            "outcomes": OUTCOMES,
        }


def register(app: Sanic) -> None:
    @app.get("/escalations/<escalation_id:int>")
    @allow("read")
    async def escalation(request: Request, escalation_id: int) -> HTTPResponse:
        console: Console = request.app.ctx.console
        page = await blocking(lambda: escalation_page(console, request.ctx.staff, escalation_id))
        return console.render(request, "escalation.html", title=f"Escalation {escalation_id}", error="", **page)

    @app.post("/escalations/<escalation_id:int>/acknowledge")
    @allow("act")
    async def acknowledge(request: Request, escalation_id: int) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff

        def ack() -> None:
            with session_scope(console.db_url) as session:
                try:
                    crud.acknowledge_escalation(session, escalation_id=escalation_id, by=staff.name)
                except crud.EscalationNotFound:
                    raise NotFound("no such escalation") from None
                staff.audit(session, "acknowledge", "escalation", escalation_id)

        await blocking(ack)
        back = form(request, "back", 200)
        return response.redirect(back if back == "/" else f"/escalations/{escalation_id}", status=303)

    @app.post("/escalations/<escalation_id:int>/resolve")
    @allow("act")
    async def resolve(request: Request, escalation_id: int) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff
        outcome, note = form(request, "outcome", 255), form(request, "note", 5000)

        def close() -> str:
            if outcome not in OUTCOMES:
                return "Choose what happened."
            if outcome == OUTCOMES[-1] and not note.strip():
                return "Say what happened in the note."
            with session_scope(console.db_url) as session:
                try:
                    crud.resolve_escalation(
                        session, escalation_id=escalation_id, by=staff.name, outcome=outcome, note=note
                    )
                except crud.EscalationNotFound:
                    raise NotFound("no such escalation") from None
                except crud.EscalationClosed:
                    return "This escalation was already resolved."
                staff.audit(session, "resolve", "escalation", escalation_id)
            return ""

        error = await blocking(close)
        if error:
            page = await blocking(lambda: escalation_page(console, staff, escalation_id))
            return console.render(
                request, "escalation.html", title=f"Escalation {escalation_id}", status=422, error=error, **page
            )
        return response.redirect(f"/escalations/{escalation_id}", status=303)
