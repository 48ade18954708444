"""The crisis reply: resources in full and up front, warm and short, no method talk (safe messaging)."""
from __future__ import annotations

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


def crisis_opening(for_self: bool = True) -> str:
    if for_self:
        return "Thank you for telling me. I'm really glad you reached out, and your safety matters most right now."
    return "Thank you for telling me. Their safety matters most right now."


def crisis_message(program: Program, for_self: bool = True) -> str:
    """What the bot says when someone may be in danger. No further screening questions follow it."""
    return (
        f"{crisis_opening(for_self)}\n{crisis_resources(program)}\n"
        "Our intake team will see your answers, but they may not see them right away, so please use one of "
        "the numbers above now. I'll stop the questions here."
    )
