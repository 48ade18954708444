"""Booking the free assessment (bot/booking/conversation.py decides; bot/routing.py `booking_action` sends
the messages here): this module reads the booking slots off the tracker and turns the reply into events."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TEXT_MESSAGE_CHANNELS, answers_of, channel_of, program, say, utcnow
from bot.booking import conversation
from bot.booking.conversation import AFTER_SLOT, OFFER_SLOT, OFFERED_AT_SLOT, STAGE_SLOT, TZ_SLOT
from bot.booking.desk import Desk
from bot.settings import settings


def desk() -> Desk:
    return _desk(settings().database_url)


@lru_cache(maxsize=4)
def _desk(database_url: str) -> Desk:
    return Desk(program(), database_url)


def _conversation(tracker: Tracker) -> conversation.Conversation:
    channel = channel_of(tracker)
    return conversation.Conversation(
        conversation_id=tracker.sender_id,
        channel=channel,
        by_text=channel in TEXT_MESSAGE_CHANNELS,
        text=tracker.latest_message.get("text") or "",
        answers=answers_of(tracker),
        stage=tracker.get_slot(STAGE_SLOT),
        offered=tuple(int(i) for i in tracker.get_slot(OFFER_SLOT) or []),
        after=tracker.get_slot(AFTER_SLOT),
        offered_at=float(tracker.get_slot(OFFERED_AT_SLOT) or 0),
        tz=tracker.get_slot(TZ_SLOT),
    )


def _events(dispatcher: CollectingDispatcher, outcome: conversation.Outcome) -> List[EventType]:
    for said in outcome.say:
        say(dispatcher, said)
    return [SlotSet(key, value) for key, value in outcome.slots]


def offer_after_screening(
    dispatcher: CollectingDispatcher, tracker: Tracker, outcome: Optional[str]
) -> List[EventType]:
    """The first offer, right after a screening whose outcome allows an assessment."""
    return _events(
        dispatcher,
        conversation.offer_after_screening(
            _conversation(tracker), outcome, utcnow(), program=program(), desk=desk(), settings=settings()
        ),
    )


class ActionBooking(Action):
    def name(self) -> Text:
        return "action_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        reply = await conversation.take_turn(
            _conversation(tracker), utcnow(), program=program(), desk=desk(), settings=settings()
        )
        return _events(dispatcher, reply)
