"""What brings someone here, in their own words, and the concern areas those words point to.

This is routing, not diagnosis: "panic attacks" points to the anxiety questions and tracks, and a
clinician makes sense of it at the assessment. Phrases are plain words people text; a trailing * matches
word endings ("depres*": depressed, depression, depresed). A phrase after "not"/"never" (within three words,
same clause) does not count: "I'm not depressed, just anxious" is anxiety only. Sleep and appetite point to
the depression questions, which ask about both; stress is its own area, since stress alone is not anxiety.
"""

from __future__ import annotations

import re

from bot.intake.matching import PhraseTable, has_letters
from bot.parsing import looks_like_code
from bot.questions import Parsed

MAX_TEXT_CHARS = 1000  # stored as typed up to this length; the whole message is still read for concerns

CONCERN_PHRASES: dict[str, tuple[str, ...]] = {
    "depression": (
        "depres*",
        "deprimid*",
        "feeling down",
        "feel down",
        "been down",
        "so down",
        "feeling low",
        "feel low",
        "been low",
        "so low",
        "super low",
        "really low",
        "very low",
        "pretty low",
        "low mood",
        "sad",
        "sadness",
        "so sad",
        "hopeless*",
        "worthless*",
        "empty inside",
        "can't get out of bed",
        "cant get out of bed",
        "stay in bed all day",
        "sleeping all day",
        "no motivation",
        "unmotivated",
        "lost interest",
        "no interest in anything",
        "don't enjoy anything",
        "nothing matters",
        "crying all the time",
        "cry all the time",
        "crying a lot",
        "dark place",
        "the blues",
        "no energy",
        "tired all the time",
        "grief",
        "griev*",
        "lonely",
        "loneliness",
        "postpartum",
        "mdd",
        "dysthymi*",
        "triste",
        # Sleep and appetite (PHQ-9 items 3 and 5), not eating-disorder words.
        "can't sleep",
        "cant sleep",
        "not sleeping",
        "trouble sleeping",
        "can't eat",
        "cant eat",
        "no appetite",
        "lost my appetite",
        "can't eat or sleep",
        "cant eat or sleep",
        "can't sleep or eat",
        "cant sleep or eat",
        "not eating or sleeping",
        "not sleeping or eating",
        "don't eat or sleep",
        "barely eat or sleep",
        "barely eating or sleeping",
    ),
    "anxiety": (
        "anx*",
        "ansiedad",
        "ansios*",
        "panic*",
        "worry*",
        "worri*",
        "nervous*",
        "on edge",
        "overthink*",
        "can't stop thinking",
        "can't relax",
        "restless",
        "phobia*",
        "agoraphob*",
        "scared all the time",
        "afraid all the time",
        "heart racing",
        "can't breathe",
        "gad",
    ),
    "stress": (
        "stress*",
        "estres*",
        "overwhelm*",
        "burnout",
        "burn out",
        "burned out",
        "burnt out",
        "under pressure",
        "a lot of pressure",
        "so much pressure",
        "too much pressure",
        "pressure at work",
        "work pressure",
        "too much on my plate",
        "overworked",
        "stretched thin",
    ),
    "bipolar": (
        "bipolar",
        "bi polar",
        "manic",
        "mania",
        "hypomani*",
        "manic depress*",
        "mood swing*",
        "moods swing",
        "ups and downs",
        "highs and lows",
        "up and down",
        "no sleep for days",
        "don't sleep for days",
        "not sleeping for days",
        "cyclothymi*",
    ),
    "ptsd_trauma": (
        "ptsd",
        "cptsd",
        "c ptsd",
        "post traumatic stress*",
        "posttraumatic stress*",
        "post traumatic",
        "trauma*",
        "flashback*",
        "nightmares",
        "bad dreams",
        "abuse",
        "abused",
        "abusive",
        "assault*",
        "raped",
        "rape",
        "domestic violence",
        "since the accident",
        "after the accident",
        "car accident",
        "car crash",
        "hypervigilan*",
        "triggered",
        "combat",
    ),
    "substance_use": (
        "drinking too much",
        "drink too much",
        "drinking a lot",
        "drink a lot",
        "drinking every day",
        "drinking again",
        "drinking",
        "alcohol*",
        "booze",
        "drunk",
        "hangover*",
        "binge drink*",
        "abuse alcohol",
        "abusing alcohol",
        "abuse drugs",
        "abusing drugs",
        "abuse pills",
        "abusing pills",
        "substance*",
        "substance abuse",
        "drug abuse",
        "alcohol abuse",
        "drug*",
        "drogas",
        "addict*",
        "using again",
        "started using",
        "been using",
        "using drugs",
        "using every day",
        "relaps*",
        "sober*",
        "sobriety",
        "detox",
        "rehab",
        "withdrawal*",
        "pills",
        "popping pills",
        "painkiller*",
        "opioid*",
        "opiate*",
        "heroin",
        "fentanyl",
        "fent",
        "meth",
        "cocaine",
        "weed",
        "marijuana",
        "cannabis",
        "thc",
        "xanax",
        "benzo*",
        "oxy",
        "oxycodone",
        "oxycontin",
        "percocet*",
        "percs",
        "adderall",
        "kratom",
        "getting high",
        "get high",
        "stoned",
    ),
    "eating_disorder": (
        "eating disorder*",
        "not eating",
        "stopped eating",
        "barely eating",
        "barely eat",
        "don't eat",
        "skipping meals",
        "binge eat*",
        "binge and purge",
        "binging and purging",
        "bingeing and purging",
        "binge on food",
        "binging on food",
        "bingeing on food",
        "food binge*",
        "can't stop eating",
        "purg*",
        "make myself throw up",
        "making myself throw up",
        "make myself sick",
        "anorexi*",
        "bulimi*",
        "arfid",
        "starving myself",
        "starve myself",
        "starved myself",
        "restricting",
        "counting calories",
        "laxative*",
        "overeat*",
        "over eating",
        "emotional eating",
        "body image",
        "afraid of gaining weight",
        "scared of gaining weight",
    ),
    # Named concerns outside the six areas; listed so "depression and OCD" keeps both.
    "other": (
        "ocd",
        "obsessive*",
        "compulsi*",
        "adhd",
        "psychosis",
        "psychotic",
        "hearing voices",
        "schizo*",
        "anger",
        "rage",
        "self harm",
        "cutting",
        "autism",
        "autistic",
        "personality disorder",
        "bpd",
        "insomnia",
        "gambling",
        "traumatic brain injury",
        "brain injury",
        "tbi",
    ),
}
# Words that look like a concern but are not one: the phrase is taken out so its words point nowhere
# ("binge watching" is not bingeing, pills taken for anxiety are not substance use).
_NOT_CONCERNS = (
    "binge watch*",
    "binge watching",
    "take pills for",
    "taking pills for",
    "on pills for",
    "prescribed pills",
    "blood pressure",
)

