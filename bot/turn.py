"""One message during the screening, taken whole: what it means (bot/dialogue.py `read_turn`, read once), what
to say, which slots change and what to record. Plain data in, plain data out; actions/screening.py only
translates the result into Rasa events and performs the records.

The decisions that live here: a crisis is never an answer (nothing is said or stored: the crisis path runs);
a refused safety question is asked once more, then stored as declined (never as no); misses are counted and
the question is explained after MISSES_BEFORE_HELP of them; someone back after WELCOME_BACK_AFTER_S is
greeted; a moderate C-SSRS reading raises its escalation as soon as it is answered, not when the screening ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Union

from bot import messages
from bot.dialogue import MISSES_BEFORE_HELP, Request, Turn, TurnKind, read_turn
from bot.faq import faq_reply
from bot.instruments.cssrs import Risk, cssrs_risk
from bot.intake.contact import GIVEN
from bot.program import Program
from bot.questions import DECLINED, SKIPPED, Context, Question
from bot.safety.escalation import Trigger, for_cssrs
from bot.screening import (
    QUESTIONS,
    Status,
    context,
    next_question,
    previous_question,
    stop_status,
    summarise,
    summary_fields,
)

WELCOME_BACK_AFTER_S = 30 * 60  # a message after half an hour's silence is greeted before the question
# Slots the screening keeps besides one per question (domain.yml).
REQUESTED_SLOT = "requested_slot"  # Rasa's: the question awaiting an answer
STATUS_SLOT = "screening_status"
REPORTED_SLOT = "screening_reported"
MISSES_SLOT = "screening_misses"
REFUSED_SLOT = "screening_refused"  # the safety question the person has refused once (asked again, once)

Button = dict[str, str]  # {"title": ..., "payload": ...}, as channels send it


@dataclass(frozen=True)
class Say:
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Screening:
    """The conversation's state as the screening form sees it."""

    answers: Mapping[str, Any]  # the question slots that hold a value
    requested: Optional[str] = None  # the question asked last
    awaiting: bool = False  # this message is the reply to `requested` (Rasa: a slot to validate)
    misses: int = 0  # unclear replies to `requested` so far
    refused: Optional[str] = None  # REFUSED_SLOT
    by_text: bool = False  # an SMS conversation (fewer questions, bot.screening.required)
    idle_seconds: float = 0.0  # since the person's previous message


@dataclass(frozen=True)
class Message:
    """The person's message and the NLU's verdict on it (the crisis component sets intent "crisis")."""

    text: str = ""
    intent: Optional[str] = None
    confidence: float = 0.0


@dataclass(frozen=True)
class RecordAnswer:
    """Store the answer at once with the screening columns it changes: a dropped conversation loses nothing."""

    key: str
    value: Any
    raw_text: str
    instrument: Optional[str]
    screening: Mapping[str, Any]  # for_self and the summary so far
    secret: Optional[str] = None  # a phone number: kept only encrypted on the screening, never in the answer


@dataclass(frozen=True)
class ClearAnswers:
    keys: tuple[str, ...]


@dataclass(frozen=True)
class RestartScreening:
    """A new screening record (the old one is kept), with the consent carried over when it was given."""

    keep_consent: bool


@dataclass(frozen=True)
class Escalate:
    trigger: Trigger
    once_per_screening: bool = True  # a C-SSRS result describes the answers, not a new event


Record = Union[RecordAnswer, ClearAnswers, RestartScreening, Escalate]


@dataclass
class Outcome:
    """What a turn does, in order. `crisis`: run the crisis path instead, and nothing else."""

    crisis: bool = False
    say: list[Say] = field(default_factory=list)
    slots: list[tuple[str, Any]] = field(default_factory=list)  # in order: the last value of a slot wins
    records: list[Record] = field(default_factory=list)  # performed in order


