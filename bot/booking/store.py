"""Assessment slots, bookings and their reminder jobs.

A slot is taken at most once because of a unique constraint, not a check in Python: an active booking
holds its slot in `holds_slot_id` (unique), a cancelled one holds nothing (NULLs never clash), and a
check constraint keeps the two columns consistent. Fifty people pressing the same button at once get one
booking and forty-nine `SlotTaken`, on SQLite and PostgreSQL alike.

Functions take a session and only flush, like bot.store.crud.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Optional

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, selectinload

from bot.booking.slots import SlotTime
from bot.store.db import rowcount
from bot.store.mapped import Column, relationship
from bot.store.models import Base, UTCDateTime, check_in, utcnow

SLOT_STATUSES = ("open", "blocked", "removed")  # removed: kept so that regenerating never brings it back
SLOT_SOURCES = ("generated", "staff")
MODALITIES = ("in_person", "telehealth")
BOOKING_STATUSES = ("booked", "cancelled", "attended", "no_show")
# pending -> sending (claimed by one worker) -> sent | failed; skipped: not sent, `note` says why.
REMINDER_STATUSES = ("pending", "sending", "sent", "failed", "skipped")


class Slot(Base):
    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("assessor", "starts_at"),
        CheckConstraint(check_in("status", SLOT_STATUSES), name="status"),
        CheckConstraint(check_in("source", SLOT_SOURCES), name="source"),
        CheckConstraint(check_in("modality", MODALITIES), name="modality"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    assessor: Mapped[str] = Column(String(100), nullable=False)
    starts_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    modality: Mapped[str] = Column(String(16), nullable=False)
    location: Mapped[Optional[str]] = Column(String(255))
    status: Mapped[str] = Column(String(16), nullable=False, default="open")
    source: Mapped[str] = Column(String(16), nullable=False, default="generated")
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    changed_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # last blocked, unblocked or removed
    changed_by: Mapped[Optional[str]] = Column(String(100))


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("holds_slot_id"),
        CheckConstraint(
            "(status = 'cancelled' AND holds_slot_id IS NULL) OR "
            "(status <> 'cancelled' AND holds_slot_id IS NOT NULL AND holds_slot_id = slot_id)",
            name="holds",
        ),
        CheckConstraint(check_in("status", BOOKING_STATUSES), name="status"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    slot_id: Mapped[int] = Column(Integer, ForeignKey("slots.id"), nullable=False, index=True)
    holds_slot_id: Mapped[Optional[int]] = Column(Integer)
    conversation_id: Mapped[str] = Column(String(255), nullable=False, index=True)
    channel: Mapped[str] = Column(String(32), nullable=False)
    screening_id: Mapped[Optional[int]] = Column(Integer, ForeignKey("screenings.id", ondelete="SET NULL"), index=True)
    # The SMS contact (bot.sms.store) reminders go to: the conversation itself over SMS, else none.
    contact_conversation_id: Mapped[Optional[str]] = Column(String(64), index=True)
    person_tz: Mapped[Optional[str]] = Column(String(64))  # the zone the person named, for how times are shown
    status: Mapped[str] = Column(String(16), nullable=False, default="booked")
    calendar_token: Mapped[str] = Column(String(64), nullable=False, unique=True)  # the .ics link's only key
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    cancelled_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    cancelled_by: Mapped[Optional[str]] = Column(String(100))  # "participant" or a staff name
    replaced_by_id: Mapped[Optional[int]] = Column(Integer, ForeignKey("bookings.id"))  # rescheduled to
    outcome_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # attended / no-show marked
    outcome_by: Mapped[Optional[str]] = Column(String(100))
    # A number given in the widget for reminders, until the person types the code texted to it: encrypted,
    # with a hash of the code and its expiry (bot.booking.desk; the codes sent and wrong tries: NumberCheck).
    pending_number: Mapped[Optional[str]] = Column(Text)
    pending_code_hash: Mapped[Optional[str]] = Column(String(64))
    pending_until: Mapped[Optional[datetime]] = Column(UTCDateTime)

    slot: Mapped[Slot] = relationship(Slot, lazy="joined")
    reminders: Mapped[list[Reminder]] = relationship(
        "Reminder", back_populates="booking", order_by="Reminder.due_at", cascade="all, delete-orphan"
    )


class Reminder(Base):
    """A text due before an appointment: a job in the database, so reminders survive restarts and each is
    claimed by one worker (bot.booking.reminders)."""

    __tablename__ = "booking_reminders"
    __table_args__ = (
        UniqueConstraint("booking_id", "hours_before"),
        CheckConstraint(check_in("status", REMINDER_STATUSES), name="status"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    booking_id: Mapped[int] = Column(Integer, ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False)
    hours_before: Mapped[int] = Column(Integer, nullable=False)
    due_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, index=True)
    status: Mapped[str] = Column(String(16), nullable=False, default="pending")
    claimed_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    sent_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    outbound_id: Mapped[Optional[int]] = Column(Integer)  # the sms_outbound row of the text
    note: Mapped[Optional[str]] = Column(String(32))  # why skipped or failed: opted_out, no_number, cancelled...

    booking: Mapped[Booking] = relationship(Booking, back_populates="reminders")


class NumberCheck(Base):
    """A verification code texted to a number typed in the widget: what the limits on codes count (per
    conversation, per number a day) and the wrong codes typed. The number is here only as its keyed
    pseudonym (bot.sms.identity.pseudonym), never in clear."""

    __tablename__ = "number_checks"

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(255), nullable=False, index=True)
    number_ref: Mapped[str] = Column(String(64), nullable=False, index=True)
    sent_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    wrong_tries: Mapped[int] = Column(Integer, nullable=False, default=0)


class SlotTaken(Exception):
    """The slot cannot be booked: someone else booked it first (`taken`), or it was blocked, removed or is
    too soon now (`taken` False)."""

    def __init__(self, slot_id: int, *, taken: bool = True) -> None:
        super().__init__(f"slot {slot_id} is {'taken' if taken else 'no longer bookable'}")
        self.taken = taken


class SlotInUse(ValueError):
    """The slot has an active booking: cancel it before blocking or removing the slot."""


class NotFound(LookupError):
    pass


# --- slots --------------------------------------------------------------------------------------------


def ensure_slots(session: Session, specs: Iterable[SlotTime]) -> int:
    """Store the slots that do not exist yet (same assessor and start); returns how many were new. Safe to
    run from several processes at once: an insert that loses a race is skipped by the database."""
    rows: list[dict[str, Any]] = [
        {
            "assessor": s.assessor,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "modality": s.modality,
            "location": s.location,
            "status": "open",
            "source": "generated",
            "created_at": utcnow(),
        }
        for s in specs
    ]
    if not rows:
        return 0
    known = set(
        session.execute(
            select(Slot.assessor, Slot.starts_at).where(
                Slot.starts_at >= min(r["starts_at"] for r in rows), Slot.starts_at <= max(r["starts_at"] for r in rows)
            )
        ).all()
    )
    new = [r for r in rows if (r["assessor"], r["starts_at"]) not in known]
    if not new:
        return 0
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    statement = insert(Slot).values(new).on_conflict_do_nothing(index_elements=["assessor", "starts_at"])
    return max(rowcount(session.execute(statement)), 0)


def retire_slots(session: Session, specs: Iterable[SlotTime], *, start: datetime, end: datetime) -> int:
    """Remove the generated, open, unbooked slots starting in [start, end) that program.yml no longer makes
    (hours changed, a closed date added, an assessor gone); returns how many. Booked ones stay: staff see them
    on the appointments page. Slots staff added are never touched."""
    wanted = {(s.assessor, s.starts_at) for s in specs}
    held = select(Booking.holds_slot_id).where(Booking.holds_slot_id.is_not(None))
    stale = [
        slot
        for slot in session.execute(
            select(Slot).where(
                Slot.source == "generated",
                Slot.status == "open",
                Slot.starts_at >= start,
                Slot.starts_at < end,
                Slot.id.not_in(held),
            )
        ).scalars()
        if (slot.assessor, slot.starts_at) not in wanted
    ]
    for slot in stale:
        slot.status, slot.changed_at, slot.changed_by = "removed", utcnow(), "program.yml"
    session.flush()
    return len(stale)


def add_slot(
    session: Session,
    *,
    assessor: str,
    starts_at: datetime,
    minutes: int,
    modality: str,
    location: Optional[str],
    by: str,
) -> Slot:
    """A slot staff add by hand (an extra hour, a one-off day)."""
    if modality not in MODALITIES:
        raise ValueError(f"modality should be one of {', '.join(MODALITIES)}")
    if modality == "in_person" and not location:
        raise ValueError("an in-person slot needs a location")
    slot = Slot(
        assessor=assessor,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        modality=modality,
        location=location if modality == "in_person" else None,
        status="open",
        source="staff",
        changed_at=utcnow(),
        changed_by=by,
    )
    clash = select(Slot.id).where(Slot.assessor == assessor, Slot.starts_at == starts_at)
    if session.execute(clash).first() is not None:
        raise ValueError(f"{assessor} already has a slot at that time")
    session.add(slot)
    session.flush()
    return slot


def set_slot_status(session: Session, *, slot_id: int, status: str, by: str) -> Slot:
    """Block, unblock (open) or remove a slot. A booked slot cannot be blocked or removed."""
    if status not in SLOT_STATUSES:
        raise ValueError(f"status should be one of {', '.join(SLOT_STATUSES)}")
    # Locked (PostgreSQL), as `book` locks it: a booking and a block of the same slot happen one after the other.
    slot = session.execute(select(Slot).where(Slot.id == slot_id).with_for_update()).scalar_one_or_none()
    if slot is None:
        raise NotFound(f"no slot {slot_id}")
    slot.status, slot.changed_at, slot.changed_by = status, utcnow(), by
    session.flush()
    # Checked after the write, holding SQLite's write lock, so a booking cannot slip in between.
    if status != "open" and active_booking_of_slot(session, slot_id) is not None:
        raise SlotInUse(f"slot {slot_id} is booked: cancel the booking first")
    return slot


def active_booking_of_slot(session: Session, slot_id: int) -> Optional[Booking]:
    return session.execute(select(Booking).where(Booking.holds_slot_id == slot_id)).scalar_one_or_none()


def free_slots(session: Session, *, start: datetime, end: datetime) -> list[Slot]:
    """Open slots starting in [start, end) that nobody holds, earliest first."""
    held = select(Booking.holds_slot_id).where(Booking.holds_slot_id.is_not(None))
    query = (
        select(Slot)
        .where(Slot.status == "open", Slot.starts_at >= start, Slot.starts_at < end, Slot.id.not_in(held))
        .order_by(Slot.starts_at, Slot.id)
    )
    return list(session.execute(query).scalars())


def slots_between(session: Session, *, start: datetime, end: datetime) -> list[Slot]:
    """Every slot starting in [start, end), whatever its status (staff views)."""
    query = select(Slot).where(Slot.starts_at >= start, Slot.starts_at < end).order_by(Slot.starts_at, Slot.id)
    return list(session.execute(query).scalars())


# --- bookings -----------------------------------------------------------------------------------------


def book(
    session: Session,
    *,
    slot_id: int,
    conversation_id: str,
    channel: str,
    screening_id: Optional[int],
    contact_conversation_id: Optional[str],
    person_tz: Optional[str],
    reminders_hours_before: Iterable[int],
    earliest: datetime,
    now: Optional[datetime] = None,
) -> Booking:
    """Take the slot for the person, with reminder jobs; `SlotTaken` when it is blocked or starts before
    `earliest` (the minimum notice). When someone else took it first, the flush raises IntegrityError (the
    unique constraint) and the caller's transaction is rolled back whole (bot.booking.desk turns it into
    `SlotTaken`): no savepoint, because SQLite's driver would commit it on release."""
    # Locked on PostgreSQL, as set_slot_status locks it: a booking and a block of one slot never interleave.
    slot = session.execute(select(Slot).where(Slot.id == slot_id).with_for_update()).scalar_one_or_none()
    if slot is None or slot.status != "open" or slot.starts_at < earliest:
        raise SlotTaken(slot_id, taken=False)
    at = now or utcnow()
    booking = Booking(
        slot=slot,
        holds_slot_id=slot.id,
        conversation_id=conversation_id,
        channel=channel,
        screening_id=screening_id,
        contact_conversation_id=contact_conversation_id,
        person_tz=person_tz,
        status="booked",
        calendar_token=secrets.token_urlsafe(24),
        created_at=at,
    )
    booking.reminders = [
        Reminder(hours_before=hours, due_at=slot.starts_at - timedelta(hours=hours), status="pending")
        for hours in reminders_hours_before
        if slot.starts_at - timedelta(hours=hours) > at
    ]
    session.add(booking)
    session.flush()
    # Holding SQLite's write lock now, read the slot again: a block committed since the first read shows.
    if session.execute(select(Slot.status).where(Slot.id == slot_id)).scalar_one() != "open":
        raise SlotTaken(slot_id, taken=False)
    return booking


