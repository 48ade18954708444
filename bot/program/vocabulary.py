"""The words program.yml is written in: days, parts of day, modalities, concerns, FAQ topics, states."""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = datetime.weekday()
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_NUMBERS: Mapping[str, int] = MappingProxyType(
    {
        **{d: i for i, d in enumerate(WEEKDAYS)},
        **{d.lower(): i for i, d in enumerate(DAY_NAMES)},
    }
)
PARTS_OF_DAY = ("morning", "afternoon", "evening", "weekend")
MODALITIES = ("in_person", "telehealth", "both")
ASSESSMENT_MODALITIES = ("in_person", "telehealth")  # a slot is one or the other, so people know where to be

# Concern keys shared with the intake questions and eligibility; labels are how people read them.
CONCERNS: Mapping[str, str] = MappingProxyType(
    {
        "depression": "depression",
        "anxiety": "anxiety",
        "stress": "stress",
        "bipolar": "bipolar disorder",
        "ptsd_trauma": "PTSD and trauma",
        "substance_use": "substance use",
        "eating_disorder": "eating disorders",
        "other": "another concern",
    }
)

FAQ_TOPICS = (
    "what_is_iop",
    "duration",
    "hours",
    "conditions",
    "typical_day",
    "work_school",
    "cost",
    "transport_remote",
    "accreditation",
    "referral",
    "good_fit",
    "choosing",
    "how_soon",
    "teens",
    "confidentiality",
    "therapies",
    "iop_vs_php",
)
# Facts an FAQ answer may name as {placeholder}; bot.faq fills exactly these (a test keeps them in step).
FAQ_PLACEHOLDERS = frozenset(
    {
        "name",
        "short_name",
        "phone",
        "website",
        "tracks",
        "track_count",
        "weekly_hours",
        "session_hours",
        "days_per_week",
        "length_weeks",
        "treated",
        "not_treated",
        "insurers",
        "sliding_scale",
        "financial_assistance",
        "accreditation",
        "states",
        "ages",
        "staff_hours",
        "crisis_phone",
        "crisis_hours",
        "telehealth_tracks",
        "locations",
        "teen_groups",
        "therapies",
        "start_wait",
        "iop_hours",
        "php_hours",
    }
)

US_STATES: Mapping[str, str] = MappingProxyType(
    {
        "AL": "Alabama",
        "AK": "Alaska",
        "AZ": "Arizona",
        "AR": "Arkansas",
        "CA": "California",
        "CO": "Colorado",
        "CT": "Connecticut",
        "DE": "Delaware",
        "FL": "Florida",
        "GA": "Georgia",
        "HI": "Hawaii",
        "ID": "Idaho",
        "IL": "Illinois",
        "IN": "Indiana",
        "IA": "Iowa",
        "KS": "Kansas",
        "KY": "Kentucky",
        "LA": "Louisiana",
        "ME": "Maine",
        "MD": "Maryland",
        "MA": "Massachusetts",
        "MI": "Michigan",
        "MN": "Minnesota",
        "MS": "Mississippi",
        "MO": "Missouri",
        "MT": "Montana",
        "NE": "Nebraska",
        "NV": "Nevada",
        "NH": "New Hampshire",
        "NJ": "New Jersey",
        "NM": "New Mexico",
        "NY": "New York",
        "NC": "North Carolina",
        "ND": "North Dakota",
        "OH": "Ohio",
        "OK": "Oklahoma",
        "OR": "Oregon",
        "PA": "Pennsylvania",
        "RI": "Rhode Island",
        "SC": "South Carolina",
        "SD": "South Dakota",
        "TN": "Tennessee",
        "TX": "Texas",
        "UT": "Utah",
        "VT": "Vermont",
        "VA": "Virginia",
        "WA": "Washington",
        "WV": "West Virginia",
        "WI": "Wisconsin",
        "WY": "Wyoming",
        "DC": "District of Columbia",
        "PR": "Puerto Rico",
    }
)
