"""SMS channel tables and queries: contacts (the encrypted number, opt-out, the options of the latest
question), inbound messages (Twilio retries a webhook; the same message is handled once; a message for the
bot is kept, its text encrypted, until the bot's turn on it is stored, so a process that dies after
acknowledging Twilio loses nothing) and outbound messages (every text the channel sends or withholds, in
order, with Twilio's verdict).

Conversation ids here are the channel's pseudonyms; the number itself is only in `number_encrypted`.
Functions take a session and only flush, like bot.store.crud.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy import JSON, Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, Session

from bot.store.db import rowcount
from bot.store.mapped import Column
from bot.store.models import Base, UTCDateTime, check_in, utcnow

# What an outbound row is: the bot's (or staff's, through Rasa) reply, a channel message (the first-contact
# notice, HELP, an empty or picture-only message), or the opt-out and opt-in confirmations.
KINDS = ("bot", "staff", "channel", "opt_out", "opt_in")
# held: written during the bot's turn on an inbound message, queued once that turn is stored (a turn replayed
# after a crash must not answer twice); then
# queued -> sending -> sent (Twilio accepted it) -> delivered | undelivered | failed (from status callbacks);
# failed also when Twilio never accepted it after the retries; suppressed: never sent (opted out).
STATUSES = ("held", "queued", "sending", "sent", "delivered", "undelivered", "failed", "suppressed")
FINAL = frozenset({"delivered", "undelivered", "failed", "suppressed"})
_RANK = {
    "held": 0,
    "queued": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "suppressed": 3,
}


class SmsContact(Base):
    __tablename__ = "sms_contacts"

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(64), nullable=False, unique=True)
    number_encrypted: Mapped[str] = Column(Text, nullable=False)
    opted_out: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    opted_out_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    opted_in_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # the latest START after a STOP
    notice_sent_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # "Reply STOP to opt out" went out
    last_options: Mapped[Optional[dict[str, Any]]] = Column(JSON)  # bot.sms.render.Options of the latest question
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)


# pending: for the bot, its turn not yet stored; done: stored (or nothing for the bot: a keyword, an empty
# message, a Twilio retry); failed: the bot raised on it (not replayed: it would fail again).
INBOUND_STATES = ("pending", "done", "failed")


class SmsInbound(Base):
    """One row per message received. The text waits here, encrypted, only while the bot's turn on it is
    pending; after that it is in the tracker store alone."""

    __tablename__ = "sms_inbound"
    __table_args__ = (CheckConstraint(check_in("state", INBOUND_STATES), name="state"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    message_sid: Mapped[str] = Column(String(64), nullable=False, unique=True)
    conversation_id: Mapped[str] = Column(String(64), nullable=False, index=True)
    received_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    state: Mapped[str] = Column(String(16), nullable=False, default="done", server_default="done", index=True)
    text_encrypted: Mapped[Optional[str]] = Column(Text)  # the text for the bot (Fernet, SMS_NUMBER_KEY)
    claimed_by: Mapped[Optional[str]] = Column(String(32))  # the channel instance working on it
    claimed_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # its lease starts here
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0, server_default="0")  # claims: 1, + replays
    handled_at: Mapped[Optional[datetime]] = Column(UTCDateTime)


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
    turn_sid: Mapped[Optional[str]] = Column(String(64), index=True)  # the inbound message whose turn wrote it
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


def record_inbound(session: Session, *, message_sid: str, conversation_id: str) -> Optional[SmsInbound]:
    """Remember a received message (done until `for_bot` says otherwise); None when its SID was seen before
    (a Twilio retry).

    A concurrent duplicate that gets past the check fails on the unique SID when the caller commits."""
    seen = session.execute(sa.select(SmsInbound.id).where(SmsInbound.message_sid == message_sid)).first()
    if seen is not None:
        return None
    row = SmsInbound(message_sid=message_sid, conversation_id=conversation_id, state="done", attempts=0)
    session.add(row)
    session.flush()
    return row


def for_bot(row: SmsInbound, *, text_encrypted: str, claimed_by: str, now: Optional[datetime] = None) -> None:
    """The message goes to the bot: pending, claimed by the channel instance that received it."""
    row.state, row.text_encrypted, row.attempts = "pending", text_encrypted, 1
    row.claimed_by, row.claimed_at, row.handled_at = claimed_by, now or utcnow(), None


def stale_pending(session: Session, *, older_than: datetime, limit: int = 100) -> list[SmsInbound]:
    """Messages for the bot whose claim has lapsed (the instance working on them died), oldest first; none
    of a conversation a live instance is working on (its messages stay with it, in order)."""
    live = sa.select(SmsInbound.conversation_id).where(
        SmsInbound.state == "pending", SmsInbound.claimed_at >= older_than
    )
    return list(
        session.execute(
            sa.select(SmsInbound)
            .where(
                SmsInbound.state == "pending",
                SmsInbound.claimed_at < older_than,
                SmsInbound.conversation_id.not_in(live),
            )
            .order_by(SmsInbound.id)
            .limit(limit)
        ).scalars()
    )


def claim(session: Session, *, inbound_id: int, by: str, older_than: datetime, now: Optional[datetime] = None) -> bool:
    """Take over a pending message whose claim lapsed before `older_than`; one UPDATE, so of two instances
    replaying at once only one gets True."""
    result = session.execute(
        sa.update(SmsInbound)
        .where(SmsInbound.id == inbound_id, SmsInbound.state == "pending", SmsInbound.claimed_at < older_than)
        .values(claimed_by=by, claimed_at=now or utcnow(), attempts=SmsInbound.attempts + 1)
    )
    return rowcount(result) == 1


def renew_claim(session: Session, *, message_sid: str, by: str, now: Optional[datetime] = None) -> bool:
    """Renew a claim that has waited long (behind other messages); False when the message is no longer
    pending or another instance took it over meanwhile."""
    result = session.execute(
        sa.update(SmsInbound)
        .where(SmsInbound.message_sid == message_sid, SmsInbound.state == "pending", SmsInbound.claimed_by == by)
        .values(claimed_at=now or utcnow())
    )
    return rowcount(result) == 1


def finish_turn(session: Session, *, message_sid: str, state: str = "done", now: Optional[datetime] = None) -> None:
    """The turn is stored (or failed): its held texts are queued and the text is dropped (the tracker has it).
    In one transaction, so the texts are queued exactly when the message stops being pending."""
    if state not in ("done", "failed"):
        raise ValueError(f"a finished turn is done or failed, not {state!r}")
    session.execute(
        sa.update(SmsOutbound)
        .where(SmsOutbound.turn_sid == message_sid, SmsOutbound.status == "held")
        .values(status="queued")
    )
    session.execute(
        sa.update(SmsInbound)
        .where(SmsInbound.message_sid == message_sid)
        .values(state=state, text_encrypted=None, handled_at=now or utcnow())
    )


def drop_held(session: Session, *, message_sid: str) -> int:
    """Forget the texts an unfinished turn wrote (never sent): the turn runs again and writes them anew."""
    return rowcount(
        session.execute(sa.delete(SmsOutbound).where(SmsOutbound.turn_sid == message_sid, SmsOutbound.status == "held"))
    )


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


def set_options(session: Session, *, conversation_id: str, options: Optional[dict[str, Any]]) -> None:
    """Keep the latest question's options (None: the latest message had none) across restarts."""
    session.execute(
        sa.update(SmsContact).where(SmsContact.conversation_id == conversation_id).values(last_options=options)
    )


