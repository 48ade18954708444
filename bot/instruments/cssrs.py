"""C-SSRS screener, recent version (Columbia Lighthouse Project, free to use).

The six questions and the follow-up "Was this within the past 3 months?" are the screener's own words;
about someone else, the same questions in the third person. Q1-Q5 ask about the past month (the stem says
so, as the screener's "Past month" heading does); Q6 about any time, then whether it was within the past 3
months. Left out on purpose: the screener's examples under Q3 and Q6, which name methods. The bot never
talks about methods.

Reading answers errs towards safety. A hedge ("maybe", "kind of", "sometimes", "I guess") counts as yes,
and so does an answer that says both yes and no: a yes read too eagerly costs a clinician's call, a no read
too eagerly can cost a life. A no with a qualifier is not a no: "not yet", "no but soon", "not since 2019",
"not any more", "not really, I just wrote a note" say it has happened or is coming (yes); a no beside words
of intent or action that it does not deny ("no, I'm going to try to sleep more") is asked again. "Not
sure" or "I don't know" is asked again, never taken as no.

A question the person would not answer, even when asked twice, is stored as DECLINED and never read as
no: a refused Q2 still leads to Q3-Q5, and a refusal is a risk a clinician must ask about
(`declined_needs_callback`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum
from fractions import Fraction
from typing import Any, Callable, Mapping, Optional

from bot.instruments.base import MAX_ANSWER_CHARS, Instrument, Score
from bot.parsing import (
    MAYBE_PHRASES,
    NEGATOR,
    NUMBER_WORDS,
    SOMETIMES_PHRASES,
    UNSURE,
    YES_NO,
    PhraseTable,
    negated_at,
)
from bot.questions import DECLINED, Choice, Parsed, Question

Q1, Q2, Q3, Q4, Q5, Q6 = (f"cssrs_{n}" for n in range(1, 7))
RECENT = "cssrs_6_recent"
KEYS = (Q1, Q2, Q3, Q4, Q5, Q6, RECENT)

# "It happened a bit / now and then": yes to "have you...?", but says nothing about when.
NOW_AND_THEN = (*SOMETIMES_PHRASES, "somewhat", "more or less", "once")
# Often: yes, and still yes after a negator ("not often", "not all the time" is sometimes).
OFTEN = (
    "a lot",
    "alot",
    "lots",
    "often",
    "all the time",
    "always",
    "constantly",
    "every day",
    "everyday",
    "daily",
    "every night",
    "many times",
    "so many times",
    "more than once",
)
NOT_REALLY = (
    "probably not",
    "i guess not",
    "i suppose not",
    "not that i know of",
    "not that i remember",
    "no never",
    "not one time",
    "not a single time",
    "not a bit",
    "not one bit",
    "not in the slightest",
    "i would not",
    "i wouldnt",
    "i would never",
    "i have no",
    "ive no",
    "i had no",
    "dont",
    "didnt",
    "havent",
    "hasnt",
)
# Go-ahead words answer "shall we?", not "have you...?": asked again rather than read as yes.
GO_AHEAD = frozenset(("ok", "okay", "k", "i am", "i agree", "go ahead", "dont mind", "i dont mind"))
_YES_NO_MAYBE: dict[str, bool] = {
    **{phrase: said for phrase, said in YES_NO.items() if phrase not in GO_AHEAD},
    **dict.fromkeys(MAYBE_PHRASES, True),
    **dict.fromkeys(NOT_REALLY, False),
}

# What makes a no a qualified one; read before the yes and no words, without typo correction ("tired" is
# not "tried"). It has happened, or is coming: yes, even after a negator ("not yet", "not since 2019").
YET = (
    "yet",
    "as yet",
    "soon",
    "tomorrow",
    "tonight",
    "later",
    "someday",
    "some day",
    "one of these days",
    "eventually",
    "at some point",
    "almost",
    "nearly",
    "not now",
    "not right now",
    "not today",
    "not at the moment",
    "not currently",
    "for now",
)
SINCE = (
    "since",
    "recently",
    "lately",
    "anymore",
    "any more",
    "no longer",
    "used to",
    "ago",
    "back then",
    "last year",
    "this year",
    "in a while",
    "in a long time",
    "for a while",
    "in ages",
    "in years",
)
SINCE_OR_YET = YET + SINCE
# A time before the past month, or behaviour the C-SSRS counts (preparing is behaviour: a note, giving things
# away): yes, unless denied ("I never wrote a note").
EARLIER = (
    "before",
    "in the past",
    "when i was",
    "as a kid",
    "as a child",
    "as a teen",
    "as a teenager",
    "in high school",
    "in college",
)
BEHAVIOUR = (
    "note",
    "wrote a note",
    "write a note",
    "written a note",
    "writing a note",
    "suicide note",
    "goodbye note",
    "goodbye letter",
    "wrote a will",
    "made a will",
    "gave away",
    "gave things away",
    "gave my things away",
    "gave stuff away",
    "giving away",
    "given away",
    "said goodbye",
    "said my goodbyes",
    "saying goodbye",
    "attempt",
    "attempted",
    "stopped myself",
    "changed my mind",
    "someone stopped me",
    "got stopped",
    "stockpiled",
    "stockpiling",
)
HAPPENED = EARLIER + BEHAVIOUR
# Intent or action a no beside them may not deny ("no, I'm going to try"), or a no about only part of the
# time asked ("not this month"): asked again.
INTENT = (
    "will",
    "going to",
    "gonna",
    "about to",
    "plan",
    "plans",
    "planning",
    "planned",
    "intend",
    "intending",
    "intention",
    "want to",
    "wanna",
    "might",
    "could",
    "tried",
    "try",
    "trying",
    "started",
    "starting",
    "prepared",
    "preparing",
    "wrote",
    "write",
    "writing",
    "written",
    "letter",
    "think about it",
    "thought about it",
    "thinking about it",
    "would if",
    "never again",
    "not again",
    "not in the past month",
    "not in the last month",
    "not this month",
    "not this week",
)
# The same words, denied: a no.
DENIED = (
    "will not",
    "will never",
    "never will",
    "would never",
    "never would",
    "could never",
    "never could",
    "not going to",
    "never going to",
    "not gonna",
    "never gonna",
    "not about to",
    "not planning",
    "no plan",
    "no plans",
    "no intention",
    "no intentions",
    "no attempt",
    "no attempts",
    "have no plan",
    "have no plans",
    "have no intention",
    "have no intentions",
    "will be fine",
    "will be ok",
    "will be okay",
    "going to be fine",
    "going to be ok",
    "going to be okay",
    "gonna be fine",
    "gonna be ok",
    "ill be fine",
    "ill be ok",
)
_QUALIFIED: PhraseTable[Optional[bool]] = PhraseTable(
    {**dict.fromkeys(SINCE_OR_YET + HAPPENED, True), **dict.fromkeys(INTENT), **dict.fromkeys(DENIED, False)},
    steady=SINCE_OR_YET,
    fuzzy=False,
)
# Intent and plan (Q4, Q5) ask about the past month, and a yes stops the screening for crisis care: what is
# still to come is a yes ("not yet"), but a time before the month ("not recently", "I used to") is asked
# again rather than guessed either way.
_QUALIFIED_INTENT: PhraseTable[Optional[bool]] = PhraseTable(
    {
        **dict.fromkeys(SINCE + EARLIER),
        **dict.fromkeys(YET + BEHAVIOUR, True),
        **dict.fromkeys(INTENT),
        **dict.fromkeys(DENIED, False),
    },
    steady=SINCE_OR_YET,
    fuzzy=False,
)
UNCLEAR = "Sorry, I couldn't tell if that was a yes or a no."


@dataclass(frozen=True)
class YesNoParser:
    """Reads a safety answer: any yes or hedge is yes; only a clear no is no; "not sure" is asked again."""

    table: PhraseTable[bool]  # yes, no and hedges
    qualifiers: PhraseTable[Optional[bool]]  # words that make a no a qualified one: yes (True), unclear (None)

    def __call__(self, text: str) -> Parsed:
        if not text.strip() or len(text) > MAX_ANSWER_CHARS:
            return Parsed.fail(UNCLEAR)
        unsure = UNSURE.find(text)
        qualified = self.qualifiers.find(unsure.rest)
        found = self.table.find(qualified.rest)
        said = set(qualified.values) | set(found.values)
        if True in said:
            return Parsed(True, True)
        # A cancelled yes ("no, not a little") leaves the no in doubt.
        if unsure.values or found.negated or said != {False}:
            return Parsed.fail(UNCLEAR)
        return Parsed(True, False)


# Answers to "Was this within the past 3 months?" that name a time rather than saying yes or no; None: a
# time that could be either.
_WHEN = PhraseTable(
    {
        **dict.fromkeys(
            (
                "now",
                "right now",
                "just now",
                "rn",
                "currently",
                "at the moment",
                "atm",
                "ongoing",
                "still doing it",
                "still happening",
                "still going on",
                "today",
                "2day",
                "tonight",
                "tonite",
                "2nite",
                "this morning",
                "this afternoon",
                "this evening",
                "yesterday",
                "the other day",
                "this week",
                "this weekend",
                "last weekend",
                "this month",
                "recently",
                "lately",
                "days ago",
                "weeks ago",
                "hours ago",
                "minutes ago",
                "earlier today",
                "not long ago",
                "not that long ago",
                "not so long ago",
                "not too long ago",
                "not very long ago",
                "within",
            ),
            True,
        ),
        **dict.fromkeys(
            (
                "years ago",
                "years back",
                "long ago",
                "a long time ago",
                "a long while ago",
                "ages ago",
                "way back",
                "many months ago",
                "when i was younger",
                "when i was a kid",
                "when i was a teenager",
                "as a teenager",
                "as a teen",
                "as a kid",
                "as a child",
                "in high school",
                "in college",
                "not recently",
                "not lately",
                "not within",
            ),
            False,
        ),
        **dict.fromkeys(
            (
                "this year",
                "earlier this year",
                "a while ago",
                "a while back",
                "some time ago",
                "a bit ago",
                "months ago",
                "not anymore",
                "fine now",
                "ok now",
                "okay now",
                "better now",
                "good now",
            ),
            None,
        ),
    }
)
# "I did" says it happened, not when: not a yes to "was this within the past 3 months?".
_WHEN_ANSWER = PhraseTable({p: said for p, said in _YES_NO_MAYBE.items() if p not in ("i do", "i have", "i did")})

RECENT_WEEKS = 13  # the past 3 months: 13 weeks ("13 weeks ago" is within, "14 weeks ago" is not)
_WEEKS = {
    "mi": Fraction(0),
    "h": Fraction(0),
    "d": Fraction(1, 7),
    "n": Fraction(1, 7),
    "w": Fraction(1),
    "mo": Fraction(13, 3),
    "y": Fraction(52),
}  # a unit in weeks, by how its name starts
_AMOUNTS: dict[str, tuple[Fraction, Fraction]] = {
    **dict.fromkeys(("a", "an"), (Fraction(1), Fraction(1))),
    **dict.fromkeys(("few", "a few"), (Fraction(3), Fraction(3))),
    **dict.fromkeys(("couple", "a couple", "couple of", "a couple of"), (Fraction(2), Fraction(2))),
    **dict.fromkeys(("half a", "half an"), (Fraction(1, 2), Fraction(1, 2))),
    "several": (Fraction(3), Fraction(7)),
}
_AMOUNT = "|".join(
    sorted(
        [r"\d+(?:\.\d+)?", *(re.escape(a).replace(r"\ ", r"\s+") for a in _AMOUNTS), *NUMBER_WORDS],
        key=len,
        reverse=True,
    )
)
_AGO = re.compile(
    r"\b(?:(?:(?P<more>more\s+than|longer\s+than|at\s+least|over)"
    r"|(?P<less>less\s+than|under|no\s+more\s+than|within(?:\s+the\s+(?:last|past))?"
    r"|(?:(?:in|over|during)\s+)?(?:the\s+|this\s+)?(?:last|past)))\s+)?"
    rf"(?P<n>{_AMOUNT})?(?:\s*(?:or|to|-)\s*(?P<m>{_AMOUNT}))?(?P<half>\s+and\s+a\s+half)?\s*"
    r"(?P<unit>min(?:ute)?s?|h(?:ou)?rs?|days?|nights?|w(?:ee)?ks?|mo(?:nth)?s?|y(?:ea)?rs?)\b"
    r"(?P<half2>\s+and\s+a\s+half)?(?P<ago>\s+(?:ago|back))?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?P<since>since\s+)?(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH = re.compile(
    r"\b(?P<lead>(?:(?:back\s+)?in|last|since|early|late|mid|end\s+of|beginning\s+of)\s+)?"
    rf"(?P<month>{'|'.join(_MONTH_NAMES)}|sept)\b(?:\s*(?:of\s+)?(?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
_DENIED_IN_CLAUSE = re.compile(rf"\b{NEGATOR}\b[^,.;:!?]*$", re.IGNORECASE)
Reading = Optional[bool]  # within the past 3 months (True), longer ago (False), or cannot tell (None)


def _amount(word: Optional[str]) -> tuple[Fraction, Fraction]:
    word = " ".join((word or "a").lower().split())
    if word in _AMOUNTS:
        return _AMOUNTS[word]
    value = Fraction(NUMBER_WORDS[word]) if word in NUMBER_WORDS else Fraction(word)
    return value, value


def _weeks_ago(match: re.Match[str]) -> tuple[Fraction, Fraction]:
    """The fewest and most weeks "N units" can be ("several weeks": 3 to 7, "2 or 3 months": 8.7 to 13)."""
    unit = match["unit"].lower()
    per = _WEEKS[unit[:2]] if unit[:2] in _WEEKS else _WEEKS[unit[0]]
    half = Fraction(1, 2) if match["half"] or match["half2"] else Fraction(0)
    low, high = _amount(match["n"])[0], _amount(match["m"] or match["n"])[1]
    return (low + half) * per, (high + half) * per


def _within(low: Fraction, high: Fraction, *, more: bool, less: bool, negated: bool) -> Reading:
    """Whether a time between `low` and `high` weeks ago (or more than / less than that) is recent."""
    if negated:  # "not in the past 3 months" is more than 3 months ago; "not 2 weeks ago" says nothing
        more, less, low, high = less, more, high, low
        if not (more or less):
            return None
    if more:
        return False if low >= RECENT_WEEKS else None
    if less:
        return True if high <= RECENT_WEEKS else None
    return True if high <= RECENT_WEEKS else False if low > RECENT_WEEKS else None


def _dated(text: str, today: date) -> tuple[list[Reading], str]:
    """Readings of the times an answer gives in numbers, months and years, and the text they leave.

    A month or a year needs today's date: a year before last is not recent, this year or last year cannot
    tell; a month up to 2 months back is recent, 3 back cannot tell (part of it may be), 4 or more is not.
    """
    readings: list[Reading] = []

    def month(match: re.Match[str]) -> str:
        lead = " ".join((match["lead"] or "").lower().split())
        name = match["month"].lower()
        if name == "may" and not (lead or match["year"]):
            return match.group(0)  # "it may have been": no month
        number = 9 if name == "sept" else _MONTH_NAMES.index(name) + 1
        this_year = number < today.month or (number == today.month and lead != "last")
        year = int(match["year"]) if match["year"] else today.year if this_year else today.year - 1
        back = (today.year - year) * 12 + today.month - number
        unsure = lead == "since" or back < 0 or back == 3 or negated_at(match.string, match.start())
        readings.append(None if unsure else back < 3)
        return " "

    def year(match: re.Match[str]) -> str:
        old = int(match["year"]) < today.year - 1
        if match["since"]:  # "not since 2019" was 2019; "since 2019" may mean ever since
            readings.append(False if old and _DENIED_IN_CLAUSE.search(match.string, 0, match.start()) else None)
        else:
            readings.append(False if old and not negated_at(match.string, match.start()) else None)
        return " "

    def ago(match: re.Match[str]) -> str:
        more, less = bool(match["more"]), bool(match["less"])
        if not (more or less or (match["n"] and match["ago"])):
            return match.group(0)  # "2 weeks" alone may be how long it lasted, not when
        low, high = _weeks_ago(match)
        readings.append(_within(low, high, more=more, less=less, negated=negated_at(match.string, match.start())))
        return " "

    text = _MONTH.sub(month, text)
    text = _YEAR.sub(year, text)
    return readings, _AGO.sub(ago, text)


@dataclass(frozen=True)
class WhenParser:
    """Reads "Was this within the past 3 months?".

    A time named decides ("last night", "2.5 months ago", "in 2019"), whatever yes or no comes with it,
    unless a yes beside a time longer ago makes it unclear ("yes, years ago"); without one, yes or no
    decides. Anything that cannot tell is asked again, never taken as no. `today` dates a month or a year.
    """

    today: Callable[[], date] = date.today

    def __call__(self, text: str) -> Parsed:
        if not text.strip() or len(text) > MAX_ANSWER_CHARS:
            return Parsed.fail(UNCLEAR)
        times, rest = _dated(text, self.today())
        unsure = UNSURE.find(rest)
        named = _WHEN.find(unsure.rest)
        said = _WHEN_ANSWER.find(named.rest)
        times += named.values
        if True in times:
            return Parsed(True, True)
        if None in times or named.negated or said.negated or unsure.values:
            return Parsed.fail(UNCLEAR)
        answer = set(said.values)
        if times:
            return Parsed(True, False) if True not in answer else Parsed.fail(UNCLEAR)
        if True in answer:
            return Parsed(True, True)
        return Parsed(True, False) if answer == {False} else Parsed.fail(UNCLEAR)


CHOICES = (Choice(True, "Yes", "yes"), Choice(False, "No", "no"))
STEM = "These next questions are about the past month. We ask everyone, and there are no wrong answers."
STEM_OTHER = (
    "These next questions are about the past month. We ask everyone; please answer as best you can from what you know."
)
WHY = "We ask everyone these questions so that each person gets the right support, and gets it quickly if they need it."
HELP = (
    "A yes or a no is all I need. If it has been true even a little, please say yes: someone from our "
    "team will make sure you get the right support."
)


_ANSWERS = PhraseTable({**_YES_NO_MAYBE, **dict.fromkeys(NOW_AND_THEN + OFTEN, True)}, steady=OFTEN)
_PARSE = YesNoParser(_ANSWERS, qualifiers=_QUALIFIED)
_PARSE_INTENT = YesNoParser(_ANSWERS, qualifiers=_QUALIFIED_INTENT)
_PARSE_WHEN = WhenParser()


def _item(
    key: str,
    text: str,
    other: str,
    stem: str = "",
    stem_other: str = "",
    parse: Callable[[str], Parsed] = _PARSE,
    help: str = HELP,
) -> Question:
    return Question(
        key=key,
        text=text,
        text_other=other,
        parse=parse,
        choices=CHOICES,
        why=WHY,
        help=help,
        skippable=False,
        instrument="cssrs",
        stem=stem,
        stem_other=stem_other,
    )


def _past_month(key: str, text: str, other: str, parse: Callable[[str], Parsed] = _PARSE) -> Question:
    return _item(key, text, other, STEM, STEM_OTHER, parse=parse)


class Risk(str, Enum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


def _yes(answers: Mapping[str, Any], key: str) -> bool:
    return answers.get(key) is True


def _declined(answers: Mapping[str, Any], key: str) -> bool:
    return answers.get(key) == DECLINED


def high_risk_reached(answers: Mapping[str, Any]) -> bool:
    """Whether an answer given already makes the risk high: the screening stops at once. Behaviour whose time
    the person would not say is read as recent."""
    recent = _yes(answers, RECENT) or _declined(answers, RECENT)
    return _yes(answers, Q4) or _yes(answers, Q5) or (_yes(answers, Q6) and recent)


def declined_needs_callback(answers: Mapping[str, Any]) -> bool:
    """Whether a safety question the person would not answer calls for a clinician's call (moderate risk).

    Refusing Q2-Q6 or the 3-month follow-up hides an answer that could mean moderate or high risk; refusing
    Q1 does so when PHQ-9 item 9 already told of thoughts of death or self-harm, or was refused too.
    """
    declined = [key for key in KEYS if _declined(answers, key)]
    item9 = answers.get("phq9_9")
    thoughts = item9 == DECLINED or (isinstance(item9, int) and item9 > 0)
    return any(key != Q1 for key in declined) or (bool(declined) and thoughts)


def cssrs_risk(answers: Mapping[str, Any]) -> Risk:
    """Risk level from the answers so far.

    Behaviour (Q6) whose timing is not known (not answered yet, or declined) counts as recent: high.
    (`high_risk_reached` waits for the answer instead, so the follow-up question still gets asked, and a
    refusal never stops the screening.) A refusal is at least moderate as `declined_needs_callback` says; a
    refused Q1 on its own counts as its yes would: low.
    """
    if high_risk_reached(answers) or (_yes(answers, Q6) and not isinstance(answers.get(RECENT), bool)):
        return Risk.HIGH
    if _yes(answers, Q3) or _yes(answers, Q6) or declined_needs_callback(answers):
        return Risk.MODERATE
    if _yes(answers, Q1) or _yes(answers, Q2) or _declined(answers, Q1):
        return Risk.LOW
    return Risk.NONE


_REASONS = (  # (item, reported, declined)
    (
        Q1,
        "Reported wishing to be dead or to go to sleep and not wake up in the past month",
        "Declined to answer whether they have wished they were dead or could go to sleep and not wake up in the "
        "past month",
    ),
    (
        Q2,
        "Reported thoughts of killing themselves in the past month",
        "Declined to answer whether they have had thoughts of killing themselves in the past month",
    ),
    (
        Q3,
        "Reported thinking about how they might kill themselves in the past month",
        "Declined to answer whether they have been thinking about how they might kill themselves in the past month",
    ),
    (
        Q4,
        "Reported intent to act on suicidal thoughts in the past month",
        "Declined to answer whether they have had any intention of acting on suicidal thoughts in the past month",
    ),
    (
        Q5,
        "Reported working out the details of a suicide plan, or intending to carry one out, in the past month",
        "Declined to answer whether they have worked out the details of a suicide plan, or intend to carry one "
        "out, in the past month",
    ),
    (
        Q6,
        "Reported having done, started or prepared to do something to end their life",
        "Declined to answer whether they have ever done, started or prepared to do something to end their life",
    ),
)


def _when(answers: Mapping[str, Any]) -> str:
    recent = answers.get(RECENT)
    return (
        "within the past 3 months"
        if recent is True
        else "more than 3 months ago"
        if recent is False
        else "(declined to say when)"
        if recent == DECLINED
        else "(when is not known)"
    )


def cssrs_reasons(answers: Mapping[str, Any]) -> list[str]:
    """Plain-language reasons behind the risk level, for staff, in question order; refusals named as such."""
    reasons = []
    for key, reported, declined in _REASONS:
        if _declined(answers, key):
            reasons.append(declined)
        elif _yes(answers, key):
            reasons.append(f"{reported} {_when(answers)}" if key == Q6 else reported)
    return reasons


@dataclass(frozen=True)
class Cssrs(Instrument):
    """Not a sum: its result is a risk level, given as the band. Declined items are listed as skipped."""

    def required(self, answers: Mapping[str, Any]) -> list[str]:
        # A refused Q2 may hide thoughts of suicide: Q3-Q5 are asked as after a yes.
        thoughts = _yes(answers, Q2) or _declined(answers, Q2)
        keys = [Q1, Q2] + ([Q3, Q4, Q5] if thoughts else []) + [Q6]
        return keys + [RECENT] if _yes(answers, Q6) else keys

    def score(self, answers: Mapping[str, Any]) -> Score:
        keys = self.required(answers)
        declined = tuple(k for k in keys if _declined(answers, k))
        given = sum(isinstance(answers.get(k), bool) for k in keys)
        return Score(None, cssrs_risk(answers).value, given, declined, given + len(declined) == len(keys))


CSSRS = Cssrs(
    key="cssrs",
    name="C-SSRS screener",
    items=(
        _past_month(
            Q1,
            "Have you wished you were dead or wished you could go to sleep and not wake up?",
            "Has {name} wished they were dead or wished they could go to sleep and not wake up?",
        ),
        _past_month(
            Q2,
            "Have you actually had any thoughts of killing yourself?",
            "Has {name} actually had any thoughts of killing themselves?",
        ),
        _past_month(
            Q3,
            "Have you been thinking about how you might do this?",
            "Has {name} been thinking about how they might do this?",
        ),
        _past_month(
            Q4,
            "Have you had these thoughts and had some intention of acting on them?",
            "Has {name} had these thoughts and had some intention of acting on them?",
            _PARSE_INTENT,
        ),
        _past_month(
            Q5,
            "Have you started to work out or worked out the details of how to kill yourself? "
            "Do you intend to carry out this plan?",
            "Has {name} started to work out or worked out the details of how to kill themselves? "
            "Do they intend to carry out this plan?",
            _PARSE_INTENT,
        ),
        _item(
            Q6,
            "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
            "Has {name} ever done anything, started to do anything, or prepared to do anything to end their life?",
        ),
        _item(
            RECENT,
            "Was this within the past 3 months?",
            "Was this within the past 3 months?",
            parse=_PARSE_WHEN,
            help="Please say yes if it happened in the past 3 months, or no if it was longer ago. If you're "
            "not sure, say yes and our team will follow up.",
        ),
    ),
)
