"""Text reminders before an appointment, sent by the worker process from the `booking_reminders` jobs.

Each job is claimed by one worker with a conditional UPDATE (pending -> sending) before anything is sent, so
two workers never send the same reminder. Jobs live in the database, so a restart loses none. A job a killed
worker left "sending" has its text left "sending" too; the SMS outbox (bot.sms.outbox, run by every worker pass
and every SMS channel) resumes that text by its rule: sent again only when Twilio has no record of it. The
next pass then ends the job as its text ended, so staff never see it "sending" for good. A
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

from bot.booking import store, texts
from bot.booking.store import Reminder
from bot.program import Program
from bot.sms import store as sms_store
from bot.sms.identity import NumberCipher
from bot.sms.outbox import Outbox, Transport, send_encrypted
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
    later = session.execute(
        select(Reminder.id).where(
            Reminder.booking_id == booking.id,
            Reminder.hours_before < reminder.hours_before,
            Reminder.status.in_(("pending", "sending", "sent")),
            Reminder.due_at <= now,
        )
    ).first()
    if later is not None:
        return "superseded"
    contact = (
        sms_store.contact(session, conversation_id=booking.contact_conversation_id)
        if booking.contact_conversation_id
        else None
    )
    if contact is None:
        return "no_number"
    return "opted_out" if contact.opted_out else None


def _failure(error_code: Optional[int], http_status: Optional[int]) -> str:
    return f"twilio {error_code or http_status}"


class Reminders:
    def __init__(self, program: Program, database_url: str, transport: Transport, cipher: NumberCipher) -> None:
        self.program = program
        self.database_url = database_url
        self.transport = transport
        self.cipher = cipher
        self.outbox = Outbox(database_url, transport, cipher)

    def send_due(self, now: datetime) -> list[Sent]:
        """One pass: the reminders a killed worker left unfinished, then every reminder due at `now`, each
        claimed, checked and sent (or skipped) in turn."""
        settled = self._settle()
        with session_scope(self.database_url) as session:
            due = store.due_reminders(session, now=now)
        return settled + [done for reminder_id in due if (done := self._one(reminder_id, now)) is not None]

    def _settle(self) -> list[Sent]:
        """Reminders left "sending": the outbox resumes texts left sending past its lease (as every SMS channel's
        sweep does; a live worker's send is left alone), this worker sends the reminders' texts it queued again (a
        deployment may run no SMS channel), and each reminder whose text has ended ends with it."""
        if not self._unfinished():
            return []
        self.outbox.recover()
        for conversation_id in {text.conversation_id for _, text in self._unfinished() if text.status == "queued"}:
            while self.outbox.deliver_next(conversation_id):
                pass
        settled: list[Sent] = []
        for reminder_id, text in self._unfinished():
            if text.status in ("queued", "sending"):
                continue  # still on its way (in a live process, or behind another text of the conversation)
            if text.twilio_sid is not None:  # Twilio accepted it (a delivery report may have come since)
                status, note = "sent", None
            elif text.status == "suppressed":  # opted out meanwhile
                status, note = "skipped", "opted_out"
            else:
                status, note = "failed", _failure(text.error_code, text.http_status)
            # No live worker holds it: one commits a text's end and its reminder's together. Another worker
            # settling it too writes the same.
            with session_scope(self.database_url) as session:
                store.finish_reminder(session, reminder_id=reminder_id, status=status, note=note, now=text.sent_at)
            log.warning("reminder %d, left unfinished by a stopped worker: %s", reminder_id, status)
            settled.append(Sent(reminder_id, status, note))
        return settled

    def _unfinished(self) -> list[tuple[int, sms_store.SmsOutbound]]:
        """Reminders "sending" (in a live worker's hands, or a killed one's), with their texts."""
        query = (
            select(Reminder.id, sms_store.SmsOutbound)
            .join(sms_store.SmsOutbound, sms_store.SmsOutbound.id == Reminder.outbound_id)
            .where(Reminder.status == "sending")
            .order_by(Reminder.id)
        )
        with session_scope(self.database_url) as session:
            return [(reminder_id, text) for reminder_id, text in session.execute(query).all()]

    def _one(self, reminder_id: int, now: datetime) -> Optional[Sent]:
        with session_scope(self.database_url) as session:
            if not store.claim_reminder(session, reminder_id=reminder_id, now=now):
                return None  # another worker has it
            reminder = session.get(Reminder, reminder_id)
            assert reminder is not None  # just claimed
            reason = _skip_reason(session, reminder, now)
            if reason is not None:
                store.finish_reminder(session, reminder_id=reminder_id, status="skipped", note=reason)
                return Sent(reminder_id, "skipped", reason)
            booking = reminder.booking
            contact = sms_store.contact(session, conversation_id=booking.contact_conversation_id)
            assert contact is not None  # _skip_reason skips a booking without one
            tz = ZoneInfo(booking.person_tz) if booking.person_tz else self.program.tz
            body = texts.reminder(
                self.program, booking.slot, booking.slot.location, tz, now, zone=booking.person_tz is not None
            )
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
            sms_store.record_attempt(
                session,
                outbound_id=outbound_id,
                ok=attempt.ok,
                attempts=attempt.attempts,
                sid=attempt.sid,
                error_code=attempt.error_code,
                http_status=attempt.http_status,
            )
            status = "sent" if attempt.ok else "failed"
            store.finish_reminder(
                session,
                reminder_id=reminder_id,
                status=status,
                outbound_id=outbound_id,
                now=now,
                note=None if attempt.ok else _failure(attempt.error_code, attempt.http_status),
            )
        log.info("reminder %d: %s", reminder_id, status)
        return Sent(reminder_id, status)
