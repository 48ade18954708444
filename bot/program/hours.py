"""Opening hours in program.yml: "24/7", or for each day "HH:MM-HH:MM", a list of them, or "closed"."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any, Mapping

from bot.program.section import S, Section
from bot.program.values import Problem, clock_minutes, day_number
from bot.program.vocabulary import WEEKDAYS
from bot.program.wording import days_text, time_span_text


class TimeWindow(Section):
    """Minutes since midnight; `end` may be 1440 (midnight at the end of the day)."""

    start: int
    end: int

    def covers(self, minute: int) -> bool:
        return self.start <= minute < self.end


ALL_DAY = TimeWindow(start=0, end=24 * 60)


def _window(value: Any) -> TimeWindow:
    if not isinstance(value, str) or value.count("-") != 1:
        raise Problem(f'{value!r} should look like "08:00-18:00"')
    start_text, end_text = value.split("-")
    start, end = clock_minutes(start_text), clock_minutes(end_text, allow_midnight_end=True)
    if end <= start:
        raise Problem(f"{value!r} ends before it starts (split overnight hours across two days)")
    return TimeWindow(start=start, end=end)


def _day_windows(spec: Any) -> tuple[TimeWindow, ...]:
    """One day's "HH:MM-HH:MM", a list of them, or "closed"."""
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "closed"):
        return ()
    windows = sorted((_window(s) for s in (spec if isinstance(spec, list) else [spec])), key=lambda w: w.start)
    if any(a.end > b.start for a, b in itertools.pairwise(windows)):
        raise Problem("has overlapping time windows")
    return tuple(windows)


class Hours(Section):
    """Opening windows for each weekday, Monday first, in the program's local time."""

    week: tuple[tuple[TimeWindow, ...], ...]

    @classmethod
    def validate(cls: type[S], value: Any) -> S:
        """From "24/7", or a mapping of day -> one day's windows (days left out are closed)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str) and value.strip().lower() == "24/7":
            return cls(week=tuple((ALL_DAY,) for _ in WEEKDAYS))
        if not isinstance(value, Mapping):
            raise Problem("should be a mapping of names to values")
        week: list[tuple[TimeWindow, ...]] = [() for _ in WEEKDAYS]
        for day, spec in value.items():
            try:
                number = day_number(day)
                week[number] = _day_windows(spec)
            except Problem as problem:
                raise problem.under(str(day)) from None
        if not any(week):
            raise Problem('has no open hours (use "24/7" or give hours for at least one day)')
        return cls(week=tuple(week))

    @property
    def always(self) -> bool:
        return all(windows == (ALL_DAY,) for windows in self.week)

    def is_open(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        return any(w.covers(minute) for w in self.week[local.weekday()])

    def next_opening(self, local: datetime) -> datetime:
        """`local` itself when open, else the start of the next window (loading checks there is one)."""
        minute = local.hour * 60 + local.minute
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        for days_ahead in range(8):
            for window in self.week[(local.weekday() + days_ahead) % 7]:
                if days_ahead == 0 and window.covers(minute):
                    return local
                if days_ahead > 0 or window.start > minute:
                    return midnight + timedelta(days=days_ahead, minutes=window.start)
        raise ValueError("these hours never open")

    def __str__(self) -> str:
        """'Mon-Fri 8am-6pm, Sat 9am-1pm' (closed days left out), or '24/7'."""
        if self.always:
            return "24/7"
        groups: list[tuple[list[int], tuple[TimeWindow, ...]]] = []
        for day, windows in enumerate(self.week):
            if not windows:
                continue
            if groups and groups[-1][1] == windows and groups[-1][0][-1] == day - 1:
                groups[-1][0].append(day)
            else:
                groups.append(([day], windows))
        return ", ".join(
            f"{days_text(days)} " + " and ".join(time_span_text(w.start, w.end) for w in windows)
            for days, windows in groups
        )
