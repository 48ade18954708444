"""The booking conversation's state machine (bot/booking/conversation.py) driven directly, as plain Python: a
`Conversation` value per message, a real `Desk` on a migrated SQLite database, a fixed `now` in the program's
zone (Thursday Nov 26 2026, 10 AM in Portland) and, for text reminders, the local fake Twilio. What is checked
is what the person would notice: the texts and buttons, the stage the conversation moves to, and the booking.

Slot ids, `after` and the stage travel between turns as the slots would (`Chat` applies each `Outcome`'s slot
updates), so multi-turn flows read like a conversation."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import datetime, timedelta
from typing import Any, Mapping, Optional
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.booking import texts
from bot.booking.conversation import (
    AFTER_SLOT,
    NO_THANKS,
    OFFER_LIFETIME_S,
    OFFER_SLOT,
    OFFERED_AT_SLOT,
    STAGE_SLOT,
    TZ_SLOT,
    Conversation,
    Outcome,
    Stage,
    offer_after_screening,
    take_turn,
)
from bot.booking.desk import CODE_MINUTES, CODE_TRIES, Desk
from bot.booking.replies import MORE_PAYLOAD, NOT_NOW_PAYLOAD
from bot.booking.store import Booking, Slot
from bot.program import Program, load_program
from bot.settings import Settings
from bot.sms.identity import pseudonym
from bot.store import crud
from bot.store.db import session_scope
from bot.turn import Say
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio

LA = ZoneInfo("America/Los_Angeles")  # the program's zone (program.yml)
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=LA)  # a Thursday: the first times that fit ANSWERS are Tuesday's
ANSWERS = {"schedule_times": ["afternoon", "evening"], "modality": "telehealth"}
WEB = "web-" + "a" * 32
OTHER = "web-" + "b" * 32
SMS = "sms-" + "1" * 24
PHONE = "+15035550177"  # fictional (555-01xx)
FIRST_PAGE = ["Tue Dec 1, 3:00 PM (telehealth)", "Tue Dec 1, 4:00 PM (telehealth)", "Tue Dec 1, 5:00 PM (telehealth)"]
CHOICE_BUTTONS = ["Other times", "Not now"]


@dataclasses.dataclass
class World:
    program: Program
    desk: Desk
    settings: Settings


@dataclasses.dataclass
class Chat:
    """One person's conversation: the booking slots as the tracker would hold them between messages."""

    world: World
    who: str = WEB
    by_text: bool = False
    answers: Mapping[str, Any] = dataclasses.field(default_factory=lambda: dict(ANSWERS))
    stage: Optional[str] = None
    offered: tuple[int, ...] = ()
    after: Optional[str] = None
    offered_at: float = 0.0
    tz: Optional[str] = None

    def conversation(self, text: str) -> Conversation:
        channel = "sms" if self.by_text else "rest"
        return Conversation(
            self.who,
            channel,
            self.by_text,
            text,
            self.answers,
            self.stage,
            self.offered,
            self.after,
            self.offered_at,
            self.tz,
        )

    def screened(self, outcome: Optional[str] = "likely_fit", now: datetime = NOW) -> Outcome:
        """The screening has just finished with `outcome` (recorded, as the form does)."""
        if outcome is not None:
            complete_screening(self.world, self.who, outcome)
        w = self.world
        return self.apply(
            offer_after_screening(
                self.conversation(""), outcome, now, program=w.program, desk=w.desk, settings=w.settings
            )
        )

    def send(self, text: str, now: datetime = NOW) -> Outcome:
        w = self.world
        turn = take_turn(self.conversation(text), now, program=w.program, desk=w.desk, settings=w.settings)
        return self.apply(asyncio.run(turn))

    def apply(self, outcome: Outcome) -> Outcome:
        for name, value in outcome.slots:
            if name == STAGE_SLOT:
                self.stage = value
            elif name == OFFER_SLOT:
                self.offered = tuple(value or ())
            elif name == AFTER_SLOT:
                self.after = value
            elif name == OFFERED_AT_SLOT:
                self.offered_at = value
            elif name == TZ_SLOT:
                self.tz = value
            else:
                raise AssertionError(f"a slot the booking conversation does not own: {name}")
        return outcome

    def booking(self, now: datetime = NOW) -> Optional[Booking]:
        return self.world.desk.upcoming(self.who, now)


