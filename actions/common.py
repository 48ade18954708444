"""What every action needs: the program, the answers held in slots, the database, how to ask."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, List

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.booking.conversation import AWAITING_REPLY, OFFER_SLOT, STAGE_SLOT, Stage
from bot.domain import FORM
from bot.handoff import status_after_crisis
from bot.notify import Notifier
from bot.program import Program, load_program
from bot.questions import Context, Question
from bot.safety import checkin
from bot.safety.escalation import Trigger, client_ref, for_message
from bot.safety.resources import crisis_message
from bot.screening import QUESTIONS
from bot.settings import settings
from bot.store import checkins, crud
from bot.store.db import session_scope
from bot.store.models import utcnow
from bot.turn import Say, question_message

CHECKING_SLOT = checkin.SLOT  # the check-in question waits for its reply
# rasa_edge/channels/sms.py: texts can be read by others; no links, no results
TEXT_MESSAGE_CHANNELS = frozenset({"sms"})


@lru_cache(maxsize=1)
def program() -> Program:
    return load_program(settings().program_file)


def answers_of(tracker: Tracker) -> dict[str, Any]:
    """The parsed answers so far: the question slots that hold a value."""
    return {key: value for key in QUESTIONS if (value := tracker.get_slot(key)) is not None}


def crisis_path(dispatcher: CollectingDispatcher, tracker: Tracker, *, check_in: str = "crisis") -> List[EventType]:
    """A crisis message, in any state: the crisis reply (about the person, or about someone they told us of,
    worded for what they told), the escalation, the screening marked, and a person takes over. Nothing the
    message says is stored as an answer: the pending question's slot, which Rasa's slot mapping has already
    filled with the text, is emptied (`step_back`). An open check-in is closed with `check_in` as its outcome
    (the crisis path followed a yes, an unclear reply, or a crisis message)."""
    with session_scope(settings().database_url) as session:
        asked = checkins.close_check_in(session, conversation_id=tracker.sender_id, outcome=check_in, now=utcnow())
        # A yes to the check-in says nothing of the kind of risk: the message that raised it did.
        category = (tracker.latest_message.get("crisis") or {}).get("category") or (asked.category if asked else None)
    about_self = category != "third_party" and tracker.get_slot("for_whom") != "other"
    # `assistant: crisis` goes into the event's metadata, as on the broker's reminder: the widget's crisis card.
    dispatcher.utter_message(
        text=crisis_message(program(), utcnow(), for_self=about_self, category=category), assistant="crisis"
    )
    escalate(tracker, for_message(category))
    status = status_after_crisis(tracker.get_slot("screening_status"))
    checking = [SlotSet(CHECKING_SLOT, None)] if tracker.get_slot(CHECKING_SLOT) else []
    return (set_status(tracker, status) if status else []) + checking + step_back(tracker, "crisis")


def set_status(tracker: Tracker, status: str) -> List[EventType]:
    """The screening's status, in the database and in its slot."""
    with screening_record(tracker) as (session, screening):
        crud.update_screening(session, screening=screening, status=status)
    return [SlotSet("screening_status", status)]


def escalate(tracker: Tracker, trigger: Trigger, *, once_per_screening: bool = False) -> None:
    """Record the escalation (committed before anyone is paged), then page on-call staff off the event loop:
    the reply to the person never waits for Twilio. `once_per_screening`: not when this screening has
    raised one of the same category already (a C-SSRS result describes the answers, not a new event)."""
    notifier = Notifier.from_settings()
    with screening_record(tracker) as (session, screening):
        screening_id = screening.id
        seen = once_per_screening and crud.has_escalation(session, screening_id=screening_id, category=trigger.category)
    if seen:
        return
    escalation_id = notifier.open_escalation(
        conversation_id=tracker.sender_id,
        trigger=trigger,
        trigger_text=tracker.latest_message.get("text") or "",
        screening_id=screening_id,
        source_ref=client_ref(tracker.latest_message.get("metadata")),
    )
    asyncio.get_running_loop().run_in_executor(None, notifier.page, escalation_id)


def step_back(tracker: Tracker, reason: str) -> List[EventType]:
    """Hand the conversation to a person: record the handoff, stop the screening form without losing the
    question it was on, and pause the bot (Rasa stores later messages but answers none)."""
    with session_scope(settings().database_url) as session:
        crud.open_handoff(session, conversation_id=tracker.sender_id, reason=reason)
    pending = tracker.get_slot("requested_slot")
    # The form's slot mapping already put this message's text into the pending question's slot.
    unanswered = [SlotSet(pending, None)] if tracker.active_loop_name == FORM and pending in QUESTIONS else []
    # Times on offer are withdrawn: after the hand-back a "1" must not book what was offered before the crisis.
    offers = (
        [SlotSet(STAGE_SLOT, Stage.OPEN), SlotSet(OFFER_SLOT, None)]
        if tracker.get_slot(STAGE_SLOT) in AWAITING_REPLY
        else []
    )
    return [ActiveLoop(None), *unanswered, *offers, SlotSet("requested_slot", None), ConversationPaused()]


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


@contextmanager
def screening_record(tracker: Tracker) -> Iterator[tuple[Any, Any]]:
    """The database session and this conversation's current screening row."""
    with session_scope(settings().database_url) as session:
        screening = crud.current_screening(session, conversation_id=tracker.sender_id, channel=channel_of(tracker))
        yield session, screening


def say(dispatcher: CollectingDispatcher, said: Say) -> None:
    dispatcher.utter_message(text=said.text, buttons=list(said.buttons) or None)


def ask(
    dispatcher: CollectingDispatcher, question: Question, ctx: Context, *, with_help: bool, intro: str = ""
) -> None:
    """Send a question with its options as buttons; after repeated misses, explain it first."""
    say(dispatcher, question_message(question, ctx, with_help=with_help, intro=intro))
