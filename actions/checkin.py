"""The direct check-in when the crisis detector is unsure (bot/safety/checkin.py decides; the safety policy
routes): ask, then act on the reply. Nothing from the message that raised it is stored as an answer."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import CHECKING_SLOT, FORM, answers_of, ask, channel_of, crisis_path, utcnow
from bot.safety import checkin
from bot.screening import QUESTIONS, context
from bot.settings import settings
from bot.store import checkins, crud
from bot.store.db import session_scope


def _pending(tracker: Tracker) -> List[EventType]:
    """The pending question's slot emptied: Rasa's slot mapping put this message's text in it."""
    requested = tracker.get_slot("requested_slot")
    return [SlotSet(requested, None)] if tracker.active_loop_name == FORM and requested in QUESTIONS else []


class ActionCrisisCheck(Action):
    """Asks directly: "Are you having thoughts of ending your life or hurting yourself?" (yes / no buttons)."""

    def name(self) -> Text:
        return "action_crisis_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        found = tracker.latest_message.get("crisis") or {}
        with session_scope(settings().database_url) as session:
            screening = crud.latest_screening(session, conversation_id=tracker.sender_id)
            checkins.open_check_in(
                session,
                conversation_id=tracker.sender_id,
                screening_id=screening.id if screening is not None else None,
                channel=channel_of(tracker),
                category=found.get("category"),
                model_score=found.get("model_score"),
                now=utcnow(),
            )
        # `assistant: check_in` in the event's metadata marks the question in the staff transcript.
        dispatcher.utter_message(text=checkin.QUESTION, buttons=list(checkin.BUTTONS), assistant="check_in")
        return [*_pending(tracker), SlotSet(CHECKING_SLOT, checkin.ASKED)]


class ActionCrisisCheckReply(Action):
    """The reply to the check-in: yes (or unclear twice) is the crisis path; no goes back where they were."""

    def name(self) -> Text:
        return "action_crisis_check_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        reply = checkin.read_reply(tracker.latest_message.get("text") or "")
        step = checkin.next_step(reply, tracker.get_slot(CHECKING_SLOT))
        if step is checkin.Step.CRISIS:
            return crisis_path(dispatcher, tracker, check_in="yes" if reply is checkin.Reply.YES else "unclear")
        if step is checkin.Step.ASK_AGAIN:
            dispatcher.utter_message(text=checkin.ASK_AGAIN, buttons=list(checkin.BUTTONS), assistant="check_in")
            return [*_pending(tracker), SlotSet(CHECKING_SLOT, checkin.ASKED_AGAIN)]
        with session_scope(settings().database_url) as session:
            checkins.close_check_in(session, conversation_id=tracker.sender_id, outcome="no", now=utcnow())
        dispatcher.utter_message(text=checkin.THANKS)
        pending = _pending(tracker)
        if pending:  # back to the question the screening was on
            ask(
                dispatcher, QUESTIONS[tracker.get_slot("requested_slot")], context(answers_of(tracker)), with_help=False
            )
        return [*pending, SlotSet(CHECKING_SLOT, None)]
