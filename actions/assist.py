"""Actions outside the screening form: program questions, crisis replies and everything else."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import program, respond_to_crisis
from bot import messages
from bot.faq import faq_answer, faq_topic


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        dispatcher.utter_message(text=faq_answer(faq_topic(text), program()))
        return []


class ActionCrisis(Action):
    """A crisis message while no screening question is pending."""

    def name(self) -> Text:
        return "action_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        respond_to_crisis(dispatcher, tracker)
        return []


class ActionOutsideScreening(Action):
    """Anything no rule covers once the screening is over (Rasa's core fallback action)."""

    def name(self) -> Text:
        return "action_outside_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        prog = program()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "human":
            dispatcher.utter_message(text=messages.human_requested(prog))
        elif tracker.get_slot("screening_status") == "completed":
            dispatcher.utter_message(text=messages.already_complete(prog))
        else:
            dispatcher.utter_message(text=messages.outside_screening())
        return []
