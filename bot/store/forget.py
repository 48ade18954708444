"""Forgetting a participant, and keeping nothing longer than program.yml's `retention` says.

To forget a conversation is to remove its messages (Rasa's tracker store: the `events` table, keyed by
sender_id), its screenings with their answers, contact details and staff notes, its crisis check-ins, its
bookings and reminders, its handoffs, its SMS contact, texts and verification codes. A phone number is
forgotten through its pseudonym (the SMS conversation id, bot.sms.identity.pseudonym): that conversation
goes, and the number is taken out of other conversations that gave it (a contact number, a number for
reminders), which stay.

Escalations stay, stripped: the record that staff were alerted (when, how severe, who acknowledged and
resolved it, the outcome chosen) may be needed long after the data, by the clinician who answered or a
reviewer. What the person wrote (the trigger and later messages) and the staff's free-text note go, and the
conversation id is replaced by an opaque reference ("forgotten-…") that only the forget's audit row shares,
so nothing left leads back to the person or their number. `retention.escalation_days` after it was raised a
resolved escalation goes too. An unresolved escalation blocks forgetting: someone may still need to reach
the person.

The decisions (`removal_due`, `refusal`) are pure; the rest reads and deletes. The tracker store is
another database: its rows are deleted first and committed, then the application's transaction commits, so
a failure midway leaves the application's rows, and running the forget again finishes it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Optional, Sequence, cast

import sqlalchemy as sa
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.booking.store import Booking, NumberCheck, Slot
from bot.program import Retention
from bot.sms.identity import NumberCipher, pseudonym
from bot.sms.store import SmsContact, SmsInbound, SmsOutbound
from bot.store import staff
from bot.store.checkins import CheckIn
from bot.store.models import Answer, Escalation, EscalationMessage, Handoff, PageLog, Participant, Screening
from bot.store.staff import StaffNote

PAGE_LOG_DAYS = 1  # the flood limits look back an hour at most

# Rasa's `events` table (rasa.core.tracker_store.SQLTrackerStore): the columns used here.
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("timestamp", sa.Float),
)


# --- decisions --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """What retention needs to know of one conversation."""

    conversation_id: str
    last_active: datetime  # its latest message, answer, booking, handoff or text
    last_appointment: Optional[datetime] = None  # the start of its latest booked slot; None: never booked
    open_escalation: bool = False


def removal_due(activity: Activity, retention: Retention, now: datetime) -> bool:
    """Whether a conversation's data has been kept as long as `retention` allows. Never while an escalation
    is open; a booked one counts from its latest appointment when that is later than its last activity."""
    if activity.open_escalation:
        return False
    if activity.last_appointment is None:
        return now - activity.last_active >= timedelta(days=retention.no_booking_days)
    return now - max(activity.last_active, activity.last_appointment) >= timedelta(days=retention.booked_days)


def refusal(open_escalations: Iterable[int]) -> Optional[str]:
    """Why a forget must wait (None: it may go ahead)."""
    waiting = sorted(open_escalations)
    if not waiting:
        return None
    one = len(waiting) == 1
    return (
        f"escalation {', '.join(str(i) for i in waiting)} {'is' if one else 'are'} not resolved: resolve "
        f"{'it' if one else 'them'} first (someone may still need to reach the person)"
    )


# --- what is stored ---------------------------------------------------------------------------------------


@dataclass
class Footprint:
    """What forgetting removes (counts), and what it keeps."""

    conversations: tuple[str, ...]
    messages: int = 0  # rows of the tracker store
    screenings: int = 0
    answers: int = 0
    notes: int = 0
    check_ins: int = 0  # crisis check-in questions asked
    bookings: int = 0
    handoffs: int = 0
    texts: int = 0  # SMS received and sent
    contacts: int = 0  # SMS contacts (an encrypted number)
    codes: int = 0  # verification codes texted
    number_elsewhere: tuple[str, ...] = ()  # other conversations the number is taken out of
    escalations_kept: tuple[int, ...] = ()  # stripped, not removed
    open_escalations: tuple[int, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (
            self.messages
            or self.screenings
            or self.check_ins
            or self.bookings
            or self.handoffs
            or self.texts
            or self.contacts
            or self.codes
            or self.number_elsewhere
            or self.escalations_kept
        )

    def summary(self) -> str:
        """'1 conversation, 35 messages, 1 screening, ...': counts only, never content (it goes in the audit log)."""
        parts = [f"{len(self.conversations)} conversation(s)"]
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in ("conversations", "open_escalations") or not value:
                continue
            count = len(value) if isinstance(value, tuple) else value
            label = {
                "number_elsewhere": "number taken out of other conversation(s)",
                "escalations_kept": "escalation(s) kept without text",
            }.get(item.name, item.name.replace("_", " "))
            parts.append(f"{count} {label}")
        return ", ".join(parts)


class TrackerEvents:
    """Rasa's tracker store, read and deleted from with plain SQL (no Rasa import: the CLI, worker and
    console use it)."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, future=True)

    def _ready(self) -> bool:
        return sa.inspect(self.engine).has_table("events")  # Rasa creates it on its first conversation

    def count(self, conversation_ids: Iterable[str]) -> int:
        if not self._ready():
            return 0
        with self.engine.connect() as connection:
            query = select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id.in_(list(conversation_ids)))
            return connection.execute(query).scalar_one()

    def last_activity(self) -> dict[str, datetime]:
        if not self._ready():
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp)).group_by(EVENTS.c.sender_id)
            )
            return {sender: datetime.fromtimestamp(at or 0, timezone.utc) for sender, at in rows}

    def delete(self, conversation_ids: Iterable[str]) -> int:
        if not self._ready():
            return 0
        with self.engine.begin() as connection:
            return connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(list(conversation_ids)))).rowcount

    def close(self) -> None:
        self.engine.dispose()


