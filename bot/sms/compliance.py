"""Carrier keywords and the texts they get back (CTIA): STOP and friends opt a number out, START, UNSTOP
or YES opt it back in, HELP or INFO say who is texting and how to stop.

A keyword is the whole message (any case, spaces around it): "stop" opts out, "please stop asking about
my drinking" is a message for the bot. YES and START are only keywords for a number that has opted out:
otherwise "yes" answers a question and "start" starts the screening. Twilio's own keyword handling may
also be on; it sends its own confirmations, and ours to an opted-out number then fails harmlessly.
"""

from __future__ import annotations

from enum import Enum
from typing import Optional

from bot.program import Program
from bot.safety.resources import EMERGENCY, LIFELINE


class Keyword(str, Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
OPT_IN_WORDS = frozenset({"start", "unstop", "yes"})
HELP_WORDS = frozenset({"help", "info"})

CRISIS_LINE = f"In a crisis, call or text {LIFELINE}, or call {EMERGENCY}."


def keyword(text: Optional[str], *, opted_out: bool) -> Optional[Keyword]:
    """The compliance keyword the whole message is, if any."""
    word = (text or "").strip().lower()
    if word in OPT_OUT_WORDS:
        return Keyword.OPT_OUT
    if word in HELP_WORDS:
        return Keyword.HELP
    if opted_out and word in OPT_IN_WORDS:
        return Keyword.OPT_IN
    return None


def first_contact_notice(program: Program) -> str:
    return f"{program.name}: Msg & data rates may apply. Reply HELP for help, STOP to opt out."


def help_text(program: Program) -> str:
    return (
        f"{program.name} intake assistant. Questions? Call {program.phone} ({program.staff_hours}). "
        f"Msg & data rates may apply. Reply STOP to opt out. {CRISIS_LINE}"
    )


def opted_out_text(program: Program, *, booked: bool = False) -> str:
    """`booked`: the number has an upcoming appointment, which STOP (or CANCEL, a carrier keyword) leaves."""
    appointment = " Your appointment is still booked: to cancel it, reply START, then C." if booked else ""
    return (
        f"You're unsubscribed from {program.name} texts and will get no more messages. "
        f"Reply START to resubscribe.{appointment} {CRISIS_LINE}"
    )


def opted_in_text(program: Program) -> str:
    return (
        f"You're subscribed to {program.name} texts again. Send a message any time to carry on. "
        "Reply HELP for help, STOP to opt out."
    )


MEDIA_ONLY = "I can only read text, not pictures or files. Could you type your answer?"
