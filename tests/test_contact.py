"""How the intake team may reach the person: the number (widget and REST), voicemail or text, the best time."""

from __future__ import annotations

import pytest

from bot.intake.contact import parse_call_times, parse_contact_ok, parse_phone
from bot.messages import after_answer
from bot.program import load_program
from bot.questions import SKIPPED
from bot.sms.identity import phone_text

PROGRAM = load_program()


@pytest.mark.parametrize(
    "text,number",
    [
        ("503-555-0123", "+15035550123"),
        ("(503) 555 0142", "+15035550142"),
        ("my cell is 503.555.0187, evenings are best", "+15035550187"),
        ("+1 360 555 0101", "+13605550101"),
    ],
)
def test_a_number_is_read_with_or_without_its_punctuation(text: str, number: str) -> None:
    assert parse_phone(text).value == number


@pytest.mark.parametrize("text", ["no", "I'd rather not", "no thanks", "I don't have a phone", "skip"])
def test_declining_to_give_a_number_is_a_skip(text: str) -> None:
    assert parse_phone(text).value == SKIPPED


@pytest.mark.parametrize("text", ["555-0123", "12345", "call me maybe", "503-555-0123 or 503-555-0199"])
def test_an_incomplete_or_doubtful_number_is_asked_again(text: str) -> None:
    parsed = parse_phone(text)
    assert not parsed.ok and "area code" in parsed.note


@pytest.mark.parametrize(
    "text,value",
    [
        ("both", "voicemail_and_text"),
        ("yes that's fine", "voicemail_and_text"),
        ("voicemail only", "voicemail"),
        ("texts are fine but no voicemail", "text"),
        ("text", "text"),
        ("neither, just call", "call_only"),
        ("no", "call_only"),
        ("please don't text", "voicemail"),
    ],
)
def test_voicemail_or_text(text: str, value: str) -> None:
    assert parse_contact_ok(text).value == value


def test_best_time_to_call() -> None:
    assert parse_call_times("evenings after 6").value == ["evening"]
    assert parse_call_times("any time").value == ["morning", "afternoon", "evening", "weekend"]
    assert not parse_call_times("hmm").ok


def test_without_a_number_the_person_learns_how_to_reach_the_team() -> None:
    note = after_answer("contact_phone", SKIPPED, PROGRAM)
    assert PROGRAM.phone in note and "won't call" in note
    assert after_answer("contact_phone", "given", PROGRAM) == ""


def test_staff_read_the_number_the_usual_way() -> None:
    assert phone_text("+15035550123") == "(503) 555-0123"
