"""A Rasa policy, above RulePolicy, that makes the safety decisions in every state of the dialogue.

It predicts `action_crisis` for a crisis message, `action_crisis_check` when the crisis detector is unsure (and
`action_crisis_check_reply` for the answer), and `action_handoff` for a request for a person, inside the
screening form or outside it, and `action_hand_back` when staff hand a conversation back; outside the form,
`action_booking` for replies about booking an assessment; then `action_listen` after its own action. When an
action that always speaks ran and said nothing (its call to the action server failed), it has Rasa say so
itself, with the crisis lines for a crisis.
Everything else it leaves to RulePolicy. The decisions are in
bot/routing.py; this class only reads them off the tracker.

Its predictions are marked as not using the user's input, because RulePolicy marks the form's happy path
that way and Rasa's ensemble lets such predictions beat all others whatever their priority
(rasa/core/policies/ensemble.py `_pick_best_policy`); the higher priority then decides between the two.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import IS_EXTERNAL, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.booking.conversation import STAGE_SLOT
from bot.domain import FORM
from bot.routing import SPEAKING_ACTIONS, after_failed_action, booking_action, safety_action
from bot.safety.checkin import SLOT as CHECKING_SLOT  # the check-in question is waiting for its reply

PRIORITY = 7  # RulePolicy's default is 6


def _actions_since_message(tracker: DialogueStateTracker) -> List[str]:
    actions: List[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            actions.append(event.action_name)
    return actions[::-1]


def _failed_action(tracker: DialogueStateTracker) -> Optional[str]:
    """The action that has just run without a single event, when it is one that always speaks and nothing has
    been said since the person's message: its call failed (rasa/core/processor.py `_run_action` logs it so).
    Only after a message that came through a channel (it has a message id): a story's messages have none, and
    its actions none of their events (`rasa test` would read every action as failed)."""
    if not tracker.events:
        return None
    last = tracker.events[-1]
    if not isinstance(last, ActionExecuted) or last.action_name not in SPEAKING_ACTIONS:
        return None
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            return None
        if isinstance(event, UserUttered):
            return last.action_name if event.message_id else None
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class SafetyPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": PRIORITY}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn: the decisions are fixed

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        message = tracker.latest_message
        intent = (message.intent if message else None) or {}
        failed = _failed_action(tracker)
        if failed is not None:
            reply = after_failed_action(failed, intent.get("name"))
            return self._prediction(confidence_scores_for(reply, 1.0, domain), is_no_user_prediction=True)
        action = safety_action(
            intent=intent.get("name"),
            text=(message.text if message else None) or "",
            confidence=float(intent.get("confidence") or 0.0),
            external=bool(((message.metadata if message else None) or {}).get(IS_EXTERNAL)),
            pending_question=tracker.get_slot(REQUESTED_SLOT) if tracker.active_loop_name == FORM else None,
            actions_since_message=_actions_since_message(tracker),
            for_self=tracker.get_slot("for_whom") != "other",
            tier=((message.parse_data if message else {}).get("crisis") or {}).get("tier"),
            checking=tracker.get_slot(CHECKING_SLOT) if CHECKING_SLOT in tracker.slots else None,
        )
        if action is None:
            action = booking_action(
                intent=intent.get("name"),
                text=(message.text if message else None) or "",
                in_form=tracker.active_loop_name == FORM,
                stage=tracker.get_slot(STAGE_SLOT) if STAGE_SLOT in tracker.slots else None,
                actions_since_message=_actions_since_message(tracker),
            )
        if action is None:
            return self._prediction(self._default_predictions(domain))
        return self._prediction(confidence_scores_for(action, 1.0, domain), is_no_user_prediction=True)
