"""The booking conversation: offering times after a screening, taking the chosen one, text reminders for a
booking made in the widget (a number, then the code texted to it), and cancelling or moving it later.

Its stages (the booking_stage slot) are defined here, once; the safety policy's routing (bot/routing.py) and
the crisis path (actions/common.py `step_back`) read them from here. actions/booking.py reads the slots off
the tracker into a `Conversation` and turns the `Outcome` into Rasa events; the desk (bot/booking/desk.py)
keeps the bookings. Which messages reach it is decided by bot/routing.py `booking_action`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dt_time
from typing import Any, Mapping, Optional
from zoneinfo import ZoneInfo

from bot.booking import texts
from bot.booking.desk import Check, CodeRefused, Desk, SlotTaken
from bot.booking.offers import Preferences
from bot.booking.phrases import When, read_when
from bot.booking.replies import Kind, Reply, after_booking, read_number_reply, read_offer_reply
from bot.booking.slots import horizon_days
from bot.booking.store import Booking
from bot.eligibility import BOOKABLE
from bot.program import Program
from bot.settings import Settings
from bot.sms.identity import NumberCipher
from bot.sms.twilio_rest import TwilioConfig, TwilioSms
from bot.store import crud
from bot.store.db import session_scope
from bot.turn import Button, Say

# The slots the booking conversation keeps (domain.yml).
STAGE_SLOT = "booking_stage"
OFFER_SLOT = "booking_offer"  # the ids of the times on offer, in the order shown
AFTER_SLOT = "booking_after"  # the last time shown: "other times" are the ones after it
OFFERED_AT_SLOT = "booking_offered_at"  # when the times were offered (seconds since the epoch)
TZ_SLOT = "booking_tz"  # the zone the person named, when they named one


class Stage:
    """The booking_stage slot's values (plain strings: they are the slot's values on the wire)."""

    OFFERING = "offering"  # times on offer
    BOOKED = "booked"
    REMINDERS = "reminders"  # asked for a number for text reminders
    VERIFYING = "verifying"  # waiting for the code texted to that number
    OPEN = "open"  # not booked yet


# Stages in which every message is read as a reply to the bot's last question about booking.
AWAITING_REPLY = frozenset({Stage.OFFERING, Stage.REMINDERS, Stage.VERIFYING})
OFFER_LIFETIME_S = 6 * 60 * 60  # a "2" this long after the offer gets today's times instead: slots change
NO_THANKS: tuple[Button, ...] = ({"title": "No thanks", "payload": "no thanks"},)
Slots = list[tuple[str, Any]]


@dataclass(frozen=True)
class Conversation:
    """Who is writing, what they wrote, and the booking slots."""

    conversation_id: str
    channel: str
    by_text: bool  # an SMS conversation: no links, and the booking's texts go to this number
    text: str
    answers: Mapping[str, Any]  # the screening's answers: which times suit
    stage: Optional[str] = None
    offered: tuple[int, ...] = ()
    after: Optional[str] = None
    offered_at: float = 0.0
    tz: Optional[str] = None


@dataclass
class Outcome:
    say: list[Say] = field(default_factory=list)
    slots: Slots = field(default_factory=list)


async def take_turn(conv: Conversation, now: datetime, *, program: Program, desk: Desk, settings: Settings) -> Outcome:
    """The reply to a message the safety policy sent to booking."""
    turn = _Turn(conv, program, desk, settings)
    turn.out.slots = await turn.reply(now)
    return turn.out


def offer_after_screening(
    conv: Conversation, outcome: Optional[str], now: datetime, *, program: Program, desk: Desk, settings: Settings
) -> Outcome:
    """The first offer, right after a screening whose outcome allows an assessment."""
    turn = _Turn(conv, program, desk, settings)
    if outcome in BOOKABLE:
        turn.out.slots = turn.offer_times(now, first=True)
    return turn.out


class _Turn:
    def __init__(self, conv: Conversation, program: Program, desk: Desk, settings: Settings) -> None:
        self.conv, self.program, self.desk, self.settings = conv, program, desk, settings
        self.out = Outcome()

    def say(self, text: str, buttons: tuple[Button, ...] | list[Button] = ()) -> None:
        self.out.say.append(Say(text, tuple(buttons)))

    def zone(self, booking: Optional[Booking] = None) -> tuple[ZoneInfo, bool]:
        """The zone to show times in, and whether to name it: the person's own when they gave one (kept on the
        booking, and in the booking_tz slot), else the program's."""
        name = (booking.person_tz if booking is not None else None) or self.conv.tz
        return (ZoneInfo(name), True) if name else (self.program.tz, False)

    def offer_times(
        self,
        now: datetime,
        *,
        lead: Optional[str] = None,
        first: bool = False,
        after: Optional[datetime] = None,
        shown: frozenset[tuple[datetime, str]] = frozenset(),
        when: Optional[When] = None,
    ) -> Slots:
        """Offer the next times that suit the person (`first`: with the invitation to book; `after` and
        `shown`: the ones after a page already shown); the slots that remember what was offered."""
        person_tz = when.tz if when is not None and when.named_zone else None
        offer = self.desk.offer(Preferences.from_answers(self.conv.answers), now, after=after, shown=shown, when=when)
        if not offer.slots:
            self.say(texts.no_more_times(self.program) if after else texts.no_times(self.program))
            return [] if after else [(STAGE_SLOT, Stage.OPEN), (OFFER_SLOT, None)]
        if first:
            lead = texts.first_offer(offer.fits)
        elif lead is None:
            lead = texts.more_offer(offer.fits, when.phrase if when is not None else None)
        tz, named = (person_tz, True) if person_tz is not None else self.zone()
        self.say(lead, texts.offer_buttons(offer.slots, tz, zone=named))
        return [
            (STAGE_SLOT, Stage.OFFERING),
            (OFFER_SLOT, [slot.id for slot in offer.slots]),
            (AFTER_SLOT, offer.slots[-1].starts_at.isoformat()),
            (OFFERED_AT_SLOT, time.time()),
            (TZ_SLOT, tz.key if named else None),
        ]

    def read(self, now: datetime) -> Reply:
        """The one reading of the message, for the stage the conversation is at."""
        stage, offered = self.conv.stage, self.conv.offered
        if stage == Stage.OFFERING and offered:
            tz, _ = self.zone()
            # Up to the end of the desk's last bookable day, so that the day after it is "too far ahead" at any
            # hour of asking.
            _, last = horizon_days(self.program.assessments, self.program.tz, now)
            until = datetime.combine(last + timedelta(days=1), dt_time(0), tzinfo=self.program.tz)
            return read_offer_reply(
                self.conv.text,
                len(offered),
                now,
                tz,
                horizon_days=self.program.assessments.book_ahead_days + 1,
                until=until,
            )
        if stage in (Stage.REMINDERS, Stage.VERIFYING):
            return read_number_reply(self.conv.text)
        return Reply(after_booking(self.conv.text) or Kind.BOOK)  # the policy sends only requests about booking

    async def reply(self, now: datetime) -> Slots:
        offered = list(self.conv.offered)
        stage = self.conv.stage
        reply = self.read(now)
        kind = reply.kind
        if stage in (Stage.REMINDERS, Stage.VERIFYING) and kind in (Kind.NUMBER, Kind.CODE, Kind.NOT_NOW, Kind.UNCLEAR):
            return await self.reminders(reply, now)
        if kind in (Kind.CHOOSE, Kind.UNCLEAR) and time.time() - self.conv.offered_at > OFFER_LIFETIME_S:
            return self.offer_times(now, lead=texts.stale_offer())
        if kind is Kind.CHOOSE and reply.index is not None:
            return self.take(offered[reply.index], now)
        if kind is Kind.MORE:
            after = self.conv.after
            shown = frozenset((s.starts_at, s.modality) for s in self.desk.slots(offered))
            return self.offer_times(now, after=datetime.fromisoformat(after) if after else None, shown=shown)
        if kind is Kind.WHEN and reply.when is not None:
            return self.when(reply.when, now)
        if kind is Kind.NOT_NOW:
            return self.not_now(now)
        if kind is Kind.CANCEL:
            return self.cancel(now)
        if kind in (Kind.RESCHEDULE, Kind.BOOK, Kind.STATUS):
            return self.start(now, kind)
        still_free = self.desk.still_bookable(offered, now)
        if len(still_free) < len(offered):  # some went meanwhile: show what is free now
            return self.offer_times(now, lead=texts.stale_offer())
        tz, named = self.zone()
        self.say(texts.unclear(len(offered)), texts.offer_buttons(still_free, tz, zone=named))
        return []

    def when(self, when: When, now: datetime) -> Slots:
        if when.windows:
            return self.offer_times(now, when=when)
        # Nothing left of what they named: in the past, or further ahead than bookings go.
        later = read_when(self.conv.text, now, when.tz, horizon_days=3 * 366)
        if later is not None and later.windows:
            self.say(texts.too_far(self.program, when.phrase))
        else:
            self.say(texts.passed(when.phrase))
        return []

    def not_now(self, now: datetime) -> Slots:
        current = self.desk.upcoming(self.conv.conversation_id, now)
        if current is not None:  # "not now" while choosing a new time: the booking stays as it is
            self.say(texts.keeping(current.slot, *self.zone(current)))
            return [(STAGE_SLOT, Stage.BOOKED), (OFFER_SLOT, None)]
        self.say(texts.not_now(self.program))
        return [(STAGE_SLOT, Stage.OPEN), (OFFER_SLOT, None)]

    def start(self, now: datetime, kind: Kind) -> Slots:
        current = self.desk.upcoming(self.conv.conversation_id, now)
        if current is not None and kind is Kind.RESCHEDULE:
            self.say(texts.rescheduling(current.slot, *self.zone(current)))
            return self.offer_times(now)
        if current is not None:
            self.say(texts.already_booked(current.slot, *self.zone(current)))
            return [(STAGE_SLOT, Stage.BOOKED)]
        if kind is not Kind.BOOK:
            self.say(texts.nothing_booked(self.program))
            return []
        outcome = self.screening_outcome()
        if outcome not in BOOKABLE:  # no screening yet, or one that points elsewhere: the intake team helps
            self.say(texts.not_bookable(self.program, screened=outcome is not None))
            return []
        return self.offer_times(now, first=True)

    def screening_outcome(self) -> Optional[str]:
        """The outcome of the conversation's finished screening; None when none has finished."""
        with session_scope(self.settings.database_url) as session:
            screening = crud.latest_screening(session, conversation_id=self.conv.conversation_id)
            return screening.outcome if screening is not None and screening.completed_at is not None else None

    def take(self, slot_id: int, now: datetime) -> Slots:
        conv = self.conv
        moving = self.desk.upcoming(conv.conversation_id, now) is not None
        with session_scope(self.settings.database_url) as session:
            screening = crud.latest_screening(session, conversation_id=conv.conversation_id)
            screening_id = screening.id if screening is not None else None
        tz, named = self.zone()
        try:
            booking = self.desk.book(
                slot_id=slot_id,
                conversation_id=conv.conversation_id,
                channel=conv.channel,
                screening_id=screening_id,
                contact_conversation_id=conv.conversation_id if conv.by_text else None,
                person_tz=tz.key if named else None,
                now=now,
            )
        except SlotTaken as error:
            return self.offer_times(now, lead=texts.taken() if error.taken else texts.gone())
        slot = booking.slot
        if conv.by_text:
            message = texts.sms_confirmation(self.program, slot, slot.location, tz, zone=named, moved=moving)
        else:
            url = f"{self.settings.console_url}/calendar/{booking.calendar_token}.ics"
            message = texts.confirmation(self.program, slot, slot.location, tz, url, zone=named, moved=moving)
        self.say(message)
        if conv.by_text or not self.settings.sms_configured or booking.contact_conversation_id is not None:
            return [(STAGE_SLOT, Stage.BOOKED), (OFFER_SLOT, None)]
        self.say(texts.ask_reminder_number(self.program), NO_THANKS)
        return [(STAGE_SLOT, Stage.REMINDERS), (OFFER_SLOT, None)]

    async def reminders(self, reply: Reply, now: datetime) -> Slots:
        """After booking in the widget: "text reminders?" -> a number -> the code texted to it -> reminders on."""
        booking = self.desk.upcoming(self.conv.conversation_id, now)
        current = self.settings
        verifying = self.conv.stage == Stage.VERIFYING
        if booking is None or reply.kind is Kind.NOT_NOW:
            self.say(texts.reminders_off())
            return [(STAGE_SLOT, Stage.BOOKED)]
        if reply.kind is Kind.NUMBER and reply.number is not None:
            if self.desk.opted_out(reply.number, id_key=current.sms_id_key):
                self.say(texts.number_opted_out(reply.number), NO_THANKS)
                return [(STAGE_SLOT, Stage.REMINDERS)]
            try:
                code = self.desk.start_number_check(
                    booking.id,
                    reply.number,
                    cipher=NumberCipher(current.sms_number_key),
                    now=now,
                    id_key=current.sms_id_key,
                )
            except CodeRefused:
                self.say(texts.codes_used_up(self.program))
                return [(STAGE_SLOT, Stage.BOOKED)]
            if not await self.text(reply.number, texts.number_code(self.program, code)):
                self.say(texts.code_not_sent(), NO_THANKS)
                return [(STAGE_SLOT, Stage.REMINDERS)]
            self.say(texts.code_sent(reply.number), NO_THANKS)
            return [(STAGE_SLOT, Stage.VERIFYING)]
        if reply.kind is Kind.CODE and reply.code is not None and verifying:
            result, number = self.desk.confirm_number(
                booking.id, reply.code, id_key=current.sms_id_key, cipher=NumberCipher(current.sms_number_key), now=now
            )
            if result is Check.CONFIRMED:
                assert number is not None  # a confirmed code always comes with the number it confirmed
                self.say(texts.reminders_on(number))
                return [(STAGE_SLOT, Stage.BOOKED)]
            if result is Check.WRONG:
                self.say(texts.code_wrong(), NO_THANKS)
                return []
            if result is Check.GIVEN_UP:
                self.say(texts.code_given_up())
                return [(STAGE_SLOT, Stage.BOOKED)]
            self.say(texts.code_expired(), NO_THANKS)
            return [(STAGE_SLOT, Stage.REMINDERS)]
        self.say(texts.unclear_code() if verifying else texts.unclear_number(), NO_THANKS)
        return []

    async def text(self, number: str, body: str) -> bool:
        """Send one text now (the code for a number given in the widget), off the event loop: retries sleep."""
        config = TwilioConfig.from_settings(self.settings)
        if config is None:
            return False
        sent = await asyncio.get_running_loop().run_in_executor(None, TwilioSms(config).send, number, body)
        return sent.ok

    def cancel(self, now: datetime) -> Slots:
        cancelled = self.desk.cancel(self.conv.conversation_id, now)
        if cancelled is None and self.conv.stage == Stage.OFFERING:  # "cancel" to the offer: not now
            return self.not_now(now)
        if cancelled is None:
            self.say(texts.nothing_booked(self.program))
            return []
        self.say(texts.cancelled(self.program, cancelled.slot, *self.zone(cancelled)))
        return [(STAGE_SLOT, Stage.OPEN), (OFFER_SLOT, None)]
