"""The funnel: of the screenings started in a period (on one channel or all), how many consented, completed,
came out likely fit / for review / referred, booked an assessment and came to it, drawn as an SVG chart;
and the period's screenings as CSV (codes, scores and dates only: no free text, no conversation ids)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Iterable, Mapping, Optional
from zoneinfo import ZoneInfo

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.store import Booking
from bot.console.auth import Staff, allow
from bot.console.web import Console, blocking, form
from bot.eligibility import Outcome
from bot.store import checkins
from bot.store.db import session_scope
from bot.store.models import Answer, Participant, Screening, ScreeningStatus, utcnow

DEFAULT_DAYS = 30
REFERRED = frozenset(
    {
        Outcome.REFER_HIGHER.value,
        Outcome.REFER_OUTPATIENT.value,
        Outcome.REFER_SPECIALIZED.value,
        Outcome.REFER_OTHER_PROGRAM.value,
    }
)
# (key, label, level): the chart indents the three outcomes under "completed".
STEPS = (
    ("started", "Started", 0),
    ("consented", "Consented", 0),
    ("completed", "Completed the screening", 0),
    ("likely_fit", "Likely fit", 1),
    ("needs_review", "Needs clinical review", 1),
    ("referred", "Referred elsewhere", 1),
    ("booked", "Booked an assessment", 0),
    ("attended", "Attended", 0),
)
COLUMNS = (
    "screening_id",
    "channel",
    "started_at",
    "completed_at",
    "status",
    "consented",
    "outcome",
    "track",
    "phq9_total",
    "phq9_band",
    "gad7_total",
    "gad7_band",
    "auditc_total",
    "auditc_band",
    "cssrs_risk",
    "insurance_status",
    "booked",
    "attended",
)


@dataclass(frozen=True)
class Period:
    start: date  # local dates, inclusive
    end: date
    channel: str  # '' for every channel

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}" + (f" {self.channel}" if self.channel else "")


def period(values: Mapping[str, str], today: date) -> Period:
    def day(key: str) -> Optional[date]:
        try:
            return date.fromisoformat(values.get(key) or "")
        except ValueError:
            return None

    end = day("to") or today
    start = day("from") or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        start, end = end, start
    return Period(start, end, (values.get("channel") or "")[:32])


@dataclass(frozen=True)
class Row:
    """One screening as the funnel counts it."""

    screening: Screening
    channel: str
    consented: bool
    booked: bool
    attended: bool

    def steps(self) -> set[str]:
        s = self.screening
        done = {"started"}
        if self.consented:
            done.add("consented")
        if s.status == ScreeningStatus.COMPLETED.value:
            done.add("completed")
            if s.outcome in (Outcome.LIKELY_FIT.value, Outcome.NEEDS_REVIEW.value):
                done.add(s.outcome)
            elif s.outcome in REFERRED:
                done.add("referred")
        if self.booked:
            done.add("booked")
        if self.attended:
            done.add("attended")
        return done


def rows(session: Session, tz: ZoneInfo, chosen: Period) -> list[Row]:
    start = datetime.combine(chosen.start, time(), tz)
    end = datetime.combine(chosen.end + timedelta(days=1), time(), tz)
    # A restarted screening was replaced by the next one in the same conversation: counted once, as that one.
    cohort = (
        select(Screening.id)
        .join(Participant, Screening.participant_id == Participant.id)
        .where(
            Screening.started_at >= start,
            Screening.started_at < end,
            Screening.status != ScreeningStatus.RESTARTED.value,
        )
    )
    if chosen.channel:
        cohort = cohort.where(Participant.channel == chosen.channel)
    found = session.execute(
        select(Screening, Participant.channel)
        .join(Participant)
        .where(Screening.id.in_(cohort))
        .order_by(Screening.started_at, Screening.id)
    ).all()
    consented = {
        screening_id
        for screening_id, value in session.execute(
            select(Answer.screening_id, Answer.value).where(
                Answer.question_key == "consent", Answer.screening_id.in_(cohort)
            )
        )
        if value is True
    }
    held: dict[int, set[str]] = {}
    for screening_id, status in session.execute(
        select(Booking.screening_id, Booking.status).where(
            Booking.screening_id.in_(cohort), Booking.status != "cancelled"
        )
    ):
        held.setdefault(screening_id, set()).add(status)
    return [Row(s, channel, s.id in consented, s.id in held, "attended" in held.get(s.id, ())) for s, channel in found]


def counts(found: Iterable[Row]) -> dict[str, int]:
    totals = dict.fromkeys((key for key, _, _ in STEPS), 0)
    for row in found:
        for step in row.steps():
            totals[step] += 1
    return totals


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: int  # percent of started
    y: int
    x: int  # indent
    width: int


def chart(totals: dict[str, int], *, width: int = 360, height: int = 26) -> list[Bar]:
    """The bars of the chart, each as long as its share of the screenings started."""
    started = totals["started"]
    bars = []
    for i, (key, label, level) in enumerate(STEPS):
        share = round(100 * totals[key] / started) if started else 0
        bars.append(
            Bar(
                label,
                totals[key],
                share,
                i * (height + 8),
                level * 16,
                max(round((width - level * 16) * totals[key] / started), 1) if started else 1,
            )
        )
    return bars


def channels(session: Session) -> list[str]:
    return sorted(c for c in session.execute(select(Participant.channel).distinct()).scalars() if c)


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(found: Iterable[Row], local: Callable[[Optional[datetime]], str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in found:
        s = row.screening
        insurance = (s.insurance or {}).get("status") if isinstance(s.insurance, dict) else None
        values = (
            s.id,
            row.channel,
            local(s.started_at),
            local(s.completed_at),
            s.status,
            "yes" if row.consented else "no",
            s.outcome,
            s.track,
            s.phq9_total,
            s.phq9_band,
            s.gad7_total,
            s.gad7_band,
            s.auditc_total,
            s.auditc_band,
            s.cssrs_risk,
            insurance,
            "yes" if row.booked else "no",
            "yes" if row.attended else "no",
        )
        writer.writerow([_cell(value) for value in values])
    return out.getvalue()


def by_channel(found: list[Row]) -> dict[str, dict[str, int]]:
    grouped: dict[str, list[Row]] = {}
    for row in found:
        grouped.setdefault(row.channel, []).append(row)
    return {channel: counts(members) for channel, members in sorted(grouped.items())}


def register(app: Sanic) -> None:
    @app.get("/funnel")
    @allow("report")
    async def funnel(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        chosen = period({key: request.args.get(key) for key in request.args}, console.day(utcnow()))

        def load() -> dict[str, Any]:
            with session_scope(console.db_url) as session:
                found = rows(session, console.program.tz, chosen)
                totals = counts(found)
                start = datetime.combine(chosen.start, time(), console.program.tz)
                end = datetime.combine(chosen.end + timedelta(days=1), time(), console.program.tz)
                check_ins = checkins.outcome_counts(session, since=start, until=end, channel=chosen.channel or None)
                return {
                    "period": chosen,
                    "totals": totals,
                    "bars": chart(totals),
                    "by_channel": by_channel(found),
                    "channels": channels(session),
                    "steps": STEPS,
                    "check_ins": check_ins,
                }

        data = await blocking(load)
        return console.render(request, "funnel.html", title="Funnel", nav="funnel", **data)

    @app.post("/funnel/export")
    @allow("report")
    async def export(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff
        chosen = period({key: form(request, key, 40) for key in ("from", "to", "channel")}, console.day(utcnow()))

        def write() -> str:
            with session_scope(console.db_url) as session:
                found = rows(session, console.program.tz, chosen)
                staff.audit(session, "export", "period", chosen.label, detail=f"{len(found)} screenings")
                return csv_text(found, lambda at: console.local(at, "%Y-%m-%d %H:%M"))

        body = await blocking(write)
        name = f"screenings-{chosen.start.isoformat()}-{chosen.end.isoformat()}.csv"
        return response.text(
            body,
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
