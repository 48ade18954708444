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
from actions.common import (
    TEXT_MESSAGE_CHANNELS,
    answers_of,
    ask,
    channel_of,
    crisis_path,
    escalate,
    program,
    screening_record,
    step_back,
    utcnow,
)
from bot import messages
from bot.dialogue import MISSES_BEFORE_HELP, Request, Turn, TurnKind, read_turn
from bot.eligibility import outcome_message
from bot.faq import faq_reply
from bot.instruments.cssrs import Risk, cssrs_risk
from bot.insurance import insurance_summary
from bot.intake.contact import GIVEN
from bot.questions import DECLINED, SKIPPED
from bot.safety.escalation import for_cssrs, for_urgent_review
from bot.safety.resources import crisis_opening, crisis_reminder, staff_alert
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
from bot.settings import settings
from bot.sms.identity import NumberCipher
from bot.store import crud
from bot.store.db import session_scope

WELCOME_BACK_AFTER_S = 30 * 60  # a message after half an hour's silence is greeted before the question
REFUSED_SLOT = "screening_refused"  # the safety question the person has refused once (asked again, once)


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
            turn = read_turn(QUESTIONS[requested], text, intent, confidence, context(answers))
            if turn.kind is TurnKind.CRISIS:
                # The safety policy sends crisis messages to action_crisis before the form sees them; should
                # one arrive here all the same, it takes the same path and nothing is stored.
                return crisis_path(dispatcher, tracker)
            away = _seconds_since_previous_message(tracker) > WELCOME_BACK_AFTER_S
            if turn.kind is not TurnKind.ANSWER and away:
                dispatcher.utter_message(text=messages.welcome_back(context(answers)))
            if turn.kind is TurnKind.REFUSAL and tracker.get_slot(REFUSED_SLOT) == requested:
                turn = Turn(TurnKind.ANSWER, DECLINED)  # asked twice: recorded as declined, never as no
            if turn.kind is TurnKind.ANSWER:
                answers[requested] = self._record(tracker, answers, requested, turn.value, text)
                events.append(SlotSet(requested, answers[requested]))
                if note := messages.after_answer(requested, answers[requested], prog):
                    dispatcher.utter_message(text=note)
                if tracker.get_slot(REFUSED_SLOT) is not None:
                    events.append(SlotSet(REFUSED_SLOT, None))
                if QUESTIONS[requested].instrument == "cssrs" and cssrs_risk(answers) is Risk.MODERATE:
                    # A clinician should call soon (a moderate answer, or a refusal that hides the risk): raised
                    # now, not when the screening ends.
                    escalate(tracker, for_cssrs(Risk.MODERATE), once_per_screening=True)
                misses = 0
                status = stop_status(answers, prog)
            elif turn.kind is TurnKind.REFUSAL:
                events += [SlotSet(requested, None), SlotSet(REFUSED_SLOT, requested)]
                dispatcher.utter_message(text=messages.safety_refusal(context(answers)))
            elif turn.kind is TurnKind.REQUEST:
                events.append(SlotSet(requested, None))
                status = self._handle_request(dispatcher, tracker, turn, requested, answers, events, away)
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
            following = next_question(answers, prog, by_text=channel_of(tracker) in TEXT_MESSAGE_CHANNELS)
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
                        answers: Dict[str, Any], events: List[EventType], away: bool) -> Optional[Status]:
        prog = program()
        if turn.request is Request.STOP:
            return Status.STOPPED
        if turn.request is Request.FAQ:
            dispatcher.utter_message(text=faq_reply(tracker.latest_message.get("text") or "", prog))
        elif turn.request is Request.WHY:
            dispatcher.utter_message(text=QUESTIONS[requested].why)
        elif turn.request is Request.GREET and not away:  # after a real absence the welcome back is said above
            dispatcher.utter_message(text=messages.HELLO_AGAIN)
        elif turn.request is Request.BACK:
            previous = previous_question(answers, prog, requested, by_text=channel_of(tracker) in TEXT_MESSAGE_CHANNELS)
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
    def _record(tracker: Tracker, answers: Dict[str, Any], key: str, value: Any, raw_text: str) -> Any:
        """Store the answer at once, with the scores it completes: a dropped conversation loses nothing.

        A secret answer (the phone number) is kept only encrypted on the screening; the answer row and the slot
        say that it was given. Returns the value the slot keeps."""
        with screening_record(tracker) as (session, screening):
            if QUESTIONS[key].meta.get("secret") and value != SKIPPED:
                encrypted = NumberCipher(settings().sms_number_key).encrypt(value)
                crud.update_screening(session, screening=screening, contact_number_encrypted=encrypted)
                value, raw_text = GIVEN, ""
            crud.record_answer(session, screening=screening, key=key, raw_text=raw_text, value=value,
                               instrument=QUESTIONS[key].instrument)
            answers = {**answers, key: value}
            for_self = answers["for_whom"] == "self" if "for_whom" in answers else None
            crud.update_screening(session, screening=screening, for_self=for_self,
                                  **summary_fields(summarise(answers, program()), answers, final=False))
        return value


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
                opening, alert = crisis_opening(ctx.for_self), staff_alert(prog, utcnow())
                dispatcher.utter_message(text=f"{opening}\n{referral}\n{alert}")
            events = step_back(tracker, "crisis")
        elif status is Status.COMPLETED:
            assessment = summary.assessment
            if by_text:
                dispatcher.utter_message(text=messages.completed_by_text(
                    prog, ctx, crisis_lines=assessment.crisis_lines, callback=assessment.urgent))
            else:
                can_call = answers.get("contact_phone") == GIVEN
                dispatcher.utter_message(text=outcome_message(assessment, prog, ctx.for_self, ctx.name,
                                                              can_call=can_call))
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
            crud.update_screening(session, screening=screening, status=status.value,
                                  **summary_fields(summary, answers, final=True))
        cssrs_trigger = for_cssrs(summary.risk)
        if cssrs_trigger is not None:  # high: crisis care now; moderate (raised when answered): a clinician calls
            escalate(tracker, cssrs_trigger, once_per_screening=True)
        if status is Status.COMPLETED and summary.assessment.urgent and summary.risk in (Risk.NONE, Risk.LOW):
            # The outcome said a clinician will talk with them soon, for reasons beyond the C-SSRS: ask for it.
            escalate(tracker, for_urgent_review(), once_per_screening=True)
        if completed_outcome is not None:  # after the summary is stored: booking reads the outcome there
            events += offer_after_screening(dispatcher, tracker, completed_outcome)
        return [SlotSet("screening_reported", status is Status.COMPLETED), *events]
