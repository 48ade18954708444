"""The crisis reply: resources in full and up front, warm and short, no method talk (safe messaging).

Whether a person from the team is being alerted depends on the time: on-call staff are paged at any hour,
but the intake team only answers in its staff hours (program.yml), so outside them the reply says so
honestly and points to the crisis lines, which always come first.
"""
from __future__ import annotations

from datetime import datetime

from bot.program import Program

NATIONAL_RESOURCES = (
    "If you are in immediate danger, call 911 or go to the nearest emergency room.",
    "Call or text 988 (Suicide & Crisis Lifeline), any time, day or night.",
    "Text HOME to 741741 (Crisis Text Line).",
)


def crisis_resources(program: Program) -> str:
    lines = list(NATIONAL_RESOURCES)
    line = program.crisis_line
    lines.append(f"{program.name} crisis line: {line.phone} ({line.hours}).")
    return "\n".join(lines)


def higher_care_places(program: Program) -> str:
    """The hospitals and crisis centres from program.yml, one a line with phone, address and hours."""
    return "\n".join(f"- {place.name}: {place.phone}, {place.address} ({place.hours})" for place in program.inpatient)


def crisis_opening(for_self: bool = True) -> str:
    if for_self:
        return "Thank you for telling me. I'm really glad you reached out, and your safety matters most right now."
    return "Thank you for telling me. Their safety matters most right now."


def staff_alert(program: Program, now: datetime) -> str:
    """Who is coming, said honestly for the time `now` (timezone-aware)."""
    if program.staff_on_duty(now):
        return ("A member of our team is being alerted now and will contact you as soon as they can. "
                "If you need to talk to someone before then, please use the numbers above.")
    return f"Our team is off duty until {program.staff_back_text(now)}; please use the numbers above now."


def crisis_message(program: Program, now: datetime, for_self: bool = True) -> str:
    """What the bot says when someone may be in danger. No further screening questions follow it."""
    return f"{crisis_reminder(program, now, for_self)}\nI'll stop the questions here."


def crisis_reminder(program: Program, now: datetime, for_self: bool = True) -> str:
    """The crisis reply without its closing line: also sent again, as it is, for a crisis message written
    while the bot is paused for a person."""
    return f"{crisis_opening(for_self)}\n{crisis_resources(program)}\n{staff_alert(program, now)}"
