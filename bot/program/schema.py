"""The schema of program.yml: immutable pydantic models of each section, with the checks across fields.

A mistake in the file must stop start-up with a message naming the field, never surface mid-conversation.
Each value is checked by its type (bot.program.values); checks that need more than one value are validators
here; a key the schema does not know is refused, so a misspelt optional key cannot fall back to a default
unnoticed. The rest of the code can then trust a `Program`.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from types import MappingProxyType
from typing import Any, ClassVar, Mapping, Optional
from zoneinfo import ZoneInfo

from pydantic import Field, root_validator, validator

from bot.parsing import normalise
from bot.program.hours import Hours
from bot.program.section import Section, keyed, listing, within
from bot.program.values import (
    AssessmentModality,
    Clock,
    FaqTemplate,
    Flag,
    IsoDate,
    Modality,
    Number,
    PartOfDay,
    Phone,
    Problem,
    StateCode,
    Text,
    TextList,
    TimeZoneName,
    Website,
    Weekday,
    WholeNumber,
    concern,
    faq_topic,
)
from bot.program.vocabulary import FAQ_TOPICS, US_STATES
from bot.program.wording import days_text, join_words, opening_text, time_span_text

# Medicare's 2024 IOP rule and ASAM level 2.1: at least 9 hours a week; 20 or more is partial
# hospitalization (ASAM 2.5), a different level of care.
MIN_HOURS_PER_WEEK = 9
PARTIAL_HOSPITALIZATION_HOURS = 20


class IntRange(Section):
    """`{min: 8, max: 12}` in the file; both ends included."""

    low: WholeNumber = Field(..., alias="min")
    high: WholeNumber = Field(..., alias="max")

    @root_validator(skip_on_failure=True)
    def _ordered(cls, values: dict[str, Any]) -> dict[str, Any]:
        low, high = values["low"], values["high"]
        if not 0 <= low <= high:
            raise Problem(f"min ({low}) should be 0 or more and not above max ({high})")
        return values

    def __contains__(self, value: int) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low} to {self.high}"


class CrisisLine(Section):
    phone: Phone
    hours: Hours


class Facility(Section):
    """A hospital or crisis centre for a higher level of care than the program gives."""

    name: Text
    phone: Phone
    address: Text
    hours: Hours


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _part_of_day_problem(part: str, days: tuple[int, ...], start: int) -> Optional[str]:
    """Why `part` does not describe a track meeting on `days` from `start`, or None when it does."""
    weekend = all(d >= 5 for d in days)
    if part == "weekend" or weekend:
        return None if part == "weekend" and weekend else "is 'weekend' exactly when every day is sat or sun"
    expected = "morning" if start < 12 * 60 else "afternoon" if start < 17 * 60 else "evening"
    if part == expected:
        return None
    return f"should be {expected!r} for a track starting at {start // 60}:{start % 60:02d}"


class Track(Section):
    """One IOP group: who it is for, when it meets, how."""

    key: Text
    name: Text
    ages: IntRange
    days: tuple[Weekday, ...]  # weekday numbers, Monday = 0, in order
    start: Clock
    end: Clock
    part_of_day: PartOfDay
    modality: Modality
    hours_per_week: Number
    location: Optional[Text] = None  # None for telehealth-only groups

    _some_days = listing("days", problem="should be a list of days, like [mon, wed, thu]")

    @validator("key")
    def _snake_case(cls, key: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise Problem(f"{key!r} should be lower_snake_case")
        return key

    @validator("days")
    def _each_day_once(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(days)) != len(days):
            raise Problem("lists a day twice")
        return tuple(sorted(days))

    @validator("hours_per_week")
    def _iop_level(cls, hours: float) -> float:
        if hours < MIN_HOURS_PER_WEEK:
            raise Problem(
                f"{hours} is under {MIN_HOURS_PER_WEEK}: an IOP gives at least {MIN_HOURS_PER_WEEK} hours a week"
            )
        if hours >= PARTIAL_HOSPITALIZATION_HOURS:
            raise Problem(f"{hours} is partial hospitalization level ({PARTIAL_HOSPITALIZATION_HOURS}+), not IOP")
        return hours

    @root_validator(skip_on_failure=True)
    def _fits_its_schedule(cls, values: dict[str, Any]) -> dict[str, Any]:
        start, end = _minutes(values["start"]), _minutes(values["end"])
        if end <= start:
            raise Problem("should be after start", at=("end",))
        problem = _part_of_day_problem(values["part_of_day"], values["days"], start)
        if problem:
            raise Problem(problem, at=("part_of_day",))
        hours, scheduled = values["hours_per_week"], len(values["days"]) * (end - start) / 60
        if hours > scheduled:
            raise Problem(
                f"{hours} is more than the schedule allows ({scheduled:g} hours a week)", at=("hours_per_week",)
            )
        # Telehealth-only groups have no place to be; everyone else needs to know where to go.
        if values["location"] is None and values["modality"] != "telehealth":
            raise Problem("is missing", at=("location",))
        return values

    def offers(self, modality: str) -> bool:
        """Whether someone wanting `modality` (in_person / telehealth) can attend this track."""
        return self.modality in (modality, "both")

    @property
    def schedule_text(self) -> str:
        """'Mon, Tue, Thu 9am-12pm'."""
        return f"{days_text(self.days)} {time_span_text(_minutes(self.start), _minutes(self.end))}"

    @property
    def modality_text(self) -> str:
        return {"in_person": "in person", "telehealth": "by telehealth", "both": "in person or by telehealth"}[
            self.modality
        ]


class Insurer(Section):
    name: Text
    in_network: Flag
    aliases: TextList = ()


class SlidingScale(IntRange):
    """Dollars, `{min: 35, max: 150, per: session}` in the file."""

    per: Text  # "session", "day", "week"


class SelfPay(Section):
    sliding_scale: SlidingScale
    financial_assistance: Text  # a full sentence for the participant

    @property
    def scale_min(self) -> int:
        return self.sliding_scale.low

    @property
    def scale_max(self) -> int:
        return self.sliding_scale.high

    @property
    def per(self) -> str:
        return self.sliding_scale.per

    @property
    def scale_text(self) -> str:
        return f"${self.scale_min} to ${self.scale_max} per {self.per}"


class Assessor(Section):
    """A clinician who gives free assessments: when (program time), and how. Shown to staff only."""

    name: Text
    modality: AssessmentModality
    location: Optional[Text] = None  # in person only
    hours: Hours

    @root_validator(skip_on_failure=True)
    def _somewhere_to_be(cls, values: dict[str, Any]) -> dict[str, Any]:
        if values["modality"] != "in_person":
            return {**values, "location": None}
        if values["location"] is None:
            raise Problem("is missing", at=("location",))
        return values


class Assessments(Section):
    slot_minutes: WholeNumber
    min_notice_hours: WholeNumber
    book_ahead_days: WholeNumber
    reminders_hours_before: tuple[int, ...] = ()  # largest first
    closed_dates: frozenset[IsoDate] = frozenset()
    what_to_bring: Text
    telehealth: Text  # how a video assessment works, for the confirmation
    assessors: tuple[Assessor, ...]

    _slot_minutes = within("slot_minutes", low=1, high=240)
    _min_notice_hours = within("min_notice_hours", low=0)
    _book_ahead_days = within("book_ahead_days", low=1, high=120)
    _some_assessors = listing("assessors", problem="should list at least one assessor with weekly hours")

    @validator("reminders_hours_before", pre=True)
    def _reminder_hours(cls, hours: Any) -> tuple[int, ...]:
        if not isinstance(hours, list) or not all(
            isinstance(h, int) and not isinstance(h, bool) and 0 < h <= 168 for h in hours
        ):
            raise Problem("should be a list of hours from 1 to 168, like [24, 2]")
        return tuple(sorted(set(hours), reverse=True))

    @validator("assessors")
    def _windows_hold_a_slot(cls, assessors: tuple[Assessor, ...], values: dict[str, Any]) -> tuple[Assessor, ...]:
        slot_minutes = values.get("slot_minutes")
        for i, assessor in enumerate(assessors):
            if slot_minutes and any(w.end - w.start < slot_minutes for ws in assessor.hours.week for w in ws):
                raise Problem(f"has a window shorter than one {slot_minutes}-minute slot", at=(i, "hours"))
        return assessors


class Retention(Section):
    """How long the application keeps what people told it (bot.store.forget, enforced by the worker). Days."""

    what_a_key_is: ClassVar[str] = "a retention period"

    no_booking_days: WholeNumber = 365  # a conversation that led to no booking, after its last activity
    booked_days: WholeNumber = 730  # one that led to a booking, after its latest appointment (or activity)
    sms_log_days: WholeNumber = 90  # texts sent and received (delivery records), whatever the conversation
    escalation_days: WholeNumber = 2555  # a resolved escalation, stripped of what was written once its data goes

    # The shortest periods that still serve their purpose (a screening's follow-up, delivery troubleshooting),
    # and ten years at most.
    _conversation_days = within("no_booking_days", "booked_days", low=30, high=3650, after=" days")
    _sms_log_days = within("sms_log_days", low=7, high=3650, after=" days")
    _escalation_days = within("escalation_days", low=365, high=3650, after=" days")

    @root_validator(skip_on_failure=True)
    def _alert_record_outlives_conversations(cls, values: dict[str, Any]) -> dict[str, Any]:
        if values["escalation_days"] < max(values["no_booking_days"], values["booked_days"]):
            raise Problem(
                "should be at least as long as the other periods: the record that staff were alerted "
                "outlives the conversation",
                at=("escalation_days",),
            )
        return values


class Concerns(Section):
    treated: TextList = ()  # concern keys
    not_treated: Mapping[str, Text] = {}  # concern key -> where to go instead

    @validator("treated", always=True)
    def _treated_known(cls, treated: tuple[str, ...]) -> tuple[str, ...]:
        if not treated:
            raise Problem("should list at least one concern")
        for i, key in enumerate(treated):
            try:
                concern(key)
            except Problem as problem:
                raise problem.under(i) from None
        return treated

    _known_concerns = keyed("not_treated", key=concern)

    @validator("not_treated", always=True)
    def _referred_elsewhere(cls, referrals: Mapping[str, str], values: dict[str, Any]) -> Mapping[str, str]:
        for key in referrals:
            if key in values.get("treated", ()):
                raise Problem(f"{key!r} is also listed as treated", at=(key,))
        return MappingProxyType(dict(referrals))


class Program(Section):
    what_a_key_is: ClassVar[str] = "a setting of the program"

    name: Text
    short_name: Text
    sms_name: Text  # in appointment texts, which others may see: says nothing of the kind of care
    phone: Phone
    website: Website
    timezone: TimeZoneName
    staff_hours: Hours
    crisis_line: CrisisLine
    inpatient: tuple[Facility, ...]  # at least one
    states: tuple[StateCode, ...]  # two-letter codes
    ages: IntRange
    minor_consent_ages: Mapping[str, WholeNumber]  # state -> age a minor may consent alone
    step_down_days: WholeNumber  # a discharge this recent is a step-down (bot.eligibility)
    widget_idle_minutes: WholeNumber = 30  # a widget conversation this long without a message is over
    retention: Retention = Retention()
    length_weeks: IntRange
    tracks: tuple[Track, ...]
    assessments: Assessments
    concerns: Concerns
    insurers: tuple[Insurer, ...] = ()
    self_pay: SelfPay
    accreditation: TextList = ()
    therapies: TextList = ()  # FAQ only, as people read them
    start_wait_days: IntRange  # FAQ only: usual days from the free assessment to the first group
    faq: Mapping[str, FaqTemplate]  # topic -> answer template with {placeholders}

    _state_keys = keyed("minor_consent_ages")
    _known_topics = keyed("faq", key=faq_topic)
    _some_inpatient = listing(
        "inpatient", problem="should list at least one hospital or crisis centre for a higher level of care"
    )
    _some_states = listing("states", problem="should be a list of two-letter state codes, like [OR, WA]")
    _some_tracks = listing("tracks", problem="should be a list with at least one track")
    _consent_ages = within("minor_consent_ages", low=0, high=18, after=" (18: no minor consents alone)", each_item=True)
    # The current-care question asks about the last month; a shorter window than a week is finer than people
    # remember a discharge date.
    _step_down_days = within(
        "step_down_days", low=7, high=30, after=" days: the current-care question asks about the last month"
    )
    # Shorter than a few minutes would end conversations while someone thinks over a question; longer than a
    # few hours would leave a screening on a shared computer for the next person.
    _widget_idle_minutes = within("widget_idle_minutes", low=5, high=240, after=" minutes")

    @validator("states")
    def _each_state_once(cls, states: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(states))

    @validator("minor_consent_ages")
    def _an_age_for_each_state(cls, ages: Mapping[str, int], values: dict[str, Any]) -> Mapping[str, int]:
        states = values.get("states")
        if states is None:  # wrong themselves, and said so
            return ages
        by_state: dict[str, int] = {}
        for key, age in ages.items():
            code = key.strip().upper()
            if code not in states:
                raise Problem(f"{key!r} is not one of the states served ({', '.join(states)})", at=(key,))
            by_state[code] = age
        missing = [code for code in states if code not in by_state]
        if missing:
            raise Problem(f"should give an age for every state served (missing: {', '.join(missing)})")
        return MappingProxyType(by_state)

    @validator("tracks")
    def _tracks_fit_the_program(cls, tracks: tuple[Track, ...], values: dict[str, Any]) -> tuple[Track, ...]:
        ages: Optional[IntRange] = values.get("ages")
        keys = [track.key for track in tracks]
        for i, track in enumerate(tracks):
            if ages and (track.ages.low < ages.low or track.ages.high > ages.high):
                raise Problem(f"{track.ages} is outside the program's ages ({ages})", at=(i, "ages"))
            if track.key in keys[:i]:
                raise Problem(f"{track.key!r} is used by another track", at=(i, "key"))
        return tracks

    @validator("insurers")
    def _each_alias_names_one_insurer(cls, insurers: tuple[Insurer, ...]) -> tuple[Insurer, ...]:
        owner: dict[str, str] = {}  # normalised alias -> insurer name
        for i, insurer in enumerate(insurers):
            for alias in (insurer.name, *insurer.aliases):
                norm = normalise(alias)
                if owner.get(norm, insurer.name) != insurer.name:
                    raise Problem(f"{alias!r} already names {owner[norm]}", at=(i, "aliases"))
                owner[norm] = insurer.name
        return insurers

    @validator("therapies", always=True)
    def _some_therapies(cls, therapies: tuple[str, ...]) -> tuple[str, ...]:
        if not therapies:
            raise Problem("should list the therapies the groups use, like [cognitive behavioral therapy (CBT)]")
        return therapies

    @validator("faq")
    def _every_topic_answered(cls, answers: Mapping[str, str]) -> Mapping[str, str]:
        for topic in FAQ_TOPICS:
            if topic not in answers:
                raise Problem("is missing", at=(topic,))
        return MappingProxyType({topic: answers[topic] for topic in FAQ_TOPICS})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def treated(self) -> tuple[str, ...]:
        return self.concerns.treated

    @property
    def not_treated(self) -> Mapping[str, str]:
        return self.concerns.not_treated

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
