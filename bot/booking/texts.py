"""What the bot says about booking. Texts sent by SMS (the confirmation, reminders) name no health detail:
a text can be read on a lock screen. Times are the program's, or the person's own zone when they named one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional, Sequence
from zoneinfo import ZoneInfo

from bot.booking.offers import SlotLike, clock, short_time, slot_label
from bot.booking.replies import MORE_PAYLOAD, NOT_NOW_PAYLOAD
from bot.program import Program

EXAMPLE = 'a day and time that suits you, like "next Tuesday afternoon"'
SMS_WHERE = {"in_person": "in person", "telehealth": "by video call"}


def offer_buttons(slots: Sequence[SlotLike], tz: ZoneInfo, *, zone: bool = False) -> list[dict[str, str]]:
    """The offered times as buttons (numbered options by SMS), then "Other times" and "Not now"."""
    buttons = [{"title": slot_label(slot, tz, zone=zone), "payload": str(i)} for i, slot in enumerate(slots, 1)]
    return buttons + [
        {"title": "Other times", "payload": MORE_PAYLOAD},
        {"title": "Not now", "payload": NOT_NOW_PAYLOAD},
    ]


def first_offer(fits: bool) -> str:
    lead = (
        "Would you like to book your free assessment with a clinician? These are the earliest times that fit "
        "what you told me."
        if fits
        else "Would you like to book your free assessment with a clinician? None of the open times match the schedule "
        "you gave me, so these are the earliest."
    )
    return f"{lead} Choose one, ask for other times, or tell me {EXAMPLE}."


def more_offer(fits: bool, phrase: Optional[str] = None) -> str:
    if phrase is not None and fits:
        return f"These are the open times for {phrase}:"
    if phrase is not None:
        return f"I don't have an open time for {phrase}. These are the closest:"
    return "Here are more times:" if fits else "These are the next open times:"


def no_more_times(program: Program) -> str:
    return (
        f"I don't have any other open times in the next weeks. You can choose one of the times above, or "
        f"call our intake team at {program.phone} ({program.staff_hours}) to find one."
    )


def no_times(program: Program) -> str:
    return (
        f"I couldn't find an open assessment time right now. Please call our intake team at {program.phone} "
        f'({program.staff_hours}) to find one, or say "book" here again in a few days.'
    )


def passed(phrase: str) -> str:
    return f"{phrase[:1].upper()}{phrase[1:]} has already passed. Which other day or time would suit you?"


def taken() -> str:
    return "Sorry, that time was just taken by someone else. Here are other times:"


def gone() -> str:
    return "Sorry, that time is no longer available. Here are the times open now:"


def stale_offer() -> str:
    return "Open times change, so here are the ones open now:"


def too_far(program: Program, phrase: str) -> str:
    return (
        f"I can only book up to {program.assessments.book_ahead_days} days ahead, so not {phrase} yet. Which "
        "sooner day or time would suit you?"
    )


def unclear(offered: int) -> str:
    return (
        f'Which time would you like? Reply with a number from 1 to {offered}, "other times", or {EXAMPLE}. '
        'Or say "not now" to book later.'
    )


def not_now(program: Program) -> str:
    return (
        f'No problem. When you\'re ready, just say "book" here, or call our intake team at {program.phone} '
        f"({program.staff_hours})."
    )


def _long_time(slot: SlotLike, tz: ZoneInfo, zone: bool) -> str:
    local = slot.starts_at.astimezone(tz)
    return f"{local:%A, %B} {local.day} at {clock(local)}" + (f" {local.tzname()}" if zone else "")


def confirmation(
    program: Program,
    slot: SlotLike,
    location: Optional[str],
    tz: ZoneInfo,
    calendar_url: str,
    *,
    zone: bool = False,
    moved: bool = False,
) -> str:
    """The full confirmation, for the widget and other web clients."""
    how = f"In person at {location}." if slot.modality == "in_person" else program.assessments.telehealth
    lead = "Done, your assessment is moved" if moved else "You're booked for a free assessment with a clinician"
    return (
        f"{lead}: {_long_time(slot, tz, zone)}.\n{how}\nPlease bring: {program.assessments.what_to_bring}\n"
        f"Add it to your calendar: {calendar_url}\n"
        f"To cancel or change it, tell me here any time, or call {program.phone}."
    )


def sms_confirmation(
    program: Program, slot: SlotLike, location: Optional[str], tz: ZoneInfo, *, zone: bool = False, moved: bool = False
) -> str:
    """Short, and nothing about health: the name texts use (program.yml `sms_name`), the time, where."""
    where = f"in person at {location}" if slot.modality == "in_person" and location else SMS_WHERE[slot.modality]
    lead = "Moved" if moved else "Booked"
    return (
        f"{lead}: {program.sms_name} appointment {short_time(slot, tz, zone=zone)}, {where}. "
        "Reply C to cancel, R to reschedule."
    )


def reminder(
    program: Program, slot: SlotLike, location: Optional[str], tz: ZoneInfo, now: datetime, *, zone: bool = False
) -> str:
    """The text reminder: when, where, and how to cancel. No health detail."""
    local, today = slot.starts_at.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    day = "today" if days == 0 else "tomorrow" if days == 1 else f"on {local:%a %b} {local.day}"
    where = f"in person at {location}" if slot.modality == "in_person" and location else SMS_WHERE[slot.modality]
    at = clock(local) + (f" {local.tzname()}" if zone else "")
    return (
        f"Reminder: your {program.sms_name} appointment is {day} at {at}, {where}. Reply C to cancel, R to reschedule."
    )


def cancelled(program: Program, slot: SlotLike, tz: ZoneInfo, zone: bool = False) -> str:
    return (
        f"Your appointment on {short_time(slot, tz, zone=zone)} is cancelled. If you'd like another time, say "
        f'"book" any time, or call {program.phone}.'
    )


def rescheduling(slot: SlotLike, tz: ZoneInfo, zone: bool = False) -> str:
    return (
        f"Let's find a new time. Your appointment on {short_time(slot, tz, zone=zone)} stays booked until you "
        "choose one."
    )


def keeping(slot: SlotLike, tz: ZoneInfo, zone: bool = False) -> str:
    return f"No problem: your appointment on {short_time(slot, tz, zone=zone)} stays as it is."


def nothing_booked(program: Program) -> str:
    return (
        f'I don\'t see an upcoming appointment here. To book one, say "book", or call our intake team at '
        f"{program.phone}."
    )


def already_booked(slot: SlotLike, tz: ZoneInfo, zone: bool = False) -> str:
    return f"You're booked for {short_time(slot, tz, zone=zone)}. Reply R to reschedule or C to cancel."


def not_bookable(program: Program, *, screened: bool) -> str:
    if screened:  # the outcome pointed to another kind of care: a person talks it through first
        return (
            f"Our intake team will call you about the next steps, and can book an assessment with you if you'd "
            f"like one. You can also call them at {program.phone} ({program.staff_hours})."
        )
    return (
        f'Booking an assessment here comes after the screening. Say "start" to begin it, or call our intake '
        f"team at {program.phone} ({program.staff_hours})."
    )


def ask_reminder_number(program: Program) -> str:
    hours = " and ".join(f"{h} hours" for h in program.assessments.reminders_hours_before)
    return (
        f"Would you like text reminders {hours} before? Send your mobile number, or say no thanks. It's used "
        "only for reminders about this appointment."
    )


def number_opted_out(number: str) -> str:
    """That phone replied STOP to us before: nothing is sent to it until it texts START."""
    return (
        f"The number ending in {number[-2:]} has asked us not to text it. To get reminders, text START to this "
        "program's number from that phone first, then send the number here again."
    )


def number_code(program: Program, code: str) -> str:
    """The text with the code that proves the number is the person's; says nothing of the kind of care."""
    return (
        f"{program.sms_name}: your code is {code}. Type it in the chat to get appointment reminders by text. "
        "Reply STOP to opt out."
    )


