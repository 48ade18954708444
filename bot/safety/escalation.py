"""Escalation policy: how serious an alert is, who is paged, and when the backup contact is brought in.

Pure: no database, no network. bot.store.crud keeps the rows and bot.notify sends the SMS; both follow the
decisions made here, so the whole ladder can be tested with plain values and a chosen `now`.

- A crisis message (any detector category) is high: the bot has stopped and a person must pick it up.
- C-SSRS high risk is high; moderate asks a clinician to call back within the configured time; low pages
  nobody but is kept for the clinician's queue.
- A handoff request ("can I talk to a person") is not an escalation and cannot be made into one.
- A conversation has one open crisis-message escalation: later crisis messages join it (all kept) and page
  on-call again at most once per `renotify`, acknowledged or not (a new message may be new danger).
- Nobody can flood the on-call phone: past `Limits` (pages a minute in all, pages an hour for escalations
  from one client address) a round is held, the escalation stays in the console's queue, and one summary
  page ("3 more urgent escalations - open the console") stands in for the held ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Mapping, Optional, Protocol

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

# The message metadata key under which a channel records where a message came from: a keyed pseudonym of the
# client address (REST and the widget: the HTTP client, from X-Forwarded-For behind trusted proxies), never the
# address itself, since the metadata is stored with the message. SMS has none: Twilio sends it, and its
# conversation is the phone number's pseudonym, so the per-conversation rule already limits a phone.
CLIENT_REF = "client_ref"

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
            valid = any(
                self.category == CSSRS_CATEGORIES[risk] and self.severity is _CSSRS_SEVERITY[risk]
                for risk in CSSRS_CATEGORIES
            )
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


def summary_body(count: int, severities: set[Severity]) -> str:
    """'3 more urgent escalations - open the console': the page that stands in for rounds held back by the
    flood limits. As plain as `sms_body`."""
    word = SMS_WORDS[Severity.HIGH if Severity.HIGH in severities else Severity.MODERATE].lower()
    return f"{count} more {word} escalation{'s' if count != 1 else ''} - open the console"


def client_ref(metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The client address's pseudonym a channel recorded in a message's metadata, or None."""
    ref = (metadata or {}).get(CLIENT_REF)
    if not isinstance(ref, str):
        return None
    return ref.strip()[:64] or None


class EscalationState(Protocol):
    """The fields of an escalation the policy reads (bot.store.models.Escalation has them)."""

    severity: str
    created_at: datetime
    notified_at: Optional[datetime]
    backup_notified_at: Optional[datetime]
    acknowledged_at: Optional[datetime]
    resolved_at: Optional[datetime]
    last_attempt_at: Optional[datetime]
    last_message_at: Optional[datetime]
    paged_at: Optional[datetime]
    held_at: Optional[datetime]
    backup_held_at: Optional[datetime]


@dataclass(frozen=True)
class Policy:
    high_backup_after: timedelta = timedelta(minutes=10)
    moderate_backup_after: timedelta = timedelta(minutes=60)
    # A round of pages started this recently is in flight (or just failed): leave it alone. This keeps
    # two processes from paging the same escalation twice and paces the retries of a failed round.
    retry_gap: timedelta = timedelta(minutes=1)
    renotify: timedelta = timedelta(minutes=10)  # later crisis messages re-page on-call at most this often

    def pages(self, severity: Severity) -> bool:
        return Severity(severity) is not Severity.LOW

    def backup_after(self, severity: Severity) -> timedelta:
        return self.high_backup_after if Severity(severity) is Severity.HIGH else self.moderate_backup_after

    def repage_due(self, escalation: EscalationState, now: datetime) -> bool:
        """A crisis message joined the escalation after on-call was last told (paged, or covered by a summary),
        and that was at least `renotify` ago."""
        told = max((at for at in (escalation.paged_at, escalation.held_at) if at is not None), default=None)
        return (
            told is not None
            and escalation.last_message_at is not None
            and escalation.last_message_at > told
            and now - told >= self.renotify
        )

    def pages_due(self, escalation: EscalationState, now: datetime) -> tuple[Role, ...]:
        """Who to page now: on-call until one page to them got through (or a summary stood in for it), the
        backup contact once nobody has acknowledged within the severity's time (counted from the escalation,
        so a failing on-call page does not delay the backup), and on-call again for later crisis messages
        (`repage_due`), even once acknowledged, until it is resolved."""
        if escalation.resolved_at is not None or not self.pages(Severity(escalation.severity)):
            return ()
        if escalation.last_attempt_at is not None and now - escalation.last_attempt_at < self.retry_gap:
            return ()
        due: list[Role] = []
        first = escalation.notified_at is None and escalation.held_at is None
        if (first and escalation.acknowledged_at is None) or self.repage_due(escalation, now):
            due.append(Role.ON_CALL)
        if (
            escalation.acknowledged_at is None
            and escalation.backup_notified_at is None
            and escalation.backup_held_at is None
            and now - escalation.created_at >= self.backup_after(Severity(escalation.severity))
        ):
            due.append(Role.BACKUP)
        return tuple(due)


@dataclass(frozen=True)
class Limits:
    """How many pages may go out before the rest are held for a summary page. A page is one role paged for
    one escalation (all its numbers)."""

    per_minute: int = 6  # pages in the last minute, all escalations together (ESCALATION_PAGES_PER_MINUTE)
    per_source: int = 3  # pages in the last `source_window` for escalations from one client address
    source_window: timedelta = timedelta(hours=1)
    summary_gap: timedelta = timedelta(minutes=10)  # a summary page at most this often per role

    def held(self, *, last_minute: int, from_source: Optional[int]) -> Optional[str]:
        """Why a page is held back (None: it goes out), given the pages already sent in the last minute and,
        when the escalation's source address is known, in the last `source_window` for that address."""
        if last_minute >= self.per_minute:
            return f"{last_minute} pages in the last minute (limit {self.per_minute})"
        if from_source is not None and from_source >= self.per_source:
            return f"{from_source} pages for one client address this hour (limit {self.per_source})"
        return None

    def summary_due(
        self,
        *,
        held: int,
        last_sent: Optional[datetime],
        last_tried: Optional[datetime],
        retry_gap: timedelta,
        now: datetime,
    ) -> bool:
        """Whether a summary page is due to a role: pages were held since its last summary that reached
        anyone, none reached anyone within `summary_gap`, and none is in flight or just failed."""
        if held < 1 or (last_tried is not None and now - last_tried < retry_gap):
            return False
        return last_sent is None or now - last_sent >= self.summary_gap
