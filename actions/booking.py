"""Booking the free assessment: offering times after a screening, taking the chosen one, and cancelling or
moving it later. The decisions are in bot/booking/; this module moves data between slots, the desk and the
person. Which messages reach `action_booking` is decided by bot/routing.py `booking_action`.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TEXT_MESSAGE_CHANNELS, answers_of, channel_of, program, utcnow
from bot.booking import texts
from bot.booking.desk import Check, CodeRefused, Desk, SlotTaken
from bot.booking.offers import Preferences
from bot.booking.phrases import When, read_when
from bot.booking.replies import Kind, Reply, after_booking, read_number_reply, read_offer_reply
from bot.eligibility import BOOKABLE
from bot.notify.sms import TwilioConfig, TwilioSms
from bot.settings import settings
from bot.sms.identity import NumberCipher
from bot.store import crud
from bot.store.booking import Booking
from bot.store.db import session_scope

# The booking_stage slot: times on offer, booked, asked for a number for reminders, waiting for the code
# texted to it, or not booked yet.
OFFERING, BOOKED, REMINDERS, VERIFYING, OPEN = "offering", "booked", "reminders", "verifying", "open"
OFFER_LIFETIME_S = 6 * 60 * 60  # a "2" this long after the offer gets today's times instead: slots change
NO_THANKS = [{"title": "No thanks", "payload": "no thanks"}]


def desk() -> Desk:
    return _desk(settings().database_url)


@lru_cache(maxsize=4)
def _desk(database_url: str) -> Desk:
    return Desk(program(), database_url)


def _zone(tracker: Tracker, booking: Optional[Booking] = None) -> tuple[ZoneInfo, bool]:
    """The zone to show times in, and whether to name it: the person's own when they gave one (kept on the
    booking, and in the booking_tz slot), else the program's."""
    name = (booking.person_tz if booking is not None else None) or tracker.get_slot("booking_tz")
    return (ZoneInfo(name), True) if name else (program().tz, False)


def offer_times(dispatcher: CollectingDispatcher, tracker: Tracker, now: datetime, *, lead: Optional[str] = None,
                first: bool = False, after: Optional[datetime] = None, shown: frozenset = frozenset(),
                when: Optional[When] = None) -> List[EventType]:
    """Offer the next times that suit the person (`first`: with the invitation to book; `after` and `shown`:
    the ones after a page already shown); the slots that remember what was offered."""
    person_tz = when.tz if when is not None and when.named_zone else None
    offer = desk().offer(Preferences.from_answers(answers_of(tracker)), now, after=after, shown=shown, when=when)
    if not offer.slots:
        dispatcher.utter_message(text=texts.no_more_times(program()) if after else texts.no_times(program()))
        return [] if after else [SlotSet("booking_stage", OPEN), SlotSet("booking_offer", None)]
    if first:
        lead = texts.first_offer(offer.fits)
    elif lead is None:
        lead = texts.more_offer(offer.fits, when.phrase if when is not None else None)
    tz, named = (person_tz, True) if person_tz is not None else _zone(tracker)
    dispatcher.utter_message(text=lead, buttons=texts.offer_buttons(offer.slots, tz, zone=named))
    return [SlotSet("booking_stage", OFFERING), SlotSet("booking_offer", [slot.id for slot in offer.slots]),
            SlotSet("booking_after", offer.slots[-1].starts_at.isoformat()), SlotSet("booking_offered_at", time.time()),
            SlotSet("booking_tz", tz.key if named else None)]


def offer_after_screening(dispatcher: CollectingDispatcher, tracker: Tracker,
                          outcome: Optional[str]) -> List[EventType]:
    """The first offer, right after a screening whose outcome allows an assessment."""
    if outcome not in BOOKABLE:
        return []
    return offer_times(dispatcher, tracker, utcnow(), first=True)


async def _text(number: str, body: str) -> bool:
    """Send one text now (the code for a number given in the widget), off the event loop: retries sleep."""
    config = TwilioConfig.from_settings(settings())
    if config is None:
        return False
    sent = await asyncio.get_running_loop().run_in_executor(None, TwilioSms(config).send, number, body)
    return sent.ok


def _screening_outcome(tracker: Tracker) -> Optional[str]:
    """The outcome of the conversation's finished screening; None when none has finished."""
    with session_scope(settings().database_url) as session:
        screening = crud.latest_screening(session, conversation_id=tracker.sender_id)
        return screening.outcome if screening is not None and screening.completed_at is not None else None