def complete_screening(world: World, who: str, outcome: str) -> None:
    with session_scope(world.settings.database_url) as session:
        screening = crud.current_screening(session, conversation_id=who, channel="rest")
        crud.update_screening(session, screening=screening, status="completed", outcome=outcome)


def titles(say: Say) -> list[str]:
    return [button["title"] for button in say.buttons]


def labels(say: Say) -> list[str]:
    """The offered times' buttons, without "Other times" and "Not now" (checked to be there, last)."""
    assert titles(say)[-2:] == CHOICE_BUTTONS
    assert [b["payload"] for b in say.buttons][-2:] == [MORE_PAYLOAD, NOT_NOW_PAYLOAD]
    return titles(say)[:-2]


def only(outcome: Outcome) -> Say:
    [say] = outcome.say
    return say


@pytest.fixture
def world(config: Settings) -> World:
    """The conversation's database (screenings) and the desk's (bookings) are the same SQLite file; Twilio off."""
    settings = dataclasses.replace(config, twilio_account_sid="", twilio_auth_token="", twilio_from_number="")
    program = load_program()
    return World(program, Desk(program, settings.database_url), settings)


@pytest.fixture
def texting(world: World, twilio: FakeTwilio) -> World:
    """Twilio configured, talking to the local fake of its API."""
    return dataclasses.replace(
        world,
        settings=dataclasses.replace(
            world.settings,
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,
            twilio_from_number=FROM_NUMBER,
            twilio_api_url=twilio.url,
        ),
    )


@pytest.fixture
def offering(world: World) -> Chat:
    """A person just screened in the widget, looking at the first three times."""
    chat = Chat(world)
    chat.screened()
    assert chat.stage == Stage.OFFERING and len(chat.offered) == 3
    return chat


def slot_of(world: World, slot_id: int) -> Slot:
    [slot] = world.desk.slots([slot_id])
    return slot


# --- offering times -------------------------------------------------------------------------------------


def test_after_a_screening_the_three_earliest_fitting_times_are_offered_with_buttons(world: World):
    chat = Chat(world)
    before = time.time()
    say = only(chat.screened())
    assert say.text == texts.first_offer(fits=True)
    assert labels(say) == FIRST_PAGE
    assert [b["payload"] for b in say.buttons][:3] == ["1", "2", "3"]
    assert chat.stage == Stage.OFFERING
    assert [slot_of(world, i).starts_at for i in chat.offered] == [
        datetime(2026, 12, 1, hour, tzinfo=LA) for hour in (15, 16, 17)
    ]
    assert chat.after is not None and datetime.fromisoformat(chat.after) == datetime(2026, 12, 1, 17, tzinfo=LA)
    assert chat.tz is None and before <= chat.offered_at <= time.time()


def test_when_no_time_fits_the_schedule_given_the_earliest_are_offered_and_it_is_said(world: World):
    chat = Chat(world, answers={"schedule_times": ["weekend"], "modality": "in_person"})  # no in-person weekends
    say = only(chat.screened())
    assert say.text == texts.first_offer(fits=False)
    assert labels(say) == [f"Fri Nov 27, {h}:00 PM (in person)" for h in (1, 2, 3)]


@pytest.mark.parametrize("outcome", ["refer_outpatient", "refer_higher_level", None])
def test_a_screening_that_points_elsewhere_offers_no_times(world: World, outcome: Optional[str]):
    chat = Chat(world)
    assert chat.screened(outcome) == Outcome()
    assert chat.stage is None


def test_with_no_open_time_at_all_the_intake_team_is_offered_instead(world: World):
    with session_scope(world.settings.database_url) as session:
        world.desk.refresh_slots(session, NOW)
        session.execute(update(Slot).values(status="blocked"))
    chat = Chat(world)
    assert only(chat.screened()).text == texts.no_times(world.program)
    assert chat.stage == Stage.OPEN and chat.offered == ()


