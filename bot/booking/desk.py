"""The booking desk: offers, bookings, changes and cancellations against the database, for the bot's
actions, the command line and the console. Each call is one transaction; times are injected (`now`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Optional

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.booking import store
from bot.booking.offers import Offer, Preferences, choose
from bot.booking.phrases import When
from bot.booking.slots import bookable_between, horizon_days, slot_times
from bot.booking.store import Booking, Slot, SlotTaken
from bot.program import Program
from bot.settings import settings
from bot.sms import store as sms_store
from bot.sms.identity import NumberCipher, pseudonym
from bot.store.db import session_scope

__all__ = ["Check", "CodeRefused", "Desk", "SlotTaken"]
CODE_MINUTES = 15  # how long a code texted to a number given in the widget is good for
CODE_TRIES = 3  # wrong codes a conversation may type, over all its codes: a new number does not reset them
CODES_PER_CONVERSATION = 3  # codes a conversation may have texted, ever
CODES_PER_NUMBER_PER_DAY = 5  # codes one number may receive in 24 hours, whichever conversations ask


class Check(Enum):
    CONFIRMED = "confirmed"
    WRONG = "wrong"  # try again
    GIVEN_UP = "given_up"  # too many wrong codes
    EXPIRED = "expired"


class CodeRefused(Exception):
    """No code is texted: the conversation or the number has had its codes, or too many wrong ones were
    typed. `reason` is one of the REFUSALS keys."""

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason


REFUSALS = {
    "tries": "too many wrong codes were typed in this conversation",
    "conversation": f"this conversation has had its {CODES_PER_CONVERSATION} codes",
    "number": f"this number has had {CODES_PER_NUMBER_PER_DAY} codes in the last 24 hours",
}


def code_refusal(counts: store.CodeCounts) -> Optional[str]:
    """Why no new code may be texted (a REFUSALS key), or None. Without these limits the widget made the
    program's number text codes to any number, as often as asked, and a new number reset the tries."""
    if counts.wrong_tries >= CODE_TRIES:
        return "tries"
    if counts.by_conversation >= CODES_PER_CONVERSATION:
        return "conversation"
    if counts.to_number_today >= CODES_PER_NUMBER_PER_DAY:
        return "number"
    return None


def _code_hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


