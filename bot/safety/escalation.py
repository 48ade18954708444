"""Escalation policy: how serious an alert is, who is paged, and when the backup contact is brought in.

Pure: no database, no network. bot.store.crud keeps the rows and bot.notify sends the SMS; both follow the
decisions made here, so the whole ladder can be tested with plain values and a chosen `now`.

- A crisis message (any detector category) is high: the bot has stopped and a person must pick it up.
- C-SSRS high risk is high; moderate asks a clinician to call back within the configured time; low pages
  nobody but is kept for the clinician's queue.
- A handoff request ("can I talk to a person") is not an escalation and cannot be made into one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Optional, Protocol

from bot.instruments.cssrs import Risk
from bot.safety.lexicon import Category


class Severity(str, Enum):
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"


class Source(str, Enum):
    MESSAGE = "message"  # the crisis detector fired on something the person wrote
    CSSRS = "cssrs"  # the C-SSRS screener's answers
    SCREENING = "screening"  # the level-of-care rules asked for an urgent clinical review (bot/eligibility.py)


class Role(str, Enum):
    ON_CALL = "on_call"
    BACKUP = "backup"


SEVERITIES = tuple(s.value for s in Severity)
SOURCES = tuple(s.value for s in Source)
CSSRS_CATEGORIES = {Risk.HIGH: "cssrs_high", Risk.MODERATE: "cssrs_moderate", Risk.LOW: "cssrs_low"}
_CSSRS_SEVERITY = {Risk.HIGH: Severity.HIGH, Risk.MODERATE: Severity.MODERATE, Risk.LOW: Severity.LOW}
UNSPECIFIED = "unspecified"  # the classifier alone raised it: no rule named the kind of risk
URGENT_REVIEW = "urgent_review"  # e.g. a recent psychiatric discharge with severe symptoms
MESSAGE_CATEGORIES = frozenset(c.value for c in Category) | {UNSPECIFIED}

# The SMS names the urgency and nothing else. No em dash: one non-GSM character turns the whole SMS into
# UCS-2, which halves its length and can split it into two parts.
SMS_WORDS = {Severity.HIGH: "Urgent", Severity.MODERATE: "Priority"}


@dataclass(frozen=True)
class Trigger:
    """What raised an escalation; only `for_message` and `for_cssrs` make sense of the inputs."""

    severity: Severity
    category: str
    source: Source

    def __post_init__(self) -> None:
        if self.source is Source.MESSAGE:
            valid = self.category in MESSAGE_CATEGORIES and self.severity is Severity.HIGH
        elif self.source is Source.SCREENING:
            valid = self.category == URGENT_REVIEW and self.severity is Severity.MODERATE
        else:
            valid = any(self.category == CSSRS_CATEGORIES[risk] and self.severity is _CSSRS_SEVERITY[risk]
                        for risk in CSSRS_CATEGORIES)
        if not valid:
            raise ValueError(f"not an escalation: {self.severity.value} {self.category!r} from {self.source.value}")


def for_message(category: Optional[Category]) -> Trigger:
    """A crisis message, whatever its category: high, because the bot has stopped talking to the person."""
    return Trigger(Severity.HIGH, Category(category).value if category else UNSPECIFIED, Source.MESSAGE)


def for_cssrs(risk: Risk) -> Optional[Trigger]:
    """The escalation for a C-SSRS result, or None when no answer raised any risk."""
    risk = Risk(risk)
    if risk is Risk.NONE:
        return None
    return Trigger(_CSSRS_SEVERITY[risk], CSSRS_CATEGORIES[risk], Source.CSSRS)


def for_urgent_review() -> Trigger:
    """The screening's outcome promised that a clinician will call soon, for reasons other than the C-SSRS: a
    clinician is asked to call back, as for moderate C-SSRS risk."""
    return Trigger(Severity.MODERATE, URGENT_REVIEW, Source.SCREENING)


def sms_body(escalation_id: int, severity: Severity) -> str:
    """'Urgent intake escalation 123 - open the console': no health information, no names, no numbers
    but the escalation's own id. SMS is not a private channel, and phones show it on the lock screen."""
    return f"{SMS_WORDS[Severity(severity)]} intake escalation {escalation_id} - open the console"


class EscalationState(Protocol):
    """The fields of an escalation the policy reads (bot.store.models.Escalation has them)."""

    severity: str
    created_at: datetime
    notified_at: Optional[datetime]
    backup_notified_at: Optional[datetime]
    acknowledged_at: Optional[datetime]
    resolved_at: Optional[datetime]
    last_attempt_at: Optional[datetime]


@dataclass(frozen=True)
class Policy:
    high_backup_after: timedelta = timedelta(minutes=10)
    moderate_backup_after: timedelta = timedelta(minutes=60)
    # A round of pages started this recently is in flight (or just failed): leave it alone. This keeps
    # two processes from paging the same escalation twice and paces the retries of a failed round.
    retry_gap: timedelta = timedelta(minutes=1)

    def pages(self, severity: Severity) -> bool:
        return Severity(severity) is not Severity.LOW

    def backup_after(self, severity: Severity) -> timedelta:
        return self.high_backup_after if Severity(severity) is Severity.HIGH else self.moderate_backup_after

    def pages_due(self, escalation: EscalationState, now: datetime) -> tuple[Role, ...]:
        """Who to page now: on-call until one page to them got through, and the backup contact once
        nobody has acknowledged within the severity's time (counted from the escalation, so a failing
        on-call page does not delay the backup)."""
        taken = escalation.acknowledged_at is not None or escalation.resolved_at is not None
        if taken or not self.pages(Severity(escalation.severity)):
            return ()
        if escalation.last_attempt_at is not None and now - escalation.last_attempt_at < self.retry_gap:
            return ()
        due: list[Role] = []
        if escalation.notified_at is None:
            due.append(Role.ON_CALL)
        if escalation.backup_notified_at is None and \
                now - escalation.created_at >= self.backup_after(Severity(escalation.severity)):
            due.append(Role.BACKUP)
        return tuple(due)
