"""Reads and writes of screenings, answers, escalations and handoffs. Every function takes the session first, then
keywords.

The functions flush but never commit: the caller's `session_scope` decides, so one action's writes land
together or not at all. Rasa's lock store runs one event per conversation at a time, so the
read-then-write steps here do not race for the same conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import Case
from sqlalchemy.types import Integer

from bot.safety.escalation import Role, Severity, Source, Trigger
from bot.store.db import rowcount
from bot.store.models import (
    HANDOFF_REASONS,
    Answer,
    Escalation,
    EscalationMessage,
    Handoff,
    PageLog,
    Participant,
    Screening,
    ScreeningStatus,
    utcnow,
)

# Columns a caller may set; the ids, the conversation and the start time are fixed at creation.
SETTABLE = frozenset(Screening.__table__.columns.keys()) - {
    "id",
    "participant_id",
    "conversation_id",
    "started_at",
    "updated_at",
}

# A conversation id that is all phone-number characters with 10-15 digits (optionally after a scheme
# such as "whatsapp:") is a phone number that a channel failed to make opaque.
_PHONE_SHAPED = re.compile(r"(?:[a-z]+:)?\+?[\d\s().-]+", re.IGNORECASE)


def _check_opaque(conversation_id: str) -> None:
    digits = sum(ch.isdigit() for ch in conversation_id)
    if _PHONE_SHAPED.fullmatch(conversation_id.strip()) and 10 <= digits <= 15:
        # The message must not repeat the id: it is personal data.
        raise ValueError("conversation id looks like a phone number; channels must pass an opaque id")


def _latest(session: Session, conversation_id: str) -> Optional[Screening]:
    query = select(Screening).where(Screening.conversation_id == conversation_id).order_by(Screening.id.desc()).limit(1)
    return session.execute(query).scalar_one_or_none()


def _new_screening(session: Session, conversation_id: str, channel: str) -> Screening:
    participant = session.execute(
        select(Participant).where(Participant.conversation_id == conversation_id)
    ).scalar_one_or_none()
    if participant is None:
        participant = Participant(conversation_id=conversation_id, channel=channel)
        session.add(participant)
    screening = Screening(
        participant=participant, conversation_id=conversation_id, status=ScreeningStatus.IN_PROGRESS.value
    )
    session.add(screening)
    session.flush()
    return screening


def current_screening(session: Session, *, conversation_id: str, channel: str) -> Screening:
    """The conversation's latest screening, created (with its participant) on first contact.

    The latest rather than "the one in progress": the answers in Rasa's slots carry on after a stop or a
    crisis interruption, so their rows must too. Only `restart_screening` starts a new one.
    """
    _check_opaque(conversation_id)
    return _latest(session, conversation_id) or _new_screening(session, conversation_id, channel)


def latest_screening(session: Session, *, conversation_id: str) -> Optional[Screening]:
    """The conversation's latest screening, or None (never creates one)."""
    return _latest(session, conversation_id)


def restart_screening(session: Session, *, conversation_id: str, channel: str) -> Screening:
    """A fresh screening for the conversation. An unfinished one is marked restarted; a finished one
    keeps its status, so what it concluded is not lost."""
    _check_opaque(conversation_id)
    old = _latest(session, conversation_id)
    if old is not None and old.status == ScreeningStatus.IN_PROGRESS.value:
        update_screening(session, screening=old, status=ScreeningStatus.RESTARTED)
    return _new_screening(session, conversation_id, channel)


def answers_of(session: Session, screening: Screening) -> dict[str, Answer]:
    rows = session.execute(select(Answer).where(Answer.screening_id == screening.id)).scalars()
    return {answer.question_key: answer for answer in rows}


def _touch(screening: Screening) -> None:
    """An answer given or withdrawn means the screening is under way (again, after a stop)."""
    if screening.status == ScreeningStatus.RESTARTED.value:
        raise ValueError("this screening was restarted; write to the conversation's current screening")
    screening.status = ScreeningStatus.IN_PROGRESS.value
    screening.completed_at = None
    screening.updated_at = utcnow()


def record_answer(
    session: Session, *, screening: Screening, key: str, raw_text: str, value: Any, instrument: Optional[str] = None
) -> Answer:
    """Store an answer, replacing an earlier answer to the same question (after "go back")."""
    _touch(screening)
    # PostgreSQL text cannot hold NUL; replace it the same way on every backend.
    raw_text = raw_text.replace("\x00", "\ufffd")
    answer = session.execute(
        select(Answer).where(Answer.screening_id == screening.id, Answer.question_key == key)
    ).scalar_one_or_none()
    if answer is None:
        answer = Answer(screening=screening, question_key=key)
        session.add(answer)
    answer.instrument = instrument
    answer.raw_text = raw_text
    answer.value = value
    answer.answered_at = utcnow()
    session.flush()
    return answer