def test_other_times_pages_on_without_repeating_and_says_when_there_are_no_more(offering: Chat):
    say = only(offering.send("other times"))
    assert say.text == texts.more_offer(fits=True)
    assert labels(say) == [
        "Tue Dec 1, 6:00 PM (telehealth)",
        "Thu Dec 3, 3:00 PM (telehealth)",
        "Thu Dec 3, 4:00 PM (telehealth)",
    ]
    seen = FIRST_PAGE + labels(say)
    starts = [slot.starts_at for slot in offering.world.desk.slots(list(offering.offered))]
    for _ in range(20):
        out = offering.send("other times")
        if only(out).text == texts.no_more_times(offering.world.program):
            break
        seen += labels(only(out))
        starts += [slot.starts_at for slot in offering.world.desk.slots(list(offering.offered))]
    else:
        raise AssertionError("the pages never ended")
    assert out.slots == [] and offering.stage == Stage.OFFERING  # the last page shown can still be chosen
    assert len(seen) == len(set(seen)) > 12 and all(label.endswith("PM (telehealth)") for label in seen)
    assert starts == sorted(starts) and starts[-1] < datetime(2026, 12, 18, tzinfo=LA)  # 21 days ahead at most


# --- choosing -------------------------------------------------------------------------------------------


def test_choosing_2_books_the_second_time_offered_and_confirms_it_with_the_calendar_link(offering: Chat):
    world, second = offering.world, offering.offered[1]
    out = offering.send("2")
    assert offering.stage == Stage.BOOKED and offering.offered == ()
    booking = offering.booking()
    assert booking is not None and booking.slot_id == second and booking.screening_id is not None
    slot = slot_of(world, second)
    url = f"{world.settings.console_url}/calendar/{booking.calendar_token}.ics"
    [say] = out.say  # Twilio is not configured: no question about text reminders
    assert say.text == texts.confirmation(world.program, slot, slot.location, LA, url)
    assert say.text.startswith("You're booked for a free assessment with a clinician: Tuesday, December 1 at 4:00 PM.")


def test_by_text_the_confirmation_is_short_and_reminders_go_to_that_number(texting: World):
    chat = Chat(texting, who=SMS, by_text=True)
    chat.screened()
    say = only(chat.send("1"))  # even with Twilio configured: the number is already known
    assert (
        say.text
        == "Booked: Riverbend appointment Tue Dec 1, 3:00 PM, by video call. Reply C to cancel, R to reschedule."
    )
    booking = chat.booking()
    assert chat.stage == Stage.BOOKED and booking is not None and booking.contact_conversation_id == SMS
    rescheduling, offer = chat.send("R").say
    assert rescheduling.text.startswith("Let's find a new time.") and labels(offer)[0] == FIRST_PAGE[1]
    say = only(chat.send("1"))
    assert (
        say.text
        == "Moved: Riverbend appointment Tue Dec 1, 4:00 PM, by video call. Reply C to cancel, R to reschedule."
    )


@pytest.mark.parametrize("text", ["1", "hmm"])
def test_a_reply_hours_after_the_offer_gets_the_times_open_now_instead(offering: Chat, text: str):
    offering.offered_at = time.time() - OFFER_LIFETIME_S - 60
    later = datetime(2026, 12, 1, 4, 0, tzinfo=LA)  # Tuesday 4 AM: with 12 hours' notice 3 PM has gone
    before = time.time()
    say = only(offering.send(text, now=later))
    assert say.text == texts.stale_offer()
    assert labels(say) == [f"Tue Dec 1, {h}:00 PM (telehealth)" for h in (4, 5, 6)]
    assert offering.stage == Stage.OFFERING and offering.offered_at >= before  # a fresh offer, choosable again
    assert offering.booking(later) is None


def test_a_time_taken_meanwhile_is_said_kindly_with_new_choices_and_one_of_them_can_be_booked(offering: Chat):
    desk, taken = offering.world.desk, offering.offered[0]
    desk.book(
        slot_id=taken,
        conversation_id=OTHER,
        channel="rest",
        screening_id=None,
        contact_conversation_id=None,
        person_tz=None,
        now=NOW,
    )
    say = only(offering.send("1"))
    assert say.text == texts.taken() == "Sorry, that time was just taken by someone else. Here are other times:"
    assert labels(say) == FIRST_PAGE[1:] + ["Tue Dec 1, 6:00 PM (telehealth)"]
    assert offering.stage == Stage.OFFERING and taken not in offering.offered and offering.booking() is None
    offering.send("1")
    booking = offering.booking()
    assert offering.stage == Stage.BOOKED and booking is not None
    assert booking.slot.starts_at == datetime(2026, 12, 1, 16, tzinfo=LA)


