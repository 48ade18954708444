"""Which action must win over the rules for the latest message: the safety decisions, whatever state the
dialogue is in, and replies about booking an assessment.

Rasa's rules do not fire inside a form unless written for it, and forms win over rules on the happy path;
the crisis response must not depend on which form or rule happens to be active. `SafetyPolicy`
(rasa_edge/policies/safety.py) asks this module on every prediction. Pure: plain values in, an action name out.

A paused conversation predicts nothing at all (Rasa skips the policies), so these decisions apply to a
conversation the bot is talking in; the event broker (rasa_edge/event_broker.py) watches the paused ones.
"""

from __future__ import annotations

from typing import Optional, Sequence

from bot.booking.conversation import AWAITING_REPLY
from bot.booking.replies import Kind, after_booking
from bot.dialogue import CRISIS_INTENT, TurnKind, read_turn
from bot.domain import ACTION_FAILED_REPLY, CRISIS_FALLBACK_REPLY, FORM
from bot.questions import Context, Question
from bot.screening import QUESTIONS

HUMAN_INTENT = "human"
HAND_BACK_INTENT = "EXTERNAL_handback"  # staff handing the conversation back (bot/handoff.py)
BOOKING_INTENT = "booking"

CRISIS_ACTION = "action_crisis"
CHECK_ACTION = "action_crisis_check"  # asks directly when the detector is unsure (bot/safety/checkin.py)
CHECK_REPLY_ACTION = "action_crisis_check_reply"
CHECK_IN_TIER = "check_in"
HANDOFF_ACTION = "action_handoff"
HAND_BACK_ACTION = "action_hand_back"
BOOKING_ACTION = "action_booking"
LISTEN_ACTION = "action_listen"
OWN_ACTIONS = frozenset(
    {
        CRISIS_ACTION,
        CHECK_ACTION,
        CHECK_REPLY_ACTION,
        HANDOFF_ACTION,
        HAND_BACK_ACTION,
        BOOKING_ACTION,
        ACTION_FAILED_REPLY,
        CRISIS_FALLBACK_REPLY,
    }
)
# Actions that say something whenever they run: one that ran with no event after it and nothing said since the
# message failed (Rasa logs a custom action whose call failed that way, and carries on).
SPEAKING_ACTIONS = frozenset(
    {
        FORM,
        CRISIS_ACTION,
        CHECK_ACTION,
        CHECK_REPLY_ACTION,
        HANDOFF_ACTION,
        BOOKING_ACTION,
        "action_start_screening",
        "action_restart_screening",
        "action_finish_screening",
        "action_answer_faq",
        "action_outside_screening",
    }
)
_CRISIS_ACTIONS = frozenset({CRISIS_ACTION, CHECK_ACTION, CHECK_REPLY_ACTION})
# While times are on offer, these intents still go to their own rules (a program question, thanks, bye,
# start over); every other message is read as a reply to the offer.
_NOT_ABOUT_BOOKING = frozenset({"faq", "thanks", "goodbye", "start_over", "why_ask"})


def after_failed_action(failed: str, intent: Optional[str]) -> str:
    """What Rasa says by itself after `failed` (one of SPEAKING_ACTIONS) ran and said nothing: the person must
    never be met with silence. A crisis message, or a crisis action, gets the crisis lines in full; anything
    else is asked again. The answer was not stored, so the person's next message answers the same question."""
    if intent == CRISIS_INTENT or failed in _CRISIS_ACTIONS:
        return CRISIS_FALLBACK_REPLY
    return ACTION_FAILED_REPLY


def safety_action(
    *,
    intent: Optional[str],
    text: str,
    confidence: float,
    external: bool,
    pending_question: Optional[str],
    actions_since_message: Sequence[str],
    for_self: bool = True,
    tier: Optional[str] = None,
    checking: Optional[str] = None,
) -> Optional[str]:
    """The action to run next, or None to leave the decision to the other policies.

    `pending_question`: the screening question awaiting an answer (the form's requested slot while the
    form is active), else None. `actions_since_message`: actions already run since the latest user message.
    `external`: the message came from Rasa's trigger_intent API (staff), not from the person.
    `for_self`: whether the screening is about the person writing (how an answer is read).
    `tier`: the crisis detector's tier for the message ("crisis", "check_in" or None); `checking`: the bot
    has asked the check-in question and waits for the reply (the crisis_check slot).
    """
    if actions_since_message:
        # One of ours has answered this message: wait for the next one. (After the others, abstain.)
        return LISTEN_ACTION if actions_since_message[-1] in OWN_ACTIONS else None
    if intent == HAND_BACK_INTENT:
        return HAND_BACK_ACTION if external else None  # typed by the person, it hands nothing back
    if intent == CRISIS_INTENT:
        # Whatever the state, and even when the message would also answer the pending question: nothing
        # from it is stored as an answer (bot/dialogue.py).
        return CRISIS_ACTION
    if checking:  # whatever they say now answers "are you having thoughts of ending your life?"
        return CHECK_REPLY_ACTION
    question = QUESTIONS.get(pending_question or "")
    if tier == CHECK_IN_TIER:  # unsure: neither ignored nor paged, asked at once...
        # ...unless the message names one of the options the pending question offers ("it's my own plan" to
        # "whose plan is it?"): the model reads words, not the question, and an offered option is no riddle.
        offered = (
            question is not None and bool(question.choices) and _answers(question, text, intent, confidence, for_self)
        )
        return None if offered else CHECK_ACTION
    if intent != HUMAN_INTENT:
        return None
    # "my dad" to "who is this for?" stays an answer, as the form's validation reads it.
    return None if question is not None and _answers(question, text, intent, confidence, for_self) else HANDOFF_ACTION


def _answers(question: Question, text: str, intent: Optional[str], confidence: float, for_self: bool) -> bool:
    """Whether the message answers the pending question, read as the form reads it (bot/turn.py reads it with the
    same bot/dialogue.py `read_turn`). Read at most once per message: the branches above are exclusive."""
    return read_turn(question, text, intent, confidence, Context(for_self=for_self)).kind is TurnKind.ANSWER


def booking_action(
    *, intent: Optional[str], text: str, in_form: bool, stage: Optional[str], actions_since_message: Sequence[str]
) -> Optional[str]:
    """`action_booking`, outside the screening, for a reply to offered times or to the questions about text
    reminders (`stage` in bot/booking/conversation.py AWAITING_REPLY), a request to cancel, reschedule or know
    when the appointment is at any time, and a request to book once a screening has offered times (`stage` set;
    before that, asking to book starts the screening by the rules). A program question, thanks or goodbye always
    go to their own rules. None leaves the message to the rules."""
    if actions_since_message or in_form:
        return None
    if intent in _NOT_ABOUT_BOOKING:
        return None
    if stage in AWAITING_REPLY:
        return BOOKING_ACTION
    kind = after_booking(text)
    if kind in (Kind.CANCEL, Kind.RESCHEDULE, Kind.STATUS):  # the action looks the booking up
        return BOOKING_ACTION
    if stage is not None and (kind is Kind.BOOK or intent == BOOKING_INTENT):
        return BOOKING_ACTION
    return None
