"""Staff accounts, their console sessions, failed sign-ins, staff notes on screenings, and the audit log.

A session row keeps only a hash of the cookie's token, so a copy of the database signs nobody in. Failed
sign-ins are kept per account (or typed name) and client address, both as keyed pseudonyms, for at most
the lock-out window and never more than MAX_FAILURE_ROWS rows. The audit log is append-only: there is no
function here to change or delete a row, the migrations add database triggers that refuse UPDATE, DELETE
(and, on PostgreSQL, TRUNCATE) and revoke those rights, and each row carries a hash of the one before it
(`chain_hash`), so a row changed or removed behind the database's back is found by `first_broken_row`
(`iop-intake audit verify`). Audit rows name what was touched by opaque ids only.

Functions take a session and only flush, like bot.store.crud.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Optional

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session

from bot.store.mapped import Column, relationship
from bot.store.models import Base, UTCDateTime, check_in, utcnow

ROLES = ("admin", "intake", "clinician")
# What the audit log records. Kept in Python rather than a CHECK constraint: a new action needs no migration.
AUDIT_ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "view_screening",
    "view_transcript",
    "view_escalation",
    "add_note",
    "acknowledge",
    "resolve",
    "take_over",
    "reply",
    "hand_back",
    "export",
    "mark_attended",
    "mark_no_show",
    "cancel_booking",
    "slot_open",
    "slot_blocked",
    "slot_removed",
    "add_slot",
    "add_staff",
    "disable_staff",
    "enable_staff",
    "unlock_staff",
    "set_password",
    "forget",
    "retention",
)
# "forgotten": the opaque reference a forget left on the rows it kept (bot.store.forget), never the conversation.
SUBJECT_KINDS = ("screening", "conversation", "escalation", "booking", "slot", "staff", "period", "forgotten")
MAX_FAILURE_ROWS = 10_000  # failed sign-ins kept at most (the oldest go first)
MAX_KNOWN_ADDRESSES = 10_000
KNOWN_ADDRESS_DAYS = 90  # an address that signed someone in is "known" this long after
GENESIS = "0" * 64  # what the first audit row's hash is chained to


class DuplicateName(ValueError):
    pass


class StaffAccount(Base):
    __tablename__ = "staff_accounts"
    __table_args__ = (CheckConstraint(check_in("role", ROLES), name="role"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    name: Mapped[str] = Column(String(100), nullable=False, unique=True)  # signs in with it; shown to participants
    role: Mapped[str] = Column(String(16), nullable=False)
    password_hash: Mapped[str] = Column(String(255), nullable=False)  # argon2id, with its parameters and salt
    active: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    last_sign_in_at: Mapped[Optional[datetime]] = Column(UTCDateTime)

    @property
    def failure_key(self) -> str:
        """What its failed sign-ins are counted under (an unknown name's key is a pseudonym of the name)."""
        return account_key(self.id)


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = Column(Integer, primary_key=True)
    token_hash: Mapped[str] = Column(String(64), nullable=False, unique=True)  # SHA-256 of the cookie's token
    staff_id: Mapped[int] = Column(
        Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    csrf_token: Mapped[str] = Column(String(64), nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)

    staff: Mapped[StaffAccount] = relationship(StaffAccount, lazy="joined")


class SignInFailure(Base):
    """One failed (or not yet checked) sign-in: the account or typed name and the client address, as keys."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = Column(Integer, primary_key=True)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False, index=True)
    account_key: Mapped[str] = Column(String(64), nullable=False, index=True)
    address_ref: Mapped[str] = Column(String(64), nullable=False, index=True)


class KnownAddress(Base):
    """A client address (keyed pseudonym) someone signed in from: the per-address limit never stops a right
    password from it."""

    __tablename__ = "sign_in_addresses"

    id: Mapped[int] = Column(Integer, primary_key=True)
    address_ref: Mapped[str] = Column(String(64), nullable=False, unique=True)
    last_success_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)


class StaffNote(Base):
    """A note on a screening by a member of staff (text as typed: escape it when shown)."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = Column(Integer, primary_key=True)
    screening_id: Mapped[int] = Column(
        Integer, ForeignKey("screenings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author: Mapped[str] = Column(String(100), nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    text: Mapped[str] = Column(Text, nullable=False)


class AuditEvent(Base):
    """Who did what to which record, and when. No foreign keys: the row outlives what it names."""

    __tablename__ = "audit_log"

    id: Mapped[int] = Column(Integer, primary_key=True)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    staff_id: Mapped[Optional[int]] = Column(Integer)  # None: an unknown name (failed sign-in) or the command line
    staff_name: Mapped[str] = Column(String(100), nullable=False)
    action: Mapped[str] = Column(String(32), nullable=False)
    subject_kind: Mapped[Optional[str]] = Column(String(16))
    subject_id: Mapped[Optional[str]] = Column(String(255))
    detail: Mapped[Optional[str]] = Column(String(255))  # never health information: counts, outcomes chosen, ...
    row_hash: Mapped[str] = Column(String(64), nullable=False)  # chain_hash(the previous row's, this row)


class AuditHead(Base):
    """The one row (id 1) that orders audit writes: each write first bumps `writes` (a row lock on
    PostgreSQL, the write lock on SQLite, held to commit), then reads the newest row's hash. Its `last_hash`
    also shows when the newest rows have gone."""

    __tablename__ = "audit_head"

    id: Mapped[int] = Column(Integer, primary_key=True)
    writes: Mapped[int] = Column(Integer, nullable=False, default=0)
    last_id: Mapped[Optional[int]] = Column(Integer)
    last_hash: Mapped[str] = Column(String(64), nullable=False)


def _name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name or len(name) > 100:
        raise ValueError("a staff name has 1 to 100 characters")
    return name


# --- accounts -----------------------------------------------------------------------------------------


def add_staff(session: Session, *, name: str, role: str, password_hash: str) -> StaffAccount:
    if role not in ROLES:
        raise ValueError(f"role should be one of {', '.join(ROLES)}")
    name = _name(name)
    if staff_by_name(session, name=name) is not None:
        raise DuplicateName(f"there is already a staff account named {name}")
    account = StaffAccount(name=name, role=role, password_hash=password_hash, active=True)
    session.add(account)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise DuplicateName(f"there is already a staff account named {name}") from None
    return account


def staff_by_name(session: Session, *, name: str) -> Optional[StaffAccount]:
    """The account whose name matches, ignoring case and repeated spaces."""
    wanted = " ".join((name or "").split())
    # Both sides lowered by the database, the same way (SQLite lowers ASCII letters only).
    query = select(StaffAccount).where(func.lower(StaffAccount.name) == func.lower(wanted))
    return session.execute(query).scalars().first()


def get_staff(session: Session, staff_id: int) -> StaffAccount:
    account = session.get(StaffAccount, staff_id)
    if account is None:
        raise LookupError(f"no staff account {staff_id}")
    return account


def list_staff(session: Session) -> list[StaffAccount]:
    return list(session.execute(select(StaffAccount).order_by(func.lower(StaffAccount.name))).scalars())


def set_password(session: Session, *, staff_id: int, password_hash: str) -> StaffAccount:
    """A new password also lifts the account's lock-outs and ends its sessions."""
    account = get_staff(session, staff_id)
    account.password_hash = password_hash
    clear_failures(session, account_key=account.failure_key)
    end_sessions_of(session, staff_id=staff_id)
    session.flush()
    return account


def set_active(session: Session, *, staff_id: int, active: bool) -> StaffAccount:
    """Disable (signed out everywhere at once) or enable an account; accounts are never deleted, so the
    records they signed keep a name."""
    account = get_staff(session, staff_id)
    account.active = active
    if not active:
        end_sessions_of(session, staff_id=staff_id)
    session.flush()
    return account


def unlock(session: Session, *, staff_id: int) -> StaffAccount:
    """Lift the account's lock-outs, from every address."""
    account = get_staff(session, staff_id)
    clear_failures(session, account_key=account.failure_key)
    return account


# --- sign-in attempts -----------------------------------------------------------------------------------


def account_key(staff_id: int) -> str:
    return f"staff-{staff_id}"


@dataclass(frozen=True)
class Counted:
    """Failed sign-ins within their windows, the attempt being counted included."""

    in_a_row: int  # for this account (or typed name) from this address
    from_address: int  # for any name from this address
    known_address: bool  # someone has signed in from this address before


def count_attempt(
    session: Session,
    *,
    account_key: str,
    address_ref: str,
    now: datetime,
    lock_window: timedelta,
    address_window: timedelta,
) -> Counted:
    """Count a sign-in attempt as failed before its password is checked (a right one clears it): written
    first, so parallel guesses each see the others and cannot slip past a limit together. Old rows go on
    the way, and the table never holds more than MAX_FAILURE_ROWS."""
    keep = max(lock_window, address_window)
    session.execute(delete(SignInFailure).where(SignInFailure.at <= now - keep))
    session.add(SignInFailure(at=now, account_key=account_key, address_ref=address_ref))
    session.flush()
    overflow = select(SignInFailure.id).order_by(SignInFailure.id.desc()).offset(MAX_FAILURE_ROWS)
    session.execute(
        delete(SignInFailure).where(SignInFailure.id.in_(overflow)).execution_options(synchronize_session=False)
    )

    def failures(*conditions: object) -> int:
        return session.execute(select(func.count()).select_from(SignInFailure).where(*conditions)).scalar_one()

    in_a_row = failures(
        SignInFailure.account_key == account_key,
        SignInFailure.address_ref == address_ref,
        SignInFailure.at > now - lock_window,
    )
    from_address = failures(SignInFailure.address_ref == address_ref, SignInFailure.at > now - address_window)
    known = (
        session.execute(
            select(KnownAddress.id).where(
                KnownAddress.address_ref == address_ref,
                KnownAddress.last_success_at > now - timedelta(days=KNOWN_ADDRESS_DAYS),
            )
        ).first()
        is not None
    )
    return Counted(in_a_row, from_address, known)


def clear_failures(session: Session, *, account_key: str, address_ref: Optional[str] = None) -> None:
    """Forget the failed sign-ins of an account (or typed name): from one address, or from all."""
    query = delete(SignInFailure).where(SignInFailure.account_key == account_key)
    if address_ref is not None:
        query = query.where(SignInFailure.address_ref == address_ref)
    session.execute(query)
    session.flush()


def locked_accounts(session: Session, *, now: datetime, lock_window: timedelta, lock_after: int) -> dict[str, int]:
    """account key -> from how many addresses it is locked out now."""
    pairs = (
        select(SignInFailure.account_key, SignInFailure.address_ref)
        .where(SignInFailure.at > now - lock_window)
        .group_by(SignInFailure.account_key, SignInFailure.address_ref)
        .having(func.count() >= lock_after)
    ).subquery()
    query = select(pairs.c.account_key, func.count()).group_by(pairs.c.account_key)
    return {key: count for key, count in session.execute(query).all()}


def sign_in_succeeded(session: Session, *, staff_id: int, address_ref: str, now: datetime) -> StaffAccount:
    """The account's failures from this address are cleared and the address becomes known."""
    account = get_staff(session, staff_id)
    account.last_sign_in_at = now
    clear_failures(session, account_key=account.failure_key, address_ref=address_ref)
    known = session.execute(select(KnownAddress).where(KnownAddress.address_ref == address_ref)).scalar_one_or_none()
    if known is None:
        session.execute(
            delete(KnownAddress).where(KnownAddress.last_success_at <= now - timedelta(days=KNOWN_ADDRESS_DAYS))
        )
        overflow = select(KnownAddress.id).order_by(KnownAddress.last_success_at.desc()).offset(MAX_KNOWN_ADDRESSES - 1)
        session.execute(
            delete(KnownAddress).where(KnownAddress.id.in_(overflow)).execution_options(synchronize_session=False)
        )
        session.add(KnownAddress(address_ref=address_ref, last_success_at=now))
    else:
        known.last_success_at = now
    session.flush()
    return account


# --- sessions -------------------------------------------------------------------------------------------


def open_session(
    session: Session, *, staff_id: int, token_hash: str, csrf_token: str, now: datetime, expires_at: datetime
) -> StaffSession:
    """A new session; the account's expired ones are cleared out on the way."""
    session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id, StaffSession.expires_at <= now))
    row = StaffSession(
        staff_id=staff_id,
        token_hash=token_hash,
        csrf_token=csrf_token,
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row


def find_session(session: Session, *, token_hash: str, now: datetime, idle: timedelta) -> Optional[StaffSession]:
    """The live session with this token: not expired, not idle too long, its account active."""
    query = (
        select(StaffSession)
        .join(StaffAccount, StaffSession.staff_id == StaffAccount.id)
        .where(
            StaffSession.token_hash == token_hash,
            StaffSession.expires_at > now,
            StaffSession.last_seen_at > now - idle,
            StaffAccount.active.is_(True),
        )
    )
    return session.execute(query).scalar_one_or_none()


def end_session(session: Session, *, token_hash: str) -> None:
    row = session.execute(select(StaffSession).where(StaffSession.token_hash == token_hash)).scalar_one_or_none()
    if row is not None:
        session.delete(row)
        session.flush()


def end_sessions_of(session: Session, *, staff_id: int) -> None:
    for row in session.execute(select(StaffSession).where(StaffSession.staff_id == staff_id)).scalars():
        session.delete(row)
    session.flush()


# --- notes ----------------------------------------------------------------------------------------------


def add_note(
    session: Session, *, screening_id: int, author: str, text: str, now: Optional[datetime] = None
) -> StaffNote:
    text = (text or "").replace("\x00", "\ufffd").strip()
    if not text:
        raise ValueError("the note is empty")
    if len(text) > 10_000:
        raise ValueError("the note is longer than 10,000 characters")
    note = StaffNote(screening_id=screening_id, author=_name(author), text=text, created_at=now or utcnow())
    session.add(note)
    session.flush()
    return note


def notes_for(session: Session, *, screening_id: int) -> list[StaffNote]:
    query = select(StaffNote).where(StaffNote.screening_id == screening_id).order_by(StaffNote.created_at, StaffNote.id)
    return list(session.execute(query).scalars())


# --- audit log ------------------------------------------------------------------------------------------


def chain_hash(previous: str, row: AuditEvent) -> str:
    """SHA-256 of the previous row's hash and this row's fields (not its id: the order is the chain's)."""
    fields = [
        previous,
        row.at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        row.staff_id,
        row.staff_name,
        row.action,
        row.subject_kind,
        row.subject_id,
        row.detail,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode()).hexdigest()


def first_broken_row(rows: Iterable[AuditEvent], last_hash: str) -> tuple[Optional[int], int]:
    """Walk the rows in id order: (the id of the first row whose hash does not follow from the rows before
    it, or None, and how many rows were walked). When every row follows but the chain ends short of
    `last_hash` (the newest rows are gone), the id is -1."""
    previous, walked = GENESIS, 0
    for row in rows:
        walked += 1
        if row.row_hash != chain_hash(previous, row):
            return row.id, walked
        previous = row.row_hash
    return (None if previous == last_hash else -1), walked


def audit(
    session: Session,
    *,
    staff_name: str,
    action: str,
    staff_id: Optional[int] = None,
    subject_kind: Optional[str] = None,
    subject_id: object = None,
    detail: Optional[str] = None,
    now: Optional[datetime] = None,
) -> AuditEvent:
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"not an audit action: {action!r}")
    if subject_kind is not None and subject_kind not in SUBJECT_KINDS:
        raise ValueError(f"not an audit subject: {subject_kind!r}")
    row = AuditEvent(
        at=now or utcnow(),
        staff_id=staff_id,
        staff_name=(staff_name or "?")[:100],
        action=action,
        subject_kind=subject_kind,
        subject_id=None if subject_id is None else str(subject_id)[:255],
        detail=detail[:255] if detail else None,
    )
    # Taken in this order, the head's lock makes concurrent writers chain one after the other, never to the
    # same previous row.
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(writes=AuditHead.writes + 1)
        .execution_options(synchronize_session=False)
    )
    previous = session.execute(select(AuditHead.last_hash).where(AuditHead.id == 1)).scalar_one()
    row.row_hash = chain_hash(previous, row)
    session.add(row)
    session.flush()
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(last_id=row.id, last_hash=row.row_hash)
        .execution_options(synchronize_session=False)
    )
    return row


