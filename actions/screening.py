"""The screening form: its validation action, one ask action per question, and the start and finish.

All decisions are made in bot/ (dialogue.read_turn, screening.required, eligibility.assess); these classes
only move data between Rasa's slots, the database and the person.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import offer_after_screening
from actions.common import (TEXT_MESSAGE_CHANNELS, answers_of, ask, channel_of, escalate, program, screening_record,
                            step_back, utcnow)
from bot import messages
from bot.dialogue import MISSES_BEFORE_HELP, Request, Turn, TurnKind, read_turn
from bot.eligibility import outcome_message
from bot.faq import faq_answer, faq_topic
from bot.insurance import insurance_summary
from bot.instruments.cssrs import Risk, cssrs_risk
from bot.safety.escalation import for_cssrs
from bot.safety.resources import crisis_opening, crisis_reminder, staff_alert
from bot.screening import (QUESTIONS, Status, context, next_question, previous_question, stop_status, summarise,
                           summary_fields)
from bot.settings import settings
from bot.store import crud
from bot.store.db import session_scope

WELCOME_BACK_AFTER_S = 60 * 60  # a message after an hour's silence is greeted before the question


def _seconds_since_previous_message(tracker: Tracker) -> float:
    times = [e["timestamp"] for e in tracker.events if e.get("event") == "user" and e.get("timestamp")]
    return times[-1] - times[-2] if len(times) >= 2 else 0.0


def _latest_intent(tracker: Tracker) -> tuple[Optional[str], float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


class ValidateScreeningForm(Action):
    """Reads each answer, handles requests made mid-screening and chooses the next question."""

    def name(self) -> Text:
        return "validate_screening_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        prog = program()
        answers = answers_of(tracker)
        requested = tracker.get_slot("requested_slot")
        misses = previous_misses = int(tracker.get_slot("screening_misses") or 0)
        events: List[EventType] = []
        status: Optional[Status] = None

        if requested in QUESTIONS and requested in tracker.slots_to_validate():
            answers.pop(requested, None)
            text = tracker.latest_message.get("text") or ""
            intent, confidence = _latest_intent(tracker)
            turn = read_turn(QUESTIONS[requested], text, intent, confidence)
            if turn.kind is not TurnKind.ANSWER and _seconds_since_previous_message(tracker) > WELCOME_BACK_AFTER_S:
                dispatcher.utter_message(text=messages.welcome_back(context(answers)))
            if turn.kind is TurnKind.ANSWER:
                answers[requested] = turn.value
                events.append(SlotSet(requested, turn.value))
                self._record(tracker, answers, requested, text)
                if QUESTIONS[requested].instrument == "cssrs" and cssrs_risk(answers) is Risk.MODERATE:
                    # A clinician should call soon: raised now, not when the screening ends.
                    escalate(tracker, for_cssrs(Risk.MODERATE), once_per_screening=True)
                misses = 0
                status = stop_status(answers, prog)
            elif turn.kind is TurnKind.REQUEST:
                events.append(SlotSet(requested, None))
                status = self._handle_request(dispatcher, tracker, turn, requested, answers, events)
            else:
                events.append(SlotSet(requested, None))
                dispatcher.utter_message(text=messages.unclear(turn.note))
                misses += 1
        else:
            status = stop_status(answers, prog)

        if status is not None:
            events += [SlotSet("screening_status", status.value), SlotSet("requested_slot", None)]
            misses = 0
        else:
            following = next_question(answers, prog)
            if following != requested:
                misses = 0
            events.append(SlotSet("requested_slot", following))
            if following is None:
                events.append(SlotSet("screening_status", Status.COMPLETED.value))
            else:
                # Asked here rather than by an `action_ask_<slot>` that Rasa's form would call next: the
                # domain has none, so the form asks nothing itself (rasa/core/actions/forms.py
                # _ask_for_slot) and each message costs one action-server call instead of two.
                ask_question(dispatcher, following, answers, misses)
        if misses != previous_misses:  # every event is replayed on each later message: store only changes
            events.append(SlotSet("screening_misses", misses))
        return events

    def _handle_request(self, dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, requested: str,
                        answers: Dict[str, Any], events: List[EventType]) -> Optional[Status]:
        prog = program()
        if turn.request is Request.STOP:
            return Status.STOPPED
        if turn.request is Request.FAQ:
            dispatcher.utter_message(text=faq_answer(faq_topic(tracker.latest_message.get("text") or ""), prog))
        elif turn.request is Request.WHY:
            dispatcher.utter_message(text=QUESTIONS[requested].why)
        elif turn.request is Request.GREET:
            dispatcher.utter_message(text=messages.welcome_back(context(answers)))
        elif turn.request is Request.BACK:
            previous = previous_question(answers, prog, requested)
            if previous is None:
                dispatcher.utter_message(text="This is the first question, so there's nothing to go back to.")
            else:
                dispatcher.utter_message(text="Sure, let's go back one question.")
                answers.pop(previous, None)
                events.append(SlotSet(previous, None))
                with screening_record(tracker) as (session, screening):
                    crud.clear_answers(session, screening=screening, keys=[previous])
        elif turn.request is Request.RESTART:
            dispatcher.utter_message(text=messages.START_OVER)
            events.extend(restart_events(tracker, answers))
        return None

    @staticmethod
    def _record(tracker: Tracker, answers: Dict[str, Any], key: str, raw_text: str) -> None:
        """Store the answer at once, with the scores it completes: a dropped conversation loses nothing."""
        with screening_record(tracker) as (session, screening):
            crud.record_answer(session, screening=screening, key=key, raw_text=raw_text, value=answers[key],
                               instrument=QUESTIONS[key].instrument)
            for_self = answers["for_whom"] == "self" if "for_whom" in answers else None
            crud.update_screening(session, screening=screening, for_self=for_self,
                                  **summary_fields(summarise(answers, program()), answers, final=False))


def restart_events(tracker: Tracker, answers: Dict[str, Any]) -> List[EventType]:
    """Clear every answer but the consent and open a new screening record (the old one is kept)."""
    with session_scope(settings().database_url) as session:
        screening = crud.restart_screening(session, conversation_id=tracker.sender_id, channel=channel_of(tracker))
        if answers.get("consent") is True:
            crud.record_answer(session, screening=screening, key="consent", raw_text="", value=True)
    cleared = [key for key in list(answers) if key != "consent"]
    for key in cleared:
        answers.pop(key)
    return [SlotSet(key, None) for key in cleared] + [SlotSet("screening_status", Status.IN_PROGRESS.value),
                                                      SlotSet("screening_reported", False)]


def ask_question(dispatcher: CollectingDispatcher, key: str, answers: Dict[str, Any], misses: int) -> None:
    """The question for `key`: with its section's intro the first time, explained after repeated misses."""
    ctx = context(answers)
    intro = messages.section_intro(key, ctx) if misses == 0 else ""
    ask(dispatcher, QUESTIONS[key], ctx, with_help=misses >= MISSES_BEFORE_HELP, intro=intro)