def _run(session: Session, statement: sa.sql.Executable) -> sa.engine.CursorResult:
    """A bulk UPDATE or DELETE: rows it touches are not read back into the session."""
    return cast(sa.engine.CursorResult, session.execute(statement, execution_options={"synchronize_session": False}))


def _count(session: Session, query: sa.sql.Select) -> int:
    return session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def _decrypts_to(cipher: NumberCipher, token: Optional[str], number: str) -> bool:
    try:
        return token is not None and cipher.decrypt(token) == number
    except ValueError:  # encrypted under another key: not readable, so not this number as far as we know
        return False


def number_elsewhere(session: Session, *, number: str, id_key: str, cipher: NumberCipher) -> tuple[str, ...]:
    """Conversations other than the number's own that hold it: a contact number given in a screening, a
    number given for reminders (pending its code, or confirmed)."""
    own = pseudonym(number, id_key)
    found = set(
        session.execute(select(Booking.conversation_id).where(Booking.contact_conversation_id == own)).scalars()
    )
    for conversation_id, token in session.execute(
        select(Screening.conversation_id, Screening.contact_number_encrypted).where(
            Screening.contact_number_encrypted.is_not(None)
        )
    ):
        if _decrypts_to(cipher, token, number):
            found.add(conversation_id)
    for conversation_id, token in session.execute(
        select(Booking.conversation_id, Booking.pending_number).where(Booking.pending_number.is_not(None))
    ):
        if _decrypts_to(cipher, token, number):
            found.add(conversation_id)
    return tuple(sorted(found - {own}))


def footprint(
    session: Session, events: TrackerEvents, conversation_ids: Iterable[str], number_in: tuple[str, ...] = ()
) -> Footprint:
    ids = tuple(dict.fromkeys(conversation_ids))
    screenings = select(Screening.id).where(Screening.conversation_id.in_(ids))
    escalations = list(
        session.execute(select(Escalation.id, Escalation.resolved_at).where(Escalation.conversation_id.in_(ids))).all()
    )
    return Footprint(
        conversations=ids,
        messages=events.count(ids),
        screenings=_count(session, screenings),
        answers=_count(session, select(Answer.id).where(Answer.screening_id.in_(screenings))),
        notes=_count(session, select(StaffNote.id).where(StaffNote.screening_id.in_(screenings))),
        check_ins=_count(session, select(CheckIn.id).where(CheckIn.conversation_id.in_(ids))),
        bookings=_count(session, select(Booking.id).where(Booking.conversation_id.in_(ids))),
        handoffs=_count(session, select(Handoff.id).where(Handoff.conversation_id.in_(ids))),
        texts=_count(session, select(SmsInbound.id).where(SmsInbound.conversation_id.in_(ids)))
        + _count(session, select(SmsOutbound.id).where(SmsOutbound.conversation_id.in_(ids))),
        contacts=_count(session, select(SmsContact.id).where(SmsContact.conversation_id.in_(ids))),
        codes=_count(
            session,
            select(NumberCheck.id).where(NumberCheck.conversation_id.in_(ids) | NumberCheck.number_ref.in_(ids)),
        ),
        number_elsewhere=number_in,
        escalations_kept=tuple(i for i, resolved in escalations if resolved is not None),
        open_escalations=tuple(i for i, resolved in escalations if resolved is None),
    )


