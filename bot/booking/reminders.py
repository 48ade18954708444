"""Text reminders before an appointment, sent by the worker process from the `booking_reminders` jobs.

Each job is claimed by one worker with a conditional UPDATE (pending -> sending) before anything is sent, so
two workers never send the same reminder; a job a crashed worker left "sending" is not sent again (a
missed reminder is better than a double one). Jobs live in the database, so a restart loses none. A
reminder is skipped, with the reason kept, when the booking was cancelled, the person opted out of texts
(STOP) or gave no number, or the appointment has started; of several overdue reminders for one booking
(the worker was down) only the latest goes out.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking import texts
from bot.program import Program
from bot.sms.identity import NumberCipher
from bot.sms.outbox import Transport, send_encrypted
from bot.store import booking as store
from bot.store import sms as sms_store
from bot.store.booking import Reminder
from bot.store.db import session_scope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    reminder_id: int
    status: str  # sent | failed | skipped
    note: Optional[str] = None


def _skip_reason(session: Session, reminder: Reminder, now: datetime) -> Optional[str]:
    booking = reminder.booking
    if booking.status != "booked":
        return "cancelled"
    if booking.slot.starts_at <= now:
        return "too_late"
    later = session.execute(select(Reminder.id).where(
        Reminder.booking_id == booking.id, Reminder.hours_before < reminder.hours_before,
        Reminder.status.in_(("pending", "sending", "sent")), Reminder.due_at <= now)).first()
    if later is not None:
        return "superseded"
    contact = (sms_store.contact(session, conversation_id=booking.contact_conversation_id)
               if booking.contact_conversation_id else None)
    if contact is None:
        return "no_number"
    return "opted_out" if contact.opted_out else None


class Reminders:
    def __init__(self, program: Program, database_url: str, transport: Transport, cipher: NumberCipher) -> None:
        self.program = program
        self.database_url = database_url
        self.transport = transport
        self.cipher = cipher

    def send_due(self, now: datetime) -> list[Sent]:
        """One pass: every reminder due at `now`, each claimed, checked and sent (or skipped) in turn."""
        with session_scope(self.database_url) as session:
            due = store.due_reminders(session, now=now)
        return [done for reminder_id in due if (done := self._one(reminder_id, now)) is not None]

    def _one(self, reminder_id: int, now: datetime) -> Optional[Sent]:
        with session_scope(self.database_url) as session:
            if not store.claim_reminder(session, reminder_id=reminder_id, now=now):
                return None  # another worker has it
            reminder = session.get(Reminder, reminder_id)
            reason = _skip_reason(session, reminder, now)
            if reason is not None:
                store.finish_reminder(session, reminder_id=reminder_id, status="skipped", note=reason)
                return Sent(reminder_id, "skipped", reason)
            booking = reminder.booking
            contact = sms_store.contact(session, conversation_id=booking.contact_conversation_id)
            tz = ZoneInfo(booking.person_tz) if booking.person_tz else self.program.tz
            body = texts.reminder(self.program, booking.slot, booking.slot.location, tz, now,
                                  zone=booking.person_tz is not None)
            if contact.notice_sent_at is None:  # a number given in the widget: this is its first text from us
                body += " Reply STOP to opt out."
                contact.notice_sent_at = now
            # Written as "sending": the channel's outbox only sends queued rows, so it never sends this one too.
            outbound = sms_store.enqueue(session, conversation_id=contact.conversation_id, body=body, kind="bot")
            outbound.status = "sending"
            reminder.outbound_id = outbound.id
            outbound_id, token = outbound.id, contact.number_encrypted
        attempt = send_encrypted(self.transport, self.cipher, token, body)
        with session_scope(self.database_url) as session:
            sms_store.record_attempt(session, outbound_id=outbound_id, ok=attempt.ok, attempts=attempt.attempts,
                                     sid=attempt.sid, error_code=attempt.error_code, http_status=attempt.http_status)
            status = "sent" if attempt.ok else "failed"
            store.finish_reminder(session, reminder_id=reminder_id, status=status, outbound_id=outbound_id, now=now,
                                  note=None if attempt.ok else f"twilio {attempt.error_code or attempt.http_status}")
        log.info("reminder %d: %s", reminder_id, status)
        return Sent(reminder_id, status)