def test_an_unclear_reply_repeats_the_times_on_offer(offering: Chat):
    offered = offering.offered
    out = offering.send("purple")
    assert only(out).text == texts.unclear(3)
    assert labels(only(out)) == FIRST_PAGE
    assert out.slots == [] and offering.offered == offered


def test_an_unclear_reply_after_a_time_went_shows_the_times_open_now(offering: Chat):
    offering.world.desk.book(
        slot_id=offering.offered[2],
        conversation_id=OTHER,
        channel="rest",
        screening_id=None,
        contact_conversation_id=None,
        person_tz=None,
        now=NOW,
    )
    say = only(offering.send("purple"))
    assert say.text == texts.stale_offer()
    assert labels(say) == FIRST_PAGE[:2] + ["Tue Dec 1, 6:00 PM (telehealth)"]


# --- a day in words -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, lead, offered",
    [
        (
            "next Tuesday afternoon",
            "These are the open times for Tuesday Dec 1 afternoon:",
            ["Tue Dec 1, 3:00 PM (telehealth)", "Tue Dec 1, 4:00 PM (telehealth)"],  # 5 PM is evening
        ),
        (  # only in person on Wednesdays: that day's times come first, whatever the modality asked for
            "wednesday morning",
            "These are the open times for Wednesday Dec 2 morning:",
            [f"Wed Dec 2, {h} AM (in person)" for h in ("9:00", "10:00", "11:00")],
        ),
    ],
)
def test_a_day_in_words_offers_that_days_times(offering: Chat, text: str, lead: str, offered: list[str]):
    say = only(offering.send(text))
    assert (say.text, labels(say)) == (lead, offered)
    assert offering.stage == Stage.OFFERING and len(offering.offered) == len(offered)


def test_times_are_shown_and_booked_in_the_zone_the_person_names(offering: Chat):
    say = only(offering.send("tuesday at 6pm eastern"))
    assert labels(say)[0] == "Tue Dec 1, 6:00 PM EST (telehealth)"  # 3 PM in Portland
    assert offering.tz == "America/New_York"
    say = only(offering.send("1"))
    assert say.text.startswith(
        "You're booked for a free assessment with a clinician: Tuesday, December 1 at 6:00 PM EST."
    )
    booking = offering.booking()
    assert booking is not None and booking.person_tz == "America/New_York"
    assert only(offering.send("when is my appointment?")).text.startswith("You're booked for Tue Dec 1, 6:00 PM EST.")


@pytest.mark.parametrize(
    "text, said",
    [
        ("December 31", lambda p: texts.too_far(p, "Thursday Dec 31")),
        ("yesterday", lambda p: texts.passed("yesterday")),
        ("last monday", lambda p: texts.passed("Monday Nov 23")),
    ],
)
def test_a_day_beyond_the_horizon_is_too_far_ahead_and_one_in_the_past_has_passed(offering: Chat, text, said):
    offered = offering.offered
    out = offering.send(text)
    assert only(out).text == said(offering.world.program) and only(out).buttons == ()
    assert out.slots == [] and offering.offered == offered  # the times on offer can still be chosen


# Whole days, as the desk counts them: the day after the last bookable one is too far at any hour of asking.
def test_the_day_after_the_last_bookable_day_is_too_far_ahead_too(offering: Chat):
    assert only(offering.send("December 18 afternoon")).text == texts.too_far(
        offering.world.program, "Friday Dec 18 afternoon"
    )
    assert only(offering.send("December 19")).text == texts.too_far(offering.world.program, "Saturday Dec 19")
    assert only(offering.send("December 18")).text == texts.too_far(offering.world.program, "Friday Dec 18")


# --- not now, cancel, reschedule, status, book ----------------------------------------------------------


@pytest.mark.parametrize("text", ["not now", "cancel"])  # "cancel" to an offer with nothing booked: not now
def test_not_now_to_an_offer_leaves_it_open_to_book_later(offering: Chat, text: str):
    say = only(offering.send(text))
    assert say.text == texts.not_now(offering.world.program)
    assert offering.stage == Stage.OPEN and offering.offered == () and offering.booking() is None