def new_reference(kind: str = "forgotten") -> str:
    """An opaque reference: random, so it cannot be derived from the conversation or the number."""
    return f"{kind}-{secrets.token_hex(8)}"


def _strip_escalations(session: Session, ids: tuple[str, ...], reference: str, now: datetime) -> None:
    kept = select(Escalation.id).where(Escalation.conversation_id.in_(ids))
    _run(session, delete(EscalationMessage).where(EscalationMessage.escalation_id.in_(kept)))
    _run(
        session,
        update(Escalation)
        .where(Escalation.conversation_id.in_(ids))
        .values(conversation_id=reference, trigger_text="", note=None, source_ref=None, stripped_at=now),
    )


def remove(
    session: Session,
    events: TrackerEvents,
    conversation_ids: Iterable[str],
    *,
    reference: str,
    now: datetime,
    number: Optional[str] = None,
    cipher: Optional[NumberCipher] = None,
    number_in: tuple[str, ...] = (),
) -> None:
    """Remove the conversations' data (see the module's docstring); with `number`, also take it out of the
    conversations `number_in`. Deletes the tracker store's rows at once (committed); the application's rows
    go with the caller's transaction."""
    ids = tuple(dict.fromkeys(conversation_ids))
    _strip_escalations(session, ids, reference, now)
    _run(session, delete(Booking).where(Booking.conversation_id.in_(ids)))  # its reminders cascade
    _run(session, update(Booking).where(Booking.contact_conversation_id.in_(ids)).values(contact_conversation_id=None))
    _run(session, delete(Participant).where(Participant.conversation_id.in_(ids)))  # screenings, answers, notes
    _run(session, delete(Screening).where(Screening.conversation_id.in_(ids)))
    for table in (CheckIn, Handoff, SmsContact, SmsInbound, SmsOutbound):
        _run(session, delete(table).where(table.conversation_id.in_(ids)))
    _run(session, delete(NumberCheck).where(NumberCheck.conversation_id.in_(ids) | NumberCheck.number_ref.in_(ids)))
    if number is not None and cipher is not None:
        _take_number_out(session, number, number_in, cipher)
    session.flush()
    events.delete(ids)


def _take_number_out(session: Session, number: str, conversations: tuple[str, ...], cipher: NumberCipher) -> None:
    for screening in session.execute(select(Screening).where(Screening.conversation_id.in_(conversations))).scalars():
        if _decrypts_to(cipher, screening.contact_number_encrypted, number):
            screening.contact_number_encrypted, screening.contact_ok, screening.contact_times = None, None, None
    for booking in session.execute(select(Booking).where(Booking.conversation_id.in_(conversations))).scalars():
        if _decrypts_to(cipher, booking.pending_number, number):
            booking.pending_number = booking.pending_code_hash = booking.pending_until = None


def forget(
    session: Session,
    events: TrackerEvents,
    conversation_ids: Iterable[str],
    *,
    by: str,
    now: datetime,
    staff_id: Optional[int] = None,
    number: Optional[str] = None,
    id_key: str = "",
    cipher: Optional[NumberCipher] = None,
) -> tuple[Footprint, str]:
    """Forget a person: their conversations (and, by number, the number wherever else it was given). Refuses
    (ValueError) while an escalation of theirs is open, or when nothing is stored. Writes the audit row: who,
    when, the reference, the counts. Returns what was removed and the reference."""
    ids = tuple(conversation_ids)
    number_in = (
        number_elsewhere(session, number=number, id_key=id_key, cipher=cipher)
        if number is not None and cipher is not None
        else ()
    )
    found = footprint(session, events, ids, number_in)
    why = refusal(found.open_escalations)
    if why:
        raise ValueError(why)
    if found.empty:
        raise LookupError("nothing is stored for that conversation or number")
    reference = new_reference()
    remove(session, events, ids, reference=reference, now=now, number=number, cipher=cipher, number_in=number_in)
    staff.audit(
        session,
        staff_name=by,
        staff_id=staff_id,
        action="forget",
        subject_kind="forgotten",
        subject_id=reference,
        detail=found.summary(),
        now=now,
    )
    return found, reference