_TABLE = PhraseTable({**CONCERN_PHRASES, None: _NOT_CONCERNS})
# Texting shorthand: "feelin" for "feeling" (for every -ing word the phrases use), "sooo" for "so".
_DROPPED_G = {
    word[:-1]: word
    for phrases in CONCERN_PHRASES.values()
    for phrase in phrases
    for word in phrase.split()
    if word.endswith("ing")
}
_SHORT_ING = re.compile(r"\b(" + "|".join(sorted(_DROPPED_G, key=len, reverse=True)) + r")'?(?![\w'])", re.I)
_STRETCHED = re.compile(r"([a-z])\1{2,}", re.I)


def _spelt_out(text: str) -> str:
    text = _STRETCHED.sub(r"\1", text)
    return _SHORT_ING.sub(lambda match: _DROPPED_G[match.group(1).lower()], text)


def recognise_concerns(text: str) -> list[str]:
    """Sorted concern keys the text points to; text that names none of them is "other"."""
    if not (text or "").strip():
        return []
    found = _TABLE.match(_spelt_out(text)).found - {None}
    return sorted(found) if found else ["other"]


def parse_concerns(text: str) -> Parsed:
    raw = (text or "").strip()
    if not raw:
        return Parsed.fail("Could you tell me a little about what's been going on?")
    if looks_like_code(raw):
        return Parsed.fail("Could you tell me in your own words what's been going on?")
    if not has_letters(raw):
        return Parsed.fail("Could you put it in a few words? Anything is fine.")
    return Parsed(True, {"text": raw[:MAX_TEXT_CHARS], "concerns": recognise_concerns(raw)})
