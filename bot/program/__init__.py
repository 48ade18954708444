"""The program being served, loaded from program.yml into typed, immutable objects and checked first.

Everything specific to one IOP (tracks, hours, insurers, crisis line, FAQ wording) lives in that file:
`vocabulary` holds the words it is written in, `values` the kinds of value it holds, `section` the base of its
sections, `schema` the sections as pydantic models with the checks across fields (`hours` the opening hours),
`loading` which file is read and how mistakes are told; `wording` puts hours and lists into words.
"""

from bot.program.hours import Hours, TimeWindow
from bot.program.loading import DEFAULT_PROGRAM_FILE, PROGRAM_FILE_ENV, ProgramError, load_program, parse_program
from bot.program.schema import (
    MIN_HOURS_PER_WEEK,
    PARTIAL_HOSPITALIZATION_HOURS,
    Assessments,
    Assessor,
    Concerns,
    CrisisLine,
    Facility,
    Insurer,
    IntRange,
    Program,
    Retention,
    SelfPay,
    SlidingScale,
    Track,
)
from bot.program.vocabulary import (
    ASSESSMENT_MODALITIES,
    CONCERNS,
    DAY_NAMES,
    FAQ_PLACEHOLDERS,
    FAQ_TOPICS,
    MODALITIES,
    PARTS_OF_DAY,
    US_STATES,
    WEEKDAYS,
)
from bot.program.wording import days_text, join_words, opening_text, time_span_text

__all__ = [
    "ASSESSMENT_MODALITIES",
    "CONCERNS",
    "DAY_NAMES",
    "DEFAULT_PROGRAM_FILE",
    "FAQ_PLACEHOLDERS",
    "FAQ_TOPICS",
    "MIN_HOURS_PER_WEEK",
    "MODALITIES",
    "PARTIAL_HOSPITALIZATION_HOURS",
    "PARTS_OF_DAY",
    "PROGRAM_FILE_ENV",
    "US_STATES",
    "WEEKDAYS",
    "Assessments",
    "Assessor",
    "Concerns",
    "CrisisLine",
    "Facility",
    "Hours",
    "Insurer",
    "IntRange",
    "Program",
    "ProgramError",
    "Retention",
    "SelfPay",
    "SlidingScale",
    "TimeWindow",
    "Track",
    "days_text",
    "join_words",
    "load_program",
    "opening_text",
    "parse_program",
    "time_span_text",
]