# --- retention --------------------------------------------------------------------------------------------


def activities(session: Session, events: TrackerEvents) -> list[Activity]:
    """Every conversation the databases know of, with its latest activity, appointment and open escalation."""
    latest: dict[str, datetime] = {}

    def seen(rows: Iterable[Sequence[Any]]) -> None:  # (conversation id, latest time) rows
        for conversation_id, at in rows:
            if conversation_id and at is not None:
                latest[conversation_id] = max(at, latest.get(conversation_id, at))

    seen(events.last_activity().items())
    for column, at in (
        (Participant.conversation_id, Participant.created_at),
        (Screening.conversation_id, Screening.updated_at),
        (Booking.conversation_id, Booking.created_at),
        (Handoff.conversation_id, func.coalesce(Handoff.closed_at, Handoff.opened_at)),
        (SmsContact.conversation_id, SmsContact.created_at),
        (SmsInbound.conversation_id, SmsInbound.received_at),
        (SmsOutbound.conversation_id, SmsOutbound.created_at),
        (NumberCheck.conversation_id, NumberCheck.sent_at),
        (CheckIn.conversation_id, CheckIn.asked_at),
    ):
        seen(session.execute(select(column, func.max(at)).group_by(column)).all())
    live = Escalation.stripped_at.is_(None)
    seen(
        session.execute(
            select(Escalation.conversation_id, func.max(Escalation.created_at))
            .where(live)
            .group_by(Escalation.conversation_id)
        ).all()
    )
    appointments: dict[str, datetime] = {}
    for conversation_id, contact, starts_at in session.execute(
        select(Booking.conversation_id, Booking.contact_conversation_id, Slot.starts_at).join(
            Slot, Booking.slot_id == Slot.id
        )
    ):
        for key in filter(None, (conversation_id, contact)):
            appointments[key] = max(starts_at, appointments.get(key, starts_at))
    open_ = set(
        session.execute(select(Escalation.conversation_id).where(Escalation.resolved_at.is_(None), live)).scalars()
    )
    return [
        Activity(conversation_id, at, appointments.get(conversation_id), conversation_id in open_)
        for conversation_id, at in latest.items()
    ]


@dataclass(frozen=True)
class Swept:
    conversations: int
    escalations: int  # resolved escalations past `escalation_days`, removed
    texts: int  # delivery records past `sms_log_days`, removed


def sweep(session: Session, events: TrackerEvents, retention: Retention, now: datetime) -> Swept:
    """One retention pass: conversations whose time is up are removed (escalations stripped, each under its
    own reference), then old delivery records, old resolved escalations and the paging log's old rows. One
    audit row says how many."""
    due = [a.conversation_id for a in activities(session, events) if removal_due(a, retention, now)]
    for conversation_id in due:
        remove(session, events, (conversation_id,), reference=new_reference("expired"), now=now)
    texts_before = now - timedelta(days=retention.sms_log_days)
    texts = _run(session, delete(SmsOutbound).where(SmsOutbound.created_at < texts_before)).rowcount
    texts += _run(session, delete(SmsInbound).where(SmsInbound.received_at < texts_before)).rowcount
    escalations = _run(
        session,
        delete(Escalation).where(
            Escalation.resolved_at.is_not(None), Escalation.created_at < now - timedelta(days=retention.escalation_days)
        ),
    ).rowcount
    _run(session, delete(PageLog).where(PageLog.at < now - timedelta(days=PAGE_LOG_DAYS)))
    swept = Swept(len(due), escalations, texts)
    if due or escalations or texts:
        staff.audit(
            session,
            staff_name="retention",
            action="retention",
            now=now,
            detail=f"removed {swept.conversations} conversation(s), {swept.escalations} escalation "
            f"record(s), {swept.texts} text record(s)",
        )
    return swept