def take_turn(state: Screening, message: Message, program: Program) -> Outcome:
    """The screening's reply to one message (or, with nothing awaited, the next question to ask)."""
    answers = dict(state.answers)
    requested = state.requested
    misses = state.misses
    out = Outcome()
    status: Optional[Status] = None
    if state.awaiting and requested is not None and requested in QUESTIONS:
        answers.pop(requested, None)
        question = QUESTIONS[requested]
        turn = read_turn(question, message.text, message.intent, message.confidence, context(answers))
        if turn.kind is TurnKind.CRISIS:
            # The safety policy sends crisis messages to action_crisis before the form sees them; should one
            # arrive here all the same, it takes the same path and nothing is stored.
            return Outcome(crisis=True)
        away = state.idle_seconds > WELCOME_BACK_AFTER_S
        if turn.kind is not TurnKind.ANSWER and away:
            out.say.append(Say(messages.welcome_back(context(answers))))
        if turn.kind is TurnKind.REFUSAL and state.refused == requested:
            turn = Turn(TurnKind.ANSWER, DECLINED)  # asked twice: recorded as declined, never as no
        if turn.kind is TurnKind.ANSWER:
            answers[requested] = _answer(out, question, answers, turn.value, message.text, program)
            out.slots.append((requested, answers[requested]))
            if note := messages.after_answer(requested, answers[requested], program):
                out.say.append(Say(note))
            if state.refused is not None:
                out.slots.append((REFUSED_SLOT, None))
            # A clinician should call soon (a moderate answer, or a refusal that hides the risk): raised now,
            # not when the screening ends.
            moderate = cssrs_risk(answers) is Risk.MODERATE if question.instrument == "cssrs" else False
            trigger = for_cssrs(Risk.MODERATE) if moderate else None
            if trigger is not None:
                out.records.append(Escalate(trigger))
            misses = 0
            status = stop_status(answers, program)
        elif turn.kind is TurnKind.REFUSAL:
            out.slots += [(requested, None), (REFUSED_SLOT, requested)]
            out.say.append(Say(messages.safety_refusal(context(answers))))
        elif turn.kind is TurnKind.REQUEST:
            out.slots.append((requested, None))
            status = _request(out, state, question, turn, answers, message, program, away)
        else:
            out.slots.append((requested, None))
            out.say.append(Say(messages.unclear(turn.note)))
            misses += 1
    else:
        status = stop_status(answers, program)

    if status is not None:
        out.slots += [(STATUS_SLOT, status.value), (REQUESTED_SLOT, None)]
        misses = 0
    else:
        following = next_question(answers, program, by_text=state.by_text)
        if following != requested:
            misses = 0
        out.slots.append((REQUESTED_SLOT, following))
        if following is None:
            out.slots.append((STATUS_SLOT, Status.COMPLETED.value))
        else:
            out.say.append(ask(following, answers, misses))
    if misses != state.misses:  # every event is replayed on each later message: store only changes
        out.slots.append((MISSES_SLOT, misses))
    return out


def _answer(
    out: Outcome, question: Question, answers: Mapping[str, Any], value: Any, raw_text: str, program: Program
) -> Any:
    """Record the answer; returns the value the slot keeps (a phone number's slot only says it was given)."""
    secret = None
    if question.meta.get("secret") and value != SKIPPED:
        secret, value, raw_text = value, GIVEN, ""
    answers = {**answers, question.key: value}
    for_self = answers["for_whom"] == "self" if "for_whom" in answers else None
    columns = {"for_self": for_self, **summary_fields(summarise(answers, program), answers, final=False)}
    out.records.append(RecordAnswer(question.key, value, raw_text, question.instrument, columns, secret))
    return value


def _request(
    out: Outcome,
    state: Screening,
    question: Question,
    turn: Turn,
    answers: dict[str, Any],
    message: Message,
    program: Program,
    away: bool,
) -> Optional[Status]:
    """Something asked for mid-screening (`answers` change with it); a status when it ends the screening."""
    if turn.request is Request.STOP:
        return Status.STOPPED
    if turn.request is Request.FAQ:
        out.say.append(Say(faq_reply(message.text, program)))
    elif turn.request is Request.WHY:
        out.say.append(Say(question.why))
    elif turn.request is Request.GREET and not away:  # after a real absence the welcome back is said above
        out.say.append(Say(messages.HELLO_AGAIN))
    elif turn.request is Request.BACK:
        previous = previous_question(answers, program, question.key, by_text=state.by_text)
        if previous is None:
            out.say.append(Say("This is the first question, so there's nothing to go back to."))
        else:
            out.say.append(Say("Sure, let's go back one question."))
            answers.pop(previous, None)
            out.slots.append((previous, None))
            out.records.append(ClearAnswers((previous,)))
    elif turn.request is Request.RESTART:
        out.say.append(Say(messages.START_OVER))
        slots, record = restart(answers)
        out.slots += slots
        out.records.append(record)
        for key in _cleared_by_restart(answers):
            answers.pop(key)
    return None


def restart(answers: Mapping[str, Any]) -> tuple[list[tuple[str, Any]], RestartScreening]:
    """Start over: every answer cleared but the consent, in a new screening record."""
    slots: list[tuple[str, Any]] = [(key, None) for key in _cleared_by_restart(answers)]
    slots += [(STATUS_SLOT, Status.IN_PROGRESS.value), (REPORTED_SLOT, False)]
    return slots, RestartScreening(keep_consent=answers.get("consent") is True)


def _cleared_by_restart(answers: Mapping[str, Any]) -> list[str]:
    return [key for key in answers if key != "consent"]


def ask(key: str, answers: Mapping[str, Any], misses: int) -> Say:
    """The question for `key`: with its section's intro the first time, explained after repeated misses."""
    ctx = context(answers)
    intro = messages.section_intro(key, ctx) if misses == 0 else ""
    return question_message(QUESTIONS[key], ctx, with_help=misses >= MISSES_BEFORE_HELP, intro=intro)


def question_message(question: Question, ctx: Context, *, with_help: bool, intro: str = "") -> Say:
    """A question with its options as buttons; with help, its explanation first and a Skip button."""
    parts = [intro] if intro else []
    if with_help:
        parts += [question.help, messages.help_offer(question)]
    parts.append(question.wording(ctx))
    buttons = [{"title": choice.label, "payload": choice.payload} for choice in question.choices]
    if with_help and question.skippable:
        buttons.append({"title": "Skip", "payload": "skip"})
    return Say("\n".join(parts), tuple(buttons))
