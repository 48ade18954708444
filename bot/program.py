"""The program being served, loaded from program.yml into typed, frozen objects and checked first.

Everything specific to one IOP (tracks, hours, insurers, crisis line, FAQ wording) lives in that file. A
mistake there must stop start-up with a message naming the field, never surface mid-conversation, so
every value is checked here and the rest of the code can trust a `Program`.
"""
from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Optional, Sequence, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.parsing import normalise

PROGRAM_FILE_ENV = "IOP_PROGRAM_FILE"
DEFAULT_PROGRAM_FILE = Path(__file__).resolve().parent.parent / "program.yml"

# Medicare's 2024 IOP rule and ASAM level 2.1: at least 9 hours a week; 20 or more is partial
# hospitalization (ASAM 2.5), a different level of care.
MIN_HOURS_PER_WEEK = 9
PARTIAL_HOSPITALIZATION_HOURS = 20

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = datetime.weekday()
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_ALIASES = {
    **{d: i for i, d in enumerate(WEEKDAYS)},
    **{d.lower(): i for i, d in enumerate(DAY_NAMES)},
}
PARTS_OF_DAY = ("morning", "afternoon", "evening", "weekend")
MODALITIES = ("in_person", "telehealth", "both")

# Concern keys shared with the intake questions and eligibility; labels are how people read them.
CONCERNS: Mapping[str, str] = MappingProxyType({
    "depression": "depression",
    "anxiety": "anxiety",
    "stress": "stress",
    "bipolar": "bipolar disorder",
    "ptsd_trauma": "PTSD and trauma",
    "substance_use": "substance use",
    "eating_disorder": "eating disorders",
    "other": "another concern",
})

FAQ_TOPICS = (
    "what_is_iop", "duration", "hours", "conditions", "typical_day",
    "work_school", "cost", "transport_remote", "accreditation", "referral",
    "good_fit", "choosing", "how_soon", "teens", "confidentiality", "therapies", "iop_vs_php",
)
# Facts an FAQ answer may name as {placeholder}; bot.faq fills exactly these (a test keeps them in step).
FAQ_PLACEHOLDERS = frozenset({
    "name", "short_name", "phone", "website", "tracks", "track_count", "weekly_hours", "session_hours",
    "days_per_week", "length_weeks", "treated", "not_treated", "insurers", "sliding_scale",
    "financial_assistance", "accreditation", "states", "ages", "staff_hours", "crisis_phone",
    "crisis_hours", "telehealth_tracks", "locations", "teen_groups", "therapies", "start_wait", "iop_hours",
    "php_hours",
})

US_STATES: Mapping[str, str] = MappingProxyType({
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "DC": "District of Columbia", "PR": "Puerto Rico",
})


class ProgramError(ValueError):
    """program.yml is missing something or holds a value the assistant cannot work with."""


# ---------------------------------------------------------------------------------------------------
# Wording helpers shared by the FAQ, eligibility messages and the console


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b, and c' (the serial comma keeps "PTSD and trauma, and ..." readable)."""
    items = list(items)
    if len(items) <= 2:
        return f" {conjunction} ".join(items)
    return f"{', '.join(items[:-1])}, {conjunction} {items[-1]}"


def _clock(minutes: int) -> tuple[str, str]:
    """Clock text and its am/pm suffix: ("3:30", "pm")."""
    hour, minute = divmod(minutes % (24 * 60), 60)
    suffix = "am" if hour < 12 else "pm"
    hour12 = hour % 12 or 12
    return (f"{hour12}:{minute:02d}" if minute else str(hour12)), suffix


def time_span_text(start: int, end: int) -> str:
    """'9am-12pm', '6-9pm', 'all day' for minutes since midnight."""
    if start == 0 and end == 24 * 60:
        return "all day"
    (a, a_suffix), (b, b_suffix) = _clock(start), _clock(end)
    return f"{a}-{b}{b_suffix}" if a_suffix == b_suffix else f"{a}{a_suffix}-{b}{b_suffix}"


def opening_text(opening: datetime, now: datetime) -> str:
    """'8am today', '9:30am tomorrow', '8am on Monday', '8am next Monday' (both in the same time zone)."""
    clock, suffix = _clock(opening.hour * 60 + opening.minute)
    days_ahead = (opening.date() - now.date()).days
    day = ("today" if days_ahead == 0 else "tomorrow" if days_ahead == 1 else
           f"{'next' if days_ahead >= 7 else 'on'} {DAY_NAMES[opening.weekday()]}")
    return f"{clock}{suffix} {day}"


