"""Tables of the application database: who is being screened, each screening, and each answer.

A participant is known only by the conversation id, which the channels make opaque (never a phone
number). Answers keep the raw text exactly as typed: it is data for staff, and anything that displays it
must escape it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, registry
from sqlalchemy.orm.decl_api import DeclarativeMeta
from sqlalchemy.types import TypeDecorator

from bot.screening import Status
from bot.store.mapped import Column, relationship

# The screening's logic owns its statuses (bot/screening.py); the table allows each of them, under the name the
# store and the console use.
ScreeningStatus = Status

# Named constraints, so later migrations (and SQLite's batch mode) can refer to them by name.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
mapper_registry = registry(metadata=metadata)


class Base(metaclass=DeclarativeMeta):
    """What declarative_base() makes, written out so the type checker knows the models' base (SQLAlchemy 1.4)."""

    __abstract__ = True
    registry = mapper_registry
    metadata = mapper_registry.metadata
    __init__ = mapper_registry.constructor


def check_in(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK constraint that `column` holds one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on every backend.

    SQLite has no time zone type and hands back naive values; they were stored as UTC, so say so.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC times only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


STATUSES = tuple(status.value for status in ScreeningStatus)


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(255), nullable=False, unique=True)
    channel: Mapped[str] = Column(String(32), nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)

    screenings: Mapped[list[Screening]] = relationship(
        "Screening", back_populates="participant", order_by="Screening.id"
    )


