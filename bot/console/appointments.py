"""Appointments: the assessments booked in a period (upcoming or past, by status and assessor), marking who
came, cancelling, and the slots themselves (block, open again, remove, add one by hand).

Dates in the filters and the forms are the program's local dates and times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping, Optional
from urllib.parse import urlencode

from sanic import Sanic, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.booking import store as bookings
from bot.booking.desk import Desk
from bot.console.auth import Staff, allow
from bot.console.web import Console, blocking, form, int_or_none
from bot.store.db import session_scope
from bot.store.models import utcnow

PERIOD_DAYS = 14
SHOWN_STATUSES = ("booked", "attended", "no_show", "cancelled")


@dataclass(frozen=True)
class Filters:
    view: str  # upcoming or past
    start: date  # local dates, inclusive
    end: date
    status: str  # '' for all but cancelled
    assessor: str

    def query(self) -> str:
        return urlencode(
            {
                "view": self.view,
                "from": self.start.isoformat(),
                "to": self.end.isoformat(),
                "status": self.status,
                "assessor": self.assessor,
            }
        )


def _date(value: Optional[str]) -> Optional[date]:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters(args: Mapping[str, str], today: date) -> Filters:
    view = "past" if args.get("view") == "past" else "upcoming"
    default = (
        (today - timedelta(days=PERIOD_DAYS), today) if view == "past" else (today, today + timedelta(days=PERIOD_DAYS))
    )
    start, end = _date(args.get("from")) or default[0], _date(args.get("to")) or default[1]
    if end < start:
        start, end = end, start
    end = min(end, start + timedelta(days=92))  # a quarter at most on one page
    status = args.get("status", "") if args.get("status") in SHOWN_STATUSES else ""
    return Filters(view, start, end, status, (args.get("assessor") or "")[:100])


def local_range(console: Console, start: date, end: date) -> tuple[datetime, datetime]:
    tz = console.program.tz
    return datetime.combine(start, time(), tz), datetime.combine(end + timedelta(days=1), time(), tz)


def appointments_page(console: Console, desk: Desk, chosen: Filters) -> dict[str, Any]:
    start, end = local_range(console, chosen.start, chosen.end)
    statuses = [chosen.status] if chosen.status else ["booked", "attended", "no_show"]
    with session_scope(console.db_url) as session:
        desk.ensure_fresh(session, utcnow())  # the booking horizon's slots exist, so staff can block them
        booked = bookings.bookings_between(session, start=start, end=end, statuses=statuses)
        slots = bookings.slots_between(session, start=start, end=end)
        held = {
            b.slot_id
            for b in bookings.bookings_between(
                session, start=start, end=end, statuses=("booked", "attended", "no_show")
            )
        }
    if chosen.assessor:
        booked = [b for b in booked if b.slot.assessor == chosen.assessor]
        slots = [s for s in slots if s.assessor == chosen.assessor]
    if chosen.view == "past":
        booked.reverse()
    return {
        "bookings": booked,
        "slots": [s for s in slots if s.status != "removed"],
        "held": held,
        "filters": chosen,
        "statuses": SHOWN_STATUSES,
        "now": utcnow(),
        "assessors": console.program.assessments.assessors,
    }


def _back(request: Request) -> str:
    back = form(request, "back", 500)
    return back if back.startswith("/appointments") else "/appointments"


def new_slot(console: Console, request: Request) -> dict[str, Any]:
    """The add-a-slot form's values, checked; ValueError says what is wrong."""
    assessor = next((a for a in console.program.assessments.assessors if a.name == form(request, "assessor")), None)
    if assessor is None:
        raise ValueError("Choose an assessor.")
    try:
        day, at = date.fromisoformat(form(request, "date", 20)), time.fromisoformat(form(request, "time", 10))
    except ValueError:
        raise ValueError("Give the date and the time.") from None
    minutes = int_or_none(form(request, "minutes", 4)) or console.program.assessments.slot_minutes
    if not 15 <= minutes <= 240:
        raise ValueError("A slot lasts 15 to 240 minutes.")
    starts_at = datetime.combine(day, at, console.program.tz)
    if starts_at <= utcnow():
        raise ValueError("That time has passed.")
    modality = form(request, "modality", 20) or assessor.modality
    location = form(request, "location", 255).strip() or (assessor.location if modality == "in_person" else None)
    return {
        "assessor": assessor.name,
        "starts_at": starts_at,
        "minutes": minutes,
        "modality": modality,
        "location": location,
    }


def register(app: Sanic) -> None:
    desk = Desk(app.ctx.console.program, app.ctx.console.db_url)

    async def page(request: Request, *, error: str = "", status: int = 200) -> HTTPResponse:
        console: Console = request.app.ctx.console
        chosen = filters({key: request.args.get(key) for key in request.args}, console.day(utcnow()))
        data = await blocking(lambda: appointments_page(console, desk, chosen))
        return console.render(
            request, "appointments.html", title="Appointments", nav="appointments", error=error, status=status, **data
        )

    @app.get("/appointments")
    @allow("read")
    async def appointments(request: Request) -> HTTPResponse:
        return await page(request)

    @app.post("/bookings/<booking_id:int>/outcome")
    @allow("act")
    async def outcome(request: Request, booking_id: int) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff
        attended = form(request, "attended", 3) == "yes"

        def mark() -> None:
            with session_scope(console.db_url) as session:
                try:
                    bookings.mark_outcome(session, booking_id=booking_id, attended=attended, by=staff.name)
                except bookings.NotFound:
                    raise NotFound("no such booking") from None
                staff.audit(session, "mark_attended" if attended else "mark_no_show", "booking", booking_id)

        try:
            await blocking(mark)
        except ValueError as error:
            return await page(request, error=str(error), status=409)
        return response.redirect(_back(request), status=303)

    @app.post("/bookings/<booking_id:int>/cancel")
    @allow("schedule")
    async def cancel(request: Request, booking_id: int) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff

        def drop() -> None:
            with session_scope(console.db_url) as session:
                try:
                    bookings.cancel(session, booking_id=booking_id, by=staff.name)
                except bookings.NotFound:
                    raise NotFound("no such booking") from None
                staff.audit(session, "cancel_booking", "booking", booking_id)

        await blocking(drop)
        return response.redirect(_back(request), status=303)

    @app.post("/slots/<slot_id:int>/status")
    @allow("schedule")
    async def slot_status(request: Request, slot_id: int) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff
        status = form(request, "status", 10)

        def change() -> None:
            with session_scope(console.db_url) as session:
                try:
                    bookings.set_slot_status(session, slot_id=slot_id, status=status, by=staff.name)
                except bookings.NotFound:
                    raise NotFound("no such slot") from None
                staff.audit(session, f"slot_{status}", "slot", slot_id)

        try:
            await blocking(change)
        except bookings.SlotInUse:
            return await page(request, error="That slot is booked: cancel the booking first.", status=409)
        except ValueError:
            return await page(request, error="Choose open, blocked or removed.", status=422)
        return response.redirect(_back(request), status=303)

    @app.post("/slots")
    @allow("schedule")
    async def add_slot(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff

        def add() -> None:
            fields = new_slot(console, request)
            with session_scope(console.db_url) as session:
                slot = bookings.add_slot(session, **fields, by=staff.name)
                staff.audit(session, "add_slot", "slot", slot.id)

        try:
            await blocking(add)
        except ValueError as error:
            return await page(request, error=str(error), status=422)
        return response.redirect(_back(request), status=303)