@dataclass
class Desk:
    program: Program
    database_url: str
    _slots_made_for: Optional[date] = None  # the local day this process last made slots for

    def refresh_slots(self, session: Session, now: datetime) -> int:
        """Make the slots of the booking horizon from program.yml (new ones only); returns how many."""
        first, last = horizon_days(self.program.assessments, self.program.tz, now)
        specs = slot_times(self.program.assessments, self.program.tz, first, last)
        made = store.ensure_slots(session, specs)
        # Slots made before program.yml changed (hours, closed dates, assessors) and not booked go.
        store.retire_slots(
            session, specs, start=now, end=bookable_between(self.program.assessments, self.program.tz, now)[1]
        )
        self._slots_made_for = first
        return made

    def ensure_fresh(self, session: Session, now: datetime) -> int:
        """Make the horizon's slots at most once a day per desk; returns how many were new."""
        if self._slots_made_for == now.astimezone(self.program.tz).date():
            return 0
        return self.refresh_slots(session, now)

    def offer(
        self,
        prefs: Preferences,
        now: datetime,
        *,
        after: Optional[datetime] = None,
        shown: frozenset[tuple[datetime, str]] = frozenset(),
        when: Optional[When] = None,
    ) -> Offer:
        with session_scope(self.database_url) as session:
            self.ensure_fresh(session, now)
            free = self._free(session, now)
        return choose(free, prefs, self.program.tz, after=after, shown=shown, when=when)

    def _free(self, session: Session, now: datetime) -> list[Slot]:
        earliest, latest = bookable_between(self.program.assessments, self.program.tz, now)
        return store.free_slots(session, start=earliest, end=latest)

    def slots(self, slot_ids: list[int]) -> list[Slot]:
        with session_scope(self.database_url) as session:
            return [slot for slot_id in slot_ids if (slot := session.get(Slot, slot_id)) is not None]

    def still_bookable(self, slot_ids: list[int], now: datetime) -> list[Slot]:
        """Those of `slot_ids` that can still be booked at `now`, in the given order."""
        with session_scope(self.database_url) as session:
            free = {slot.id: slot for slot in self._free(session, now)}
        return [free[slot_id] for slot_id in slot_ids if slot_id in free]

    def book(
        self,
        *,
        slot_id: int,
        conversation_id: str,
        channel: str,
        screening_id: Optional[int],
        contact_conversation_id: Optional[str],
        person_tz: Optional[str],
        now: datetime,
    ) -> Booking:
        """Book the slot, or move the person's upcoming booking to it, in one transaction. `SlotTaken` when it
        is gone; then nothing has changed (a move keeps the old time)."""
        earliest, _ = bookable_between(self.program.assessments, self.program.tz, now)
        reminders = self.program.assessments.reminders_hours_before
        try:
            with session_scope(self.database_url) as session:
                current = store.upcoming_booking(session, conversation_id=conversation_id, now=now)
                if current is not None:
                    return store.reschedule(
                        session,
                        booking_id=current.id,
                        slot_id=slot_id,
                        earliest=earliest,
                        reminders_hours_before=reminders,
                        now=now,
                    )
                return store.book(
                    session,
                    slot_id=slot_id,
                    conversation_id=conversation_id,
                    channel=channel,
                    screening_id=screening_id,
                    contact_conversation_id=contact_conversation_id,
                    person_tz=person_tz,
                    reminders_hours_before=reminders,
                    earliest=earliest,
                    now=now,
                )
        except IntegrityError:  # the unique constraint: someone else holds the slot now
            raise SlotTaken(slot_id) from None

    def upcoming(self, conversation_id: str, now: datetime) -> Optional[Booking]:
        with session_scope(self.database_url) as session:
            return store.upcoming_booking(session, conversation_id=conversation_id, now=now)

    def cancel(self, conversation_id: str, now: datetime) -> Optional[Booking]:
        """Cancel the person's upcoming booking (the slot is free at once); None when there is none."""
        with session_scope(self.database_url) as session:
            current = store.upcoming_booking(session, conversation_id=conversation_id, now=now)
            return None if current is None else store.cancel(session, booking_id=current.id, by="participant", now=now)

    def by_token(self, token: str) -> Optional[Booking]:
        with session_scope(self.database_url) as session:
            return store.booking_by_token(session, token)

    def opted_out(self, number: str, *, id_key: str) -> bool:
        """Whether `number` (E.164) has told us STOP: nothing may be texted to it."""
        with session_scope(self.database_url) as session:
            contact = sms_store.contact(session, conversation_id=pseudonym(number, id_key))
            return contact is not None and contact.opted_out

    def start_number_check(
        self, booking_id: int, number: str, *, cipher: NumberCipher, now: datetime, id_key: Optional[str] = None
    ) -> str:
        """A number typed in the widget for reminders is only used once the person types the code texted to
        it: a mistyped number must not get someone's reminders, nor the right to cancel by text. Returns the
        code to text; stores the number encrypted and the code hashed until `CODE_MINUTES` from `now`, and
        counts the code under the number's pseudonym (`id_key`: SMS_ID_KEY). `CodeRefused` over the limits."""
        number_ref = pseudonym(number, id_key or settings().sms_id_key)
        code = f"{secrets.randbelow(10_000):04d}"
        with session_scope(self.database_url) as session:
            booking = store.get_booking(session, booking_id)
            counts = store.code_counts(session, conversation_id=booking.conversation_id, number_ref=number_ref, now=now)
            refused = code_refusal(counts)
            if refused:
                raise CodeRefused(refused)
            store.record_code(session, conversation_id=booking.conversation_id, number_ref=number_ref, now=now)
            booking.pending_number = cipher.encrypt(number)
            booking.pending_code_hash = _code_hash(booking.calendar_token, code)
            booking.pending_until = now + timedelta(minutes=CODE_MINUTES)
        return code

    def confirm_number(
        self, booking_id: int, code: str, *, id_key: str, cipher: NumberCipher, now: datetime
    ) -> tuple[Check, Optional[str]]:
        """Check the code typed; when right, reminders go to the number, which becomes the same pseudonymous
        SMS contact the SMS channel makes for it (a STOP from that phone stops them; a "C" texted from it
        cancels this booking). Returns the result and the number (E.164) it was about."""
        with session_scope(self.database_url) as session:
            booking = store.get_booking(session, booking_id)
            if booking.pending_number is None:
                return Check.EXPIRED, None
            number = cipher.decrypt(booking.pending_number)
            if booking.pending_until is None or booking.pending_until < now:
                result = Check.EXPIRED
            elif hmac.compare_digest(booking.pending_code_hash or "", _code_hash(booking.calendar_token, code)):
                conversation_id = pseudonym(number, id_key)
                sms_store.ensure_contact(
                    session, conversation_id=conversation_id, number_encrypted=cipher.encrypt(number)
                )
                booking.contact_conversation_id = conversation_id
                result = Check.CONFIRMED
            elif (
                store.count_wrong_code(
                    session, conversation_id=booking.conversation_id, number_ref=pseudonym(number, id_key), now=now
                )
                < CODE_TRIES
            ):
                return Check.WRONG, number
            else:
                result = Check.GIVEN_UP
            booking.pending_number = booking.pending_code_hash = booking.pending_until = None
            return result, number
