"""The crisis check-ins: each time the bot asked "are you having thoughts of ending your life or hurting
yourself?" because the crisis detector was unsure, and how the person answered. Staff see them in the
transcript (from the tracker) and as counts in the console's funnel (from here).

Functions take a session and only flush, like bot.store.crud.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session

from bot.store.mapped import Column
from bot.store.models import Base, UTCDateTime, check_in, utcnow

# open: waiting for the reply; yes / no: as answered; unclear: asked twice without a clear answer (the crisis
# path followed); crisis: the reply was itself a crisis message.
OUTCOMES = ("open", "yes", "no", "unclear", "crisis")


class CheckIn(Base):
    __tablename__ = "crisis_check_ins"
    __table_args__ = (CheckConstraint(check_in("outcome", OUTCOMES), name="outcome"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(255), nullable=False, index=True)
    screening_id: Mapped[Optional[int]] = Column(Integer, ForeignKey("screenings.id", ondelete="SET NULL"))
    channel: Mapped[str] = Column(String(32), nullable=False)
    category: Mapped[Optional[str]] = Column(String(32))  # the model's likeliest crisis category
    model_score: Mapped[Optional[float]] = Column(Float)
    outcome: Mapped[str] = Column(String(16), nullable=False, default="open")
    asked_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    answered_at: Mapped[Optional[datetime]] = Column(UTCDateTime)


def open_check_in(
    session: Session,
    *,
    conversation_id: str,
    screening_id: Optional[int],
    channel: str,
    category: Optional[str],
    model_score: Optional[float],
    now: datetime,
) -> CheckIn:
    """Record that the question was asked (a repeated ask after an unclear reply is the same check-in)."""
    found = _open(session, conversation_id)
    if found is not None:
        return found
    check = CheckIn(
        conversation_id=conversation_id,
        screening_id=screening_id,
        channel=channel,
        category=category,
        model_score=model_score,
        outcome="open",
        asked_at=now,
    )
    session.add(check)
    session.flush()
    return check


def close_check_in(session: Session, *, conversation_id: str, outcome: str, now: datetime) -> Optional[CheckIn]:
    """Record the answer to the conversation's open check-in, if there is one."""
    if outcome not in OUTCOMES or outcome == "open":
        raise ValueError(f"not a check-in outcome: {outcome!r}")
    found = _open(session, conversation_id)
    if found is not None:
        found.outcome, found.answered_at = outcome, now
        session.flush()
    return found


def _open(session: Session, conversation_id: str) -> Optional[CheckIn]:
    return (
        session.execute(select(CheckIn).where(CheckIn.conversation_id == conversation_id, CheckIn.outcome == "open"))
        .scalars()
        .first()
    )


def outcome_counts(
    session: Session, *, since: datetime, until: datetime, channel: Optional[str] = None
) -> dict[str, int]:
    """How many check-ins were asked in [since, until), by outcome ("asked" is the total)."""
    query = select(CheckIn.outcome, func.count()).where(CheckIn.asked_at >= since, CheckIn.asked_at < until)
    if channel:
        query = query.where(CheckIn.channel == channel)
    counts = {outcome: 0 for outcome in OUTCOMES}
    for outcome, n in session.execute(query.group_by(CheckIn.outcome)):
        counts[outcome] = n
    return {"asked": sum(counts.values()), **counts}