def clear_answers(session: Session, *, screening: Screening, keys: Iterable[str]) -> int:
    """Withdraw the answers to `keys` ("go back"); returns how many there were."""
    wanted = set(keys)
    if not wanted:
        return 0
    _touch(screening)
    rows = (
        session.execute(select(Answer).where(Answer.screening_id == screening.id, Answer.question_key.in_(wanted)))
        .scalars()
        .all()
    )
    for answer in rows:
        session.delete(answer)
    session.flush()
    session.expire(screening, ["answers"])
    return len(rows)


def update_screening(session: Session, *, screening: Screening, **fields: Any) -> Screening:
    """Set summary fields (scores, risk, outcome...) or the status.

    A status other than in_progress stamps `completed_at` (unless given): the moment the screening
    reached its final state, whichever it is.
    """
    unknown = set(fields) - SETTABLE
    if unknown:
        raise TypeError(f"not a settable screening field: {', '.join(sorted(unknown))}")
    if "status" in fields:
        status = ScreeningStatus(fields["status"])
        fields["status"] = status.value
        if status is ScreeningStatus.IN_PROGRESS:
            fields.setdefault("completed_at", None)
        else:
            fields.setdefault("completed_at", utcnow())
    for name, value in fields.items():
        setattr(screening, name, value)
    screening.updated_at = utcnow()
    session.flush()
    return screening


def screenings(session: Session, *, since: Optional[datetime] = None) -> list[Screening]:
    """Screenings started at or after `since` (naive means UTC), oldest first, answers loaded."""
    query = select(Screening).options(selectinload(Screening.answers)).order_by(Screening.started_at, Screening.id)
    if since is not None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        query = query.where(Screening.started_at >= since)
    return list(session.execute(query).scalars())


# ---------------------------------------------------------------------------------------------------
# Escalations


class EscalationNotFound(LookupError):
    pass


class EscalationClosed(ValueError):
    """The escalation is already resolved: its record is final."""


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL; replace it the same way on every backend.
    return text.replace("\x00", "\ufffd")


def _short(value: str, what: str, limit: int) -> str:
    text = " ".join(_clean(value).split())
    if not text:
        raise ValueError(f"{what} must not be empty")
    if len(text) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    return text


def create_escalation(
    session: Session,
    *,
    conversation_id: str,
    trigger: Trigger,
    trigger_text: str,
    screening_id: Optional[int] = None,
    now: Optional[datetime] = None,
    source_ref: Optional[str] = None,
) -> Escalation:
    """A new, unacknowledged escalation. Commit it (leave the `session_scope`) before paging anyone."""
    _check_opaque(conversation_id)
    escalation = Escalation(
        conversation_id=conversation_id,
        screening_id=screening_id,
        severity=trigger.severity.value,
        category=trigger.category,
        source=trigger.source.value,
        trigger_text=_clean(trigger_text),
        created_at=now or utcnow(),
        notify_attempts=0,
        source_ref=source_ref,
    )
    session.add(escalation)
    session.flush()
    return escalation


def join_open_escalation(
    session: Session, *, conversation_id: str, trigger: Trigger, trigger_text: str, now: Optional[datetime] = None
) -> Optional[Escalation]:
    """Add a crisis message to the conversation's open (unresolved) crisis-message escalation and return it;
    None when there is none, or the trigger is not a crisis message (C-SSRS and screening escalations keep
    their own rows)."""
    if trigger.source is not Source.MESSAGE:
        return None
    query = (
        select(Escalation)
        .where(
            Escalation.conversation_id == conversation_id,
            Escalation.source == Source.MESSAGE.value,
            Escalation.resolved_at.is_(None),
        )
        .order_by(Escalation.id.desc())
        .limit(1)
        .with_for_update()
    )
    escalation = session.execute(query).scalar_one_or_none()
    if escalation is None:
        return None
    at = now or utcnow()
    session.add(
        EscalationMessage(
            escalation_id=escalation.id, received_at=at, category=trigger.category, text=_clean(trigger_text)
        )
    )
    escalation.last_message_at = at
    session.flush()
    session.refresh(escalation)
    return escalation


def get_escalation(session: Session, *, escalation_id: int) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise EscalationNotFound(f"no escalation {escalation_id}")
    return escalation


_SEVERITY_RANK: Case[Integer] = case(
    {Severity.HIGH.value: 0, Severity.MODERATE.value: 1}, value=Escalation.severity, else_=2
)
_TAKEN: Case[Integer] = case((Escalation.acknowledged_at.is_(None), 0), else_=1)


