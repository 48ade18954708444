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
    BOOK = "book"  # asks to book (after saying not now, or later)
    STATUS = "status"  # asks when or where their appointment is
    NUMBER = "number"  # a mobile number for text reminders: `number` (E.164)
    CODE = "code"  # the code texted to that number: `code`
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Reply:
    kind: Kind
    index: Optional[int] = None
    when: Optional[When] = None
    number: Optional[str] = None
    code: Optional[str] = None


_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1}
_CHOICE = re.compile(r"^(?:option|number|no|#|choice)?\s*(\d{1,2})$")
# A short reply with one small number and polite words around it: "2 please", "I'll take 2", "ok 3".
_CHOICE_WORDS = frozenset(
    "ok okay yes please i'll ill take i want the one option number works is fine good "
    "sounds lets let's go with do".split()
)
_MORE = re.compile(
    r"\b(other|another|different|more|else|later|earlier) (times?|days?|options?|slots?|dates?)\b"
    r"|^(more|others|other|next|none|none of (these|those|them)|neither|show more|something else)$"
    r"|\bnone of (these|those|them) work|\bdon'?t work for me\b"
    r"|\bcan'?t (do|make) (any of )?(those|these|them)\b"
)
_NOT_NOW = re.compile(
    r"^(no|nope|nah|no thanks?|no thank you|not now|not yet|not right now|later|maybe later|"
    r"i'?ll call|i will call|i'?ll book later|i'?ll do it later|not today|skip|stop|never ?mind)$"
    r"|\b(book|decide|do it|schedule) later\b|\bnot (ready|sure) (to|yet)\b"
)
# Cancel and reschedule act at once, so only unmistakable wording: the letters the texts offer, or the
# appointment named ("cancel my appointment", "I can't make my appointment"). "I want to cancel my
# insurance" or "can I move the group to evenings?" are not about the booking.
_BOOKING = r"(appointment|assessment|booking|intake)"
_CANCEL = re.compile(
    rf"^c$|^cancel( it| that| please)?$|\bcancel (it|my|the|this|that) {_BOOKING}\b"
    rf"|\bcancel (my|the|this|that) {_BOOKING}\b|\bcancel {_BOOKING}\b"
    rf"|\b(can'?t|cannot|won'?t be able to) (make|come to|attend|go to) (my|the) {_BOOKING}\b"
    r"|\b(can'?t|cannot|won'?t be able to) make it( after all| anymore| tomorrow| today)?$"
)
_RESCHEDULE = re.compile(
    rf"^r$|\bre ?schedul|\b(change|move) (my|the|this|that) {_BOOKING}"
    rf"|\b(different|another|new) (time|day|date) for (my|the) {_BOOKING}"
    r"|^(a |i need a |can i have a )?(different|another|new) (time|day|date)( please)?$"
)
_STATUS = re.compile(rf"\b(when|what time|what day|where) is my {_BOOKING}\b|\bdo i have an? {_BOOKING}\b")
_BOOK = re.compile(
    rf"\b(book|schedule|make|set up|get)\b.*\b({_BOOKING[1:-1]}|time|slot)\b"
    r"|^(book|book it|book now|let'?s book|i want to book)$"
)


def _choice(norm: str, offered: int, names_a_time: bool) -> Optional[int]:
    """The offered time a reply picks, or None. "The 3rd", "first thing Monday", "2pm" name dates and times,
    not options: an ordinal or a number counts only when the reply names no day or time."""
    match = _CHOICE.match(norm)
    if match:
        number = int(match[1])
        return number - 1 if 1 <= number <= offered else None
    if names_a_time:
        return None
    tokens = norm.split()
    numbers = [int(t) for t in tokens if t.isdigit()] + [NUMBER_WORDS[t] for t in tokens if t in NUMBER_WORDS]
    if len(numbers) == 1 and len(tokens) <= 5 and set(tokens) - {str(numbers[0])} <= _CHOICE_WORDS | set(NUMBER_WORDS):
        return numbers[0] - 1 if 1 <= numbers[0] <= offered else None
    for word, index in _ORDINALS.items():
        if word in tokens and set(tokens) - {word} <= _CHOICE_WORDS:  # "the first one", "second please"
            return offered - 1 if index < 0 else (index if index < offered else None)
    return None


def after_booking(text: str) -> Optional[Kind]:
    """CANCEL, RESCHEDULE, STATUS or BOOK in a message at any later time, else None."""
    norm = normalise(text)
    for kind, pattern in (
        (Kind.RESCHEDULE, _RESCHEDULE),
        (Kind.CANCEL, _CANCEL),
        (Kind.STATUS, _STATUS),
        (Kind.BOOK, _BOOK),
    ):
        if pattern.search(norm):
            return kind
    return None


def read_offer_reply(
    text: str, offered: int, now: datetime, tz: ZoneInfo, *, horizon_days: int = 60, until: Optional[datetime] = None
) -> Reply:
    """A reply to a list of `offered` times (days read as bot.booking.phrases.read_when reads them)."""
    norm = normalise(text)
    when = read_when(text, now, tz, horizon_days=horizon_days, until=until)
    index = _choice(norm, offered, names_a_time=when is not None)
    if index is not None:
        return Reply(Kind.CHOOSE, index=index)
    if norm == MORE_PAYLOAD or _MORE.search(norm):
        return Reply(Kind.MORE)
    if when is not None:
        return Reply(Kind.WHEN, when=when)
    if norm == NOT_NOW_PAYLOAD or _NOT_NOW.search(norm):
        return Reply(Kind.NOT_NOW)
    later = after_booking(text)
    return Reply(later) if later is not None else Reply(Kind.UNCLEAR)


def read_number_reply(text: str) -> Reply:
    """A reply to "which mobile number should reminders go to?" (or "type the code we texted"): a number, a
    4-digit code, no, or something else."""
    code = re.fullmatch(r"\s*(\d{4})\s*\.?\s*", text)
    if code:
        return Reply(Kind.CODE, code=code[1])
    if sum(ch.isdigit() for ch in text) >= 10:
        number = e164(text)
        if number is not None:
            return Reply(Kind.NUMBER, number=number)
    norm = normalise(text)
    if _NOT_NOW.search(norm) or norm in ("no", "none", "no reminders", "no texts"):
        return Reply(Kind.NOT_NOW)
    later = after_booking(text)
    return Reply(later) if later is not None else Reply(Kind.UNCLEAR)
