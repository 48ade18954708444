"""SMS channel tables and queries: contacts (the encrypted number, opt-out, the options of the latest
question), inbound message SIDs (Twilio retries a webhook; the same message is handled once) and outbound
messages (every text the channel sends or withholds, in order, with Twilio's verdict).

Conversation ids here are the channel's pseudonyms; the number itself is only in `number_encrypted`.
Functions take a session and only flush, like bot.store.crud.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import JSON, Boolean, CheckConstraint, Column, Integer, String, Text
from sqlalchemy.orm import Mapped, Session

from bot.store.models import Base, UTCDateTime, check_in, utcnow

# What an outbound row is: the bot's (or staff's, through Rasa) reply, a channel message (the first-contact
# notice, HELP, an empty or picture-only message), or the opt-out and opt-in confirmations.
KINDS = ("bot", "staff", "channel", "opt_out", "opt_in")
# queued -> sending -> sent (Twilio accepted it) -> delivered | undelivered | failed (from status callbacks);
# failed also when Twilio never accepted it after the retries; suppressed: never sent (opted out).
STATUSES = ("queued", "sending", "sent", "delivered", "undelivered", "failed", "suppressed")
FINAL = frozenset({"delivered", "undelivered", "failed", "suppressed"})
_RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3, "suppressed": 3}


class SmsContact(Base):
    __tablename__ = "sms_contacts"

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(64), nullable=False, unique=True)
    number_encrypted: Mapped[str] = Column(Text, nullable=False)
    opted_out: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    opted_out_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    opted_in_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # the latest START after a STOP
    notice_sent_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # "Reply STOP to opt out" went out
    last_options: Mapped[Optional[dict]] = Column(JSON)  # bot.sms.render.Options of the latest question
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)


class SmsInbound(Base):
    """One row per message received: the body is in the tracker store, not here."""

    __tablename__ = "sms_inbound"

    id: Mapped[int] = Column(Integer, primary_key=True)
    message_sid: Mapped[str] = Column(String(64), nullable=False, unique=True)
    conversation_id: Mapped[str] = Column(String(64), nullable=False, index=True)
    received_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)


class SmsOutbound(Base):
    """One row per text, sent in id order within a conversation."""

    __tablename__ = "sms_outbound"
    __table_args__ = (
        CheckConstraint(check_in("kind", KINDS), name="kind"),
        CheckConstraint(check_in("status", STATUSES), name="status"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(64), nullable=False, index=True)
    kind: Mapped[str] = Column(String(16), nullable=False)
    body: Mapped[str] = Column(Text, nullable=False)
    status: Mapped[str] = Column(String(16), nullable=False, default="queued")
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0)  # HTTP requests to Twilio
    twilio_sid: Mapped[Optional[str]] = Column(String(64), unique=True)
    error_code: Mapped[Optional[int]] = Column(Integer)  # Twilio's numeric code (never its text: it names the number)
    http_status: Mapped[Optional[int]] = Column(Integer)  # Twilio's last HTTP answer; None if it never answered
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # accepted by Twilio
    updated_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


def contact(session: Session, *, conversation_id: str) -> Optional[SmsContact]:
    query = sa.select(SmsContact).where(SmsContact.conversation_id == conversation_id)
    return session.execute(query).scalar_one_or_none()


def ensure_contact(session: Session, *, conversation_id: str, number_encrypted: str) -> SmsContact:
    """The contact for a conversation, created with its encrypted number on the first message."""
    found = contact(session, conversation_id=conversation_id)
    if found is None:
        found = SmsContact(conversation_id=conversation_id, number_encrypted=number_encrypted, opted_out=False)
        session.add(found)
        session.flush()
    return found


def record_inbound(session: Session, *, message_sid: str, conversation_id: str) -> bool:
    """Remember a received message; False when its SID was seen before (a Twilio retry).

    A concurrent duplicate that gets past the check fails on the unique SID when the caller commits."""
    seen = session.execute(sa.select(SmsInbound.id).where(SmsInbound.message_sid == message_sid)).first()
    if seen is not None:
        return False
    session.add(SmsInbound(message_sid=message_sid, conversation_id=conversation_id))
    session.flush()
    return True


def opt_out(session: Session, *, contact: SmsContact, now: Optional[datetime] = None) -> bool:
    """Record STOP; False when the number had already opted out."""
    if contact.opted_out:
        return False
    contact.opted_out, contact.opted_out_at = True, now or utcnow()
    session.flush()
    return True


def opt_in(session: Session, *, contact: SmsContact, now: Optional[datetime] = None) -> None:
    contact.opted_out, contact.opted_in_at = False, now or utcnow()
    session.flush()


def set_options(session: Session, *, conversation_id: str, options: Optional[dict]) -> None:
    """Keep the latest question's options (None: the latest message had none) across restarts."""
    session.execute(sa.update(SmsContact).where(SmsContact.conversation_id == conversation_id)
                    .values(last_options=options))


def enqueue(session: Session, *, conversation_id: str, body: str, kind: str) -> SmsOutbound:
    if kind not in KINDS:
        raise ValueError(f"kind should be one of {KINDS}, not {kind!r}")
    row = SmsOutbound(conversation_id=conversation_id, kind=kind, body=body, status="queued", attempts=0)
    session.add(row)
    session.flush()
    return row


def next_queued(session: Session, *, conversation_id: str) -> Optional[SmsOutbound]:
    """The oldest text of the conversation still waiting to be sent."""
    return session.execute(
        sa.select(SmsOutbound).where(SmsOutbound.conversation_id == conversation_id, SmsOutbound.status == "queued")
        .order_by(SmsOutbound.id).limit(1)).scalar_one_or_none()


def conversations_with_queued(session: Session) -> list[str]:
    return list(session.execute(sa.select(SmsOutbound.conversation_id).where(SmsOutbound.status == "queued")
                                .distinct()).scalars())


def record_attempt(session: Session, *, outbound_id: int, ok: bool, attempts: int, sid: Optional[str],
                   error_code: Optional[int], http_status: Optional[int], now: Optional[datetime] = None) -> None:
    """What came of sending: accepted by Twilio (sent), or failed after the retries."""
    row = session.get(SmsOutbound, outbound_id)
    row.attempts += attempts
    row.http_status, row.error_code = http_status, error_code
    if ok:
        row.status, row.twilio_sid, row.sent_at = "sent", sid, now or utcnow()
    else:
        row.status = "failed"
    session.flush()


def update_status(session: Session, *, twilio_sid: str, status: str, error_code: Optional[int] = None) -> bool:
    """Twilio's status callback: a later state replaces an earlier one, never the other way round (callbacks
    can arrive out of order). False when the SID is not ours or the status is not one we track."""
    row = session.execute(sa.select(SmsOutbound).where(SmsOutbound.twilio_sid == twilio_sid)).scalar_one_or_none()
    if row is None or status not in _RANK:
        return False
    if _RANK[status] > _RANK[row.status]:
        row.status = status
        if error_code is not None:
            row.error_code = error_code
        session.flush()
    return True


def outbound(session: Session, *, conversation_id: str) -> list[SmsOutbound]:
    """Every text of a conversation, in order."""
    return list(session.execute(sa.select(SmsOutbound).where(SmsOutbound.conversation_id == conversation_id)
                                .order_by(SmsOutbound.id)).scalars())