def test_reschedule_keeps_the_old_booking_until_a_new_time_is_chosen(offering: Chat):
    world = offering.world
    offering.send("1")
    old = offering.booking()
    assert old is not None
    rescheduling, offer = offering.send("R").say
    assert rescheduling.text == texts.rescheduling(old.slot, LA)
    assert (
        rescheduling.text
        == "Let's find a new time. Your appointment on Tue Dec 1, 3:00 PM stays booked until you choose one."
    )
    assert offer.text == texts.more_offer(fits=True) and "Tue Dec 1, 3:00 PM (telehealth)" not in labels(offer)
    assert offering.stage == Stage.OFFERING
    still = offering.booking()
    assert still is not None and still.id == old.id and still.slot_id == old.slot_id  # nothing moved yet
    new_slot = offering.offered[1]
    say = only(offering.send("2"))
    assert say.text.startswith("Done, your assessment is moved: Tuesday, December 1 at 5:00 PM.")
    moved = offering.booking()
    assert moved is not None and moved.slot_id == new_slot and offering.stage == Stage.BOOKED
    assert [s.id for s in world.desk.still_bookable([old.slot_id], NOW)] == [old.slot_id]  # the old time is free


def test_not_now_while_choosing_a_new_time_keeps_the_booking_as_it_is(offering: Chat):
    offering.send("1")
    old = offering.booking()
    assert old is not None
    offering.send("reschedule my appointment")
    say = only(offering.send("not now"))
    assert (
        say.text == texts.keeping(old.slot, LA) == "No problem: your appointment on Tue Dec 1, 3:00 PM stays as it is."
    )
    assert offering.stage == Stage.BOOKED and offering.offered == ()
    kept = offering.booking()
    assert kept is not None and kept.slot_id == old.slot_id


def test_cancel_frees_the_slot_at_once(offering: Chat):
    world = offering.world
    offering.send("1")
    booking = offering.booking()
    assert booking is not None
    say = only(offering.send("C"))
    assert say.text == texts.cancelled(world.program, booking.slot, LA)
    assert say.text.startswith("Your appointment on Tue Dec 1, 3:00 PM is cancelled.")
    assert offering.stage == Stage.OPEN and offering.booking() is None
    assert [s.id for s in world.desk.still_bookable([booking.slot_id], NOW)] == [booking.slot_id]
    out = offering.send("cancel")  # nothing left to cancel
    assert only(out).text == texts.nothing_booked(world.program) and out.slots == []


def test_only_the_conversation_that_booked_can_cancel_or_move_it(offering: Chat):
    world = offering.world
    offering.send("1")
    someone_else = Chat(world, who=OTHER, stage=Stage.BOOKED)
    for text in ("cancel my appointment", "R"):
        out = someone_else.send(text)
        assert only(out).text == texts.nothing_booked(world.program) and out.slots == []
    booking = offering.booking()
    assert booking is not None and booking.slot.starts_at == datetime(2026, 12, 1, 15, tzinfo=LA)


@pytest.mark.parametrize("text", ["when is my appointment?", "can I book an appointment?"])
def test_asking_about_it_or_to_book_again_once_booked_says_when_it_is(offering: Chat, text: str):
    offering.send("1")
    offering.stage = Stage.OPEN  # whatever the slot says, the desk knows
    say = only(offering.send(text))
    assert say.text == "You're booked for Tue Dec 1, 3:00 PM. Reply R to reschedule or C to cancel."
    assert offering.stage == Stage.BOOKED


def test_asking_when_it_is_with_nothing_booked(world: World):
    out = Chat(world, stage=Stage.OPEN).send("when is my appointment?")
    assert only(out).text == texts.nothing_booked(world.program) and out.slots == []


@pytest.mark.parametrize(
    "outcome, said",
    [
        (None, lambda p: texts.not_bookable(p, screened=False)),  # no screening yet
        ("refer_outpatient", lambda p: texts.not_bookable(p, screened=True)),
        ("needs_review", lambda p: texts.first_offer(fits=True)),
    ],
)
def test_asking_to_book_later_offers_times_only_after_a_screening_that_allows_it(world: World, outcome, said):
    chat = Chat(world, stage=Stage.OPEN)
    if outcome is not None:
        complete_screening(world, chat.who, outcome)
    out = chat.send("book")
    assert only(out).text == said(world.program)
    if outcome == "needs_review":
        assert labels(only(out)) == FIRST_PAGE and chat.stage == Stage.OFFERING
    else:
        assert out.slots == [] and chat.stage == Stage.OPEN


# --- text reminders after booking in the widget ---------------------------------------------------------


def code_in(twilio: FakeTwilio) -> str:
    body = twilio.to(PHONE)[-1]
    return body.split("code is ")[1][:4]


