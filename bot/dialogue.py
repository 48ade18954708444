"""How one message during the screening is read: a crisis, an answer, an unclear answer, a refusal or a request.

Every message inside the screening reaches `read_turn`. The order of the checks is the safety policy:

1. The crisis detector's verdict comes first and nothing overrides it: a message that signals a crisis is
   never stored as an answer, even when it would also read as one ("yes I just took 30 pills" to "have you
   ever done anything to end your life?"). The crisis path runs instead (bot/routing.py).
2. Markup or SQL is never an answer.
3. A refusal ("no comment", "I'd rather not say") is read before the answer, so it is never mistaken for
   the "no" inside it: skippable questions take it as a skip, safety questions ask once more and then store
   it as declined (never as no), the others explain why they are needed.
4. Going back ("oops, go back, I answered the last one wrong") wins over a number buried in the sentence.
5. A valid answer to a multiple-choice question is never mistaken for a request ("no" is not "stop").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional

from bot.parsing import find_phrases, looks_like_code, normalise
from bot.questions import SKIPPED, Context, Question

MAX_MESSAGE_CHARS = 2000  # longer messages are read from their start; the stored raw text is kept whole
CONTROL_CONFIDENCE = 0.6
# Stopping or starting over loses the person's place: the classifier must be surer (held-out precision of
# `stop` was 0.82 at 0.6 when this was set).
DESTRUCTIVE_CONFIDENCE = 0.8
CRISIS_INTENT = "crisis"  # set by the NLU pipeline's crisis component (rasa_edge/nlu/crisis.py) when it fires
MISSES_BEFORE_HELP = 2

# Saying "I won't answer this one". Matched when the message holds nothing else but politeness.
REFUSAL_PHRASES = (
    "skip",
    "skip it",
    "skip this",
    "skip this one",
    "skip question",
    "skip that",
    "next question",
    "pass",
    "i pass",
    "no comment",
    "rather not say",
    "i'd rather not say",
    "id rather not say",
    "rather not",
    "i'd rather not",
    "id rather not",
    "rather not answer",
    "i'd rather not answer",
    "prefer not to say",
    "i prefer not to say",
    "prefer not to answer",
    "i prefer not to answer",
    "prefer not",
    "decline",
    "i decline",
    "decline to answer",
    "not telling",
    "i'm not telling",
    "none of your business",
    "don't want to answer",
    "i don't want to answer",
    "dont want to answer",
    "i dont want to answer",
    "don't want to say",
    "i don't want to say",
    "dont want to say",
    "i dont want to say",
    "don't want to talk about it",
    "i don't want to talk about it",
    "dont want to talk about it",
    "not answering that",
    "i'm not answering that",
    "i won't answer that",
)
_FILLER = frozenset("sorry please thanks thank you um uh just ok okay i'd honestly".split())
# Asking to go back to the previous question.
BACK_PHRASES = (
    "go back",
    "goback",
    "back up",
    "previous question",
    "the last question",
    "answered the last one wrong",
    "answered wrong",
    "wrong answer",
    "change my answer",
    "change my last answer",
    "change the last answer",
    "change my previous answer",
    "undo",
    "undo that",
    "i made a mistake",
    "that was a mistake",
)


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
    REFUSAL = "refusal"  # a safety question the person would rather not answer


@dataclass(frozen=True)
class Turn:
    kind: TurnKind
    value: Any = None  # ANSWER: the parsed value (SKIPPED for a skip)
    request: Optional[Request] = None  # REQUEST: which one
    note: str = ""  # UNCLEAR: a kind word on what was not understood


def is_safety_question(question: Question) -> bool:
    return question.instrument == "cssrs" or question.key == "phq9_9"


def is_refusal(text: str) -> bool:
    """Whether the message only says "I won't answer" ("no comment", "sorry, I'd rather not say")."""
    found = find_phrases(text, REFUSAL_PHRASES)
    if not found:
        return False
    rest = f" {normalise(text)} "
    for phrase in found:
        rest = rest.replace(f" {normalise(phrase)} ", " ")
    return all(word in _FILLER for word in rest.split())


def asks_to_go_back(text: str) -> bool:
    return bool(find_phrases(text, BACK_PHRASES))


def _request(intent: Optional[str], confidence: float) -> Optional[Request]:
    try:
        request = Request(intent)
    except ValueError:
        return None
    bar = DESTRUCTIVE_CONFIDENCE if request in (Request.STOP, Request.RESTART) else CONTROL_CONFIDENCE
    return request if confidence >= bar else None


def read_turn(
    question: Question, text: str, intent: Optional[str] = None, confidence: float = 0.0, ctx: Context = Context()
) -> Turn:
    """Decide what the message means for the question being asked (`ctx`: who the screening is about)."""
    if intent == CRISIS_INTENT:
        return Turn(TurnKind.CRISIS)
    text = (text or "").strip()[:MAX_MESSAGE_CHARS]
    if text and looks_like_code(text):
        return Turn(TurnKind.UNCLEAR, note="Sorry, I can only read plain words here.")
    if is_refusal(text):
        if is_safety_question(question):
            return Turn(TurnKind.REFUSAL)
        if question.skippable:
            return Turn(TurnKind.ANSWER, SKIPPED)
        return Turn(TurnKind.UNCLEAR, note="I need an answer to this one to go on.")
    if asks_to_go_back(text):
        return Turn(TurnKind.REQUEST, request=Request.BACK)
    parsed = question.parser(ctx)(text) if text else None
    request = _request(intent, confidence)
    if question.choices and parsed is not None and parsed.ok:
        return Turn(TurnKind.ANSWER, parsed.value)
    if request is not None:
        return Turn(TurnKind.REQUEST, request=request)
    if parsed is not None and parsed.ok:
        return Turn(TurnKind.ANSWER, parsed.value)
    return Turn(TurnKind.UNCLEAR, note=parsed.note if parsed is not None else "")