def code_sent(number: str) -> str:
    return f"I've texted a 4-digit code to the number ending in {number[-2:]}. Please type it here to confirm."


def code_not_sent() -> str:
    return "I couldn't send a text to that number. Please check it and send it again, or say no thanks."


def codes_used_up(program: Program) -> str:
    """No more codes for this conversation or number (bot.booking.desk.CodeRefused): said kindly, with the way
    to the team instead; the appointment itself is untouched."""
    return (
        "I can't send another code for text reminders here, so I've left them off. Your appointment is still "
        f"booked. If you'd like reminders by text, our team can set them up: {program.phone} "
        f"({program.staff_hours})."
    )


def code_wrong() -> str:
    return "That code doesn't match. Please check the text and type the 4 digits again, or say no thanks."


def code_given_up() -> str:
    return "That code didn't match again, so I've left text reminders off. Your appointment is still booked."


def code_expired() -> str:
    return "That code has expired. Send your number again for a new one, or say no thanks."


def unclear_code() -> str:
    return "Please type the 4-digit code from the text, or say no thanks."


def reminders_on(number: str) -> str:
    return (
        f"Thanks. Reminders will go to the number ending in {number[-2:]}. Reply STOP to any of them to stop "
        "them, or C to cancel the appointment."
    )


def reminders_off() -> str:
    return "No problem, no text reminders."


def unclear_number() -> str:
    return "Please send a mobile number like 503-555-0123, or say no thanks."