def booked_in_the_widget(world: World) -> Chat:
    chat = Chat(world)
    chat.screened()
    confirmation, question = chat.send("1").say
    assert confirmation.text.startswith("You're booked for a free assessment")
    assert question.text == texts.ask_reminder_number(world.program)
    assert question.text.startswith("Would you like text reminders 24 hours and 2 hours before?")
    assert question.buttons == NO_THANKS and chat.stage == Stage.REMINDERS
    return chat


def test_reminders_go_to_a_number_once_the_code_texted_to_it_is_typed(texting: World, twilio: FakeTwilio):
    chat = booked_in_the_widget(texting)
    out = chat.send("hmm")
    assert only(out) == Say(texts.unclear_number(), NO_THANKS) and out.slots == []
    say = only(chat.send("(503) 555-0177"))
    assert say == Say(texts.code_sent(PHONE), NO_THANKS) and "ending in 77" in say.text
    assert chat.stage == Stage.VERIFYING
    code = code_in(twilio)
    assert twilio.to(PHONE) == [texts.number_code(texting.program, code)]
    out = chat.send("hmm")
    assert only(out) == Say(texts.unclear_code(), NO_THANKS) and out.slots == []
    out = chat.send("0000" if code != "0000" else "1111")
    assert only(out) == Say(texts.code_wrong(), NO_THANKS) and out.slots == [] and chat.stage == Stage.VERIFYING
    booking = chat.booking()
    assert booking is not None and booking.contact_conversation_id is None  # not before the right code
    say = only(chat.send(code))
    assert say.text == texts.reminders_on(PHONE) and "555" not in say.text
    booking = chat.booking()
    assert chat.stage == Stage.BOOKED and booking is not None
    assert booking.contact_conversation_id == pseudonym(PHONE, texting.settings.sms_id_key)


@pytest.mark.parametrize("stage", [Stage.REMINDERS, Stage.VERIFYING])
def test_no_thanks_to_text_reminders_at_either_step(texting: World, twilio: FakeTwilio, stage: str):
    chat = booked_in_the_widget(texting)
    if stage == Stage.VERIFYING:
        chat.send("503-555-0177")
    assert chat.stage == stage
    say = only(chat.send("no thanks"))
    assert say.text == texts.reminders_off() == "No problem, no text reminders."
    booking = chat.booking()
    assert chat.stage == Stage.BOOKED and booking is not None and booking.contact_conversation_id is None


def test_wrong_codes_are_counted_and_then_no_more_codes_are_sent(texting: World, twilio: FakeTwilio):
    chat = booked_in_the_widget(texting)
    chat.send("503 555 0177")
    wrong = "0000" if code_in(twilio) != "0000" else "1111"
    said = [only(chat.send(wrong)).text for _ in range(CODE_TRIES)]
    assert said == [texts.code_wrong()] * (CODE_TRIES - 1) + [texts.code_given_up()]
    assert chat.stage == Stage.BOOKED
    chat.stage = Stage.REMINDERS  # a new number does not reset the tries
    say = only(chat.send("503 555 0199"))
    assert say.text == texts.codes_used_up(texting.program) and chat.stage == Stage.BOOKED
    assert twilio.to("+15035550199") == [] and len(twilio.to(PHONE)) == 1
    booking = chat.booking()
    assert booking is not None and booking.contact_conversation_id is None


def test_a_code_typed_too_late_has_expired_and_a_new_number_is_asked_for(texting: World, twilio: FakeTwilio):
    chat = booked_in_the_widget(texting)
    chat.send("503 555 0177")
    say = only(chat.send(code_in(twilio), now=NOW + timedelta(minutes=CODE_MINUTES + 1)))
    assert say == Say(texts.code_expired(), NO_THANKS) and chat.stage == Stage.REMINDERS


def test_when_the_code_cannot_be_texted_it_is_said_and_the_number_asked_again(texting: World, twilio: FakeTwilio):
    chat = booked_in_the_widget(texting)
    chat.world = dataclasses.replace(
        texting, settings=dataclasses.replace(texting.settings, twilio_auth_token="x" * 32)
    )  # Twilio refuses the credentials (401): no retry
    say = only(chat.send("503 555 0177"))
    assert say == Say(texts.code_not_sent(), NO_THANKS) and chat.stage == Stage.REMINDERS
    assert twilio.to(PHONE) == []