class Screening(Base):
    __tablename__ = "screenings"
    __table_args__ = (CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})", name="status"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    participant_id: Mapped[int] = Column(
        Integer, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    conversation_id: Mapped[str] = Column(String(255), nullable=False, index=True)
    status: Mapped[str] = Column(String(20), nullable=False, default=ScreeningStatus.IN_PROGRESS.value)
    for_self: Mapped[Optional[bool]] = Column(Boolean, nullable=True)  # None until asked
    started_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # when it reached any final status

    # The summary, written when the screening ends; None means "not reached".
    phq9_total: Mapped[Optional[int]] = Column(Integer)
    phq9_band: Mapped[Optional[str]] = Column(String(32))
    gad7_total: Mapped[Optional[int]] = Column(Integer)
    gad7_band: Mapped[Optional[str]] = Column(String(32))
    auditc_total: Mapped[Optional[int]] = Column(Integer)
    auditc_band: Mapped[Optional[str]] = Column(String(32))
    cssrs_risk: Mapped[Optional[str]] = Column(String(16))
    concerns: Mapped[Optional[list[Any]]] = Column(JSON)
    care: Mapped[Optional[list[Any]]] = Column(JSON)
    schedule: Mapped[Optional[dict[str, Any]]] = Column(JSON)
    insurance: Mapped[Optional[dict[str, Any]]] = Column(JSON)  # as given and as recognised
    outcome: Mapped[Optional[str]] = Column(String(64))
    reasons: Mapped[Optional[list[Any]]] = Column(JSON)
    track: Mapped[Optional[str]] = Column(String(64))
    flags: Mapped[Optional[list[Any]]] = Column(JSON)
    # How the intake team may reach the person (widget and REST; a text conversation has its number already):
    # the number encrypted with SMS_NUMBER_KEY, whether a voicemail or a text is OK, the best times to call.
    contact_number_encrypted: Mapped[Optional[str]] = Column(Text)
    contact_ok: Mapped[Optional[str]] = Column(String(24))
    contact_times: Mapped[Optional[list[Any]]] = Column(JSON)

    participant: Mapped[Participant] = relationship(Participant, back_populates="screenings")
    answers: Mapped[list[Answer]] = relationship(
        "Answer",
        back_populates="screening",
        order_by="Answer.question_key",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Answer(Base):
    __tablename__ = "answers"
    # One row per question: a re-answer after "go back" replaces the value and time.
    __table_args__ = (UniqueConstraint("screening_id", "question_key"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    screening_id: Mapped[int] = Column(Integer, ForeignKey("screenings.id", ondelete="CASCADE"), nullable=False)
    question_key: Mapped[str] = Column(String(64), nullable=False)
    instrument: Mapped[Optional[str]] = Column(String(16))  # None for intake questions
    raw_text: Mapped[str] = Column(Text, nullable=False)
    value: Mapped[Any] = Column(JSON)
    answered_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)

    screening: Mapped[Screening] = relationship(Screening, back_populates="answers")


# Kept in step with bot.safety.escalation (a test checks): the table must not depend on its import.
SEVERITIES = ("high", "moderate", "low")
SOURCES = ("message", "cssrs", "screening")


class Escalation(Base):
    """A person may be at risk and a human must look: written and committed before anyone is paged, so
    a failed SMS never loses it. `trigger_text` is the person's message exactly as typed (data, to be
    escaped when shown); `last_error` says why a page failed without any number or health detail."""

    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint(f"severity IN ({', '.join(repr(s) for s in SEVERITIES)})", name="severity"),
        CheckConstraint(f"source IN ({', '.join(repr(s) for s in SOURCES)})", name="source"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(255), nullable=False, index=True)
    # The escalation outlives a deleted screening: it is the record that staff were alerted.
    screening_id: Mapped[Optional[int]] = Column(Integer, ForeignKey("screenings.id", ondelete="SET NULL"), index=True)
    severity: Mapped[str] = Column(String(16), nullable=False)
    category: Mapped[str] = Column(String(32), nullable=False)
    source: Mapped[str] = Column(String(16), nullable=False)
    trigger_text: Mapped[str] = Column(Text, nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)

    notified_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # first on-call page accepted by Twilio
    backup_notified_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    last_attempt_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # start of the latest round of pages
    notify_attempts: Mapped[int] = Column(Integer, nullable=False, default=0)  # HTTP requests, retries included
    last_error: Mapped[Optional[str]] = Column(String(255))

    acknowledged_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    acknowledged_by: Mapped[Optional[str]] = Column(String(100))
    resolved_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    resolved_by: Mapped[Optional[str]] = Column(String(100))
    outcome: Mapped[Optional[str]] = Column(String(255))
    note: Mapped[Optional[str]] = Column(Text)

    # Later crisis messages of the conversation join its open crisis-message escalation (bot.notify): each is
    # kept in `messages`, and a re-page follows at most once per ESCALATION_RENOTIFY_MINUTES.
    last_message_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # the latest message that joined it
    paged_at: Mapped[Optional[datetime]] = Column(UTCDateTime)  # the latest on-call page accepted by Twilio
    # A round held back by the flood limits: a summary page ("N more urgent escalations") stood in for it.
    held_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    backup_held_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    # A keyed pseudonym of the client address the first message came from (bot.store.refs), for the limit on
    # pages per address; None when the channel gave none (SMS: the conversation is the phone).
    source_ref: Mapped[Optional[str]] = Column(String(64), index=True)
    # When the person's data went (forgotten, or past its retention): the row stays as the record that staff
    # were alerted, without what the person or staff wrote, under an opaque reference.
    stripped_at: Mapped[Optional[datetime]] = Column(UTCDateTime)

    messages: Mapped[list[EscalationMessage]] = relationship(
        "EscalationMessage",
        order_by="EscalationMessage.id",
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def status(self) -> str:
        """open, acknowledged or resolved."""
        if self.resolved_at is not None:
            return "resolved"
        return "acknowledged" if self.acknowledged_at is not None else "open"


class EscalationMessage(Base):
    """A later crisis message of a conversation whose escalation was still open, exactly as typed: never
    dropped, whether or not it paged anyone."""

    __tablename__ = "escalation_messages"

    id: Mapped[int] = Column(Integer, primary_key=True)
    escalation_id: Mapped[int] = Column(
        Integer, ForeignKey("escalations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    received_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    category: Mapped[str] = Column(String(32), nullable=False)
    text: Mapped[str] = Column(Text, nullable=False)


# What a row of the paging log is: a round of pages sent (or tried), a round held back by the flood limits,
# or a summary page standing in for the held ones.
PAGE_KINDS = ("page", "held", "summary")
PAGE_ROLES = ("on_call", "backup")


class PageLog(Base):
    """Each page to a role, held or sent, and each summary page: what the flood limits count. No health
    information; kept a day (bot.store.forget)."""

    __tablename__ = "page_log"
    __table_args__ = (
        CheckConstraint(check_in("kind", PAGE_KINDS), name="kind"),
        CheckConstraint(check_in("role", PAGE_ROLES), name="role"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False, index=True)
    kind: Mapped[str] = Column(String(16), nullable=False)
    role: Mapped[str] = Column(String(16), nullable=False)
    escalation_id: Mapped[Optional[int]] = Column(Integer, ForeignKey("escalations.id", ondelete="SET NULL"))
    source_ref: Mapped[Optional[str]] = Column(String(64))
    severity: Mapped[Optional[str]] = Column(String(16))
    covers: Mapped[Optional[int]] = Column(Integer)  # a summary: how many held pages it stands in for
    sent: Mapped[Optional[bool]] = Column(Boolean)  # a summary: whether it reached anyone


# Kept in step with bot.handoff (a test checks): why the bot stepped back from a conversation.
HANDOFF_REASONS = ("crisis", "request", "staff")


class Handoff(Base):
    """A conversation the bot has stepped back from (Rasa pauses it) until staff hand it back: after a crisis,
    when the person asked for a person, or when staff took it over. Not an escalation: nobody is paged for
    a request; a crisis has its own escalation. At most one is open per conversation."""

    __tablename__ = "handoffs"
    __table_args__ = (CheckConstraint(f"reason IN ({', '.join(repr(r) for r in HANDOFF_REASONS)})", name="reason"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(255), nullable=False, index=True)
    reason: Mapped[str] = Column(String(16), nullable=False)
    opened_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    opened_by: Mapped[Optional[str]] = Column(String(100))  # staff who took over; None when the bot stepped back
    closed_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    closed_by: Mapped[Optional[str]] = Column(String(100))  # staff who handed back