def get_booking(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(f"no booking {booking_id}")
    return booking


def upcoming_booking(session: Session, *, conversation_id: str, now: datetime) -> Optional[Booking]:
    """The person's next active booking: made in this conversation, or reminded by text to its number."""
    query = (
        select(Booking)
        .join(Slot, Booking.slot_id == Slot.id)
        .where(
            Booking.status == "booked",
            Slot.starts_at > now,
            or_(Booking.conversation_id == conversation_id, Booking.contact_conversation_id == conversation_id),
        )
        .order_by(Slot.starts_at)
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def cancel(
    session: Session, *, booking_id: int, by: str, now: Optional[datetime] = None, replaced_by: Optional[Booking] = None
) -> Booking:
    """Free the slot at once and stop the reminders; cancelling twice changes nothing."""
    booking = get_booking(session, booking_id)
    if booking.status != "booked":
        return booking
    at = now or utcnow()
    booking.status, booking.holds_slot_id = "cancelled", None
    booking.cancelled_at, booking.cancelled_by = at, by
    booking.replaced_by_id = replaced_by.id if replaced_by is not None else None
    session.execute(
        update(Reminder)
        .where(Reminder.booking_id == booking.id, Reminder.status == "pending")
        .values(status="skipped", note="rescheduled" if replaced_by is not None else "cancelled")
    )
    session.flush()
    return booking


def reschedule(
    session: Session,
    *,
    booking_id: int,
    slot_id: int,
    earliest: datetime,
    reminders_hours_before: Iterable[int],
    now: Optional[datetime] = None,
) -> Booking:
    """Move a booking to another slot: the new one is taken first (`SlotTaken` leaves the old one as it
    was), then the old one is cancelled, in the caller's one transaction."""
    old = get_booking(session, booking_id)
    new = book(
        session,
        slot_id=slot_id,
        conversation_id=old.conversation_id,
        channel=old.channel,
        screening_id=old.screening_id,
        contact_conversation_id=old.contact_conversation_id,
        person_tz=old.person_tz,
        reminders_hours_before=reminders_hours_before,
        earliest=earliest,
        now=now,
    )
    cancel(session, booking_id=old.id, by="participant", now=now, replaced_by=new)
    return new


def mark_outcome(
    session: Session, *, booking_id: int, attended: bool, by: str, now: Optional[datetime] = None
) -> Booking:
    """Staff record whether the person came, once the appointment has started; a later mark corrects an
    earlier one."""
    booking = get_booking(session, booking_id)
    at = now or utcnow()
    if booking.status == "cancelled":
        raise ValueError(f"booking {booking_id} was cancelled")
    if booking.slot.starts_at > at:
        raise ValueError("This appointment has not started yet.")
    booking.status = "attended" if attended else "no_show"
    booking.outcome_at, booking.outcome_by = at, by
    session.flush()
    return booking


def bookings_between(
    session: Session, *, start: datetime, end: datetime, statuses: Optional[Iterable[str]] = None
) -> list[Booking]:
    """Bookings whose slot starts in [start, end), earliest first (staff views, the funnel)."""
    query = (
        select(Booking)
        .join(Slot, Booking.slot_id == Slot.id)
        .options(selectinload(Booking.reminders))
        .where(Slot.starts_at >= start, Slot.starts_at < end)
        .order_by(Slot.starts_at, Booking.id)
    )
    if statuses is not None:
        query = query.where(Booking.status.in_(list(statuses)))
    return list(session.execute(query).scalars())


def booking_by_token(session: Session, token: str) -> Optional[Booking]:
    return session.execute(select(Booking).where(Booking.calendar_token == token)).scalar_one_or_none()


# --- reminder jobs ------------------------------------------------------------------------------------


def due_reminders(session: Session, *, now: datetime) -> list[int]:
    """Pending reminders whose time has come, oldest first."""
    query = select(Reminder.id).where(Reminder.status == "pending", Reminder.due_at <= now).order_by(Reminder.due_at)
    return list(session.execute(query).scalars())


def claim_reminder(session: Session, *, reminder_id: int, now: datetime) -> bool:
    """Take a pending reminder for sending; only one caller (thread or process) ever gets True."""
    result = session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status == "pending")
        .values(status="sending", claimed_at=now)
    )
    return rowcount(result) == 1


