"""Answers to common questions about the program, worded in program.yml and filled with its facts.

Topic choice is by phrases, not the NLU model: it must work on SMS shorthand mid-screening and stay
predictable. The longest, most specific phrase wins, so "how long is each day" is about hours, not length.
A question naming an insurer ("Do you take Kaiser?") is answered for that insurer from program.yml's list.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from bot.insurance import Carrier, carriers_asked_about, self_pay_text
from bot.parsing import find_phrases
from bot.program import (
    CONCERNS,
    FAQ_TOPICS,
    MIN_HOURS_PER_WEEK,
    PARTIAL_HOSPITALIZATION_HOURS,
    IntRange,
    Program,
    Track,
    join_words,
)

__all__ = ["FAQ_TOPICS", "faq_answer", "faq_facts", "faq_reply", "faq_topic"]

DEFAULT_TOPIC = "what_is_iop"
# A named insurer is what these questions are about; a clearer topic wins ("I have Aetna, how long is it?").
INSURER_TOPICS = ("cost", DEFAULT_TOPIC)
ADULT_AGE = 18  # a track only for people younger than this is a teen group

_PHRASES: Mapping[str, tuple[str, ...]] = {
    # Only specific phrases here: "what is" also opens "what is the cost", and this is the default anyway.
    "what_is_iop": (
        "iop",
        "intensive outpatient",
        "what does iop mean",
        "stand for",
        "explain the program",
        "what kind of program",
        "what is iop",
        "what is an iop",
        "what's iop",
        "what's an iop",
    ),
    "duration": (
        "how long",
        "how many weeks",
        "weeks",
        "months",
        "length",
        "last",
        "duration",
        "when does it end",
        "how long does it last",
        "how long is the program",
        "how long will i",
    ),
    "hours": (
        "hours",
        "what time",
        "what times",
        "schedule",
        "days",
        "which days",
        "what days",
        "evening",
        "evenings",
        "morning",
        "mornings",
        "afternoon",
        "how often",
        "how many days",
        "per week",
        "a week",
        "how much time",
        "when",
        "when do groups meet",
        "when do you meet",
        "how long is each day",
        "how long is a day",
        "how long is each session",
        "how long are sessions",
        "each day",
    ),
    "conditions": (
        "treat",
        "conditions",
        "condition",
        "depression",
        "anxiety",
        "bipolar",
        "ptsd",
        "trauma",
        "substance",
        "alcohol",
        "drinking",
        "drugs",
        "addiction",
        "eating disorder",
        "what do you treat",
        "do you treat",
    ),
    "typical_day": (
        "typical day",
        "what happens",
        "what do you do",
        "what do we do",
        "group therapy",
        "groups",
        "individual",
        "one on one",
        "family",
        "families",
        "medication",
        "meds",
        "psychiatrist",
        "what is a day like",
        "day look like",
        "what will i do",
        "activities",
        "sessions",
    ),
    "work_school": (
        "work",
        "working",
        "job",
        "school",
        "class",
        "classes",
        "college",
        "study",
        "studying",
        "keep working",
        "miss work",
        "miss school",
        "still work",
        "my job",
        "go to school",
    ),
    "cost": (
        "cost",
        "costs",
        "price",
        "how much",
        "pay",
        "insurance",
        "afford",
        "free",
        "sliding scale",
        "copay",
        "co-pay",
        "fee",
        "fees",
        "expensive",
        "covered",
        "medicaid",
        "medicare",
        "ohp",
        "financial",
        "financial aid",
        "financial assistance",
        "in network",
        "in-network",
        "out of network",
        "out-of-network",
        "insurances",
        "payment plan",
        "payment plans",
    ),
    "transport_remote": (
        "transport",
        "transportation",
        "ride",
        "rides",
        "bus",
        "drive",
        "parking",
        "telehealth",
        "online",
        "virtual",
        "virtually",
        "zoom",
        "video",
        "remote",
        "remotely",
        "from home",
        "where are you",
        "location",
        "address",
        "get there",
        "in person",
    ),
    "accreditation": (
        "accredited",
        "accreditation",
        "licensed",
        "license",
        "joint commission",
        "legit",
        "legitimate",
        "certified",
        "qualified",
        "credentials",
        "trust you",
        "who runs",
    ),
    "referral": (
        "referral",
        "refer",
        "referred",
        "doctor's referral",
        "need a referral",
        "my doctor",
        "sign up",
        "signup",
        "enroll",
        "get started",
        "join",
        "apply",
        "how do i start",
        "how to start",
        "admission",
        "refer myself",
        "self referral",
        "self-referral",
    ),
    "good_fit": (
        "good fit",
        "a good fit",
        "right for me",
        "is this right for me",
        "is iop right for me",
        "right program for me",
        "is it for me",
        "is this for me",
        "who is it for",
        "who is this for",
        "who is iop for",
        "who is an iop for",
        "who is the program for",
        "who is this program for",
        "who is it meant for",
        "meant for",
        "who should",
        "who should do iop",
        "do i need iop",
        "do i need an iop",
        "do i need this",
        "should i do iop",
        "should i do an iop",
        "step down",
        "step-down",
        "stepdown",
        "stepping down",
        "after the hospital",
        "after a hospital",
        "after hospital",
        "out of the hospital",
        "after a hospital stay",
        "after inpatient",
        "after rehab",
        "after residential",
        "more than therapy",
        "more than weekly therapy",
        "more support",
        "isn't enough",
        "isnt enough",
        "is not enough",
        "sick enough",
        "bad enough",
        "eligible",
        "qualify",
    ),
    "choosing": (
        "choose",
        "choosing",
        "pick a",
        "picking a",
        "how do i choose",
        "how to choose",
        "how do i pick",
        "how do i decide",
        "look for in",
        "should i look for",
        "what to look for",
        "compare",
        "comparing",
        "which program should i",
        "which iop should i",
        "best iop",
        "best program",
        "a good iop",
        "good iop",
        "good program",
        "a good program",
        "the right program",
        "the right iop",
        "find an iop",
        "find a good",
        "questions to ask",
        "what should i ask",
        "questions should i ask",
        "any good",
        "what makes a good",
        "why choose you",
        "why should i choose",
        "other programs",
    ),
    "how_soon": (
        "how soon",
        "how fast",
        "how quickly",
        "how quick",
        "how soon can i start",
        "when can i start",
        "when could i start",
        "when can i begin",
        "when could i begin",
        "start soon",
        "start right away",
        "right away",
        "asap",
        "immediately",
        "start date",
        "soonest",
        "earliest",
        "the earliest",
        "i could begin",
        "i can begin",
        "how long is the wait",
        "how long is the waitlist",
        "how long is the wait list",
        "how long is the waiting list",
        "how long do i wait",
        "how long until",
        "how long before i can",
        "how long to get in",
        "how long does it take to start",
        "how long does it take to get in",
        "wait",
        "waiting",
        "waitlist",
        "wait list",
        "waiting list",
        "openings",
        "an opening",
        "this week",
        "next week",
    ),
    "teens": (
        "teen",
        "teens",
        "teenager",
        "teenagers",
        "teen program",
        "teen group",
        "for teens",
        "adolescent",
        "adolescents",
        "youth",
        "kid",
        "kids",
        "child",
        "children",
        "my son",
        "my daughter",
        "my child",
        "my kid",
        "high school",
        "high schooler",
        "high schoolers",
        "with teens",
        "with teenagers",
        "work with teens",
        "work with teenagers",
        "under 18",
        "minor",
        "minors",
        "year old",
        "years old",
        "age",
        "ages",
        "what ages",
        "age limit",
        "how old",
        "too old",
        "too young",
        "adult",
        "adults",
    ),
    "confidentiality": (
        "confidential",
        "confidentiality",
        "private",
        "privacy",
        "hipaa",
        "42 cfr",
        "part 2",
        "who will know",
        "who knows",
        "who sees",
        "who can see",
        "who reads",
        "who gets my answers",
        "my answers",
        "where do my answers go",
        "my information",
        "my info",
        "my data",
        "my records",
        "on my record",
        "anyone find out",
        "who will find out",
        "employer find out",
        "job find out",
        "boss find out",
        "school find out",
        "parents find out",
        "family find out",
        "parents be told",
        "employer be told",
        "tell my parents",
        "tell my employer",
        "tell my boss",
        "tell my job",
        "tell my school",
        "shared with",
        "share my",
        "sell my",
        "anonymous",
        "secret",
        "kept confidential",
        "kept private",
    ),
    "therapies": (
        "therapies",
        "what therapy",
        "which therapy",
        "what kind of therapy",
        "what type of therapy",
        "what types of therapy",
        "kind of therapy",
        "type of therapy",
        "types of therapy",
        "therapy approach",
        "approach",
        "approaches",
        "treatment approach",
        "methods",
        "techniques",
        "evidence based",
        "evidence-based",
        "cbt",
        "dbt",
        "emdr",
        "mindfulness",
        "motivational interviewing",
        "skills",
        "coping skills",
        "what treatments",
    ),
    "iop_vs_php": (
        "php",
        "partial hospital",
        "partial hospitalization",
        "partial hospitalization program",
        "day treatment",
        "day program",
        "iop vs php",
        "iop or php",
        "php or iop",
        "php vs iop",
        "iop and php",
        "php and iop",
        "difference between iop and php",
        "compared to php",
        "compared to iop",
        "more intensive",
        "level of care",
        "levels of care",
        "asam",
        "higher level",
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


def _track_text(track: Track) -> str:
    return f"{track.name} (ages {track.ages}): {track.schedule_text}, {track.modality_text}"


def _teen_groups(program: Program) -> str:
    teen = [t for t in program.tracks if t.ages.high < ADULT_AGE]
    if not teen:
        return "We do not have a separate teen group."
    return f"For teens we have {'; '.join(_track_text(t) for t in teen)}."


def _days(days: IntRange) -> str:
    return f"{days} {'day' if str(days) == '1' else 'days'}"


def faq_facts(program: Program) -> dict[str, str]:
    """The values FAQ templates may use, exactly bot.program.FAQ_PLACEHOLDERS."""
    tracks = program.tracks
    session_hours = [(t.end.hour * 60 + t.end.minute - t.start.hour * 60 - t.start.minute) / 60 for t in tracks]
    in_person_places = list(dict.fromkeys(t.location for t in tracks if t.location and t.offers("in_person")))
    return {
        "name": program.name,
        "short_name": program.short_name,
        "phone": program.phone,
        "website": program.website,
        "tracks": "; ".join(_track_text(t) for t in tracks),
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
        "teen_groups": _teen_groups(program),
        "therapies": join_words(list(program.therapies)),
        "start_wait": _days(program.start_wait_days),
        "iop_hours": f"{MIN_HOURS_PER_WEEK} to {PARTIAL_HOSPITALIZATION_HOURS - 1}",
        "php_hours": str(PARTIAL_HOSPITALIZATION_HOURS),
    }


def faq_answer(topic: str, program: Program) -> str:
    """The program's answer for `topic` with its facts filled in."""
    if topic not in FAQ_TOPICS:
        raise KeyError(f"unknown FAQ topic {topic!r}; topics are {', '.join(FAQ_TOPICS)}")
    return program.faq[topic].format_map(faq_facts(program))