def list_escalations(session: Session, *, open_only: bool = False) -> list[Escalation]:
    """All escalations in the order they were raised; `open_only`: the unresolved ones as a work queue,
    the ones nobody has taken first, then most severe, then oldest."""
    query = select(Escalation)
    if open_only:
        query = query.where(Escalation.resolved_at.is_(None)).order_by(
            _TAKEN, _SEVERITY_RANK, Escalation.created_at, Escalation.id
        )
    else:
        query = query.order_by(Escalation.id)
    return list(session.execute(query).scalars())


def has_escalation(session: Session, *, screening_id: int, category: str) -> bool:
    """Whether the screening already raised an escalation of this category (C-SSRS results are raised once)."""
    query = select(Escalation.id).where(Escalation.screening_id == screening_id, Escalation.category == category)
    return session.execute(query.limit(1)).first() is not None


def pageable_escalations(session: Session) -> list[Escalation]:
    """The ones paging may still be due for, oldest first: unresolved, and nobody has taken them yet or a
    crisis message joined them since (a re-page)."""
    query = select(Escalation).where(
        Escalation.resolved_at.is_(None),
        (Escalation.acknowledged_at.is_(None)) | (Escalation.last_message_at > Escalation.acknowledged_at),
    )
    return list(session.execute(query.order_by(Escalation.id)).scalars())


def acknowledge_escalation(
    session: Session, *, escalation_id: int, by: str, now: Optional[datetime] = None
) -> Escalation:
    """Someone has taken the escalation: paging stops. The first acknowledgement is the one kept."""
    name = _short(by, "the name of who acknowledged", 100)
    get_escalation(session, escalation_id=escalation_id)
    # One conditional UPDATE: of two people acknowledging at once, the first keeps the record.
    session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.acknowledged_at.is_(None))
        .values(acknowledged_at=now or utcnow(), acknowledged_by=name)
    )
    return _reloaded(session, escalation_id)


def _reloaded(session: Session, escalation_id: int) -> Escalation:
    escalation = get_escalation(session, escalation_id=escalation_id)
    session.refresh(escalation)
    return escalation


def resolve_escalation(
    session: Session,
    *,
    escalation_id: int,
    by: str,
    outcome: str,
    note: Optional[str] = None,
    now: Optional[datetime] = None,
) -> Escalation:
    """Close the escalation with its outcome. Resolving also acknowledges it when nobody had."""
    get_escalation(session, escalation_id=escalation_id)
    name = _short(by, "the name of who resolved", 100)
    at = now or utcnow()
    # Conditional, so a second resolve (a double submit, two people) never overwrites the first's outcome.
    resolved = session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.resolved_at.is_(None))
        .values(
            outcome=_short(outcome, "the outcome", 255),
            note=_clean(note) if note and note.strip() else None,
            resolved_at=at,
            resolved_by=name,
        )
    )
    escalation = _reloaded(session, escalation_id)
    if rowcount(resolved) != 1:
        raise EscalationClosed(f"escalation {escalation_id} was already resolved by {escalation.resolved_by}")
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by = at, name
        session.flush()
    return escalation


def claim_paging(
    session: Session, *, escalation_id: int, seen: Optional[datetime], now: datetime, repage: bool = False
) -> bool:
    """Stamp the start of a round of pages, unless the stamp is no longer `seen` (another process started a
    round since this one read the row) or the escalation was taken meanwhile (for a `repage`, for a later
    crisis message: resolved meanwhile). Only a caller that gets True sends."""
    unchanged = Escalation.last_attempt_at.is_(None) if seen is None else Escalation.last_attempt_at == seen
    open_ = [Escalation.resolved_at.is_(None)] + ([] if repage else [Escalation.acknowledged_at.is_(None)])
    result = session.execute(
        update(Escalation).where(Escalation.id == escalation_id, unchanged, *open_).values(last_attempt_at=now)
    )
    return rowcount(result) == 1


def record_paging(
    session: Session,
    *,
    escalation_id: int,
    attempts: int,
    error: Optional[str],
    on_call_at: Optional[datetime] = None,
    backup_at: Optional[datetime] = None,
) -> Escalation:
    """The outcome of a round: requests made, why it failed (None: every page went through), and when the
    on-call staff (first and latest) or the backup contact were reached."""
    escalation = get_escalation(session, escalation_id=escalation_id)
    # In SQL, so rounds from two processes add up rather than overwrite each other.
    escalation.notify_attempts = Escalation.notify_attempts + attempts
    escalation.last_error = error[:255] if error else None
    if on_call_at is not None:
        escalation.paged_at = on_call_at
        if escalation.notified_at is None:
            escalation.notified_at = on_call_at
    if backup_at is not None and escalation.backup_notified_at is None:
        escalation.backup_notified_at = backup_at
    session.flush()
    session.refresh(escalation)
    return escalation


# --- the flood limits: a log of pages, held rounds and summaries -------------------------------------


