"""Staff accounts, their console sessions, staff notes on screenings, and the audit log.

A session row keeps only a hash of the cookie's token, so a copy of the database signs nobody in. The audit
log is append-only: there is no function here to change or delete a row, and the migration adds database
triggers that refuse UPDATE and DELETE on it. Audit rows name what was touched by opaque ids only.

Functions take a session and only flush, like bot.store.crud.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable, Optional

from sqlalchemy import (Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Text, case, delete, func,
                        literal, or_, select, update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, relationship

from bot.store.models import Base, UTCDateTime, check_in, utcnow

ROLES = ("admin", "intake", "clinician")
# What the audit log records. Kept in Python rather than a CHECK constraint: a new action needs no migration.
AUDIT_ACTIONS = (
    "sign_in", "sign_in_failed", "sign_out",
    "view_screening", "view_transcript", "view_escalation", "add_note",
    "acknowledge", "resolve",
    "take_over", "reply", "hand_back",
    "export",
    "mark_attended", "mark_no_show", "cancel_booking", "slot_open", "slot_blocked", "slot_removed", "add_slot",
    "add_staff", "disable_staff", "enable_staff", "unlock_staff", "set_password",
)
SUBJECT_KINDS = ("screening", "conversation", "escalation", "booking", "slot", "staff", "period")


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
    failed_sign_ins: Mapped[int] = Column(Integer, nullable=False, default=0)  # since the last success or lock
    locked_until: Mapped[Optional[datetime]] = Column(UTCDateTime)
    last_sign_in_at: Mapped[Optional[datetime]] = Column(UTCDateTime)


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = Column(Integer, primary_key=True)
    token_hash: Mapped[str] = Column(String(64), nullable=False, unique=True)  # SHA-256 of the cookie's token
    staff_id: Mapped[int] = Column(Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False,
                                   index=True)
    csrf_token: Mapped[str] = Column(String(64), nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)

    staff: Mapped[StaffAccount] = relationship(StaffAccount, lazy="joined")


class StaffNote(Base):
    """A note on a screening by a member of staff (text as typed: escape it when shown)."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = Column(Integer, primary_key=True)
    screening_id: Mapped[int] = Column(Integer, ForeignKey("screenings.id", ondelete="CASCADE"), nullable=False,
                                       index=True)
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
    account = StaffAccount(name=name, role=role, password_hash=password_hash, active=True, failed_sign_ins=0)
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
    """A new password also lifts a lock-out and ends the account's sessions."""
    account = get_staff(session, staff_id)
    account.password_hash = password_hash
    account.failed_sign_ins, account.locked_until = 0, None
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
    account = get_staff(session, staff_id)
    account.failed_sign_ins, account.locked_until = 0, None
    session.flush()
    return account


# --- sign-in attempts -----------------------------------------------------------------------------------


def claim_sign_in(session: Session, *, staff_id: int, now: datetime, lock_after: int,
                  lock_for: timedelta) -> Optional[int]:
    """Count a sign-in attempt before the password is checked; None when the account is locked.

    Counting first, in one UPDATE, means parallel guesses cannot slip past the limit: the attempt that
    reaches `lock_after` locks the account (a correct password on it still signs in and unlocks). The
    first attempt after a lock has expired starts the count again. Returns the attempt's number.
    """
    unlocked = or_(StaffAccount.locked_until.is_(None), StaffAccount.locked_until <= now)
    count = case((StaffAccount.locked_until.is_not(None), 1), else_=StaffAccount.failed_sign_ins + 1)
    result = session.execute(
        update(StaffAccount)
        .where(StaffAccount.id == staff_id, unlocked)
        .values(failed_sign_ins=count,
                locked_until=case((count >= lock_after, literal(now + lock_for, UTCDateTime())), else_=None))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None
    attempts = session.execute(select(StaffAccount.failed_sign_ins).where(StaffAccount.id == staff_id)).scalar_one()
    session.expire_all()
    return attempts


def sign_in_succeeded(session: Session, *, staff_id: int, now: datetime) -> StaffAccount:
    account = get_staff(session, staff_id)
    account.failed_sign_ins, account.locked_until, account.last_sign_in_at = 0, None, now
    session.flush()
    return account


# --- sessions -------------------------------------------------------------------------------------------


def open_session(session: Session, *, staff_id: int, token_hash: str, csrf_token: str, now: datetime,
                 expires_at: datetime) -> StaffSession:
    """A new session; the account's expired ones are cleared out on the way."""
    session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id, StaffSession.expires_at <= now))
    row = StaffSession(staff_id=staff_id, token_hash=token_hash, csrf_token=csrf_token, created_at=now,
                       last_seen_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    return row


def find_session(session: Session, *, token_hash: str, now: datetime, idle: timedelta) -> Optional[StaffSession]:
    """The live session with this token: not expired, not idle too long, its account active."""
    query = (select(StaffSession).join(StaffAccount, StaffSession.staff_id == StaffAccount.id)
             .where(StaffSession.token_hash == token_hash, StaffSession.expires_at > now,
                    StaffSession.last_seen_at > now - idle, StaffAccount.active.is_(True)))
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


def add_note(session: Session, *, screening_id: int, author: str, text: str,
             now: Optional[datetime] = None) -> StaffNote:
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
    query = select(StaffNote).where(StaffNote.screening_id == screening_id).order_by(StaffNote.created_at,
                                                                                     StaffNote.id)
    return list(session.execute(query).scalars())


# --- audit log ------------------------------------------------------------------------------------------


def audit(session: Session, *, staff_name: str, action: str, staff_id: Optional[int] = None,
          subject_kind: Optional[str] = None, subject_id: object = None, detail: Optional[str] = None,
          now: Optional[datetime] = None) -> AuditEvent:
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"not an audit action: {action!r}")
    if subject_kind is not None and subject_kind not in SUBJECT_KINDS:
        raise ValueError(f"not an audit subject: {subject_kind!r}")
    row = AuditEvent(at=now or utcnow(), staff_id=staff_id, staff_name=(staff_name or "?")[:100], action=action,
                     subject_kind=subject_kind, subject_id=None if subject_id is None else str(subject_id)[:255],
                     detail=detail[:255] if detail else None)
    session.add(row)
    session.flush()
    return row


def audit_log(session: Session, *, before_id: Optional[int] = None, staff_name: Optional[str] = None,
              action: Optional[str] = None, limit: int = 100) -> list[AuditEvent]:
    """The latest rows first; `before_id` pages back."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if staff_name:
        query = query.where(AuditEvent.staff_name == staff_name)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.execute(query).scalars())


def viewed_since(session: Session, *, staff_id: int, action: str, subject_kind: str, subject_id: object,
                 since: datetime) -> bool:
    """Whether this member of staff has an audit row of this action on this subject at or after `since`."""
    query = select(AuditEvent.id).where(AuditEvent.staff_id == staff_id, AuditEvent.action == action,
                                        AuditEvent.subject_kind == subject_kind,
                                        AuditEvent.subject_id == str(subject_id)[:255], AuditEvent.at >= since)
    return session.execute(query.limit(1)).first() is not None


def viewed_screenings(session: Session, screening_ids: Iterable[int]) -> set[int]:
    """Which of these screenings someone has opened in the console."""
    wanted = [str(i) for i in screening_ids]
    if not wanted:
        return set()
    query = select(AuditEvent.subject_id).where(AuditEvent.action == "view_screening",
                                                AuditEvent.subject_id.in_(wanted)).distinct()
    return {int(value) for value in session.execute(query).scalars()}
