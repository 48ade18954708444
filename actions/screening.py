"""The screening form: its validation action, and the start and finish.

All decisions are made in bot/ (bot/turn.py `take_turn` for each message, eligibility.assess at the end);
these classes only move data between Rasa's slots, the database and the person.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import offer_after_screening
from actions.common import (
    TEXT_MESSAGE_CHANNELS,
    answers_of,
    channel_of,
    crisis_path,
    escalate,
    program,
    say,
    screening_record,
    step_back,
    utcnow,
)
from bot import messages, turn
from bot.eligibility import outcome_message
from bot.instruments.cssrs import Risk
from bot.insurance import insurance_summary
from bot.intake.contact import GIVEN
from bot.safety.escalation import for_cssrs, for_urgent_review
from bot.safety.resources import crisis_opening, crisis_reminder, staff_alert
from bot.screening import Status, context, summarise, summary_fields
from bot.settings import settings
from bot.sms.identity import NumberCipher
from bot.store import crud
from bot.store.db import session_scope


def _seconds_since_previous_message(tracker: Tracker) -> float:
    times = [e["timestamp"] for e in tracker.events if e.get("event") == "user" and e.get("timestamp")]
    return times[-1] - times[-2] if len(times) >= 2 else 0.0


class ValidateScreeningForm(Action):
    """Hands each message to bot/turn.py and carries out what it returns."""

    def name(self) -> Text:
        return "validate_screening_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        requested = tracker.get_slot(turn.REQUESTED_SLOT)
        intent = tracker.latest_message.get("intent") or {}
        state = turn.Screening(
            answers=answers_of(tracker),
            requested=requested,
            awaiting=requested in tracker.slots_to_validate(),
            misses=int(tracker.get_slot(turn.MISSES_SLOT) or 0),
            refused=tracker.get_slot(turn.REFUSED_SLOT),
            by_text=channel_of(tracker) in TEXT_MESSAGE_CHANNELS,
            idle_seconds=_seconds_since_previous_message(tracker),
        )
        message = turn.Message(
            text=tracker.latest_message.get("text") or "",
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
        )
        outcome = turn.take_turn(state, message, program())
        if outcome.crisis:
            return crisis_path(dispatcher, tracker)
        for record in outcome.records:
            perform(tracker, record)
        for said in outcome.say:
            say(dispatcher, said)
        return [SlotSet(key, value) for key, value in outcome.slots]


def perform(tracker: Tracker, record: turn.Record) -> None:
    """Carry out one of the turn's records in the database (and page staff for an escalation)."""
    if isinstance(record, turn.Escalate):
        escalate(tracker, record.trigger, once_per_screening=record.once_per_screening)
    elif isinstance(record, turn.RestartScreening):
        with session_scope(settings().database_url) as session:
            screening = crud.restart_screening(session, conversation_id=tracker.sender_id, channel=channel_of(tracker))
            if record.keep_consent:
                crud.record_answer(session, screening=screening, key="consent", raw_text="", value=True)
    else:
        with screening_record(tracker) as (session, screening):
            if isinstance(record, turn.ClearAnswers):
                crud.clear_answers(session, screening=screening, keys=list(record.keys))
                return
            if record.secret is not None:
                encrypted = NumberCipher(settings().sms_number_key).encrypt(record.secret)
                crud.update_screening(session, screening=screening, contact_number_encrypted=encrypted)
            crud.record_answer(
                session,
                screening=screening,
                key=record.key,
                raw_text=record.raw_text,
                value=record.value,
                instrument=record.instrument,
            )
            crud.update_screening(session, screening=screening, **record.screening)


def restart_events(tracker: Tracker, answers: Dict[str, Any]) -> List[EventType]:
    """Clear every answer but the consent and open a new screening record (the old one is kept)."""
    slots, record = turn.restart(answers)
    perform(tracker, record)
    return [SlotSet(key, value) for key, value in slots]


def ask_question(dispatcher: CollectingDispatcher, key: str, answers: Dict[str, Any], misses: int) -> None:
    say(dispatcher, turn.ask(key, answers, misses))


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
    """ "Start over" outside the form: a new screening with the consent already given."""

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
                opening, alert = crisis_opening(ctx.for_self), staff_alert(prog, utcnow())
                dispatcher.utter_message(text=f"{opening}\n{referral}\n{alert}")
            events = step_back(tracker, "crisis")
        elif status is Status.COMPLETED:
            assessment = summary.assessment
            if by_text:
                dispatcher.utter_message(
                    text=messages.completed_by_text(
                        prog, ctx, crisis_lines=assessment.crisis_lines, callback=assessment.urgent
                    )
                )
            else:
                can_call = answers.get("contact_phone") == GIVEN
                dispatcher.utter_message(
                    text=outcome_message(assessment, prog, ctx.for_self, ctx.name, can_call=can_call)
                )
                if summary.insurance is not None:
                    dispatcher.utter_message(text=insurance_summary(summary.insurance, prog))
            completed_outcome = summary.assessment.outcome.value
        elif status is Status.DECLINED:
            dispatcher.utter_message(text=messages.declined(prog))
        elif status is Status.OUT_OF_RANGE:
            dispatcher.utter_message(text=messages.out_of_range(prog, ctx))
        elif status is Status.OUT_OF_AREA:
            dispatcher.utter_message(text=messages.out_of_area(prog, ctx))
        elif status is Status.NEEDS_GUARDIAN:
            consent_age = prog.minor_consent_age(str(answers["state"])) or 0
            dispatcher.utter_message(text=messages.needs_guardian(prog, ctx, consent_age))
        elif status is Status.STOPPED:
            dispatcher.utter_message(text=messages.stopped(prog))
        with screening_record(tracker) as (session, screening):
            crud.update_screening(
                session, screening=screening, status=status.value, **summary_fields(summary, answers, final=True)
            )
        cssrs_trigger = for_cssrs(summary.risk)
        if cssrs_trigger is not None:  # high: crisis care now; moderate (raised when answered): a clinician calls
            escalate(tracker, cssrs_trigger, once_per_screening=True)
        if status is Status.COMPLETED and summary.assessment.urgent and summary.risk in (Risk.NONE, Risk.LOW):
            # The outcome said a clinician will talk with them soon, for reasons beyond the C-SSRS: ask for it.
            escalate(tracker, for_urgent_review(), once_per_screening=True)
        if completed_outcome is not None:  # after the summary is stored: booking reads the outcome there
            events += offer_after_screening(dispatcher, tracker, completed_outcome)
        return [SlotSet("screening_reported", status is Status.COMPLETED), *events]
