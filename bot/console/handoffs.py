"""The live handoff page: the conversation as it happens (the page refreshes its messages), taking it over
from the bot, replying through the person's own channel, and handing it back.

Each action goes through bot/handoff.py, as the staff endpoint and `iop-intake handoff` do, signed with the
signed-in member of staff's name: the name the person sees beside the reply and the transcript keeps.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable
from urllib.parse import quote, unquote

from sanic import Sanic, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import handoff
from bot.console.auth import Staff, allow
from bot.console.web import Console, blocking, form
from bot.store import crud
from bot.store import staff as store
from bot.store.db import session_scope
from bot.store.models import Escalation, Handoff, Screening, utcnow

MAX_REPLY = 1600  # an SMS reply longer than this is split into more than ten texts
# The page refreshes itself every few seconds: one audit row per member of staff and conversation in this
# long, decided by the rows the server holds (not by anything the browser says).
VIEW_AUDITED_FOR = timedelta(minutes=10)


def _known(session: Session, conversation_id: str) -> bool:
    """Whether the application database knows the conversation (a screening or a handoff)."""
    return any(
        session.execute(select(table.id).where(table.conversation_id == conversation_id).limit(1)).first()
        for table in (Screening, Handoff)
    )


def handoff_page(console: Console, staff: Staff, conversation_id: str) -> dict[str, Any]:
    lines = console.transcripts.lines(conversation_id)
    with session_scope(console.db_url) as session:
        if not lines and not _known(session, conversation_id):
            raise NotFound("no such conversation")
        current = crud.open_handoff_for(session, conversation_id=conversation_id)
        screening = session.execute(
            select(Screening.id)
            .where(Screening.conversation_id == conversation_id)
            .order_by(Screening.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        escalations = list(
            session.execute(
                select(Escalation)
                .where(Escalation.conversation_id == conversation_id, Escalation.resolved_at.is_(None))
                .order_by(Escalation.id)
            ).scalars()
        )
        if not store.viewed_since(
            session,
            staff_id=staff.id,
            action="view_transcript",
            subject_kind="conversation",
            subject_id=conversation_id,
            since=utcnow() - VIEW_AUDITED_FOR,
        ):
            staff.audit(session, "view_transcript", "conversation", conversation_id)
    return {
        "conversation_id": conversation_id,
        "lines": lines[-200:],
        "handoff": current,
        "screening_id": screening,
        "escalations": escalations,
    }


def register(app: Sanic) -> None:
    async def act(
        request: Request, segment: str, action: str, work: Callable[[Console, Staff, str], object]
    ) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff
        conversation_id = unquote(segment)  # the path's segment, %-encoded

        def run() -> str:
            try:
                work(console, staff, conversation_id)
            except handoff.HandoffError as error:  # says which step failed, never the conversation's content
                return str(error)
            with session_scope(console.db_url) as session:
                staff.audit(session, action, "conversation", conversation_id)
            return ""

        error = await blocking(run)
        if error:
            page = await blocking(lambda: handoff_page(console, staff, conversation_id))
            return console.render(
                request,
                "handoff.html",
                title="Live conversation",
                status=409,
                error=error,
                draft=form(request, "text", MAX_REPLY),
                **page,
            )
        return response.redirect(f"/conversations/{quote(conversation_id, safe='')}/handoff#reply", status=303)

    # Sanic passes a path's segment as it was sent, %-encoded (links encode ids: the `urlencode` filter), so
    # each route decodes the conversation id. (Its `unquote=True` decodes only a route's last segment.)
    @app.get("/conversations/<conversation_id>/handoff")
    @allow("read")
    async def live(request: Request, conversation_id: str) -> HTTPResponse:
        console: Console = request.app.ctx.console
        page = await blocking(lambda: handoff_page(console, request.ctx.staff, unquote(conversation_id)))
        return console.render(request, "handoff.html", title="Live conversation", error="", draft="", **page)

    @app.post("/conversations/<conversation_id>/take")
    @allow("act")
    async def take(request: Request, conversation_id: str) -> HTTPResponse:
        return await act(request, conversation_id, "take_over", _take)

    @app.post("/conversations/<conversation_id>/reply")
    @allow("act")
    async def reply(request: Request, conversation_id: str) -> HTTPResponse:
        text = form(request, "text", MAX_REPLY + 1)  # one more: a longer message is refused, not cut
        return await act(
            request, conversation_id, "reply", lambda console, staff, decoded: _reply(console, staff, decoded, text)
        )

    @app.post("/conversations/<conversation_id>/hand-back")
    @allow("act")
    async def hand_back(request: Request, conversation_id: str) -> HTTPResponse:
        return await act(
            request,
            conversation_id,
            "hand_back",
            lambda console, staff, decoded: handoff.hand_back(
                decoded, staff.name, rasa=console.rasa, database_url=console.db_url
            ),
        )


def _take(console: Console, staff: Staff, conversation_id: str) -> None:
    with session_scope(console.db_url) as session:  # Rasa would start an empty conversation under any id
        if not _known(session, conversation_id) and not console.transcripts.lines(conversation_id):
            raise NotFound("no such conversation")
    handoff.take_over(conversation_id, staff.name, rasa=console.rasa, database_url=console.db_url)


def _reply(console: Console, staff: Staff, conversation_id: str, text: str) -> None:
    if len(text) > MAX_REPLY:
        raise handoff.HandoffError(f"the message is longer than {MAX_REPLY} characters")
    handoff.reply(conversation_id, text, staff.name, rasa=console.rasa, database_url=console.db_url)
