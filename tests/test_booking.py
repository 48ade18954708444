"""Booking logic without a database: program.yml's assessment hours, slot generation (daylight saving,
closed dates), which times are offered, how replies are read, what is said, and the calendar file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml
from icalendar import Calendar

from bot.booking import texts
from bot.booking.calendar import invitation
from bot.booking.offers import Preferences, choose, slot_label
from bot.booking.phrases import read_when
from bot.booking.replies import Kind, after_booking, read_offer_reply
from bot.booking.slots import bookable_between, local_moment, slot_times
from bot.program import DEFAULT_PROGRAM_FILE, ProgramError, load_program, parse_program

LA = ZoneInfo("America/Los_Angeles")
UTC = timezone.utc


@pytest.fixture(scope="module")
def program():
    return load_program()


def raw_program() -> dict:
    return yaml.safe_load(DEFAULT_PROGRAM_FILE.read_text())


@dataclass
class FakeSlot:
    id: int
    starts_at: datetime
    modality: str


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LA).astimezone(UTC)


# --- program.yml -----------------------------------------------------------------------------------------


def test_the_example_program_describes_two_assessors_and_their_hours(program):
    a = program.assessments
    assert a.slot_minutes == 60 and a.book_ahead_days == 21 and a.reminders_hours_before == (24, 2)
    assert [(x.modality, x.location is not None) for x in a.assessors] == [("in_person", True), ("telehealth", False)]
    assert date(2026, 12, 25) in a.closed_dates


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda a: a.pop("assessors"), "assessments.assessors: is missing"),
        (lambda a: a["assessors"][0].update(modality="both"), "assessments.assessors[0].modality"),
        (lambda a: a["assessors"][0].pop("location"), "assessments.assessors[0].location: is missing"),
        (lambda a: a.update(closed_dates=["Christmas"]), "assessments.closed_dates[0]"),
        (lambda a: a.update(reminders_hours_before=[0]), "assessments.reminders_hours_before"),
        (
            lambda a: a.update(
                slot_minutes=240,
            ),
            "assessments.assessors[0].hours: has a window shorter than one",
        ),
        (lambda a: a["assessors"][1]["hours"].update(tue="9am-noon"), "assessments.assessors[1].hours.tue"),
    ],
)
def test_mistakes_in_the_assessment_section_name_the_field(change, field):
    data = raw_program()
    change(data["assessments"])
    with pytest.raises(ProgramError, match=field.replace("[", r"\[").replace("]", r"\]")):
        parse_program(data)


# --- slots ------------------------------------------------------------------------------------------------


def test_slots_follow_the_weekly_hours_in_local_time(program):
    monday = date(2026, 11, 30)
    slots = slot_times(program.assessments, LA, monday, monday + timedelta(days=6))
    local = [(s.starts_at.astimezone(LA).strftime("%a %H:%M"), s.modality) for s in slots]
    assert local[:3] == [("Mon 09:00", "in_person"), ("Mon 10:00", "in_person"), ("Mon 11:00", "in_person")]
    assert ("Tue 15:00", "telehealth") in local and ("Tue 18:00", "telehealth") in local
    assert ("Tue 19:00", "telehealth") not in local  # a slot must end by the window's end
    assert not any(when.startswith("Sun") for when, _ in local)
    assert len(slots) == 3 + 7 + 7 + 4 + 4 + 3  # Mon to Sat, per program.yml
    assert all(s.ends_at - s.starts_at == timedelta(hours=1) for s in slots)
    assert all(s.location for s in slots if s.modality == "in_person")


def test_slots_keep_their_local_time_across_the_autumn_and_spring_clock_changes(program):
    # Clocks go back on Sun Nov 1 2026 and forward on Sun Mar 8 2026: Monday 9 AM stays 9 AM local.
    for before, after in ((date(2026, 10, 26), date(2026, 11, 2)), (date(2026, 3, 2), date(2026, 3, 9))):
        first = slot_times(program.assessments, LA, before, before)[0].starts_at
        second = slot_times(program.assessments, LA, after, after)[0].starts_at
        assert first.astimezone(LA).hour == second.astimezone(LA).hour == 9
        assert second - first != timedelta(days=7)  # an hour more or less in real (UTC) time
        assert abs((second - first) - timedelta(days=7)) == timedelta(hours=1)


def test_a_time_the_clocks_skip_does_not_exist_and_a_repeated_hour_is_its_first(program):
    assert local_moment(date(2026, 3, 8), 2 * 60 + 30, LA) is None
    repeated = local_moment(date(2026, 11, 1), 60 + 30, LA)
    assert repeated == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 1:30 PDT, not 1:30 PST


def test_closed_dates_get_no_slots(program):
    christmas_week = slot_times(program.assessments, LA, date(2026, 12, 21), date(2026, 12, 27))
    days = {s.starts_at.astimezone(LA).date() for s in christmas_week}
    assert date(2026, 12, 24) not in days and date(2026, 12, 25) not in days
    assert date(2026, 12, 23) in days


def test_the_booking_window_starts_after_the_minimum_notice_and_ends_with_the_horizon(program):
    now = datetime(2026, 11, 26, 10, 0, tzinfo=LA)
    earliest, latest = bookable_between(program.assessments, LA, now)
    assert earliest == now + timedelta(hours=12)
    assert latest == datetime(2026, 12, 18, 0, 0, tzinfo=LA)


# --- offers -----------------------------------------------------------------------------------------------

MON = date(2026, 11, 30)
FREE = [
    FakeSlot(1, at(MON, 9), "in_person"),
    FakeSlot(2, at(MON, 10), "in_person"),
    FakeSlot(3, at(MON + timedelta(1), 9), "telehealth"),
    FakeSlot(4, at(MON + timedelta(1), 15), "telehealth"),
    FakeSlot(5, at(MON + timedelta(1), 15), "telehealth"),  # a second assessor at the same time
    FakeSlot(6, at(MON + timedelta(1), 18), "telehealth"),
    FakeSlot(7, at(MON + timedelta(2), 13), "in_person"),
    FakeSlot(8, at(MON + timedelta(5), 9), "telehealth"),  # Saturday
]


def ids(offer) -> list[int]:
    return [s.id for s in offer.slots]


def test_the_three_earliest_times_that_fit_the_schedule_and_modality_are_offered():
    assert ids(choose(FREE, Preferences(), LA)) == [1, 2, 3]
    assert ids(choose(FREE, Preferences(frozenset({"evening"})), LA)) == [6]
    assert ids(choose(FREE, Preferences(frozenset({"afternoon"}), "telehealth"), LA)) == [4]  # one of 4 and 5
    assert ids(choose(FREE, Preferences(frozenset({"morning"}), "telehealth"), LA)) == [3, 8]
    assert ids(choose(FREE, Preferences(frozenset({"weekend"})), LA)) == [8]


def test_when_nothing_fits_the_earliest_are_offered_and_the_offer_says_so():
    offer = choose(FREE[:3], Preferences(frozenset({"evening"})), LA)
    assert ids(offer) == [1, 2, 3] and offer.fits is False
    assert "None of the open times match" in texts.first_offer(offer.fits)


def test_other_times_continue_after_the_last_one_offered_without_skipping_one_at_the_same_time():
    first = choose(FREE, Preferences(), LA)
    shown = frozenset((s.starts_at, s.modality) for s in first.slots)
    assert ids(choose(FREE, Preferences(), LA, after=first.slots[-1].starts_at, shown=shown)) == [4, 6, 7]
    # Two modalities at the last time shown: the one not shown yet comes next, not skipped.
    same_time = [*FREE[:3], FakeSlot(9, FREE[2].starts_at, "in_person"), *FREE[3:]]
    page = choose(same_time, Preferences(), LA)
    shown = frozenset((s.starts_at, s.modality) for s in page.slots)
    assert ids(choose(same_time, Preferences(), LA, after=page.slots[-1].starts_at, shown=shown))[0] == 9


def test_a_named_day_and_time_come_first_and_the_nearest_when_nothing_is_free_then():
    now = datetime(2026, 11, 26, 10, 0, tzinfo=LA)
    tuesday_afternoon = read_when("next tuesday afternoon", now, LA)
    assert ids(choose(FREE, Preferences(frozenset({"morning"})), LA, when=tuesday_afternoon)) == [4]
    sunday = read_when("sunday morning", now, LA)  # Nov 29: nothing free; the closest are the next day's
    offer = choose(FREE, Preferences(), LA, when=sunday)
    assert offer.fits is False and ids(offer) == [1, 2, 3]
    next_saturday = read_when("saturday dec 12", now, LA)
    assert ids(choose(FREE, Preferences(), LA, when=next_saturday)) == [6, 7, 8]


def test_times_read_the_way_people_say_them():
    assert slot_label(FREE[3], LA) == "Tue Dec 1, 3:00 PM (telehealth)"
    assert slot_label(FREE[0], LA) == "Mon Nov 30, 9:00 AM (in person)"
    assert slot_label(FREE[3], ZoneInfo("America/New_York"), zone=True) == "Tue Dec 1, 6:00 PM EST (telehealth)"


def test_preferences_come_from_the_screening_answers():
    prefs = Preferences.from_answers({"schedule_times": ["morning", "weekend"], "modality": "in_person"})
    assert prefs == Preferences(frozenset({"morning", "weekend"}), "in_person")
    assert Preferences.from_answers({"modality": "either"}) == Preferences()


# --- replies ----------------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=LA)


@pytest.mark.parametrize(
    "text, index",
    [
        ("1", 0),
        ("2", 1),
        ("3.", 2),
        ("#2", 1),
        ("two", 1),
        ("the first one", 0),
        ("second", 1),
        ("last one", 2),
        ("option 3", 2),
    ],
)
def test_a_choice_among_the_offered_times(text, index):
    reply = read_offer_reply(text, 3, NOW, LA)
    assert (reply.kind, reply.index) == (Kind.CHOOSE, index)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("other times", Kind.MORE),
        ("more", Kind.MORE),
        ("none of these work", Kind.MORE),
        ("different days please", Kind.MORE),
        ("not now", Kind.NOT_NOW),
        ("no thanks", Kind.NOT_NOW),
        ("I'll book later", Kind.NOT_NOW),
        ("next tuesday afternoon", Kind.WHEN),
        ("tomorrow after 5", Kind.WHEN),
        ("any morning next week", Kind.WHEN),
        ("4", Kind.UNCLEAR),
        ("purple", Kind.UNCLEAR),
    ],
)
def test_other_replies_to_an_offer(text, kind):
    assert read_offer_reply(text, 3, NOW, LA).kind is kind


@pytest.mark.parametrize(
    "text, kind",
    [
        ("C", Kind.CANCEL),
        ("c", Kind.CANCEL),
        ("cancel", Kind.CANCEL),
        ("I need to cancel my appointment", Kind.CANCEL),
        ("I can't make it", Kind.CANCEL),
        ("R", Kind.RESCHEDULE),
        ("reschedule", Kind.RESCHEDULE),
        ("can I change my appointment", Kind.RESCHEDULE),
        ("I need a different time", Kind.RESCHEDULE),
        ("book", Kind.BOOK),
        ("I want to book an assessment", Kind.BOOK),
        ("hello", None),
        ("I feel better", None),
        ("what is an IOP", None),
    ],
)
def test_cancel_reschedule_and_book_at_any_later_time(text, kind):
    assert after_booking(text) is kind


# --- what is said -----------------------------------------------------------------------------------------

HEALTH_WORDS = (
    "assessment",
    "depress",
    "anxi",
    "mental",
    "therap",
    "clinician",
    "screen",
    "alcohol",
    "IOP",
    "crisis",
    "treatment",
    "Behavioral",
)


def test_the_text_confirmation_and_reminders_say_when_where_and_how_to_cancel_and_nothing_about_health(program):
    slot = FakeSlot(9, at(MON + timedelta(1), 15), "telehealth")
    # They name the program by its `sms_name`, which says nothing of the kind of care.
    sms = texts.sms_confirmation(program, slot, None, LA)
    assert sms == "Booked: Riverbend appointment Tue Dec 1, 3:00 PM, by video call. Reply C to cancel, R to reschedule."
    day_before = texts.reminder(program, slot, None, LA, slot.starts_at - timedelta(hours=24))
    two_hours = texts.reminder(program, slot, None, LA, slot.starts_at - timedelta(hours=2))
    assert "tomorrow at 3:00 PM" in day_before and "today at 3:00 PM" in two_hours
    for text in (sms, day_before, two_hours):
        assert not any(word.lower() in text.lower() for word in HEALTH_WORDS), text
        assert "Reply C to cancel, R to reschedule." in text
    in_person = texts.sms_confirmation(program, FakeSlot(1, at(MON, 9), "in_person"), "1200 SE Example Ave", LA)
    assert "in person at 1200 SE Example Ave" in in_person


def test_the_web_confirmation_has_the_time_place_what_to_bring_and_the_calendar_link(program):
    slot = FakeSlot(1, at(MON, 9), "in_person")
    text = texts.confirmation(program, slot, "Riverbend Center, 1200 SE Example Ave", LA, "http://x/calendar/t.ics")
    assert "Monday, November 30 at 9:00 AM" in text
    assert "In person at Riverbend Center, 1200 SE Example Ave." in text
    assert program.assessments.what_to_bring in text and "http://x/calendar/t.ics" in text
    video = texts.confirmation(program, FakeSlot(2, at(MON, 15), "telehealth"), None, LA, "u")
    assert program.assessments.telehealth in video


def test_the_calendar_invitation_is_in_the_program_time_zone_with_its_definition(program):
    slot = FakeSlot(1, at(date(2027, 3, 15), 9), "in_person")  # after the spring change: PDT
    body = invitation(
        program,
        slot,
        slot.starts_at + timedelta(hours=1),
        "Riverbend Center",
        uid="booking-x",
        created=datetime(2026, 11, 27, tzinfo=UTC),
    )
    assert b"DTSTART;TZID=America/Los_Angeles:20270315T090000" in body
    assert b"BEGIN:VTIMEZONE" in body
    event = next(c for c in Calendar.from_ical(body).walk("VEVENT"))
    assert event.decoded("dtstart") == slot.starts_at
    assert str(event["location"]) == "Riverbend Center"
    assert "Please bring" in str(event["description"])
    assert "depress" not in body.decode().lower()


@pytest.mark.parametrize(
    "text",
    [
        "first thing monday",
        "december 3rd",
        "the 3rd",
        "tuesday the 1st",
        "2pm",
        "the 3rd at 3pm",
    ],
)
def test_a_day_or_time_with_an_ordinal_or_number_is_a_day_not_an_offered_option(text):
    assert read_offer_reply(text, 3, NOW, LA).kind is Kind.WHEN


@pytest.mark.parametrize(
    "text, index",
    [
        ("2 please", 1),
        ("I'll take 2", 1),
        ("option 1 please", 0),
        ("ok 3", 2),
        ("2 works", 1),
        ("second please", 1),
    ],
)
def test_polite_choices_are_read(text, index):
    reply = read_offer_reply(text, 3, NOW, LA)
    assert (reply.kind, reply.index) == (Kind.CHOOSE, index)


@pytest.mark.parametrize(
    "text",
    [
        "I cant come every day, is there a part time option?",
        "I want to cancel my insurance",
        "Can I change my insurance later?",
        "can I move the group to evenings?",
        "Is there a different time for groups?",
        "I can't make it on mornings, is there an evening group?",
        "first week of december",
    ],
)
def test_questions_about_the_program_never_cancel_or_move_a_booking(text):
    assert after_booking(text) in (None, Kind.BOOK)
    assert read_offer_reply(text, 3, NOW, LA).kind not in (Kind.CHOOSE, Kind.CANCEL, Kind.RESCHEDULE)


def test_cant_make_any_of_those_asks_for_other_times_and_status_questions_are_read():
    assert read_offer_reply("I can't make any of those", 3, NOW, LA).kind is Kind.MORE
    assert after_booking("when is my appointment?") is Kind.STATUS
    assert after_booking("where is my assessment") is Kind.STATUS


def test_the_opt_out_reply_says_an_appointment_is_still_booked(program):
    from bot.sms import compliance
    from bot.sms.encoding import MAX_SMS_CHARS, is_gsm7

    text = compliance.opted_out_text(program, booked=True)
    assert "Your appointment is still booked: to cancel it, reply START, then C." in text
    assert len(text) <= MAX_SMS_CHARS and is_gsm7(text)
    assert "still booked" not in compliance.opted_out_text(program)


def test_a_negative_minimum_notice_is_refused():
    data = raw_program()
    data["assessments"]["min_notice_hours"] = -1
    with pytest.raises(ProgramError, match="assessments.min_notice_hours: -1 should be 0 or more"):
        parse_program(data)