def _insurer_answer(carriers: Sequence[Carrier], program: Program) -> str:
    """Whether we take the insurers a question names: in network, not in network, or not on our list at all."""
    taken = [c.name for c in carriers if c.in_network]
    not_taken = [c.name for c in carriers if c.listed and not c.in_network]
    unlisted = [c.name for c in carriers if not c.listed]
    sentences = []
    if taken:
        sentences.append(
            f"Yes, we are in network with {join_words(taken)}. The intake team will confirm your "
            "benefits and any copay before you start."
        )
    if not_taken or unlisted:
        said = [f"we are not in network with {join_words(not_taken, 'or')}"] if not_taken else []
        if unlisted:
            plans = "is not a plan" if len(unlisted) == 1 else "are not plans"
            said.append(f"{join_words(unlisted)} {plans} we work with directly")
        first = ", and ".join(said)
        sentences += [
            first[:1].upper() + first[1:] + ".",
            "That means your plan pays only if it has out-of-network benefits, and often only part of the cost: "
            "the intake team can check for you.",
            self_pay_text(program),
        ]
    return " ".join(sentences)


def faq_reply(question: str, program: Program) -> str:
    """The answer to a question as it was asked: about the insurer it names, else its topic's answer."""
    topic = faq_topic(question)
    carriers = carriers_asked_about(question, program) if topic in INSURER_TOPICS else []
    return _insurer_answer(carriers, program) if carriers else faq_answer(topic, program)
