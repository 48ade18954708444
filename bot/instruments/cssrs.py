"""C-SSRS screener, recent version (Columbia Lighthouse Project, free to use), items verbatim.

Q1-Q5 ask about the past month; Q6 about any time, with a follow-up on the past 3 months. The examples of
methods the C-SSRS gives under Q3 are left out on purpose: the bot never talks about methods.

Reading answers errs towards safety. A hedge ("maybe", "kind of", "sometimes", "I guess", "not anymore")
counts as yes, and so does an answer that says both yes and no: a yes read too eagerly costs a clinician's
call, a no read too eagerly can cost a life. "Not sure" or "I don't know" is asked again, never taken as no.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Mapping, Optional

from bot.instruments.base import MAX_ANSWER_CHARS, Instrument, Score
from bot.parsing import COUNT, MAYBE_PHRASES, UNSURE, YES_NO, PhraseTable, count
from bot.questions import Choice, Parsed, Question

Q1, Q2, Q3, Q4, Q5, Q6 = (f"cssrs_{n}" for n in range(1, 7))
RECENT = "cssrs_6_recent"

# "It happened a bit / now and then / it used to": yes to "have you...?", but says nothing about when.
NOW_AND_THEN = (
    "sometimes", "a little", "a bit", "a little bit", "somewhat", "more or less", "once", "once or twice",
    "a few times", "a couple of times", "a couple times", "occasionally", "at times", "now and then",
    "on and off", "here and there", "not anymore", "used to",
)
NOT_REALLY = ("probably not", "i guess not", "i suppose not", "not that i know of", "not that i remember",
              "never have", "no never")
# Go-ahead words answer "shall we?", not "have you...?": asked again rather than read as yes.
GO_AHEAD = frozenset(("ok", "okay", "k", "i am", "i agree", "go ahead", "dont mind", "i dont mind"))
_YES_NO_MAYBE: dict[str, bool] = {
    **{phrase: said for phrase, said in YES_NO.items() if phrase not in GO_AHEAD},
    **dict.fromkeys(MAYBE_PHRASES, True), **dict.fromkeys(NOT_REALLY, False),
}
# Answers to "Was this within the past 3 months?" that name a time rather than saying yes or no.
_WHEN: dict[str, bool] = {
    **dict.fromkeys(("recently", "lately", "yesterday", "today", "this week", "last week", "this month",
                     "last month", "a few days ago", "a few weeks ago", "a couple of weeks ago", "days ago",
                     "weeks ago", "a few months ago", "a couple of months ago", "a couple months ago"), True),
    **dict.fromkeys(("years ago", "a year ago", "long ago", "a long time ago", "ages ago", "many months ago",
                     "when i was younger", "as a teenager", "as a kid", "in high school", "not recently",
                     "not lately", "not in the past 3 months", "not in the last 3 months", "not within"), False),
}
_AGO = re.compile(rf"\b({COUNT})\s*(day|week|month|year)s?\s+ago\b", re.IGNORECASE)
UNCLEAR = "Sorry, I couldn't tell if that was a yes or a no."


def _ago(text: str) -> tuple[list[bool], str]:
    """"2 weeks ago" is within 3 months, "5 months ago" is not."""
    found: list[bool] = []

    def take(match: re.Match) -> str:
        unit = match.group(2).lower()
        found.append(unit in ("day", "week") or (unit == "month" and count(match.group(1)) <= 3))
        return " "

    return found, _AGO.sub(take, text)


@dataclass(frozen=True)
class YesNoParser:
    """Reads a safety answer: any yes or hedge is yes; only a clear no is no; "not sure" is asked again."""

    table: PhraseTable[bool]
    extract: Optional[Callable[[str], tuple[list[bool], str]]] = None

    def __call__(self, text: str) -> Parsed:
        if not text.strip() or len(text) > MAX_ANSWER_CHARS:
            return Parsed.fail(UNCLEAR)
        said, rest = self.extract(text) if self.extract else ([], text)
        unsure = UNSURE.find(rest)
        said = set(said) | set(self.table.find(unsure.rest).values)
        if True in said:
            return Parsed(True, True)
        if unsure.values or said != {False}:
            return Parsed.fail(UNCLEAR)
        return Parsed(True, False)


CHOICES = (Choice(True, "Yes", "yes"), Choice(False, "No", "no"))
STEM = "These next questions are about the past month. We ask everyone, and there are no wrong answers."
STEM_OTHER = ("These next questions are about the past month. We ask everyone; please answer as best you "
              "can from what you know.")
WHY = ("We ask everyone these questions so that each person gets the right support, and gets it quickly "
       "if they need it.")
HELP = ("A yes or a no is all I need. If it has been true even a little, please say yes: someone from our "
        "team will make sure you get the right support.")


_PARSE = YesNoParser(PhraseTable({**_YES_NO_MAYBE, **dict.fromkeys(NOW_AND_THEN, True)}))
_PARSE_WHEN = YesNoParser(PhraseTable({**_YES_NO_MAYBE, **_WHEN}), extract=_ago)


def _item(key: str, text: str, other: str, stem: str = "", stem_other: str = "",
          parse: YesNoParser = _PARSE, help: str = HELP) -> Question:
    return Question(key=key, text=text, text_other=other, parse=parse, choices=CHOICES, why=WHY, help=help,
                    skippable=False, instrument="cssrs", stem=stem, stem_other=stem_other)


def _past_month(key: str, text: str, other: str) -> Question:
    return _item(key, text, other, STEM, STEM_OTHER)


class Risk(str, Enum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


def _yes(answers: Mapping[str, Any], key: str) -> bool:
    return answers.get(key) is True


def high_risk_reached(answers: Mapping[str, Any]) -> bool:
    """Whether an answer given already makes the risk high: the screening stops at once."""
    return _yes(answers, Q4) or _yes(answers, Q5) or (_yes(answers, Q6) and _yes(answers, RECENT))


def cssrs_risk(answers: Mapping[str, Any]) -> Risk:
    """Risk level from the answers so far.

    Behaviour (Q6) whose timing was never answered counts as recent: high. (`high_risk_reached` waits for
    the answer instead, so the follow-up question still gets asked.)
    """
    if high_risk_reached(answers) or (_yes(answers, Q6) and answers.get(RECENT) is None):
        return Risk.HIGH
    if _yes(answers, Q3) or _yes(answers, Q6):
        return Risk.MODERATE
    if _yes(answers, Q1) or _yes(answers, Q2):
        return Risk.LOW
    return Risk.NONE


_REASONS = (
    (Q1, "Reported wishing to be dead or to go to sleep and not wake up in the past month"),
    (Q2, "Reported thoughts of killing themselves in the past month"),
    (Q3, "Reported thinking about how they might kill themselves in the past month"),
    (Q4, "Reported intent to act on suicidal thoughts in the past month"),
    (Q5, "Reported working out the details of a suicide plan, or intending to carry one out, in the past month"),
)
_BEHAVIOUR = "Reported having done, started or prepared to do something to end their life"


def cssrs_reasons(answers: Mapping[str, Any]) -> list[str]:
    """Plain-language reasons behind the risk level, for staff, in question order."""
    reasons = [reason for key, reason in _REASONS if _yes(answers, key)]
    if _yes(answers, Q6):
        recent = answers.get(RECENT)
        when = ("within the past 3 months" if recent is True else "more than 3 months ago" if recent is False
                else "(when is not known)")
        reasons.append(f"{_BEHAVIOUR} {when}")
    return reasons


@dataclass(frozen=True)
class Cssrs(Instrument):
    """Not a sum: its result is a risk level, given as the band."""

    def required(self, answers: Mapping[str, Any]) -> list[str]:
        keys = [Q1, Q2] + ([Q3, Q4, Q5] if _yes(answers, Q2) else []) + [Q6]
        return keys + [RECENT] if _yes(answers, Q6) else keys

    def score(self, answers: Mapping[str, Any]) -> Score:
        keys = self.required(answers)
        given = sum(isinstance(answers.get(k), bool) for k in keys)
        return Score(None, cssrs_risk(answers).value, given, (), given == len(keys))


CSSRS = Cssrs(
    key="cssrs",
    name="C-SSRS screener",
    items=(
        _past_month(Q1, "Have you wished you were dead or wished you could go to sleep and not wake up?",
                    "Has {name} wished they were dead or wished they could go to sleep and not wake up?"),
        _past_month(Q2, "Have you actually had any thoughts about killing yourself?",
                    "Has {name} actually had any thoughts about killing themselves?"),
        _past_month(Q3, "Have you thought about how you might do this?",
                    "Has {name} thought about how they might do this?"),
        _past_month(Q4, "Have you had these thoughts and had some intention of acting on them?",
                    "Has {name} had these thoughts and had some intention of acting on them?"),
        _past_month(Q5, "Have you started to work out or worked out the details of how to kill yourself? "
                        "Do you intend to carry out this plan?",
                    "Has {name} started to work out or worked out the details of how to kill themselves? "
                    "Do they intend to carry out this plan?"),
        _item(Q6, "Have you ever done anything, started to do anything, or prepared to do anything to end "
                  "your life?",
              "Has {name} ever done anything, started to do anything, or prepared to do anything to end "
              "their life?"),
        _item(RECENT, "Was this within the past 3 months?", "Was this within the past 3 months?",
              parse=_PARSE_WHEN,
              help="Please say yes if it happened in the past 3 months, or no if it was longer ago. If you're "
                   "not sure, say yes and our team will follow up."),
    ),
)
