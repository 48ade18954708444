"""Which free slots to offer a person, and how a slot reads to them.

Offers follow what the person said in the screening (the times of day that suit them, in person or
online) and, when they ask, the day and time they name. When nothing fits, the earliest times are offered
anyway and the bot says so: an offer that ignores their schedule silently would waste their trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional, Protocol, Sequence, TypeVar
from zoneinfo import ZoneInfo

from bot.booking.phrases import When

OFFER_SIZE = 3
MODALITY_WORDS = {"in_person": "in person", "telehealth": "telehealth"}
_PART_STARTS = (("morning", 0), ("afternoon", 12), ("evening", 17))  # local hour each part begins


class SlotLike(Protocol):
    id: int
    starts_at: datetime
    modality: str


S = TypeVar("S", bound=SlotLike)


@dataclass(frozen=True)
class Preferences:
    """From the screening: `parts` of the day that suit (empty: any) and the modality (None: either)."""

    parts: frozenset[str] = frozenset()
    modality: Optional[str] = None

    @classmethod
    def from_answers(cls, answers: Mapping[str, Any]) -> Preferences:
        times = answers.get("schedule_times")
        modality = answers.get("modality")
        return cls(
            frozenset(times) if isinstance(times, list) else frozenset(),
            modality if modality in MODALITY_WORDS else None,
        )

    def fits(self, slot: SlotLike, tz: ZoneInfo) -> bool:
        if self.modality is not None and slot.modality != self.modality:
            return False
        if not self.parts:
            return True
        local = slot.starts_at.astimezone(tz)
        weekend = local.weekday() >= 5
        return (weekend and "weekend" in self.parts) or part_of_day(local) in self.parts


def part_of_day(local: datetime) -> str:
    return [part for part, hour in _PART_STARTS if local.hour >= hour][-1]


@dataclass(frozen=True)
class Offer:
    slots: tuple[Any, ...]  # of the caller's slot objects, earliest first
    fits: bool  # False: nothing matched, these are the earliest times instead


def _distinct_times(slots: Sequence[S]) -> list[S]:
    """One slot per start time and modality: two assessors free at 3 PM are one choice for the person."""
    seen: set[tuple[datetime, str]] = set()
    chosen: list[S] = []
    for slot in slots:
        key = (slot.starts_at, slot.modality)
        if key not in seen:
            seen.add(key)
            chosen.append(slot)
    return chosen


def _in_windows(slot: SlotLike, when: When) -> bool:
    return any(start <= slot.starts_at < end for start, end in when.windows)


def choose(
    free: Sequence[S],
    prefs: Preferences,
    tz: ZoneInfo,
    *,
    after: Optional[datetime] = None,
    shown: frozenset[tuple[datetime, str]] = frozenset(),
    when: Optional[When] = None,
    count: int = OFFER_SIZE,
) -> Offer:
    """The earliest `count` of `free` (sorted by start) from `after` on that suit the person, leaving out the
    (start, modality) pairs already `shown` on the page before.

    With `when` (a day or time they named), slots in it come first: matching their modality if possible,
    else any. Without it, slots that fit their screening answers; failing those, the earliest."""
    pool = _distinct_times(
        [s for s in free if (after is None or s.starts_at >= after) and (s.starts_at, s.modality) not in shown]
    )
    if when is not None:
        named = [s for s in pool if _in_windows(s, when)]
        for candidates in ([s for s in named if prefs.modality in (None, s.modality)], named):
            if candidates:
                return Offer(tuple(candidates[:count]), True)
        return Offer(tuple(nearest(pool, when, count)), False)
    fitting = [s for s in pool if prefs.fits(s, tz)]
    if fitting:
        return Offer(tuple(fitting[:count]), True)
    return Offer(tuple(pool[:count]), not pool)


def nearest(pool: Sequence[S], when: When, count: int) -> list[S]:
    """The slots closest in time to what was asked for, in time order."""
    if not when.windows:
        return list(pool[:count])
    anchor = when.windows[0][0]
    closest = sorted(pool, key=lambda s: abs((s.starts_at - anchor).total_seconds()))[:count]
    return sorted(closest, key=lambda s: s.starts_at)


def short_time(slot: SlotLike, tz: ZoneInfo, *, zone: bool = False) -> str:
    """'Tue Dec 2, 3:00 PM'; with `zone`, the zone's abbreviation after the time ('3:00 PM EST')."""
    local = slot.starts_at.astimezone(tz)
    return f"{local:%a %b} {local.day}, {clock(local)}" + (f" {local.tzname()}" if zone else "")


def clock(local: datetime) -> str:
    return local.strftime("%I:%M %p").lstrip("0")


def slot_label(slot: SlotLike, tz: ZoneInfo, *, zone: bool = False) -> str:
    """'Tue Dec 2, 3:00 PM (telehealth)': how an offered time reads on its button."""
    return f"{short_time(slot, tz, zone=zone)} ({MODALITY_WORDS.get(slot.modality, slot.modality)})"
