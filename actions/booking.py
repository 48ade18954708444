"""Booking the free assessment: offering times after a screening, taking the chosen one, and cancelling or
moving it later. The decisions are in bot/booking/; this module moves data between slots, the desk and the
person. Which messages reach `action_booking` is decided by bot/policies/routing.py `booking_action`.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TEXT_MESSAGE_CHANNELS, answers_of, channel_of, program, utcnow
from bot.booking import texts
from bot.booking.desk import Desk, SlotTaken
from bot.booking.offers import Preferences
from bot.booking.phrases import When
from bot.booking.replies import Kind, Reply, after_booking, read_number_reply, read_offer_reply
from bot.eligibility import BOOKABLE
from bot.settings import settings
from bot.sms.identity import NumberCipher
from bot.store import crud
from bot.store.db import session_scope

# The booking_stage slot: times on offer, booked, asked for a number for reminders, or not booked yet.
OFFERING, BOOKED, REMINDERS, OPEN = "offering", "booked", "reminders", "open"


def desk() -> Desk:
    return _desk(settings().database_url)


@lru_cache(maxsize=4)
def _desk(database_url: str) -> Desk:
    return Desk(program(), database_url)


def _person_tz(tracker: Tracker) -> Optional[ZoneInfo]:
    name = tracker.get_slot("booking_tz")
    return ZoneInfo(name) if name else None


def offer_times(dispatcher: CollectingDispatcher, tracker: Tracker, now: datetime, *, lead: Optional[str] = None,
                first: bool = False, after: Optional[datetime] = None, when: Optional[When] = None) -> List[EventType]:
    """Offer the next times that suit the person (`first`: with the invitation to book); the slots that
    remember what was offered."""
    person_tz = when.tz if when is not None and when.named_zone else _person_tz(tracker)
    offer = desk().offer(Preferences.from_answers(answers_of(tracker)), now, after=after, when=when)
    if not offer.slots:
        dispatcher.utter_message(text=texts.no_more_times(program()) if after else texts.no_times(program()))
        return [] if after else [SlotSet("booking_stage", OPEN)]
    if first:
        lead = texts.first_offer(offer.fits)
    elif lead is None:
        lead = texts.more_offer(offer.fits, when.phrase if when is not None else None)
    tz = person_tz or program().tz
    dispatcher.utter_message(text=lead, buttons=texts.offer_buttons(offer.slots, tz, zone=person_tz is not None))
    return [SlotSet("booking_stage", OFFERING), SlotSet("booking_offer", [slot.id for slot in offer.slots]),
            SlotSet("booking_after", offer.slots[-1].starts_at.isoformat()),
            SlotSet("booking_tz", person_tz.key if person_tz is not None else None)]


def offer_after_screening(dispatcher: CollectingDispatcher, tracker: Tracker, outcome: Optional[str]) -> List[EventType]:
    """The first offer, right after a screening whose outcome allows an assessment."""
    if outcome not in BOOKABLE:
        return []
    return offer_times(dispatcher, tracker, utcnow(), first=True)


def _screening_outcome(tracker: Tracker) -> Optional[str]:
    """The outcome of the conversation's finished screening; None when none has finished."""
    with session_scope(settings().database_url) as session:
        screening = crud.latest_screening(session, conversation_id=tracker.sender_id)
        return screening.outcome if screening is not None and screening.completed_at is not None else None


