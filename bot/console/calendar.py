"""`/calendar/<token>.ics`: the calendar invitation of a booking, linked from the widget's confirmation.

The token is the booking's unguessable `calendar_token`: nothing about the person is in the address. A
cancelled booking's invitation is gone (404), so an old link cannot put a freed time back in a calendar.
"""

from __future__ import annotations

import re

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.booking.calendar import invitation
from bot.booking.desk import Desk
from bot.console.auth import public

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def calendar_routes(desk: Desk) -> Blueprint:
    routes = Blueprint("calendar")

    @routes.get("/calendar/<token:str>")
    @public
    async def download(_: Request, token: str) -> HTTPResponse:
        token = token.removesuffix(".ics")
        booking = desk.by_token(token) if _TOKEN.fullmatch(token) else None
        if booking is None or booking.status == "cancelled":
            return response.text("This calendar invitation is no longer available.", status=404)
        body = invitation(
            desk.program,
            booking.slot,
            booking.slot.ends_at,
            booking.slot.location,
            uid=f"booking-{token[:12]}",
            created=booking.created_at,
        )
        return response.raw(
            body,
            content_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="assessment.ics"', "Cache-Control": "no-store"},
        )

    return routes
