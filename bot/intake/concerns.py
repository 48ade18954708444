"""What brings someone here, in their own words, and the concern areas those words point to.

This is routing, not diagnosis: "panic attacks" points to the anxiety questions and tracks, and a
clinician makes sense of it at the assessment. Phrases are plain words people text; a trailing * matches
word endings ("depress*": depressed, depression). A phrase after "not"/"never" (within three words, same
clause) does not count: "I'm not depressed, just anxious" is anxiety only.
"""
from __future__ import annotations

from bot.intake.matching import PhraseTable, has_letters, looks_like_code
from bot.questions import Parsed

MAX_TEXT_CHARS = 1000  # stored as typed up to this length; the whole message is still read for concerns

CONCERN_PHRASES: dict[str, tuple[str, ...]] = {
    "depression": (
        "depress*", "deprimid*", "depresion", "feeling down", "feel down", "been down", "so down",
        "feeling low", "low mood", "sad", "sadness", "so sad", "hopeless*", "worthless*", "empty inside",
        "can't get out of bed", "cant get out of bed", "stay in bed all day", "sleeping all day",
        "no motivation", "unmotivated", "lost interest", "no interest in anything", "don't enjoy anything",
        "nothing matters", "crying all the time", "cry all the time", "crying a lot", "dark place",
        "the blues", "no energy", "tired all the time", "grief", "griev*", "lonely", "loneliness",
        "postpartum", "mdd", "dysthymi*", "triste",
    ),
    "anxiety": (
        "anxi*", "ansiedad", "ansios*", "panic*", "worry*", "worri*", "nervous*", "on edge", "stressed",
        "stressed out", "overwhelm*", "overthink*", "can't stop thinking", "can't relax", "restless",
        "phobia*", "agoraphob*", "scared all the time", "afraid all the time", "heart racing",
        "can't breathe", "gad",
    ),
    "bipolar": (
        "bipolar", "bi polar", "manic", "mania", "hypomani*", "manic depress*", "mood swing*",
        "moods swing", "ups and downs", "highs and lows", "up and down", "no sleep for days",
        "don't sleep for days", "not sleeping for days", "cyclothymi*",
    ),
    "ptsd_trauma": (
        "ptsd", "cptsd", "c ptsd", "trauma*", "flashback*", "nightmare*", "abuse", "abused", "abusive",
        "assault*", "raped", "rape", "domestic violence", "since the accident", "after the accident",
        "car accident", "car crash", "hypervigilan*", "triggered", "combat",
    ),
    "substance_use": (
        "drinking too much", "drink too much", "drinking a lot", "drink a lot", "drinking every day",
        "drinking again", "drinking", "alcohol*", "booze", "drunk", "hangover*", "binge drinking",
        "substance*", "substance abuse", "drug abuse", "alcohol abuse", "drug*", "drogas", "addict*",
        "using again", "started using", "been using", "using drugs", "using every day", "relaps*",
        "sober*", "sobriety", "detox", "rehab", "withdrawal*", "pills", "popping pills", "painkiller*",
        "opioid*", "opiate*", "heroin", "fentanyl", "fent", "meth", "cocaine", "weed", "marijuana",
        "cannabis", "thc", "xanax", "benzo*", "oxy", "oxycodone", "oxycontin", "percocet*", "percs",
        "adderall", "kratom", "getting high", "get high", "stoned",
    ),
    "eating_disorder": (
        "eating disorder*", "not eating", "stopped eating", "can't eat", "barely eating", "barely eat",
        "don't eat", "skipping meals", "binge eating", "binge and purge", "bingeing", "binging", "binge*",
        "purg*", "make myself throw up", "making myself throw up", "make myself sick", "anorexi*",
        "bulimi*", "arfid", "starv*", "restricting", "counting calories", "laxative*", "overeat*",
        "over eating", "emotional eating", "body image", "afraid of gaining weight", "scared of gaining weight",
    ),
    # Named concerns outside the six areas; listed so "depression and OCD" keeps both.
    "other": (
        "ocd", "obsessive*", "compulsi*", "adhd", "psychosis", "psychotic", "hearing voices",
        "schizo*", "anger", "rage", "self harm", "cutting", "autism", "autistic", "personality disorder",
        "bpd", "insomnia", "gambling",
    ),
}

_TABLE = PhraseTable(CONCERN_PHRASES)


def recognise_concerns(text: str) -> list[str]:
    """Sorted concern keys the text points to; text that names none of them is "other"."""
    if not (text or "").strip():
        return []
    found = _TABLE.match(text).found
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

