"""How one message during the screening is read: an answer, an unclear answer, or a request.

Every message inside the screening reaches `read_turn`. The order of the checks is the safety policy:
a crisis message is never mistaken for an answer (except on the safety questions themselves, where
"yes" *is* the answer and the C-SSRS triage decides), and a valid answer to a multiple-choice question is
never mistaken for a request ("no" to a question is not "stop").
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional

from bot.parsing import looks_like_code, normalise
from bot.questions import SKIPPED, Question

MAX_MESSAGE_CHARS = 2000  # longer messages are read from their start; the stored raw text is kept whole
CONTROL_CONFIDENCE = 0.6
# Stopping or starting over loses the person's place: the classifier must be surer (held-out precision of
# `stop` is 0.82 at 0.6, see README).
DESTRUCTIVE_CONFIDENCE = 0.8
# The NLU pipeline's crisis component (bot/nlu/crisis.py) decides `crisis`: its rules and the classifier
# with a measured threshold. A message that is also a valid answer to a multiple-choice question ("it's my
# own plan") needs more: a rule hit (confidence 1.0) or a classifier this sure.
CRISIS_CONFIDENCE_FOR_ANSWERS = 0.9
MISSES_BEFORE_HELP = 2
SKIP_WORDS = frozenset({"skip", "skip it", "skip this", "pass", "prefer not to say", "rather not say", "skip question"})


class Request(str, Enum):
    """Things a person can ask for in the middle of the screening (intent names in the NLU data)."""

    FAQ = "faq"
    WHY = "why_ask"
    BACK = "go_back"
    RESTART = "start_over"
    STOP = "stop"
    HUMAN = "human"
    GREET = "greet"


class TurnKind(str, Enum):
    ANSWER = "answer"
    UNCLEAR = "unclear"
    REQUEST = "request"
    CRISIS = "crisis"


@dataclass(frozen=True)
class Turn:
    kind: TurnKind
    value: Any = None  # ANSWER: the parsed value (SKIPPED for a skip)
    request: Optional[Request] = None  # REQUEST: which one
    note: str = ""  # UNCLEAR: a kind word on what was not understood


def is_safety_question(question: Question) -> bool:
    return question.instrument == "cssrs" or question.key == "phq9_9"


def _affirms(value: Any) -> bool:
    """A safety answer that reports the thought or act: yes, or any frequency above "not at all"."""
    return value is True or (isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0)


def _request(intent: Optional[str], confidence: float) -> Optional[Request]:
    try:
        request = Request(intent)
    except ValueError:
        return None
    bar = DESTRUCTIVE_CONFIDENCE if request in (Request.STOP, Request.RESTART) else CONTROL_CONFIDENCE
    return request if confidence >= bar else None


def read_turn(question: Question, text: str, intent: Optional[str] = None, confidence: float = 0.0) -> Turn:
    """Decide what the message means for the question being asked."""
    text = (text or "").strip()[:MAX_MESSAGE_CHARS]
    # Markup or SQL is never an answer, even when a digit inside it would parse ("alert(1)").
    readable = bool(text) and not looks_like_code(text)
    parsed = question.parse(text) if readable else None
    choice_question = bool(question.choices)
    answers_choice = choice_question and parsed is not None and parsed.ok
    crisis = intent == "crisis" and (not answers_choice or confidence >= CRISIS_CONFIDENCE_FOR_ANSWERS)

    if is_safety_question(question) and parsed is not None and parsed.ok:
        # A yes to a safety question is the triage's to weigh; a "no" that says it wants to die ("I don't
        # want to be alive anymore": the "don't" reads as no) is not a no.
        if crisis and not _affirms(parsed.value):
            return Turn(TurnKind.CRISIS)
        return Turn(TurnKind.ANSWER, parsed.value)
    if crisis:
        return Turn(TurnKind.CRISIS)
    if text and not readable:
        return Turn(TurnKind.UNCLEAR, note="Sorry, I can only read plain words here.")
    if question.skippable and normalise(text) in SKIP_WORDS:
        return Turn(TurnKind.ANSWER, SKIPPED)
    request = _request(intent, confidence)
    if answers_choice:
        return Turn(TurnKind.ANSWER, parsed.value)
    if request is not None:
        return Turn(TurnKind.REQUEST, request=request)
    if parsed is not None and parsed.ok:
        return Turn(TurnKind.ANSWER, parsed.value)
    return Turn(TurnKind.UNCLEAR, note=parsed.note if parsed is not None else "")