class ActionStartScreening(Action):
    """Runs before the form starts or resumes: introduces the bot, or welcomes the person back."""

    def name(self) -> Text:
        return "action_start_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        answers = answers_of(tracker)
        status = tracker.get_slot("screening_status")
        if status == Status.COMPLETED.value:
            return []  # the finish action says it is complete
        events: List[EventType] = []
        if answers.get("consent") is not True:
            dispatcher.utter_message(text=messages.introduction(program()))
            events.append(SlotSet("consent", None))
        else:
            dispatcher.utter_message(text=messages.welcome_back(context(answers)))
        if status in (Status.STOPPED.value, Status.DECLINED.value, Status.CRISIS.value):
            events.append(SlotSet("screening_status", Status.IN_PROGRESS.value))
        return events


class ActionRestartScreening(Action):
    """"Start over" outside the form: a new screening with the consent already given."""

    def name(self) -> Text:
        return "action_restart_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(text=messages.START_OVER)
        return restart_events(tracker, answers_of(tracker))


class ActionFinishScreening(Action):
    """Says how the screening ended and stores the summary: scores, risk, outcome and reasons."""

    def name(self) -> Text:
        return "action_finish_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        prog = program()
        answers = answers_of(tracker)
        ctx = context(answers)
        status = Status(tracker.get_slot("screening_status") or Status.COMPLETED.value)
        if status is Status.COMPLETED and tracker.get_slot("screening_reported"):
            dispatcher.utter_message(text=messages.already_complete(prog))
            return []
        summary = summarise(answers, prog)
        events: List[EventType] = []
        completed_outcome: Optional[str] = None  # set when the screening completed: assessment times follow
        by_text = channel_of(tracker) in TEXT_MESSAGE_CHANNELS  # no results in a text (bot.messages.completed_by_text)
        if status is Status.HIGH_RISK:
            # The referral message starts with the crisis resources in full; then a person takes over.
            if by_text:
                dispatcher.utter_message(text=crisis_reminder(prog, utcnow(), ctx.for_self))
            else:
                referral = outcome_message(summary.assessment, prog, ctx.for_self, ctx.name)
                dispatcher.utter_message(text=f"{crisis_opening(ctx.for_self)}\n{referral}\n{staff_alert(prog, utcnow())}")
            events = step_back(tracker, "crisis")
        elif status is Status.COMPLETED:
            if by_text:
                dispatcher.utter_message(text=messages.completed_by_text(prog, ctx))
            else:
                dispatcher.utter_message(text=outcome_message(summary.assessment, prog, ctx.for_self, ctx.name))
                if summary.insurance is not None:
                    dispatcher.utter_message(text=insurance_summary(summary.insurance, prog))
            completed_outcome = summary.assessment.outcome.value
        elif status is Status.DECLINED:
            dispatcher.utter_message(text=messages.declined(prog))
        elif status is Status.OUT_OF_RANGE:
            dispatcher.utter_message(text=messages.out_of_range(prog, ctx))
        elif status is Status.STOPPED:
            dispatcher.utter_message(text=messages.stopped(prog))
        with screening_record(tracker) as (session, screening):
            crud.update_screening(session, screening=screening, status=status.value,
                                  **summary_fields(summary, answers, final=True))
        cssrs_trigger = for_cssrs(summary.risk)
        if cssrs_trigger is not None:  # high: crisis care now; moderate (raised when answered): a clinician calls
            escalate(tracker, cssrs_trigger, once_per_screening=True)
        if completed_outcome is not None:  # after the summary is stored: booking reads the outcome there
            events += offer_after_screening(dispatcher, tracker, completed_outcome)
        return [SlotSet("screening_reported", status is Status.COMPLETED), *events]
