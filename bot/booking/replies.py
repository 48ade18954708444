"""Reading what a person says about booking: a choice among the offered times, "other times", a day or
time of their own, "no thanks", or, once booked, cancel (C) and reschedule (R). Pure text in, a `Reply` out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Optional
from zoneinfo import ZoneInfo

from bot.booking.phrases import When, read_when
from bot.parsing import NUMBER_WORDS, normalise
from bot.sms.identity import e164

MORE_PAYLOAD = "other times"
NOT_NOW_PAYLOAD = "not now"


class Kind(Enum):
    CHOOSE = "choose"  # `index` of the offered times, from 0
    MORE = "more"  # the next times
    WHEN = "when"  # a day or time of their own: `when`
    NOT_NOW = "not_now"  # no booking now
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    BOOK = "book"  # asks to book (after saying not now, or later), or when their appointment is
    NUMBER = "number"  # a mobile number for text reminders: `number` (E.164)
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Reply:
    kind: Kind
    index: Optional[int] = None
    when: Optional[When] = None
    number: Optional[str] = None


_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1}
_CHOICE = re.compile(r"^(?:option|number|no|#|choice)?\s*(\d{1,2})$")
_MORE = re.compile(r"\b(other|another|different|more|else|later|earlier) (times?|days?|options?|slots?|dates?)\b"
                   r"|^(more|others|other|next|none|none of (these|those|them)|neither|show more|something else)$"
                   r"|\bnone of (these|those|them) work|\bdon'?t work for me\b|\bcan'?t do (any|those|these)\b")
_NOT_NOW = re.compile(r"^(no|nope|nah|no thanks?|no thank you|not now|not yet|not right now|later|maybe later|"
                      r"i'?ll call|i will call|i'?ll book later|i'?ll do it later|not today|skip|stop|never ?mind)$"
                      r"|\b(book|decide|do it|schedule) later\b|\bnot (ready|sure) (to|yet)\b")
_CANCEL = re.compile(r"^c$|^cancel\b|\bcancel (it|my|the|this|that|appointment|assessment|booking)\b"
                     r"|\b(can'?t|cannot|won'?t be able to) (make|come|attend)( it)?\b")
_RESCHEDULE = re.compile(r"^r$|\bre ?schedule\b|\b(change|move) (it|my|the|this|that)\b"
                         r"|\b(another|different) (time|day)\b|\bnew time\b")
_BOOK = re.compile(r"\b(book|schedule|make|set up|get)\b.*\b(appointment|assessment|time|slot)\b"
                   r"|^(book|book it|book now|let'?s book|i want to book)$"
                   r"|\b(when|what time|what day) is my (appointment|assessment)\b")


def _choice(norm: str, offered: int) -> Optional[int]:
    match = _CHOICE.match(norm)
    if match:
        number = int(match[1])
        return number - 1 if 1 <= number <= offered else None
    for word, index in _ORDINALS.items():
        if re.search(rf"\b{word}\b", norm) and len(norm.split()) <= 4:
            return offered - 1 if index < 0 else (index if index < offered else None)
    if norm in NUMBER_WORDS and 1 <= NUMBER_WORDS[norm] <= offered:
        return NUMBER_WORDS[norm] - 1
    return None


def after_booking(text: str) -> Optional[Kind]:
    """CANCEL or RESCHEDULE (or BOOK) in a message at any later time, else None."""
    norm = normalise(text)
    for kind, pattern in ((Kind.RESCHEDULE, _RESCHEDULE), (Kind.CANCEL, _CANCEL), (Kind.BOOK, _BOOK)):
        if pattern.search(norm):
            return kind
    return None


def read_offer_reply(text: str, offered: int, now: datetime, tz: ZoneInfo) -> Reply:
    """A reply to a list of `offered` times."""
    norm = normalise(text)
    index = _choice(norm, offered)
    if index is not None:
        return Reply(Kind.CHOOSE, index=index)
    if norm == MORE_PAYLOAD or _MORE.search(norm):
        return Reply(Kind.MORE)
    when = read_when(text, now, tz)
    if when is not None:
        return Reply(Kind.WHEN, when=when)
    if norm == NOT_NOW_PAYLOAD or _NOT_NOW.search(norm):
        return Reply(Kind.NOT_NOW)
    later = after_booking(text)
    return Reply(later) if later is not None else Reply(Kind.UNCLEAR)


def read_number_reply(text: str) -> Reply:
    """A reply to "which mobile number should reminders go to?": a number, no, or something else."""
    if sum(ch.isdigit() for ch in text) >= 10:
        number = e164(text)
        if number is not None:
            return Reply(Kind.NUMBER, number=number)
    norm = normalise(text)
    if _NOT_NOW.search(norm) or norm in ("no", "none", "no reminders", "no texts"):
        return Reply(Kind.NOT_NOW)
    later = after_booking(text)
    return Reply(later) if later is not None else Reply(Kind.UNCLEAR)