def enqueue(
    session: Session, *, conversation_id: str, body: str, kind: str, turn_sid: Optional[str] = None
) -> SmsOutbound:
    """Queue a text; written during the bot's turn on message `turn_sid`, it is held until that turn is stored."""
    if kind not in KINDS:
        raise ValueError(f"kind should be one of {KINDS}, not {kind!r}")
    row = SmsOutbound(
        conversation_id=conversation_id,
        kind=kind,
        body=body,
        status="held" if turn_sid else "queued",
        attempts=0,
        turn_sid=turn_sid,
    )
    session.add(row)
    session.flush()
    return row


def claim_next(session: Session, *, conversation_id: str, now: Optional[datetime] = None) -> Optional[SmsOutbound]:
    """The oldest text of the conversation still waiting, marked sending; None when none is waiting, or
    while another text of the conversation is being sent (by this process or another: texts go out in order).
    The mark is one conditional UPDATE, so two processes never both take the same text."""
    while True:
        busy = session.execute(
            sa.select(SmsOutbound.id)
            .where(SmsOutbound.conversation_id == conversation_id, SmsOutbound.status == "sending")
            .limit(1)
        ).first()
        if busy is not None:
            return None
        row = session.execute(
            sa.select(SmsOutbound)
            .where(SmsOutbound.conversation_id == conversation_id, SmsOutbound.status == "queued")
            .order_by(SmsOutbound.id)
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            return None
        taken = session.execute(
            sa.update(SmsOutbound)
            .where(SmsOutbound.id == row.id, SmsOutbound.status == "queued")
            .values(status="sending", updated_at=now or utcnow())
        )
        if rowcount(taken) == 1:
            session.refresh(row)
            return row


def conversations_with_queued(session: Session) -> list[str]:
    return list(
        session.execute(
            sa.select(SmsOutbound.conversation_id).where(SmsOutbound.status == "queued").distinct()
        ).scalars()
    )


def stale_sending(session: Session, *, older_than: datetime) -> list[SmsOutbound]:
    """Texts marked sending before `older_than`: the process sending them died (a live send takes seconds)."""
    return list(
        session.execute(
            sa.select(SmsOutbound)
            .where(SmsOutbound.status == "sending", SmsOutbound.updated_at < older_than)
            .order_by(SmsOutbound.id)
        ).scalars()
    )


def claim_stale(session: Session, *, outbound_id: int, seen: datetime, now: Optional[datetime] = None) -> bool:
    """Take over a stale sending text, unless another process did since it was read (its stamp moved)."""
    result = session.execute(
        sa.update(SmsOutbound)
        .where(SmsOutbound.id == outbound_id, SmsOutbound.status == "sending", SmsOutbound.updated_at == seen)
        .values(updated_at=now or utcnow())
    )
    return rowcount(result) == 1


def requeue(session: Session, *, outbound_id: int) -> None:
    """A stale sending text Twilio has no record of: back in its place in the queue, to be sent."""
    session.execute(
        sa.update(SmsOutbound)
        .where(SmsOutbound.id == outbound_id, SmsOutbound.status == "sending")
        .values(status="queued")
    )


def mark_sent(session: Session, *, outbound_id: int, sid: str, now: Optional[datetime] = None) -> None:
    """A text left sending that Twilio had accepted (its SID stored, or found at Twilio)."""
    session.execute(
        sa.update(SmsOutbound)
        .where(SmsOutbound.id == outbound_id, SmsOutbound.status == "sending")
        .values(status="sent", twilio_sid=sid, sent_at=now or utcnow())
    )


def record_attempt(
    session: Session,
    *,
    outbound_id: int,
    ok: bool,
    attempts: int,
    sid: Optional[str],
    error_code: Optional[int],
    http_status: Optional[int],
    now: Optional[datetime] = None,
) -> None:
    """What came of sending: accepted by Twilio (sent), or failed after the retries."""
    row = session.get(SmsOutbound, outbound_id)
    assert row is not None  # the sender claimed this row, and rows are never deleted while sending
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
    return list(
        session.execute(
            sa.select(SmsOutbound).where(SmsOutbound.conversation_id == conversation_id).order_by(SmsOutbound.id)
        ).scalars()
    )