class ActionBooking(Action):
    def name(self) -> Text:
        return "action_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        now = utcnow()
        text = tracker.latest_message.get("text") or ""
        offered = [int(i) for i in tracker.get_slot("booking_offer") or []]
        stage = tracker.get_slot("booking_stage")
        if stage == OFFERING and offered:
            reply = read_offer_reply(text, len(offered), now, _person_tz(tracker) or program().tz)
        elif stage == REMINDERS:
            reply = read_number_reply(text)
        else:  # the policy sends only cancel, reschedule and book requests here
            reply = Reply(after_booking(text) or Kind.BOOK)
        kind = reply.kind
        if stage == REMINDERS and kind in (Kind.NUMBER, Kind.NOT_NOW, Kind.UNCLEAR):
            return self._reminders(dispatcher, tracker, reply, now)
        if kind is Kind.CHOOSE:
            return self._take(dispatcher, tracker, offered[reply.index], now)
        if kind is Kind.MORE:
            after = tracker.get_slot("booking_after")
            return offer_times(dispatcher, tracker, now, after=datetime.fromisoformat(after) if after else None)
        if kind is Kind.WHEN:
            if not reply.when.windows:
                dispatcher.utter_message(text=texts.passed(reply.when.phrase))
                return []
            return offer_times(dispatcher, tracker, now, when=reply.when)
        if kind is Kind.NOT_NOW:
            dispatcher.utter_message(text=texts.not_now(program()))
            return [SlotSet("booking_stage", OPEN), SlotSet("booking_offer", None)]
        if kind is Kind.CANCEL:
            return self._cancel(dispatcher, tracker, now)
        if kind in (Kind.RESCHEDULE, Kind.BOOK):
            return self._start(dispatcher, tracker, now, reschedule=kind is Kind.RESCHEDULE)
        dispatcher.utter_message(text=texts.unclear(len(offered)),
                                 buttons=texts.offer_buttons(desk().slots(offered), _person_tz(tracker) or program().tz))
        return []

    def _start(self, dispatcher: CollectingDispatcher, tracker: Tracker, now: datetime, *,
               reschedule: bool) -> List[EventType]:
        current = desk().upcoming(tracker.sender_id, now)
        if current is not None and reschedule:
            dispatcher.utter_message(text=texts.rescheduling(current.slot, program().tz))
            return offer_times(dispatcher, tracker, now)
        if current is not None:
            dispatcher.utter_message(text=texts.already_booked(current.slot, program().tz))
            return [SlotSet("booking_stage", BOOKED)]
        if reschedule:
            dispatcher.utter_message(text=texts.nothing_booked(program()))
            return []
        outcome = _screening_outcome(tracker)
        if outcome not in BOOKABLE:  # no screening yet, or one that points elsewhere: the intake team helps
            dispatcher.utter_message(text=texts.not_bookable(program(), screened=outcome is not None))
            return []
        return offer_times(dispatcher, tracker, now, first=True)

    def _take(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot_id: int, now: datetime) -> List[EventType]:
        channel = channel_of(tracker)
        by_text = channel in TEXT_MESSAGE_CHANNELS
        moving = desk().upcoming(tracker.sender_id, now) is not None
        with session_scope(settings().database_url) as session:
            screening = crud.latest_screening(session, conversation_id=tracker.sender_id)
            screening_id = screening.id if screening is not None else None
        person_tz = _person_tz(tracker)
        try:
            booking = desk().book(slot_id=slot_id, conversation_id=tracker.sender_id, channel=channel,
                                  screening_id=screening_id, contact_conversation_id=tracker.sender_id if by_text else None,
                                  person_tz=person_tz.key if person_tz else None, now=now)
        except SlotTaken:
            return offer_times(dispatcher, tracker, now, lead=texts.taken())
        slot, tz = booking.slot, person_tz or program().tz
        if by_text:
            message = texts.sms_confirmation(program(), slot, slot.location, tz, zone=person_tz is not None, moved=moving)
        else:
            url = f"{settings().console_url}/calendar/{booking.calendar_token}.ics"
            message = texts.confirmation(program(), slot, slot.location, tz, url, zone=person_tz is not None, moved=moving)
        dispatcher.utter_message(text=message)
        if by_text or not settings().sms_configured or booking.contact_conversation_id is not None:
            return [SlotSet("booking_stage", BOOKED), SlotSet("booking_offer", None)]
        dispatcher.utter_message(text=texts.ask_reminder_number(program()),
                                 buttons=[{"title": "No thanks", "payload": "no thanks"}])
        return [SlotSet("booking_stage", REMINDERS), SlotSet("booking_offer", None)]

    def _reminders(self, dispatcher: CollectingDispatcher, tracker: Tracker, reply: Reply,
                   now: datetime) -> List[EventType]:
        """The answer to "text reminders?" after booking in the widget: a number, or no."""
        booking = desk().upcoming(tracker.sender_id, now)
        if reply.kind is Kind.UNCLEAR and booking is not None:
            dispatcher.utter_message(text=texts.unclear_number(), buttons=[{"title": "No thanks", "payload": "no thanks"}])
            return []
        if reply.kind is Kind.NUMBER and booking is not None:
            current = settings()
            desk().text_reminders_to(booking.id, reply.number, id_key=current.sms_id_key,
                                     cipher=NumberCipher(current.sms_number_key))
            dispatcher.utter_message(text=texts.reminders_on(reply.number))
        else:
            dispatcher.utter_message(text=texts.reminders_off())
        return [SlotSet("booking_stage", BOOKED)]

    def _cancel(self, dispatcher: CollectingDispatcher, tracker: Tracker, now: datetime) -> List[EventType]:
        cancelled = desk().cancel(tracker.sender_id, now)
        if cancelled is None and tracker.get_slot("booking_stage") == OFFERING:  # "cancel" to the offer: not now
            dispatcher.utter_message(text=texts.not_now(program()))
            return [SlotSet("booking_stage", OPEN), SlotSet("booking_offer", None)]
        if cancelled is None:
            dispatcher.utter_message(text=texts.nothing_booked(program()))
            return []
        dispatcher.utter_message(text=texts.cancelled(program(), cancelled.slot, _person_tz(tracker) or program().tz))
        return [SlotSet("booking_stage", OPEN), SlotSet("booking_offer", None)]