def finish_reminder(
    session: Session,
    *,
    reminder_id: int,
    status: str,
    note: Optional[str] = None,
    outbound_id: Optional[int] = None,
    now: Optional[datetime] = None,
) -> Reminder:
    if status not in REMINDER_STATUSES:
        raise ValueError(f"status should be one of {', '.join(REMINDER_STATUSES)}")
    reminder = session.get(Reminder, reminder_id)
    if reminder is None:
        raise NotFound(f"no reminder {reminder_id}")
    reminder.status, reminder.note = status, note
    if outbound_id is not None:
        reminder.outbound_id = outbound_id
    if status == "sent":
        reminder.sent_at = now or utcnow()
    session.flush()
    return reminder


# --- verification codes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCounts:
    by_conversation: int  # codes ever texted for this conversation
    to_number_today: int  # codes texted to this number in the last 24 hours, from any conversation
    wrong_tries: int  # wrong codes typed in this conversation, whichever number they were for


def code_counts(session: Session, *, conversation_id: str, number_ref: str, now: datetime) -> CodeCounts:
    mine = select(func.count(), func.coalesce(func.sum(NumberCheck.wrong_tries), 0)).where(
        NumberCheck.conversation_id == conversation_id
    )
    codes, wrong = session.execute(mine).one()
    today = session.execute(
        select(func.count())
        .select_from(NumberCheck)
        .where(NumberCheck.number_ref == number_ref, NumberCheck.sent_at > now - timedelta(days=1))
    ).scalar_one()
    return CodeCounts(codes, today, int(wrong))


def record_code(session: Session, *, conversation_id: str, number_ref: str, now: datetime) -> None:
    session.add(NumberCheck(conversation_id=conversation_id, number_ref=number_ref, sent_at=now, wrong_tries=0))
    session.flush()


def count_wrong_code(session: Session, *, conversation_id: str, number_ref: str, now: datetime) -> int:
    """One more wrong code typed in the conversation (on its latest code); returns its wrong tries so far."""
    latest = session.execute(
        select(NumberCheck)
        .where(NumberCheck.conversation_id == conversation_id)
        .order_by(NumberCheck.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest is None:  # a code texted before codes were counted (revision 0008)
        latest = NumberCheck(conversation_id=conversation_id, number_ref=number_ref, sent_at=now, wrong_tries=0)
        session.add(latest)
    latest.wrong_tries += 1
    session.flush()
    return session.execute(
        select(func.sum(NumberCheck.wrong_tries)).where(NumberCheck.conversation_id == conversation_id)
    ).scalar_one()
