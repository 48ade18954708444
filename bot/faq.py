"""Answers to common questions about the program, worded in program.yml and filled with its facts.

Topic choice is by phrases, not the NLU model: it must work on SMS shorthand mid-screening and stay
predictable. The longest, most specific phrase wins, so "how long is each day" is about hours, not length.
"""
from __future__ import annotations

from typing import Mapping

from bot.parsing import find_phrases
from bot.program import CONCERNS, FAQ_TOPICS, Program, join_words

__all__ = ["FAQ_TOPICS", "faq_answer", "faq_facts", "faq_topic"]

DEFAULT_TOPIC = "what_is_iop"

_PHRASES: Mapping[str, tuple[str, ...]] = {
    # Only specific phrases here: "what is" also opens "what is the cost", and this is the default anyway.
    "what_is_iop": (
        "iop", "intensive outpatient", "what does iop mean", "stand for", "explain the program",
        "what kind of program", "what is iop", "what is an iop", "what's iop", "what's an iop",
    ),
    "duration": (
        "how long", "how many weeks", "weeks", "months", "length", "last", "duration", "when does it end",
        "how long does it last", "how long is the program", "how long will i",
    ),
    "hours": (
        "hours", "what time", "what times", "schedule", "days", "which days", "what days", "evening",
        "evenings", "morning", "mornings", "afternoon", "how often", "how many days", "per week",
        "a week", "how much time", "when", "when do groups meet", "when do you meet", "how long is each day",
        "how long is a day", "how long is each session", "how long are sessions", "each day",
    ),
    "conditions": (
        "treat", "conditions", "condition", "depression", "anxiety", "bipolar", "ptsd", "trauma",
        "substance", "alcohol", "drinking", "drugs", "addiction", "eating disorder",
        "what do you treat", "do you treat", "who is it for", "is it for me",
    ),
    "typical_day": (
        "typical day", "what happens", "what do you do", "what do we do", "group therapy", "groups",
        "individual", "one on one", "family", "families", "medication", "meds", "psychiatrist", "what is a day like",
        "day look like", "what will i do", "activities", "sessions",
    ),
    "work_school": (
        "work", "working", "job", "school", "class", "classes", "college", "study", "studying",
        "keep working", "miss work", "miss school", "still work", "my job", "go to school",
    ),
    "cost": (
        "cost", "costs", "price", "how much", "pay", "insurance", "afford", "free", "sliding scale",
        "copay", "co-pay", "fee", "fees", "expensive", "covered", "medicaid", "medicare", "ohp", "financial",
    ),
    "transport_remote": (
        "transport", "transportation", "ride", "rides", "bus", "drive", "parking", "telehealth", "online",
        "virtual", "virtually", "zoom", "video", "remote", "remotely", "from home", "where are you",
        "location", "address", "get there", "in person",
    ),
    "accreditation": (
        "accredited", "accreditation", "licensed", "license", "joint commission", "legit", "legitimate",
        "certified", "qualified", "credentials", "trust you", "who runs",
    ),
    "referral": (
        "referral", "refer", "referred", "doctor's referral", "need a referral", "my doctor", "sign up",
        "signup", "enroll", "get started", "join", "apply", "how do i start", "how to start", "admission",
        "when can i start",
        "refer myself", "self referral", "self-referral",
    ),
}

_PHRASE_TOPIC = {phrase: topic for topic, phrases in _PHRASES.items() for phrase in phrases}


def faq_topic(text: str) -> str:
    """The FAQ topic a question is about; what an IOP is when nothing matches."""
    scores = dict.fromkeys(FAQ_TOPICS, 0)
    for phrase in find_phrases(text, _PHRASE_TOPIC):
        scores[_PHRASE_TOPIC[phrase]] += len(phrase.split())  # longer phrases are more specific
    # Ties go to the earlier topic, but never to the default one ("is iop online" is about going online).
    best = max(FAQ_TOPICS, key=lambda topic: (scores[topic], topic != DEFAULT_TOPIC))
    return best if scores[best] else DEFAULT_TOPIC


def _range_text(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:g}" if low == high else f"{low:g} to {high:g}"


def faq_facts(program: Program) -> dict[str, str]:
    """The values FAQ templates may use, exactly bot.program.FAQ_PLACEHOLDERS."""
    tracks = program.tracks
    session_hours = [
        (t.end.hour * 60 + t.end.minute - t.start.hour * 60 - t.start.minute) / 60 for t in tracks
    ]
    in_person_places = list(dict.fromkeys(t.location for t in tracks if t.location and t.offers("in_person")))
    return {
        "name": program.name,
        "short_name": program.short_name,
        "phone": program.phone,
        "website": program.website,
        "tracks": "; ".join(
            f"{t.name} (ages {t.ages}): {t.schedule_text}, {t.modality_text}" for t in tracks
        ),
        "track_count": str(len(tracks)),
        "weekly_hours": _range_text([t.hours_per_week for t in tracks]),
        "session_hours": _range_text(session_hours),
        "days_per_week": _range_text([len(t.days) for t in tracks]),
        "length_weeks": f"{program.length_weeks} weeks",
        "treated": join_words([CONCERNS[k] for k in program.treated]),
        "not_treated": " ".join(program.not_treated.values()),
        "insurers": join_words([i.name for i in program.insurers if i.in_network]),
        "sliding_scale": program.self_pay.scale_text,
        "financial_assistance": program.self_pay.financial_assistance,
        "accreditation": join_words(list(program.accreditation)),
        "states": program.states_text(),
        "ages": str(program.ages),
        "staff_hours": str(program.staff_hours),
        "crisis_phone": program.crisis_line.phone,
        "crisis_hours": str(program.crisis_line.hours),
        "telehealth_tracks": join_words([t.name for t in tracks if t.offers("telehealth")]),
        "locations": "; ".join(in_person_places),
    }


def faq_answer(topic: str, program: Program) -> str:
    """The program's answer for `topic` with its facts filled in."""
    if topic not in FAQ_TOPICS:
        raise KeyError(f"unknown FAQ topic {topic!r}; topics are {', '.join(FAQ_TOPICS)}")
    return program.faq[topic].format_map(faq_facts(program))
