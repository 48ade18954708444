"""A Rasa event broker that alerts staff again when someone writes a crisis message while the bot is paused.

Once a conversation is paused (after a crisis, a request for a person, or a staff take-over), Rasa still
parses and stores every message, the crisis detector included, but runs no policy and no action: nothing
in the dialogue can react. Rasa hands every event it stores to the configured event broker, paused or not
(`TrackerStore.stream_events`), so this broker watches for them.

A stored user message whose intent is `crisis`, in a conversation with a handoff opened *before* the
message, is recorded on the conversation's open escalation (or opens one; committed first), asks for a page
on a worker thread (the event loop never waits for Twilio; bot.notify decides whether one is due: a
re-page at most every ESCALATION_RENOTIFY_MINUTES, within the flood limits, keyed to the client address
the channel put in the message's metadata) and sends the person the crisis lines again through Rasa's
events API. The message that caused the pause is older than its handoff and was already
escalated by `action_crisis`, so it does not alert twice. Configured in endpoints.yml as
`event_broker: type: rasa_edge.event_broker.RealertBroker` (one Rasa server). With several Rasa servers
(endpoints.cluster.yml) Rasa's RabbitMQ broker carries the events instead and the worker runs this same
logic on them (rasa_edge/event_queue.py), paging and replying on its own thread: `handle` with
`redelivered` for a message RabbitMQ hands out again because a worker died before acknowledging it.

It also stands in for an action that could not run. When the action server cannot be reached, Rasa gives a
crisis message the crisis lines by itself (`utter_crisis_fallback`, bot/routing.py), but the action
that records the escalation and pages never ran: on that reply's event, the escalation is opened here (or the
message joins the conversation's open one) and paged, with the person's latest message as its trigger.

Log lines name escalation ids and error types only: never what the person wrote.
"""

from __future__ import annotations

import logging
import threading
from asyncio import AbstractEventLoop
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import handoff
from bot.domain import CRISIS_FALLBACK_REPLY
from bot.notify import Notifier
from bot.program import Program, load_program
from bot.safety.escalation import client_ref, for_message
from bot.safety.lexicon import Category
from bot.safety.resources import crisis_reminder
from bot.settings import settings
from bot.store import crud
from bot.store.db import session_scope
from bot.store.models import Escalation, EscalationMessage

log = logging.getLogger(__name__)

REMEMBERED = 1000  # conversations whose latest message is kept, for an escalation its reply may need
Pager = Callable[[Callable[[int], Any], int], None]
Reminder = Callable[[str, str], None]  # (conversation id, text)


def page_in_thread(page: Callable[[int], Any], escalation_id: int) -> None:
    threading.Thread(target=page, args=(escalation_id,), name=f"page-{escalation_id}", daemon=True).start()


def _send_crisis_lines(conversation_id: str, text: str) -> None:
    try:
        handoff.send_crisis_lines(conversation_id, text)
    except handoff.HandoffError as error:
        log.error("could not repeat the crisis lines in a paused conversation: %s", error)


def remind_in_thread(conversation_id: str, text: str) -> None:
    # The events API waits for this conversation's lock, which the message being stored still holds.
    threading.Thread(target=_send_crisis_lines, args=(conversation_id, text), name="crisis-lines", daemon=True).start()


