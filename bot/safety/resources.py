"""The crisis reply: resources in full and up front, warm and short, no method talk (safe messaging).

The first lines fit what the person told us: an overdose needs 911 and Poison Control now, harm to someone
else needs 911, everything else opens with 911 for immediate danger and 988. Whether a person from the team
is being alerted depends on the time: on-call staff are paged at any hour, but the intake team only answers in
its staff hours (program.yml), so outside them the reply says so honestly and points to the crisis lines,
which always come first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from bot.instruments.cssrs import Risk
from bot.program import Program
from bot.questions import DECLINED
from bot.safety.lexicon import Category

# The national crisis lines. Every reply, text and page that names them takes them from here (the widget and
# the demo page through the console, bot/console/app.py), so none can fall behind: tests/test_facts.py.
EMERGENCY = "911"
LIFELINE = "988"  # the Suicide & Crisis Lifeline: call or text
LIFELINE_NAME = "Suicide & Crisis Lifeline"
TEXT_LINE = "741741"  # the Crisis Text Line
TEXT_HOME = f"text HOME to {TEXT_LINE}"

NATIONAL_RESOURCES = (
    f"If you are in immediate danger, call {EMERGENCY} or go to the nearest emergency room.",
    f"Call or text {LIFELINE} ({LIFELINE_NAME}), any time, day or night.",
    f"Text HOME to {TEXT_LINE} (Crisis Text Line).",
)
POISON_CONTROL = "1-800-222-1222"
SAMHSA_HELPLINE = "1-800-662-4357"  # SAMHSA's National Helpline: free treatment referral, 24/7
FIND_CARE = (
    f"SAMHSA's National Helpline, {SAMHSA_HELPLINE} (free, confidential, 24/7), and FindTreatment.gov can "
    "help find care that fits."
)
# Medical danger first: an overdose can be deadly even when the person feels fine for now.
OVERDOSE_RESOURCES = (
    f"If you or someone else has taken too much of a medicine, drug or alcohol, call {EMERGENCY} now, even if you "
    "feel okay right now.",
    f"Poison Control: call {POISON_CONTROL}, any time, day or night.",
    *NATIONAL_RESOURCES[1:],
)
HARM_TO_OTHERS_RESOURCES = (
    f"If anyone is in immediate danger, call {EMERGENCY} now.",
    f"Call or text {LIFELINE} ({LIFELINE_NAME}), any time, day or night: they also help with thoughts of hurting "
    "someone else.",
    NATIONAL_RESOURCES[2],
)
_RESOURCES = {
    Category.OVERDOSE_OR_MEDICAL.value: OVERDOSE_RESOURCES,
    Category.HARM_TO_OTHERS.value: HARM_TO_OTHERS_RESOURCES,
}


def crisis_resources(program: Program, category: Optional[str] = None) -> str:
    """The crisis lines in full; `category` (a detector category) puts what that danger needs first."""
    lines = list(_RESOURCES.get(category or "", NATIONAL_RESOURCES))
    line = program.crisis_line
    lines.append(f"{program.name} crisis line: {line.phone} ({line.hours}).")
    return "\n".join(lines)


def higher_care_places(program: Program) -> str:
    """The hospitals and crisis centres from program.yml, one a line with phone, address and hours."""
    return "\n".join(f"- {place.name}: {place.phone}, {place.address} ({place.hours})" for place in program.inpatient)


def crisis_opening(for_self: bool = True, category: Optional[str] = None) -> str:
    if category == Category.HARM_TO_OTHERS.value:
        return "Thank you for telling me. I'm glad you reached out: everyone's safety matters most right now."
    if for_self:
        return "Thank you for telling me. I'm really glad you reached out, and your safety matters most right now."
    return "Thank you for telling me. Their safety matters most right now."


def staff_alert(program: Program, now: datetime) -> str:
    """Who is coming, said honestly for the time `now` (timezone-aware)."""
    if program.staff_on_duty(now):
        return (
            "A member of our team is being alerted now and will contact you as soon as they can. "
            "If you need to talk to someone before then, please use the numbers above."
        )
    return f"Our team is off duty until {program.staff_back_text(now)}; please use the numbers above now."


def crisis_message(program: Program, now: datetime, for_self: bool = True, category: Optional[str] = None) -> str:
    """What the bot says when someone may be in danger. No further screening questions follow it."""
    return f"{crisis_reminder(program, now, for_self, category)}\nI'll stop the questions here."


def crisis_reminder(program: Program, now: datetime, for_self: bool = True, category: Optional[str] = None) -> str:
    """The crisis reply without its closing line: also sent again, as it is, for a crisis message written
    while the bot is paused for a person."""
    opening = crisis_opening(for_self, category)
    return f"{opening}\n{crisis_resources(program, category)}\n{staff_alert(program, now)}"


def crisis_fallback() -> str:
    """The crisis reply Rasa gives by itself when the action that answers a crisis could not run (the action
    server unreachable): the national lines in full. The event broker then escalates (rasa_edge/event_broker.py), but
    the reply cannot know that it will, so it promises nothing."""
    return "\n".join(
        [
            crisis_opening(),
            *NATIONAL_RESOURCES,
            "Something went wrong on my side, so please don't wait for us: call or text one of these numbers now.",
        ]
    )


def owes_crisis_lines(cssrs_risk: str, phq9_item9: object) -> bool:
    """Whether the end of a screening must give the crisis lines: any thought of death or self-harm on the
    PHQ-9 (or no answer to it), or any C-SSRS risk. On every channel, whatever the outcome."""
    positive_item9 = isinstance(phq9_item9, int) and not isinstance(phq9_item9, bool) and phq9_item9 > 0
    return positive_item9 or phq9_item9 == DECLINED or cssrs_risk not in (Risk.NONE, "", None)


def closing_crisis_lines(program: Program) -> str:
    """The crisis lines at the end of a screening, after the outcome."""
    line = program.crisis_line
    return (
        f"If things get hard, you don't have to wait for us: call or text {LIFELINE} ({LIFELINE_NAME}) or "
        f"{TEXT_HOME}, any time. Our crisis line: {line.phone} ({line.hours}). In an emergency, call "
        f"{EMERGENCY}."
    )