def audit_rows(session: Session, *, batch: int = 1000) -> Iterable[AuditEvent]:
    """Every audit row in id order, a batch at a time."""
    after = 0
    while True:
        rows = list(
            session.execute(
                select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(batch)
            ).scalars()
        )
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id
        session.expunge_all()


def audit_head(session: Session) -> str:
    return session.execute(select(AuditHead.last_hash).where(AuditHead.id == 1)).scalar_one()


def audit_log(
    session: Session,
    *,
    before_id: Optional[int] = None,
    staff_name: Optional[str] = None,
    action: Optional[str] = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """The latest rows first; `before_id` pages back."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if staff_name:
        query = query.where(AuditEvent.staff_name == staff_name)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.execute(query).scalars())


def viewed_since(
    session: Session, *, staff_id: int, action: str, subject_kind: str, subject_id: object, since: datetime
) -> bool:
    """Whether this member of staff has an audit row of this action on this subject at or after `since`."""
    query = select(AuditEvent.id).where(
        AuditEvent.staff_id == staff_id,
        AuditEvent.action == action,
        AuditEvent.subject_kind == subject_kind,
        AuditEvent.subject_id == str(subject_id)[:255],
        AuditEvent.at >= since,
    )
    return session.execute(query.limit(1)).first() is not None


def viewed_screenings(session: Session, screening_ids: Iterable[int]) -> set[int]:
    """Which of these screenings someone has opened in the console."""
    wanted = [str(i) for i in screening_ids]
    if not wanted:
        return set()
    query = (
        select(AuditEvent.subject_id)
        .where(AuditEvent.action == "view_screening", AuditEvent.subject_id.in_(wanted))
        .distinct()
    )
    return {int(value) for value in session.execute(query).scalars()}