class RealertBroker(EventBroker):
    def __init__(
        self,
        notifier: Notifier,
        *,
        pager: Pager = page_in_thread,
        reminder: Reminder = remind_in_thread,
        program: Optional[Program] = None,
    ) -> None:
        self.notifier = notifier
        self.pager = pager
        self.reminder = reminder
        self.program = program or load_program(settings().program_file)
        self._latest: OrderedDict[str, Dict[Text, Any]] = OrderedDict()  # each conversation's latest message

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Optional[AbstractEventLoop] = None
    ) -> RealertBroker:
        return cls(Notifier.from_settings())

    def publish(self, event: Dict[Text, Any]) -> None:
        try:
            self.handle(event)
        except (SQLAlchemyError, ValueError) as error:
            # Raising would lose the message from the transcript; it is kept, and shown to staff there.
            log.error("re-alert check failed for a crisis message in a conversation (%s)", type(error).__name__)

    def handle(self, event: Dict[Text, Any], *, redelivered: bool = False) -> Optional[int]:
        """Re-alert for a crisis message stored while its conversation was paused: the escalation's id, or None
        for any other event. Raises SQLAlchemyError when the database cannot be used (nothing was paged)."""
        if event.get("event") == "bot":
            return self.unanswered(event, redelivered=redelivered)
        if event.get("event") != "user":
            return None
        self._remember(event)
        parse_data = event.get("parse_data") or {}
        if (parse_data.get("intent") or {}).get("name") != "crisis":
            return None
        escalation_id = self.realert(event, redelivered=redelivered)
        if escalation_id is not None:
            # Paging is idempotent (bot.notify pages only when one is due), so a redelivered message that was
            # already recorded pages nobody twice.
            self.pager(self.notifier.page, escalation_id)
            # No action runs while paused, so the bot's crisis reply is sent the way a staff reply is. Sent
            # again for a redelivered message: twice is better than never.
            category = (parse_data.get("crisis") or {}).get("category")
            text = crisis_reminder(
                self.program,
                datetime.now(timezone.utc),
                for_self=category != Category.THIRD_PARTY.value,
                category=category,
            )
            self.reminder(str(event.get("sender_id") or ""), text)
        return escalation_id

    def _remember(self, event: Dict[Text, Any]) -> None:
        conversation_id = str(event.get("sender_id") or "")
        self._latest.pop(conversation_id, None)
        self._latest[conversation_id] = event
        while len(self._latest) > REMEMBERED:
            self._latest.popitem(last=False)

    def unanswered(self, event: Dict[Text, Any], *, redelivered: bool = False) -> Optional[int]:
        """For Rasa's own crisis reply (the action that escalates could not run): the escalation that action
        would have opened, paged; None for any other reply."""
        if (event.get("metadata") or {}).get("utter_action") != CRISIS_FALLBACK_REPLY:
            return None
        conversation_id = str(event.get("sender_id") or "")
        message = self._latest.get(conversation_id) or {}  # missing after a restart: the transcript has it
        text = message.get("text") or "(a crisis message: see the transcript)"
        answered_at = datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc)
        with session_scope(self.notifier.database_url) as session:
            if redelivered and (recorded := _recorded(session, conversation_id, text, answered_at)) is not None:
                log.info("escalation %d: a redelivered crisis reply was already recorded", recorded)
                return recorded
            screening_id = _screening_id(session, conversation_id)
        escalation_id = self._escalate(conversation_id, message, text, screening_id)
        log.warning("escalation %d: crisis lines given without the action server; paging from here", escalation_id)
        self.pager(self.notifier.page, escalation_id)
        return escalation_id

    def realert(self, event: Dict[Text, Any], *, redelivered: bool = False) -> Optional[int]:
        """Record a crisis message written while the bot was paused on its conversation's escalation; the
        escalation's id, or None. `redelivered`: it may have been recorded already (see `_recorded`)."""
        conversation_id = str(event.get("sender_id") or "")
        written_at = datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc)
        with session_scope(self.notifier.database_url) as session:
            handoff = crud.open_handoff_for(session, conversation_id=conversation_id)
            if handoff is None or handoff.opened_at >= written_at:
                return None
            if redelivered:
                recorded = _recorded(session, conversation_id, event.get("text") or "", written_at)
                if recorded is not None:
                    log.info("escalation %d: a redelivered crisis message was already recorded", recorded)
                    return recorded
            screening_id = _screening_id(session, conversation_id)
        escalation_id = self._escalate(conversation_id, event, event.get("text") or "", screening_id)
        log.info("escalation %d: crisis message while the bot is paused (handoff %d)", escalation_id, handoff.id)
        return escalation_id

    def _escalate(self, conversation_id: str, message: Dict[Text, Any], text: str, screening_id: Optional[int]) -> int:
        """Open the escalation for a crisis message event (its category from the parse data)."""
        category = ((message.get("parse_data") or {}).get("crisis") or {}).get("category")
        return self.notifier.open_escalation(
            conversation_id=conversation_id,
            trigger=for_message(category),
            trigger_text=text,
            screening_id=screening_id,
            source_ref=client_ref(message.get("metadata")),
        )


def _screening_id(session: Session, conversation_id: str) -> Optional[int]:
    screening = crud.latest_screening(session, conversation_id=conversation_id)
    return screening.id if screening is not None else None


def _recorded(session: Session, conversation_id: str, text: str, written_at: datetime) -> Optional[int]:
    """The escalation that already holds this message (the same words, recorded after they were written), or
    None. Only asked for a redelivered message: the same words written twice before the first was handled
    would count once on the escalation (both stay in the transcript)."""
    text = text.replace("\x00", "\ufffd")  # as crud stores it
    opened = select(Escalation.id).where(
        Escalation.conversation_id == conversation_id,
        Escalation.trigger_text == text,
        Escalation.created_at >= written_at,
    )
    joined = (
        select(EscalationMessage.escalation_id)
        .join(Escalation, Escalation.id == EscalationMessage.escalation_id)
        .where(
            Escalation.conversation_id == conversation_id,
            EscalationMessage.text == text,
            EscalationMessage.received_at >= written_at,
        )
    )
    return session.execute(opened.union(joined).limit(1)).scalar_one_or_none()