def pages_since(session: Session, *, since: datetime, source_ref: Optional[str] = None) -> int:
    """Pages sent (or tried) after `since`, for escalations from `source_ref` when given."""
    query = select(func.count()).select_from(PageLog).where(PageLog.kind == "page", PageLog.at > since)
    if source_ref is not None:
        query = query.where(PageLog.source_ref == source_ref)
    return session.execute(query).scalar_one()


def log_round(
    session: Session, *, escalation: Escalation, roles: Iterable[Role], held: Optional[str], now: datetime
) -> None:
    """Log the round's pages, sent or `held` (why); a held round stamps the escalation, so the summary page
    counts as having told that role."""
    for role in roles:
        session.add(
            PageLog(
                at=now,
                kind="held" if held else "page",
                role=role.value,
                escalation_id=escalation.id,
                source_ref=escalation.source_ref,
                severity=escalation.severity,
            )
        )
        if held and role is Role.ON_CALL:
            escalation.held_at = now
        elif held:
            escalation.backup_held_at = now
    if held:
        escalation.last_error = f"held: {held}; a summary page stands in for it"[:255]
    session.flush()


@dataclass(frozen=True)
class SummaryState:
    held: int  # pages held since the role's last summary that reached anyone
    severities: set[Severity]
    last_sent: Optional[datetime]  # that summary
    last_tried: Optional[datetime]  # the latest summary, sent or not


def summary_state(session: Session, *, role: Role) -> SummaryState:
    summaries = select(PageLog).where(PageLog.kind == "summary", PageLog.role == role.value)
    last_sent = session.execute(
        summaries.where(PageLog.sent.is_(True)).order_by(PageLog.id.desc()).limit(1)
    ).scalar_one_or_none()
    last_tried = session.execute(summaries.order_by(PageLog.id.desc()).limit(1)).scalar_one_or_none()
    held = select(PageLog.severity).where(
        PageLog.kind == "held", PageLog.role == role.value, PageLog.id > (last_sent.id if last_sent else 0)
    )
    severities = list(session.execute(held).scalars())
    return SummaryState(
        len(severities),
        {Severity(s) for s in severities if s},
        last_sent.at if last_sent else None,
        last_tried.at if last_tried else None,
    )


def log_summary(session: Session, *, role: Role, covers: int, now: datetime) -> int:
    """A summary page about to go out: its id, to record whether it reached anyone."""
    row = PageLog(at=now, kind="summary", role=role.value, covers=covers, sent=False)
    session.add(row)
    session.flush()
    return row.id


def summary_sent(session: Session, *, summary_id: int, sent: bool) -> None:
    session.execute(update(PageLog).where(PageLog.id == summary_id).values(sent=sent))


# ---------------------------------------------------------------------------------------------------
# Handoffs


def open_handoff_for(session: Session, *, conversation_id: str) -> Optional[Handoff]:
    """The conversation's open handoff, if any."""
    query = select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.closed_at.is_(None))
    return session.execute(query.order_by(Handoff.id.desc()).limit(1)).scalar_one_or_none()


def open_handoff(
    session: Session, *, conversation_id: str, reason: str, by: Optional[str] = None, now: Optional[datetime] = None
) -> Handoff:
    """Record that the bot stepped back from the conversation. One open handoff per conversation: an open
    one is returned as it is, except that a crisis makes it a crisis handoff."""
    _check_opaque(conversation_id)
    if reason not in HANDOFF_REASONS:
        raise ValueError(f"not a handoff reason: {reason!r} (one of {', '.join(HANDOFF_REASONS)})")
    handoff = open_handoff_for(session, conversation_id=conversation_id)
    if handoff is None:
        handoff = Handoff(
            conversation_id=conversation_id,
            reason=reason,
            opened_at=now or utcnow(),
            opened_by=_short(by, "the name of who took over", 100) if by is not None else None,
        )
        session.add(handoff)
    elif reason == "crisis":
        handoff.reason = reason
    session.flush()
    return handoff


def close_handoff(
    session: Session, *, conversation_id: str, by: str, now: Optional[datetime] = None
) -> Optional[Handoff]:
    """Close the conversation's open handoff (the bot is back); None when there was none."""
    handoff = open_handoff_for(session, conversation_id=conversation_id)
    if handoff is not None:
        handoff.closed_by = _short(by, "the name of who handed back", 100)
        handoff.closed_at = now or utcnow()
        session.flush()
    return handoff


def list_open_handoffs(session: Session) -> list[Handoff]:
    """Open handoffs, oldest first: conversations waiting for a person."""
    query = select(Handoff).where(Handoff.closed_at.is_(None)).order_by(Handoff.opened_at, Handoff.id)
    return list(session.execute(query).scalars())
