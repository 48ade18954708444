"""The kinds of value program.yml holds, each checked with a message that says how to write it.

Each type is what a field of the schema (bot.program.schema) is declared as: pydantic validates the field with
the type's check, which returns what the field holds. Type checkers see that plain type (the TYPE_CHECKING
branch), as with pydantic's own strict types.
"""

from __future__ import annotations

import re
import string
from datetime import date, time
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.program.vocabulary import (
    ASSESSMENT_MODALITIES,
    CONCERNS,
    DAY_NUMBERS,
    FAQ_PLACEHOLDERS,
    FAQ_TOPICS,
    MODALITIES,
    PARTS_OF_DAY,
    US_STATES,
)

Place = Union[str, int]  # a key, or a position in a list


class Problem(ValueError):
    """What is wrong with a value, and where below the field being checked (("mon",), (2, "ages"))."""

    def __init__(self, text: str, at: tuple[Place, ...] = ()) -> None:
        super().__init__(text)
        self.text = text
        self.at = at

    def under(self, *at: Place) -> Problem:
        return Problem(self.text, (*at, *self.at))


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Problem("should be non-empty text")
    return " ".join(value.split())


def text_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Problem("should be a list of text")
    return tuple(" ".join(v.split()) for v in value)


def whole_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Problem(f"should be a whole number, not {value!r}")
    return value


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Problem(f"should be a number, not {value!r}")
    return value


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Problem("should be true or false")
    return value


def phone(value: Any) -> str:
    number_text = text(value)
    digits = re.sub(r"\D", "", number_text)
    if not (len(digits) == 10 or (len(digits) == 11 and digits[0] == "1")):
        raise Problem(f"{number_text!r} is not a 10-digit US phone number")
    return number_text


def website(value: Any) -> str:
    url = text(value)
    if not re.match(r"https?://[^\s/]+\.[^\s]+$", url):
        raise Problem(f"{url!r} should be a full address starting with https://")
    return url


def timezone_name(value: Any) -> str:
    name = text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Problem(f"{name!r} is not a known time zone (use a name like America/Los_Angeles)") from None
    return name


def clock_minutes(value: Any, allow_midnight_end: bool = False) -> int:
    """Minutes since midnight of "HH:MM"; "24:00" (1440) only as the end of a window."""
    # Unquoted 18:00 is read by YAML 1.1 as the number 1080, so insist on quoted text.
    if not isinstance(value, str):
        raise Problem(f'write times as quoted 24-hour text like "09:00", not {value!r}')
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match:
        raise Problem(f'{value!r} should be a 24-hour time like "09:00"')
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0) and allow_midnight_end:
        return 24 * 60
    if hour > 23 or minute > 59:
        raise Problem(f"{value!r} is not a time of day")
    return hour * 60 + minute


def clock(value: Any) -> time:
    minutes = clock_minutes(value)
    return time(minutes // 60, minutes % 60)


def day_number(value: Any) -> int:
    """Monday = 0; "mon", "Monday" and "monday" all name it."""
    day = DAY_NUMBERS.get(str(value).strip().lower())
    if day is None:
        raise Problem(f"{value!r} is not a day (use mon, tue, wed, thu, fri, sat, sun)")
    return day


def state_code(value: Any) -> str:
    code = str(value).strip().upper()
    if code not in US_STATES:
        raise Problem(f"{value!r} is not a US state code")
    return code


def iso_date(value: Any) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise Problem(f'{value!r} should be a date like "2026-12-25"') from None


def faq_template(value: Any) -> str:
    """An answer with {placeholders} that bot.faq fills."""
    template = text(value)
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError:
        raise Problem("has an unmatched { or }") from None
    unknown = [f for f in fields if f not in FAQ_PLACEHOLDERS]
    if unknown:
        raise Problem(f"unknown placeholder {{{unknown[0]}}}; use one of {', '.join(sorted(FAQ_PLACEHOLDERS))}")
    return template


def faq_topic(value: Any) -> str:
    if value not in FAQ_TOPICS:
        raise Problem(f"is not a topic; topics are {', '.join(FAQ_TOPICS)}")
    return str(value)


def one_of(choices: Sequence[str], hint: str = "") -> Callable[[Any], str]:
    def choice(value: Any) -> str:
        chosen = text(value)
        if chosen not in choices:
            raise Problem(f"{chosen!r} should be one of {', '.join(choices)}{hint}")
        return chosen

    return choice


# A concern the program treats or refers elsewhere; "other" is whatever the person names, never listed.
KNOWN_CONCERNS = tuple(k for k in CONCERNS if k != "other")
concern = one_of(KNOWN_CONCERNS)


def _checked_by(check: Callable[[Any], Any]) -> type:
    """A field type that pydantic validates with `check` alone."""

    class Checked:
        @classmethod
        def __get_validators__(cls) -> Iterator[Callable[[Any], Any]]:
            yield check

    return Checked


if TYPE_CHECKING:
    Text = str
    TextList = tuple[str, ...]
    WholeNumber = int
    Number = float
    Flag = bool
    Phone = str
    Website = str
    TimeZoneName = str
    Clock = time
    Weekday = int
    StateCode = str
    IsoDate = date
    FaqTemplate = str
    PartOfDay = str
    Modality = str
    AssessmentModality = str
else:
    Text = _checked_by(text)
    TextList = _checked_by(text_list)
    WholeNumber = _checked_by(whole_number)
    Number = _checked_by(number)
    Flag = _checked_by(flag)
    Phone = _checked_by(phone)
    Website = _checked_by(website)
    TimeZoneName = _checked_by(timezone_name)
    Clock = _checked_by(clock)
    Weekday = _checked_by(day_number)
    StateCode = _checked_by(state_code)
    IsoDate = _checked_by(iso_date)
    FaqTemplate = _checked_by(faq_template)
    PartOfDay = _checked_by(one_of(PARTS_OF_DAY))
    Modality = _checked_by(one_of(MODALITIES))
    AssessmentModality = _checked_by(one_of(ASSESSMENT_MODALITIES, " (list an assessor twice for both)"))
