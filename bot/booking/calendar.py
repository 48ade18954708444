"""The calendar invitation (.ics) for a booking, offered as a download in the widget.

Times carry the program's time zone (with its VTIMEZONE, so calendars that do not know the name still place
the appointment right across daylight-saving changes). It says where to go and what to bring, nothing about
why: calendars are synced and shared.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.booking.offers import SlotLike
from bot.program import Program


def invitation(
    program: Program, slot: SlotLike, ends_at: datetime, location: Optional[str], *, uid: str, created: datetime
) -> bytes:
    tz: ZoneInfo = program.tz
    calendar = Calendar()
    calendar.add("prodid", f"-//{program.short_name}//intake assistant//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{uid}@{program.website.split('//', 1)[-1].strip('/')}")
    event.add("dtstamp", created)
    event.add("dtstart", slot.starts_at.astimezone(tz))
    event.add("dtend", ends_at.astimezone(tz))
    event.add("summary", f"Free assessment, {program.name}")
    if slot.modality == "in_person" and location:
        event.add("location", location)
        how = f"In person at {location}."
    else:
        event.add("location", "Video call")
        how = program.assessments.telehealth
    event.add(
        "description",
        f"{how}\nPlease bring: {program.assessments.what_to_bring}\nTo cancel or change it, call {program.phone}.",
    )
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical
