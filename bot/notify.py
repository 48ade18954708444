"""Paging staff about escalations: the record first, then SMS to the on-call staff, then the backup contact.

The order is the point. `open_escalation` commits the row before any SMS is attempted, so a failed send
or a crash never loses it; a later crisis message of the same conversation joins its open escalation
instead of opening another. `page` sends whatever bot.safety.escalation says is due, unless the flood
limits hold the round back (then a summary page stands in for it), and records the outcome on the row
(requests made, why a page failed or was held, when on-call and backup were reached). `notify_due` is one
pass over the escalations paging may be due for — run it every minute (`iop-intake escalations
notify-due`) — which retries failed pages, re-pages for later messages, sends due summaries and brings in
the backup contact when nobody acknowledges in time.

Log lines name escalation ids and roles, never a phone number or what the person wrote.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Optional

from bot.safety.escalation import Limits, Policy, Role, Severity, Trigger, sms_body, summary_body
from bot.settings import Settings, settings
from bot.sms.twilio_rest import HttpClient, TwilioConfig, TwilioSms
from bot.store import crud
from bot.store.db import session_scope
from bot.store.models import utcnow

log = logging.getLogger(__name__)

NOT_CONFIGURED = "SMS not configured: nobody was paged"
_ROLE_NAMES = {Role.ON_CALL: "on-call", Role.BACKUP: "backup"}


@dataclass(frozen=True)
class Contacts:
    on_call: tuple[str, ...] = ()
    backup: tuple[str, ...] = ()

    def of(self, role: Role) -> tuple[str, ...]:
        return self.on_call if role is Role.ON_CALL else self.backup


@dataclass(frozen=True)
class Round:
    """One round of pages for one escalation."""

    escalation_id: int
    roles: tuple[Role, ...]
    sent: int
    failed: int
    error: Optional[str]
    held: Optional[str] = None  # why the flood limits held the round back (a summary page stands in for it)


@dataclass(frozen=True)
class Summary:
    """One summary page to a role, standing in for `covers` held pages."""

    role: Role
    covers: int
    sent: int
    error: Optional[str]


class Notifier:
    def __init__(
        self,
        database_url: str,
        *,
        sms: Optional[TwilioSms],
        contacts: Contacts,
        policy: Policy = Policy(),
        limits: Limits = Limits(),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database_url = database_url
        self.sms = sms  # None: SMS not configured, escalations are only recorded
        self.contacts = contacts
        self.policy = policy
        self.limits = limits
        self.clock = clock

    @classmethod
    def from_settings(
        cls,
        current: Optional[Settings] = None,
        *,
        http: Optional[HttpClient] = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Notifier:
        current = current or settings()
        config = TwilioConfig.from_settings(current)
        return cls(
            current.database_url,
            sms=TwilioSms(config, http=http, sleep=sleep) if config else None,
            contacts=Contacts(current.on_call_numbers, (current.backup_number,) if current.backup_number else ()),
            policy=Policy(
                high_backup_after=timedelta(minutes=current.renotify_minutes),
                moderate_backup_after=timedelta(minutes=current.moderate_renotify_minutes),
                renotify=timedelta(minutes=current.renotify_minutes),
            ),
            limits=Limits(per_minute=current.pages_per_minute, per_source=current.pages_per_source_hour),
        )

    def open_escalation(
        self,
        *,
        conversation_id: str,
        trigger: Trigger,
        trigger_text: str,
        screening_id: Optional[int] = None,
        source_ref: Optional[str] = None,
    ) -> int:
        """Write and commit the escalation, or add a crisis message to the conversation's open one; its id.
        Nobody is paged yet. `source_ref`: the keyed pseudonym of the client address the message came from."""
        now = self.clock()
        with session_scope(self.database_url) as session:
            joined = crud.join_open_escalation(
                session, conversation_id=conversation_id, trigger=trigger, trigger_text=trigger_text, now=now
            )
            escalation = joined or crud.create_escalation(
                session,
                conversation_id=conversation_id,
                trigger=trigger,
                trigger_text=trigger_text,
                screening_id=screening_id,
                now=now,
                source_ref=source_ref,
            )
            escalation_id = escalation.id
        if joined is not None:
            log.info("escalation %d: a later crisis message joined it", escalation_id)
        else:
            log.info(
                "escalation %d opened: %s %s from %s",
                escalation_id,
                trigger.severity.value,
                trigger.category,
                trigger.source.value,
            )
        return escalation_id

    def escalate(
        self, *, conversation_id: str, trigger: Trigger, trigger_text: str, screening_id: Optional[int] = None
    ) -> int:
        """`open_escalation`, then page the on-call staff at once. Blocks while Twilio is retried."""
        escalation_id = self.open_escalation(
            conversation_id=conversation_id, trigger=trigger, trigger_text=trigger_text, screening_id=screening_id
        )
        self.page(escalation_id)
        return escalation_id

    def page(self, escalation_id: int, *, now: Optional[datetime] = None) -> Optional[Round]:
        """Send the pages due for the escalation; None when none were (or another process has them)."""
        now = now or self.clock()
        with session_scope(self.database_url) as session:
            escalation = crud.get_escalation(session, escalation_id=escalation_id)
            roles = self.policy.pages_due(escalation, now)
            severity = Severity(escalation.severity)
            if not roles or not crud.claim_paging(
                session,
                escalation_id=escalation_id,
                seen=escalation.last_attempt_at,
                now=now,
                repage=escalation.acknowledged_at is not None,
            ):
                return None
            from_source = (
                None
                if escalation.source_ref is None
                else crud.pages_since(session, since=now - self.limits.source_window, source_ref=escalation.source_ref)
            )
            held = self.limits.held(
                last_minute=crud.pages_since(session, since=now - timedelta(minutes=1)), from_source=from_source
            )
            crud.log_round(session, escalation=escalation, roles=roles, held=held, now=now)
        # The claim is committed: another process passing now leaves this escalation alone.
        if held:
            log.warning("escalation %d: paging held back (%s); it stays in the console's queue", escalation_id, held)
            self.send_summaries(now=now)
            return Round(escalation_id, roles, 0, 0, None, held)
        attempts, sent, failed, errors = 0, 0, 0, []
        reached: set[Role] = set()
        body = sms_body(escalation_id, severity)
        for role in roles:
            numbers, name = self.contacts.of(role), _ROLE_NAMES[role]
            if self.sms is None:
                errors.append(NOT_CONFIGURED)
                break
            if not numbers:
                errors.append(f"no {name} number configured")
                continue
            for i, number in enumerate(numbers, 1):
                result = self.sms.send(number, body)
                attempts += result.attempts
                if result.ok:
                    sent += 1
                    reached.add(role)
                else:
                    failed += 1
                    errors.append(f"{name} {i} of {len(numbers)}: {result.error}")
        error = "; ".join(errors) or None
        with session_scope(self.database_url) as session:
            crud.record_paging(
                session,
                escalation_id=escalation_id,
                attempts=attempts,
                error=error,
                on_call_at=now if Role.ON_CALL in reached else None,
                backup_at=now if Role.BACKUP in reached else None,
            )
        roles_text = " and ".join(_ROLE_NAMES[r] for r in roles)
        if error:
            log.warning(
                "escalation %d: paging %s: %d sent, %d failed: %s", escalation_id, roles_text, sent, failed, error
            )
        else:
            log.info("escalation %d: paged %s: %d sent", escalation_id, roles_text, sent)
        return Round(escalation_id, roles, sent, failed, error)

    def notify_due(self, *, now: Optional[datetime] = None) -> list[Round]:
        """One pass: every page due now (failed pages retried, re-pages for later crisis messages, backups for
        unacknowledged escalations), then any summary page due."""
        now = now or self.clock()
        with session_scope(self.database_url) as session:
            due = [e.id for e in crud.pageable_escalations(session) if self.policy.pages_due(e, now)]
        rounds = [r for r in (self.page(escalation_id, now=now) for escalation_id in due) if r is not None]
        self.send_summaries(now=now)
        return rounds

    def send_summaries(self, *, now: Optional[datetime] = None) -> list[Summary]:
        """To each role with held pages, one summary page when due (bot.safety.escalation.Limits)."""
        now = now or self.clock()
        done = []
        for role in (Role.ON_CALL, Role.BACKUP):
            with session_scope(self.database_url) as session:
                state = crud.summary_state(session, role=role)
                if not self.limits.summary_due(
                    held=state.held,
                    last_sent=state.last_sent,
                    last_tried=state.last_tried,
                    retry_gap=self.policy.retry_gap,
                    now=now,
                ):
                    continue
                summary_id = crud.log_summary(session, role=role, covers=state.held, now=now)
            sent, errors = self._send_to(role, summary_body(state.held, state.severities))
            with session_scope(self.database_url) as session:
                crud.summary_sent(session, summary_id=summary_id, sent=sent > 0)
            error = "; ".join(errors) or None
            log.warning(
                "summary page to %s for %d held page(s): %d sent%s",
                _ROLE_NAMES[role],
                state.held,
                sent,
                f": {error}" if error else "",
            )
            done.append(Summary(role, state.held, sent, error))
        return done

    def _send_to(self, role: Role, body: str) -> tuple[int, list[str]]:
        numbers, name = self.contacts.of(role), _ROLE_NAMES[role]
        if self.sms is None:
            return 0, [NOT_CONFIGURED]
        if not numbers:
            return 0, [f"no {name} number configured"]
        sent, errors = 0, []
        for i, number in enumerate(numbers, 1):
            result = self.sms.send(number, body)
            if result.ok:
                sent += 1
            else:
                errors.append(f"{name} {i} of {len(numbers)}: {result.error}")
        return sent, errors
