"""Wording helpers shared by the FAQ, eligibility messages, the console and the program's own texts."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Sequence

from bot.program.vocabulary import DAY_NAMES, WEEKDAYS


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b, and c' (the serial comma keeps "PTSD and trauma, and ..." readable)."""
    items = list(items)
    if len(items) <= 2:
        return f" {conjunction} ".join(items)
    return f"{', '.join(items[:-1])}, {conjunction} {items[-1]}"


def _clock(minutes: int) -> tuple[str, str]:
    """Clock text and its am/pm suffix: ("3:30", "pm")."""
    hour, minute = divmod(minutes % (24 * 60), 60)
    suffix = "am" if hour < 12 else "pm"
    hour12 = hour % 12 or 12
    return (f"{hour12}:{minute:02d}" if minute else str(hour12)), suffix


def time_span_text(start: int, end: int) -> str:
    """'9am-12pm', '6-9pm', 'all day' for minutes since midnight."""
    if start == 0 and end == 24 * 60:
        return "all day"
    (a, a_suffix), (b, b_suffix) = _clock(start), _clock(end)
    return f"{a}-{b}{b_suffix}" if a_suffix == b_suffix else f"{a}{a_suffix}-{b}{b_suffix}"


def opening_text(opening: datetime, now: datetime) -> str:
    """'8am today', '9:30am tomorrow', '8am on Monday', '8am next Monday' (both in the same time zone)."""
    clock, suffix = _clock(opening.hour * 60 + opening.minute)
    days_ahead = (opening.date() - now.date()).days
    day = (
        "today"
        if days_ahead == 0
        else "tomorrow"
        if days_ahead == 1
        else f"{'next' if days_ahead >= 7 else 'on'} {DAY_NAMES[opening.weekday()]}"
    )
    return f"{clock}{suffix} {day}"


def days_text(days: Iterable[int]) -> str:
    """'Mon-Thu' for a run of three or more days, else 'Mon, Tue, Thu'."""
    runs: list[list[int]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        names = [WEEKDAYS[d].title() for d in run]
        parts.extend([f"{names[0]}-{names[-1]}"] if len(run) >= 3 else names)
    return ", ".join(parts)