def days_text(days: Iterable[int]) -> str:
    """'Mon-Thu' for a run of three or more days, else 'Mon, Tue, Thu'."""
    runs: list[list[int]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        names = [WEEKDAYS[d].title() for d in run]
        parts.extend([f"{names[0]}-{names[-1]}"] if len(run) >= 3 else names)
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------------
# The typed program


@dataclass(frozen=True)
class IntRange:
    low: int
    high: int

    def __contains__(self, value: int) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low} to {self.high}"


@dataclass(frozen=True)
class TimeWindow:
    """Minutes since midnight; `end` may be 1440 (midnight at the end of the day)."""

    start: int
    end: int

    def covers(self, minute: int) -> bool:
        return self.start <= minute < self.end


@dataclass(frozen=True)
class Hours:
    """Opening windows for each weekday, Monday first, in the program's local time."""

    week: tuple[tuple[TimeWindow, ...], ...]

    @property
    def always(self) -> bool:
        return all(windows == (TimeWindow(0, 24 * 60),) for windows in self.week)

    def is_open(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        return any(w.covers(minute) for w in self.week[local.weekday()])

    def next_opening(self, local: datetime) -> datetime:
        """`local` itself when open, else the start of the next window (loading checks there is one)."""
        minute = local.hour * 60 + local.minute
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        for days_ahead in range(8):
            for window in self.week[(local.weekday() + days_ahead) % 7]:
                if days_ahead == 0 and window.covers(minute):
                    return local
                if days_ahead > 0 or window.start > minute:
                    return midnight + timedelta(days=days_ahead, minutes=window.start)
        raise ValueError("these hours never open")

    def __str__(self) -> str:
        """'Mon-Fri 8am-6pm, Sat 9am-1pm' (closed days left out), or '24/7'."""
        if self.always:
            return "24/7"
        groups: list[tuple[list[int], tuple[TimeWindow, ...]]] = []
        for day, windows in enumerate(self.week):
            if not windows:
                continue
            if groups and groups[-1][1] == windows and groups[-1][0][-1] == day - 1:
                groups[-1][0].append(day)
            else:
                groups.append(([day], windows))
        return ", ".join(
            f"{days_text(days)} " + " and ".join(time_span_text(w.start, w.end) for w in windows)
            for days, windows in groups
        )


@dataclass(frozen=True)
class CrisisLine:
    phone: str
    hours: Hours


@dataclass(frozen=True)
class Facility:
    """A hospital or crisis centre for a higher level of care than the program gives."""

    name: str
    phone: str
    address: str
    hours: Hours


@dataclass(frozen=True)
class Track:
    """One IOP group: who it is for, when it meets, how."""

    key: str
    name: str
    ages: IntRange
    days: tuple[int, ...]  # weekday numbers, Monday = 0
    start: time
    end: time
    part_of_day: str  # one of PARTS_OF_DAY
    modality: str  # one of MODALITIES
    hours_per_week: float
    location: Optional[str]  # None for telehealth-only groups

    def offers(self, modality: str) -> bool:
        """Whether someone wanting `modality` (in_person / telehealth) can attend this track."""
        return self.modality in (modality, "both")

    @property
    def schedule_text(self) -> str:
        """'Mon, Tue, Thu 9am-12pm'."""
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return f"{days_text(self.days)} {time_span_text(start, end)}"

    @property
    def modality_text(self) -> str:
        return {"in_person": "in person", "telehealth": "by telehealth",
                "both": "in person or by telehealth"}[self.modality]


@dataclass(frozen=True)
class Insurer:
    name: str
    in_network: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class SelfPay:
    scale_min: int  # dollars
    scale_max: int
    per: str  # "session", "day", "week"
    financial_assistance: str  # a full sentence for the participant

    @property
    def scale_text(self) -> str:
        return f"${self.scale_min} to ${self.scale_max} per {self.per}"


ASSESSMENT_MODALITIES = ("in_person", "telehealth")


@dataclass(frozen=True)
class Assessor:
    """A clinician who gives free assessments: when (program time), and how. Shown to staff only."""

    name: str
    modality: str  # one of ASSESSMENT_MODALITIES: a slot is one or the other, so people know where to be
    location: Optional[str]  # in person only
    hours: Hours


@dataclass(frozen=True)
class Assessments:
    slot_minutes: int
    min_notice_hours: int
    book_ahead_days: int
    reminders_hours_before: tuple[int, ...]  # largest first
    closed_dates: frozenset[date]
    what_to_bring: str
    telehealth: str  # how a video assessment works, for the confirmation
    assessors: tuple[Assessor, ...]


@dataclass(frozen=True)
class Retention:
    """How long the application keeps what people told it (bot.store.forget, enforced by the worker). Days."""

    no_booking_days: int = 365  # a conversation that led to no booking, after its last activity
    booked_days: int = 730  # one that led to a booking, after its latest appointment (or activity)
    sms_log_days: int = 90  # texts sent and received (delivery records), whatever the conversation
    escalation_days: int = 2555  # a resolved escalation, stripped of what was written once its data goes


@dataclass(frozen=True)
class Program:
    name: str
    short_name: str
    sms_name: str  # in appointment texts, which others may see: says nothing of the kind of care
    phone: str
    website: str
    timezone: str
    staff_hours: Hours
    crisis_line: CrisisLine
    inpatient: tuple[Facility, ...]  # at least one
    states: tuple[str, ...]  # two-letter codes
    ages: IntRange
    minor_consent_ages: Mapping[str, int] = field(hash=False)  # state -> age a minor may consent alone
    step_down_days: int  # a discharge this recent is a step-down (bot.eligibility)
    length_weeks: IntRange
    tracks: tuple[Track, ...]
    treated: tuple[str, ...]  # concern keys
    not_treated: Mapping[str, str] = field(hash=False)  # concern key -> where to go instead
    insurers: tuple[Insurer, ...]
    self_pay: SelfPay
    accreditation: tuple[str, ...]
    faq: Mapping[str, str] = field(hash=False)  # topic -> answer template with {placeholders}
    therapies: tuple[str, ...]  # FAQ only, as people read them
    start_wait_days: IntRange  # FAQ only: usual days from the free assessment to the first group
    assessments: Assessments = field(hash=False)
    widget_idle_minutes: int = 30  # a widget conversation this long without a message is over (shared computers)
    retention: Retention = Retention()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def track_by_key(self, key: str) -> Track:
        for track in self.tracks:
            if track.key == key:
                return track
        raise KeyError(f"no track {key!r}; program.yml has {', '.join(t.key for t in self.tracks)}")

    def local_time(self, at: datetime) -> datetime:
        # A naive datetime could be UTC or local: guessing wrong tells someone staff are on duty at 3 a.m.
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("need a timezone-aware datetime")
        return at.astimezone(self.tz)

    def staff_on_duty(self, at: datetime) -> bool:
        """Whether the intake team is on duty at `at` (any time zone; compared in the program's)."""
        return self.staff_hours.is_open(self.local_time(at))

    def staff_back_text(self, at: datetime) -> str:
        """When the intake team is next on duty after `at`, in words: '8am tomorrow'."""
        local = self.local_time(at)
        return opening_text(self.staff_hours.next_opening(local), local)

    def minor_consent_age(self, state: str) -> Optional[int]:
        """The age from which a minor living in `state` may consent to outpatient mental-health care without a
        parent or guardian; None for a state the program does not serve."""
        return self.minor_consent_ages.get(state.strip().upper())

    def states_text(self, conjunction: str = "and") -> str:
        """'Oregon and Washington' (or 'Oregon or Washington')."""
        return join_words([US_STATES[s] for s in self.states], conjunction)


# ---------------------------------------------------------------------------------------------------
# Loading and validation


def load_program(path: Union[str, Path, None] = None) -> Program:
    """The program from `path`, else $IOP_PROGRAM_FILE, else program.yml at the repo root (cached)."""
    chosen = path or os.environ.get(PROGRAM_FILE_ENV) or DEFAULT_PROGRAM_FILE
    return _load(Path(chosen).resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> Program:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProgramError(f"{path}: cannot read the program file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ProgramError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return parse_program(data)
    except ProgramError as exc:
        raise ProgramError(f"{path}: {exc}") from None


def parse_program(data: Any) -> Program:
    """Check and convert the parsed YAML; every error names the field it is about."""
    top = _mapping(data, "the file")
    ages = _range(top, "ages", "")
    tracks = _tracks(top, ages)
    treated, not_treated = _concerns(top)
    return Program(
        name=_text(top, "name", ""),
        short_name=_text(top, "short_name", ""),
        sms_name=_text(top, "sms_name", ""),
        phone=_phone(top, "phone", ""),
        website=_website(top),
        timezone=_timezone(top),
        staff_hours=_hours(_get(top, "staff_hours", ""), "staff_hours"),
        crisis_line=_crisis_line(top),
        inpatient=_inpatient(top),
        states=_states(top),
        ages=ages,
        minor_consent_ages=_minor_consent_ages(top),
        step_down_days=_step_down_days(top),
        length_weeks=_range(top, "length_weeks", ""),
        tracks=tracks,
        treated=treated,
        not_treated=not_treated,
        insurers=_insurers(top),
        self_pay=_self_pay(top),
        accreditation=tuple(_text_list(top, "accreditation", "")),
        faq=_faq(top),
        therapies=_therapies(top),
        start_wait_days=_range(top, "start_wait_days", ""),
        assessments=_assessments(top),
        widget_idle_minutes=_widget_idle_minutes(top),
        retention=_retention(top),
    )


def _where(parent: str, key: Union[str, int]) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def _fail(where: str, problem: str) -> ProgramError:
    return ProgramError(f"{where}: {problem}")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(where, "should be a mapping of names to values")
    return value


def _get(data: Mapping[str, Any], key: str, parent: str) -> Any:
    if data.get(key) is None:
        raise _fail(_where(parent, key), "is missing")
    return data[key]


def _text(data: Mapping[str, Any], key: str, parent: str) -> str:
    value = _get(data, key, parent)
    if not isinstance(value, str) or not value.strip():
        raise _fail(_where(parent, key), "should be non-empty text")
    return " ".join(value.split())


def _text_list(data: Mapping[str, Any], key: str, parent: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(_where(parent, key), "should be a list of text")
    return [" ".join(v.split()) for v in value]


def _int(data: Mapping[str, Any], key: str, parent: str) -> int:
    value = _get(data, key, parent)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(_where(parent, key), f"should be a whole number, not {value!r}")
    return value


def _range(data: Mapping[str, Any], key: str, parent: str) -> IntRange:
    where = _where(parent, key)
    value = _mapping(_get(data, key, parent), where)
    low, high = _int(value, "min", where), _int(value, "max", where)
    if not 0 <= low <= high:
        raise _fail(where, f"min ({low}) should be 0 or more and not above max ({high})")
    return IntRange(low, high)


def _phone(data: Mapping[str, Any], key: str, parent: str) -> str:
    phone = _text(data, key, parent)
    digits = re.sub(r"\D", "", phone)
    if not (len(digits) == 10 or (len(digits) == 11 and digits[0] == "1")):
        raise _fail(_where(parent, key), f"{phone!r} is not a 10-digit US phone number")
    return phone


def _website(data: Mapping[str, Any]) -> str:
    url = _text(data, "website", "")
    if not re.match(r"https?://[^\s/]+\.[^\s]+$", url):
        raise _fail("website", f"{url!r} should be a full address starting with https://")
    return url


def _timezone(data: Mapping[str, Any]) -> str:
    name = _text(data, "timezone", "")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail("timezone", f"{name!r} is not a known time zone (use a name like America/Los_Angeles)") from None
    return name


def _clock_minutes(value: Any, where: str, allow_midnight_end: bool = False) -> int:
    # Unquoted 18:00 is read by YAML 1.1 as the number 1080, so insist on quoted text.
    if not isinstance(value, str):
        raise _fail(where, f'write times as quoted 24-hour text like "09:00", not {value!r}')
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match:
        raise _fail(where, f'{value!r} should be a 24-hour time like "09:00"')
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0) and allow_midnight_end:
        return 24 * 60
    if hour > 23 or minute > 59:
        raise _fail(where, f"{value!r} is not a time of day")
    return hour * 60 + minute


def _window(value: Any, where: str) -> TimeWindow:
    if not isinstance(value, str) or value.count("-") != 1:
        raise _fail(where, f'{value!r} should look like "08:00-18:00"')
    start_text, end_text = value.split("-")
    start = _clock_minutes(start_text, where)
    end = _clock_minutes(end_text, where, allow_midnight_end=True)
    if end <= start:
        raise _fail(where, f"{value!r} ends before it starts (split overnight hours across two days)")
    return TimeWindow(start, end)


def _day(value: Any, where: str) -> int:
    day = _DAY_ALIASES.get(str(value).strip().lower())
    if day is None:
        raise _fail(where, f"{value!r} is not a day (use mon, tue, wed, thu, fri, sat, sun)")
    return day


def _hours(value: Any, where: str) -> Hours:
    """'24/7', or a mapping of day -> 'HH:MM-HH:MM' | list of them | 'closed'."""
    if isinstance(value, str) and value.strip().lower() == "24/7":
        return Hours(tuple((TimeWindow(0, 24 * 60),) for _ in WEEKDAYS))
    week: list[tuple[TimeWindow, ...]] = [() for _ in WEEKDAYS]
    for day_name, spec in _mapping(value, where).items():
        day_where = _where(where, str(day_name))
        day = _day(day_name, day_where)
        if spec is None or (isinstance(spec, str) and spec.strip().lower() == "closed"):
            continue
        specs = spec if isinstance(spec, list) else [spec]
        windows = sorted((_window(s, day_where) for s in specs), key=lambda w: w.start)
        if any(a.end > b.start for a, b in zip(windows, windows[1:])):
            raise _fail(day_where, "has overlapping time windows")
        week[day] = tuple(windows)
    if not any(week):
        raise _fail(where, 'has no open hours (use "24/7" or give hours for at least one day)')
    return Hours(tuple(week))


def _crisis_line(data: Mapping[str, Any]) -> CrisisLine:
    line = _mapping(_get(data, "crisis_line", ""), "crisis_line")
    return CrisisLine(
        phone=_phone(line, "phone", "crisis_line"),
        hours=_hours(_get(line, "hours", "crisis_line"), "crisis_line.hours"),
    )


def _inpatient(data: Mapping[str, Any]) -> tuple[Facility, ...]:
    raw = _get(data, "inpatient", "")
    if not isinstance(raw, list) or not raw:
        raise _fail("inpatient", "should list at least one hospital or crisis centre for a higher level of care")
    facilities: list[Facility] = []
    for i, value in enumerate(raw):
        where = _where("inpatient", i)
        item = _mapping(value, where)
        facilities.append(Facility(
            name=_text(item, "name", where), phone=_phone(item, "phone", where),
            address=_text(item, "address", where), hours=_hours(_get(item, "hours", where), _where(where, "hours")),
        ))
    return tuple(facilities)


def _states(data: Mapping[str, Any]) -> tuple[str, ...]:
    codes = _get(data, "states", "")
    if not isinstance(codes, list) or not codes:
        raise _fail("states", "should be a list of two-letter state codes, like [OR, WA]")
    states: list[str] = []
    for i, code in enumerate(codes):
        upper = str(code).strip().upper()
        if upper not in US_STATES:
            raise _fail(_where("states", i), f"{code!r} is not a US state code")
        states.append(upper)
    return tuple(dict.fromkeys(states))


def _minor_consent_ages(data: Mapping[str, Any]) -> Mapping[str, int]:
    section = _mapping(_get(data, "minor_consent_ages", ""), "minor_consent_ages")
    states = _states(data)
    ages: dict[str, int] = {}
    for key in section:
        code = str(key).strip().upper()
        where = _where("minor_consent_ages", str(key))
        if code not in states:
            raise _fail(where, f"{key!r} is not one of the states served ({', '.join(states)})")
        age = _int(section, key, "minor_consent_ages")
        if not 0 <= age <= 18:
            raise _fail(where, f"{age} should be from 0 to 18 (18: no minor consents alone)")
        ages[code] = age
    missing = [code for code in states if code not in ages]
    if missing:
        raise _fail("minor_consent_ages", f"should give an age for every state served (missing: {', '.join(missing)})")
    return MappingProxyType(ages)


# The current-care question asks about the last month; a shorter window than a week is finer than people
# remember a discharge date.
STEP_DOWN_DAYS = IntRange(7, 30)


# Shorter than a few minutes would end conversations while someone thinks over a question; longer than a few
# hours would leave a screening on a shared computer for the next person.
WIDGET_IDLE_MINUTES = IntRange(5, 240)


def _widget_idle_minutes(data: Mapping[str, Any]) -> int:
    if data.get("widget_idle_minutes") is None:
        return 30
    minutes = _int(data, "widget_idle_minutes", "")
    if minutes not in WIDGET_IDLE_MINUTES:
        raise _fail("widget_idle_minutes", f"{minutes} should be from {WIDGET_IDLE_MINUTES} minutes")
    return minutes


# The shortest periods that still serve their purpose (a screening's follow-up, delivery troubleshooting), and
# ten years at most.
RETENTION_DAYS = {"no_booking_days": IntRange(30, 3650), "booked_days": IntRange(30, 3650),
                  "sms_log_days": IntRange(7, 3650), "escalation_days": IntRange(365, 3650)}


def _retention(data: Mapping[str, Any]) -> Retention:
    where = "retention"
    section = _mapping(data.get(where) or {}, where)
    unknown = sorted(set(section) - set(RETENTION_DAYS))
    if unknown:
        raise _fail(_where(where, unknown[0]), f"is not a retention period (they are {', '.join(RETENTION_DAYS)})")
    days = {}
    for key, allowed in RETENTION_DAYS.items():
        if section.get(key) is None:
            continue
        days[key] = _int(section, key, where)
        if days[key] not in allowed:
            raise _fail(_where(where, key), f"{days[key]} should be from {allowed} days")
    retention = Retention(**days)
    if retention.escalation_days < max(retention.no_booking_days, retention.booked_days):
        raise _fail(_where(where, "escalation_days"), "should be at least as long as the other periods: the record "
                                                      "that staff were alerted outlives the conversation")
    return retention


def _step_down_days(data: Mapping[str, Any]) -> int:
    days = _int(data, "step_down_days", "")
    if days not in STEP_DOWN_DAYS:
        raise _fail("step_down_days", f"{days} should be from {STEP_DOWN_DAYS} days: the current-care question "
                                      "asks about the last month")
    return days


def _part_of_day_problem(part: str, days: tuple[int, ...], start: int) -> Optional[str]:
    """Why `part` does not describe a track meeting on `days` from `start`, or None when it does."""
    weekend = all(d >= 5 for d in days)
    if part == "weekend" or weekend:
        return None if part == "weekend" and weekend else "is 'weekend' exactly when every day is sat or sun"
    expected = "morning" if start < 12 * 60 else "afternoon" if start < 17 * 60 else "evening"
    if part == expected:
        return None
    return f"should be {expected!r} for a track starting at {start // 60}:{start % 60:02d}"


def _track(value: Any, where: str, program_ages: IntRange) -> Track:
    data = _mapping(value, where)
    key = _text(data, "key", where)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise _fail(_where(where, "key"), f"{key!r} should be lower_snake_case")
    ages = _range(data, "ages", where)
    if ages.low < program_ages.low or ages.high > program_ages.high:
        raise _fail(_where(where, "ages"), f"{ages} is outside the program's ages ({program_ages})")
    raw_days = _get(data, "days", where)
    if not isinstance(raw_days, list) or not raw_days:
        raise _fail(_where(where, "days"), "should be a list of days, like [mon, wed, thu]")
    days = [_day(d, _where(_where(where, "days"), i)) for i, d in enumerate(raw_days)]
    if len(set(days)) != len(days):
        raise _fail(_where(where, "days"), "lists a day twice")
    start = _clock_minutes(_get(data, "start", where), _where(where, "start"))
    end = _clock_minutes(_get(data, "end", where), _where(where, "end"))
    if end <= start:
        raise _fail(_where(where, "end"), "should be after start")
    part = _text(data, "part_of_day", where)
    if part not in PARTS_OF_DAY:
        raise _fail(_where(where, "part_of_day"), f"{part!r} should be one of {', '.join(PARTS_OF_DAY)}")
    problem = _part_of_day_problem(part, tuple(days), start)
    if problem:
        raise _fail(_where(where, "part_of_day"), problem)
    modality = _text(data, "modality", where)
    if modality not in MODALITIES:
        raise _fail(_where(where, "modality"), f"{modality!r} should be one of {', '.join(MODALITIES)}")
    hours = _get(data, "hours_per_week", where)
    hours_where = _where(where, "hours_per_week")
    if isinstance(hours, bool) or not isinstance(hours, (int, float)):
        raise _fail(hours_where, f"should be a number, not {hours!r}")
    if hours < MIN_HOURS_PER_WEEK:
        raise _fail(hours_where, f"{hours} is under {MIN_HOURS_PER_WEEK}: an IOP gives at least "
                                 f"{MIN_HOURS_PER_WEEK} hours a week")
    if hours >= PARTIAL_HOSPITALIZATION_HOURS:
        raise _fail(hours_where, f"{hours} is partial hospitalization level "
                                 f"({PARTIAL_HOSPITALIZATION_HOURS}+), not IOP")
    scheduled = len(days) * (end - start) / 60
    if hours > scheduled:
        raise _fail(hours_where, f"{hours} is more than the schedule allows ({scheduled:g} hours a week)")
    # Telehealth-only groups have no place to be; everyone else needs to know where to go.
    needs_location = modality != "telehealth" or data.get("location") is not None
    location = _text(data, "location", where) if needs_location else None
    return Track(
        key=key, name=_text(data, "name", where), ages=ages, days=tuple(sorted(days)),
        start=time(start // 60, start % 60), end=time(end // 60, end % 60), part_of_day=part,
        modality=modality, hours_per_week=hours, location=location,
    )


def _tracks(data: Mapping[str, Any], ages: IntRange) -> tuple[Track, ...]:
    raw = _get(data, "tracks", "")
    if not isinstance(raw, list) or not raw:
        raise _fail("tracks", "should be a list with at least one track")
    tracks = tuple(_track(value, _where("tracks", i), ages) for i, value in enumerate(raw))
    keys = [t.key for t in tracks]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise _fail(_where(_where("tracks", i), "key"), f"{key!r} is used by another track")
    return tracks


def _positive(data: Mapping[str, Any], key: str, parent: str, most: int) -> int:
    value = _int(data, key, parent)
    if not 0 < value <= most:
        raise _fail(_where(parent, key), f"{value} should be from 1 to {most}")
    return value


def _hours_ahead(data: Mapping[str, Any], key: str, parent: str) -> int:
    value = _int(data, key, parent)
    if value < 0:
        raise _fail(_where(parent, key), f"{value} should be 0 or more")
    return value


def _assessor(value: Any, where: str) -> Assessor:
    data = _mapping(value, where)
    modality = _text(data, "modality", where)
    if modality not in ASSESSMENT_MODALITIES:
        raise _fail(_where(where, "modality"), f"{modality!r} should be one of {', '.join(ASSESSMENT_MODALITIES)} "
                                               "(list an assessor twice for both)")
    location = _text(data, "location", where) if modality == "in_person" else None
    return Assessor(name=_text(data, "name", where), modality=modality, location=location,
                    hours=_hours(_get(data, "hours", where), _where(where, "hours")))


def _assessments(data: Mapping[str, Any]) -> Assessments:
    where = "assessments"
    section = _mapping(_get(data, where, ""), where)
    reminders = section.get("reminders_hours_before") or []
    if not isinstance(reminders, list) or not all(isinstance(h, int) and not isinstance(h, bool) and 0 < h <= 168
                                                 for h in reminders):
        raise _fail(_where(where, "reminders_hours_before"), "should be a list of hours from 1 to 168, like [24, 2]")
    closed: set[date] = set()
    for i, value in enumerate(section.get("closed_dates") or []):
        try:
            closed.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            raise _fail(_where(_where(where, "closed_dates"), i), f'{value!r} should be a date like "2026-12-25"') from None
    raw = _get(section, "assessors", where)
    if not isinstance(raw, list) or not raw:
        raise _fail(_where(where, "assessors"), "should list at least one assessor with weekly hours")
    assessors = tuple(_assessor(v, _where(_where(where, "assessors"), i)) for i, v in enumerate(raw))
    slot_minutes = _positive(section, "slot_minutes", where, 240)
    for i, assessor in enumerate(assessors):
        for windows in assessor.hours.week:
            if any(w.end - w.start < slot_minutes for w in windows):
                raise _fail(_where(_where(_where(where, "assessors"), i), "hours"),
                            f"has a window shorter than one {slot_minutes}-minute slot")
    return Assessments(
        slot_minutes=slot_minutes,
        min_notice_hours=_hours_ahead(section, "min_notice_hours", where),
        book_ahead_days=_positive(section, "book_ahead_days", where, 120),
        reminders_hours_before=tuple(sorted(set(reminders), reverse=True)),
        closed_dates=frozenset(closed),
        what_to_bring=_text(section, "what_to_bring", where),
        telehealth=_text(section, "telehealth", where),
        assessors=assessors,
    )


def _concerns(data: Mapping[str, Any]) -> tuple[tuple[str, ...], Mapping[str, str]]:
    section = _mapping(_get(data, "concerns", ""), "concerns")
    known = [k for k in CONCERNS if k != "other"]  # "other" is whatever the person names; never listed
    treated = _text_list(section, "treated", "concerns")
    if not treated:
        raise _fail("concerns.treated", "should list at least one concern")
    for i, key in enumerate(treated):
        if key not in known:
            raise _fail(_where("concerns.treated", i), f"{key!r} should be one of {', '.join(known)}")
    not_treated = _mapping(section.get("not_treated") or {}, "concerns.not_treated")
    referrals: dict[str, str] = {}
    for key in not_treated:
        where = _where("concerns.not_treated", str(key))
        if key not in known:
            raise _fail(where, f"{key!r} should be one of {', '.join(known)}")
        if key in treated:
            raise _fail(where, f"{key!r} is also listed as treated")
        referrals[key] = _text(not_treated, key, "concerns.not_treated")
    return tuple(treated), MappingProxyType(referrals)


def _insurers(data: Mapping[str, Any]) -> tuple[Insurer, ...]:
    raw = data.get("insurers") or []
    if not isinstance(raw, list):
        raise _fail("insurers", "should be a list")
    insurers: list[Insurer] = []
    owner: dict[str, str] = {}  # normalised alias -> insurer name, so no alias names two insurers
    for i, value in enumerate(raw):
        where = _where("insurers", i)
        item = _mapping(value, where)
        name = _text(item, "name", where)
        in_network = item.get("in_network")
        if not isinstance(in_network, bool):
            raise _fail(_where(where, "in_network"), "should be true or false")
        aliases = _text_list(item, "aliases", where)
        for alias in [name, *aliases]:
            norm = normalise(alias)
            if owner.get(norm, name) != name:
                raise _fail(_where(where, "aliases"), f"{alias!r} already names {owner[norm]}")
            owner[norm] = name
        insurers.append(Insurer(name, in_network, tuple(aliases)))
    return tuple(insurers)


def _self_pay(data: Mapping[str, Any]) -> SelfPay:
    section = _mapping(_get(data, "self_pay", ""), "self_pay")
    scale = _mapping(_get(section, "sliding_scale", "self_pay"), "self_pay.sliding_scale")
    low = _int(scale, "min", "self_pay.sliding_scale")
    high = _int(scale, "max", "self_pay.sliding_scale")
    if not 0 <= low <= high:
        raise _fail("self_pay.sliding_scale", f"min ({low}) should be 0 or more and not above max ({high})")
    return SelfPay(
        scale_min=low, scale_max=high, per=_text(scale, "per", "self_pay.sliding_scale"),
        financial_assistance=_text(section, "financial_assistance", "self_pay"),
    )


def _therapies(data: Mapping[str, Any]) -> tuple[str, ...]:
    therapies = _text_list(data, "therapies", "")
    if not therapies:
        raise _fail("therapies", "should list the therapies the groups use, like [cognitive behavioral therapy (CBT)]")
    return tuple(therapies)


def _faq(data: Mapping[str, Any]) -> Mapping[str, str]:
    section = _mapping(_get(data, "faq", ""), "faq")
    answers: dict[str, str] = {}
    for topic in FAQ_TOPICS:
        where = _where("faq", topic)
        text = _text(section, topic, "faq")
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError:
            raise _fail(where, "has an unmatched { or }") from None
        unknown = [f for f in fields if f not in FAQ_PLACEHOLDERS]
        if unknown:
            known = ", ".join(sorted(FAQ_PLACEHOLDERS))
            raise _fail(where, f"unknown placeholder {{{unknown[0]}}}; use one of {known}")
        answers[topic] = text
    extra = set(section) - set(FAQ_TOPICS)
    if extra:
        raise _fail(_where("faq", sorted(extra)[0]), f"is not a topic; topics are {', '.join(FAQ_TOPICS)}")
    return MappingProxyType(answers)
