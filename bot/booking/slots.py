"""Assessment slots made from program.yml's weekly hours: which times exist, and which can be booked now.

Local times are the program's: a 09:00 slot is at 09:00 on both sides of a daylight-saving change, and a
time the clocks skip does not exist. Stored times are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

from bot.program import Assessments


@dataclass(frozen=True)
class SlotTime:
    assessor: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    modality: str  # in_person | telehealth
    location: Optional[str]


def local_moment(day: date, minute: int, tz: ZoneInfo) -> Optional[datetime]:
    """`minute` past midnight on `day` in `tz`, as UTC; None when the clocks skip that time. An hour that
    happens twice (clocks going back) is its first occurrence."""
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    moment = naive.replace(tzinfo=tz, fold=0).astimezone(timezone.utc)
    if moment.astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return moment


def slot_times(assessments: Assessments, tz: ZoneInfo, first: date, last: date) -> list[SlotTime]:
    """Every slot from `first` to `last` (inclusive, local dates), closed dates left out, in time order."""
    length = assessments.slot_minutes
    slots: list[SlotTime] = []
    day = first
    while day <= last:
        if day not in assessments.closed_dates:
            for assessor in assessments.assessors:
                for window in assessor.hours.week[day.weekday()]:
                    for minute in range(window.start, window.end - length + 1, length):
                        start = local_moment(day, minute, tz)
                        if start is not None:
                            slots.append(
                                SlotTime(
                                    assessor.name,
                                    start,
                                    start + timedelta(minutes=length),
                                    assessor.modality,
                                    assessor.location,
                                )
                            )
        day += timedelta(days=1)
    return sorted(slots, key=lambda s: (s.starts_at, s.assessor))


def bookable_between(assessments: Assessments, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest start a person may book at `now`: the minimum notice, and the end of the last
    day of the booking horizon."""
    last_day = now.astimezone(tz).date() + timedelta(days=assessments.book_ahead_days)
    latest = local_moment(last_day + timedelta(days=1), 0, tz) or now
    return now + timedelta(hours=assessments.min_notice_hours), latest


def horizon_days(assessments: Assessments, tz: ZoneInfo, now: datetime) -> tuple[date, date]:
    """The local dates slots should exist for at `now`."""
    today = now.astimezone(tz).date()
    return today, today + timedelta(days=assessments.book_ahead_days)
