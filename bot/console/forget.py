"""Forgetting a person's data (admins only), as `iop-intake forget` does: a conversation id or a phone number,
then a page saying what would be removed and what kept, then the confirmation that removes it. The removal
writes its audit row (who, when, an opaque reference, counts); the review writes none, as it shows only
counts. Phone numbers are posted, never put in a URL."""

from __future__ import annotations

from typing import Optional

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console.auth import Staff, allow
from bot.console.web import Console, blocking, form
from bot.sms.identity import NumberCipher, e164, pseudonym
from bot.store import forget as store
from bot.store.db import session_scope
from bot.store.models import utcnow

KINDS = ("conversation", "number")


def _target(console: Console, kind: str, given: str) -> tuple[tuple[str, ...], str | None, str]:
    """(conversation ids, the number in E.164 or None, an error for the form or '')."""
    given = given.strip()
    if kind == "number":
        number = e164(given)
        if number is None:
            return (), None, "That is not a phone number."
        return (pseudonym(number, console.settings.sms_id_key),), number, ""
    if kind != "conversation" or not given:
        return (), None, "Give a conversation id or a phone number."
    return (given,), None, ""


def _page(
    console: Console,
    request: Request,
    step: str,
    *,
    error: str = "",
    kind: str = "conversation",
    given: str = "",
    found: Optional[store.Footprint] = None,
    why: str = "",
    reference: str = "",
    status: int = 200,
) -> HTTPResponse:
    """The forget page at one of its steps: ask, review, done."""
    return console.render(
        request,
        "forget.html",
        title="Forget a person",
        nav="staff",
        step=step,
        error=error,
        kind=kind,
        given=given,
        found=found,
        why=why,
        reference=reference,
        status=status,
    )


def register(app: Sanic) -> None:
    @app.get("/forget")
    @allow("admin")
    async def start(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        return _page(console, request, "ask")

    @app.post("/forget/review")
    @allow("admin")
    async def review(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        kind, given = form(request, "kind", 20), form(request, "given", 255)
        ids, number, error = _target(console, kind, given)
        if error:
            return _page(console, request, "ask", error=error, kind=kind, given=given, status=422)
        config = console.settings

        def look() -> store.Footprint:
            events = store.TrackerEvents(config.tracker_store_url)
            try:
                with session_scope(console.db_url) as session:
                    number_in = (
                        store.number_elsewhere(
                            session, number=number, id_key=config.sms_id_key, cipher=NumberCipher(config.sms_number_key)
                        )
                        if number
                        else ()
                    )
                    return store.footprint(session, events, ids, number_in)
            finally:
                events.close()

        found = await blocking(look)
        return _page(
            console,
            request,
            "review",
            kind=kind,
            given=given,
            found=found,
            why=store.refusal(found.open_escalations) or "",
        )

    @app.post("/forget")
    @allow("admin")
    async def confirm(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff
        kind, given = form(request, "kind", 20), form(request, "given", 255)
        ids, number, error = _target(console, kind, given)
        if not error and form(request, "confirm", 10) != "yes":
            error = "Tick the box to confirm, or go back."
        if error:
            return _page(console, request, "ask", error=error, kind=kind, given=given, status=422)
        config = console.settings

        def remove() -> tuple[store.Footprint, str]:
            events = store.TrackerEvents(config.tracker_store_url)
            try:
                with session_scope(console.db_url) as session:
                    return store.forget(
                        session,
                        events,
                        ids,
                        by=staff.name,
                        staff_id=staff.id,
                        now=utcnow(),
                        number=number,
                        id_key=config.sms_id_key,
                        cipher=NumberCipher(config.sms_number_key),
                    )
            finally:
                events.close()

        try:
            found, reference = await blocking(remove)
        except (LookupError, ValueError) as refused:
            return _page(
                console,
                request,
                "ask",
                error=str(refused)[:1].upper() + str(refused)[1:] + ".",
                kind=kind,
                given=given,
                status=409,
            )
        return _page(console, request, "done", kind=kind, found=found, reference=reference)