def _read(tracker: Tracker, stage: Optional[str], offered: List[int], now: datetime) -> Reply:
    text = tracker.latest_message.get("text") or ""
    if stage == OFFERING and offered:
        tz, _ = _zone(tracker)
        return read_offer_reply(text, len(offered), now, tz, horizon_days=program().assessments.book_ahead_days + 1)
    if stage in (REMINDERS, VERIFYING):
        return read_number_reply(text)
    return Reply(after_booking(text) or Kind.BOOK)  # the policy sends only requests about the booking here


class ActionBooking(Action):
    def name(self) -> Text:
        return "action_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        now = utcnow()
        offered = [int(i) for i in tracker.get_slot("booking_offer") or []]
        stage = tracker.get_slot("booking_stage")
        reply = _read(tracker, stage, offered, now)
        kind = reply.kind
        if stage in (REMINDERS, VERIFYING) and kind in (Kind.NUMBER, Kind.CODE, Kind.NOT_NOW, Kind.UNCLEAR):
            return await self._reminders(dispatcher, tracker, reply, now)
        if kind in (Kind.CHOOSE, Kind.UNCLEAR) and time.time() - float(tracker.get_slot("booking_offered_at") or 0) \
                > OFFER_LIFETIME_S:
            return offer_times(dispatcher, tracker, now, lead=texts.stale_offer())
        if kind is Kind.CHOOSE:
            return self._take(dispatcher, tracker, offered[reply.index], now)
        if kind is Kind.MORE:
            after = tracker.get_slot("booking_after")
            shown = frozenset((s.starts_at, s.modality) for s in desk().slots(offered))
            return offer_times(dispatcher, tracker, now, after=datetime.fromisoformat(after) if after else None,
                               shown=shown)
        if kind is Kind.WHEN:
            return self._when(dispatcher, tracker, reply.when, now)
        if kind is Kind.NOT_NOW:
            return self._not_now(dispatcher, tracker, now)
        if kind is Kind.CANCEL:
            return self._cancel(dispatcher, tracker, now)
        if kind in (Kind.RESCHEDULE, Kind.BOOK, Kind.STATUS):
            return self._start(dispatcher, tracker, now, kind)
        still_free = desk().still_bookable(offered, now)
        if len(still_free) < len(offered):  # some went meanwhile: show what is free now
            return offer_times(dispatcher, tracker, now, lead=texts.stale_offer())
        tz, named = _zone(tracker)
        dispatcher.utter_message(text=texts.unclear(len(offered)),
                                 buttons=texts.offer_buttons(still_free, tz, zone=named))
        return []

    def _when(self, dispatcher: CollectingDispatcher, tracker: Tracker, when: When, now: datetime) -> List[EventType]:
        if when.windows:
            return offer_times(dispatcher, tracker, now, when=when)
        # Nothing left of what they named: in the past, or further ahead than bookings go.
        later = read_when(tracker.latest_message.get("text") or "", now, when.tz, horizon_days=3 * 366)
        if later is not None and later.windows:
            dispatcher.utter_message(text=texts.too_far(program(), when.phrase))
        else:
            dispatcher.utter_message(text=texts.passed(when.phrase))
        return []

    def _not_now(self, dispatcher: CollectingDispatcher, tracker: Tracker, now: datetime) -> List[EventType]:
        current = desk().upcoming(tracker.sender_id, now)
        if current is not None:  # "not now" while choosing a new time: the booking stays as it is
            dispatcher.utter_message(text=texts.keeping(current.slot, *_zone(tracker, current)))
            return [SlotSet("booking_stage", BOOKED), SlotSet("booking_offer", None)]
        dispatcher.utter_message(text=texts.not_now(program()))
        return [SlotSet("booking_stage", OPEN), SlotSet("booking_offer", None)]

    def _start(self, dispatcher: CollectingDispatcher, tracker: Tracker, now: datetime, kind: Kind) -> List[EventType]:
        current = desk().upcoming(tracker.sender_id, now)
        if current is not None and kind is Kind.RESCHEDULE:
            dispatcher.utter_message(text=texts.rescheduling(current.slot, *_zone(tracker, current)))
            return offer_times(dispatcher, tracker, now)
        if current is not None:
            dispatcher.utter_message(text=texts.already_booked(current.slot, *_zone(tracker, current)))
            return [SlotSet("booking_stage", BOOKED)]
        if kind is not Kind.BOOK:
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
        tz, named = _zone(tracker)
        try:
            booking = desk().book(slot_id=slot_id, conversation_id=tracker.sender_id, channel=channel,
                                  screening_id=screening_id,
                                  contact_conversation_id=tracker.sender_id if by_text else None,
                                  person_tz=tz.key if named else None, now=now)
        except SlotTaken as error:
            return offer_times(dispatcher, tracker, now, lead=texts.taken() if error.taken else texts.gone())
        slot = booking.slot
        if by_text:
            message = texts.sms_confirmation(program(), slot, slot.location, tz, zone=named, moved=moving)
        else:
            url = f"{settings().console_url}/calendar/{booking.calendar_token}.ics"
            message = texts.confirmation(program(), slot, slot.location, tz, url, zone=named, moved=moving)
        dispatcher.utter_message(text=message)
        if by_text or not settings().sms_configured or booking.contact_conversation_id is not None:
            return [SlotSet("booking_stage", BOOKED), SlotSet("booking_offer", None)]
        dispatcher.utter_message(text=texts.ask_reminder_number(program()), buttons=NO_THANKS)
        return [SlotSet("booking_stage", REMINDERS), SlotSet("booking_offer", None)]

    async def _reminders(self, dispatcher: CollectingDispatcher, tracker: Tracker, reply: Reply,
                         now: datetime) -> List[EventType]:
        """After booking in the widget: "text reminders?" -> a number -> the code texted to it -> reminders on."""
        booking = desk().upcoming(tracker.sender_id, now)
        current = settings()
        if booking is None or reply.kind is Kind.NOT_NOW:
            dispatcher.utter_message(text=texts.reminders_off())
            return [SlotSet("booking_stage", BOOKED)]
        if reply.kind is Kind.NUMBER:
            if desk().opted_out(reply.number, id_key=current.sms_id_key):
                dispatcher.utter_message(text=texts.number_opted_out(reply.number), buttons=NO_THANKS)
                return [SlotSet("booking_stage", REMINDERS)]
            try:
                code = desk().start_number_check(booking.id, reply.number, cipher=NumberCipher(current.sms_number_key),
                                                 now=now, id_key=current.sms_id_key)
            except CodeRefused:
                dispatcher.utter_message(text=texts.codes_used_up(program()))
                return [SlotSet("booking_stage", BOOKED)]
            if not await _text(reply.number, texts.number_code(program(), code)):
                dispatcher.utter_message(text=texts.code_not_sent(), buttons=NO_THANKS)
                return [SlotSet("booking_stage", REMINDERS)]
            dispatcher.utter_message(text=texts.code_sent(reply.number), buttons=NO_THANKS)
            return [SlotSet("booking_stage", VERIFYING)]
        if reply.kind is Kind.CODE and tracker.get_slot("booking_stage") == VERIFYING:
            result, number = desk().confirm_number(booking.id, reply.code, id_key=current.sms_id_key,
                                                   cipher=NumberCipher(current.sms_number_key), now=now)
            if result is Check.CONFIRMED:
                dispatcher.utter_message(text=texts.reminders_on(number))
                return [SlotSet("booking_stage", BOOKED)]
            if result is Check.WRONG:
                dispatcher.utter_message(text=texts.code_wrong(), buttons=NO_THANKS)
                return []
            if result is Check.GIVEN_UP:
                dispatcher.utter_message(text=texts.code_given_up())
                return [SlotSet("booking_stage", BOOKED)]
            dispatcher.utter_message(text=texts.code_expired(), buttons=NO_THANKS)
            return [SlotSet("booking_stage", REMINDERS)]
        unclear = texts.unclear_code() if tracker.get_slot("booking_stage") == VERIFYING else texts.unclear_number()
        dispatcher.utter_message(text=unclear, buttons=NO_THANKS)
        return []

    def _cancel(self, dispatcher: CollectingDispatcher, tracker: Tracker, now: datetime) -> List[EventType]:
        cancelled = desk().cancel(tracker.sender_id, now)
        if cancelled is None and tracker.get_slot("booking_stage") == OFFERING:  # "cancel" to the offer: not now
            return self._not_now(dispatcher, tracker, now)
        if cancelled is None:
            dispatcher.utter_message(text=texts.nothing_booked(program()))
            return []
        dispatcher.utter_message(text=texts.cancelled(program(), cancelled.slot, *_zone(tracker, cancelled)))
        return [SlotSet("booking_stage", OPEN), SlotSet("booking_offer", None)]
