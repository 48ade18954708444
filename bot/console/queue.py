"""The queue, the console's home page: open escalations (those nobody has acknowledged first, then most
severe, then oldest), conversations waiting for a person, the week's finished screenings by outcome, and
today's assessments. It refreshes itself (console.js)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select

from bot.booking.store import bookings_between
from bot.console.auth import allow
from bot.console.web import Console, blocking
from bot.eligibility import Outcome
from bot.store import crud
from bot.store import staff as store
from bot.store.db import session_scope
from bot.store.models import Screening, ScreeningStatus, utcnow

RECENT = timedelta(days=7)
REFRESH_SECONDS = 20
# The queue's groups of finished screenings, in order: (title, outcomes or statuses in it).
GROUPS = (
    ("Likely fit", {Outcome.LIKELY_FIT.value}),
    ("Needs clinical review", {Outcome.NEEDS_REVIEW.value}),
    (
        "Referred elsewhere",
        {
            Outcome.REFER_HIGHER.value,
            Outcome.REFER_OUTPATIENT.value,
            Outcome.REFER_SPECIALIZED.value,
            Outcome.REFER_OTHER_PROGRAM.value,
        },
    ),
    (
        "Ended early",
        {
            ScreeningStatus.STOPPED.value,
            ScreeningStatus.CRISIS.value,
            ScreeningStatus.HIGH_RISK.value,
            ScreeningStatus.OUT_OF_RANGE.value,
            ScreeningStatus.OUT_OF_AREA.value,
            ScreeningStatus.NEEDS_GUARDIAN.value,
            ScreeningStatus.DECLINED.value,
        },
    ),
)


def group_of(screening: Screening) -> str:
    key = screening.outcome if screening.status == ScreeningStatus.COMPLETED.value else screening.status
    return next((title for title, members in GROUPS if key in members), "Other")


def local_day(console: Console, now: datetime) -> tuple[datetime, datetime]:
    """Today in the program's time zone, as a UTC interval."""
    start = datetime.combine(now.astimezone(console.program.tz).date(), time(), console.program.tz)
    return start, start + timedelta(days=1)


def queue_data(console: Console, now: datetime) -> dict[str, Any]:
    with session_scope(console.db_url) as session:
        escalations = crud.list_escalations(session, open_only=True)
        handoffs = crud.list_open_handoffs(session)
        finished = list(
            session.execute(
                select(Screening)
                .where(Screening.completed_at >= now - RECENT, Screening.status != ScreeningStatus.RESTARTED.value)
                .order_by(Screening.completed_at.desc())
            ).scalars()
        )
        seen = store.viewed_screenings(session, (s.id for s in finished))
        channels = {s.id: s.participant.channel for s in finished}
        start, end = local_day(console, now)
        today = bookings_between(session, start=start, end=end, statuses=("booked", "attended", "no_show"))
    groups: dict[str, list[Screening]] = {title: [] for title, _ in GROUPS}
    for screening in finished:
        groups.setdefault(group_of(screening), []).append(screening)
    return {
        "escalations": escalations,
        "handoffs": handoffs,
        "groups": groups,
        "seen": seen,
        "channels": channels,
        "today": today,
        "now": now,
    }


def register(app: Sanic) -> None:
    @app.get("/")
    @allow("read")
    async def home(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        data = await blocking(lambda: queue_data(console, utcnow()))
        return console.render(request, "queue.html", title="Queue", nav="queue", refresh=REFRESH_SECONDS, **data)
