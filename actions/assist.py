"""Actions outside the screening form: program questions, the crisis reply, handing the conversation to a
person and taking it back, and everything else."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.common import FORM, crisis_path, program, set_status, step_back, utcnow
from bot import messages
from bot.faq import faq_reply
from bot.handoff import resumes_screening
from bot.screening import Status
from bot.settings import settings
from bot.store import crud
from bot.store.db import session_scope


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        dispatcher.utter_message(text=faq_reply(text, program()))
        return []


class ActionCrisis(Action):
    """A crisis message in any state (rasa_edge/policies/safety.py): resources, escalation, and a person takes over."""

    def name(self) -> Text:
        return "action_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return crisis_path(dispatcher, tracker)


class ActionHandoff(Action):
    """ "Can I talk to a person?": recorded for the intake team (no one is paged), and the bot steps back."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(text=messages.handoff_requested(program(), utcnow()))
        return step_back(tracker, "request")


class ActionHandBack(Action):
    """Staff handed the conversation back (bot/handoff.py): the screening carries on at its next question."""

    def name(self) -> Text:
        return "action_hand_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        entities = tracker.latest_message.get("entities") or []
        staff = next((e.get("value") for e in entities if e.get("entity") == "staff" and e.get("value")), "staff")
        with session_scope(settings().database_url) as session:
            crud.close_handoff(session, conversation_id=tracker.sender_id, by=str(staff))
        status = tracker.get_slot("screening_status")
        resuming = resumes_screening(status, tracker.get_slot("consent") is True)
        completed = status == Status.COMPLETED.value
        dispatcher.utter_message(text=messages.handed_back(program(), resuming=resuming, completed=completed))
        if not resuming:
            return []
        # The form picks the first unanswered question (actions/screening.py), so nothing is asked twice.
        resumed = set_status(tracker, Status.IN_PROGRESS.value) if status == Status.CRISIS.value else []
        return resumed + [FollowupAction(FORM)]


class ActionOutsideScreening(Action):
    """Anything no rule covers once the screening is over (Rasa's core fallback action)."""

    def name(self) -> Text:
        return "action_outside_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot("screening_status") == Status.COMPLETED.value:
            dispatcher.utter_message(text=messages.already_complete(program()))
        else:
            dispatcher.utter_message(text=messages.outside_screening())
        return []
