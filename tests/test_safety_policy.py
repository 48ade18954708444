"""The safety policy: a crisis message or a request for a person wins in every state (inside the screening
form too) unless it answers the pending question; staff hand-backs only from the API. The decisions as a
plain function, then the Rasa policy against RulePolicy's strongest prediction (the form's happy path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction, confidence_scores_for
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.routing import safety_action
from rasa_edge.importer import load_domain
from rasa_edge.policies.safety import SafetyPolicy

ROOT = Path(__file__).resolve().parents[1]


def decide(
    intent: Optional[str],
    text: str = "",
    *,
    confidence: float = 0.9,
    external: bool = False,
    pending: Optional[str] = None,
    since: tuple[str, ...] = (),
) -> Optional[str]:
    return safety_action(
        intent=intent,
        text=text,
        confidence=confidence,
        external=external,
        pending_question=pending,
        actions_since_message=since,
    )


@pytest.mark.parametrize("pending", [None, "consent", "age", "concerns_text", "phq9_4", "insurance_carrier"])
def test_a_crisis_message_gets_the_crisis_action_whatever_question_is_pending(pending: Optional[str]) -> None:
    assert decide("crisis", "I want to kill myself", confidence=0.7, pending=pending) == "action_crisis"


@pytest.mark.parametrize(
    "pending,text",
    [
        ("phq9_9", "every day, and I took a bunch of pills an hour ago"),
        ("cssrs_6", "yes I just took 30 pills"),
        ("cssrs_1", "sometimes, I'm standing on the bridge now"),
        ("insurance_holder", "it's my own plan"),
    ],
)
def test_a_crisis_that_would_also_answer_the_pending_question_is_still_a_crisis(pending: str, text: str) -> None:
    assert decide("crisis", text, confidence=0.85, pending=pending) == "action_crisis"


@pytest.mark.parametrize("pending", [None, "age", "concerns_text", "phq9_2"])
def test_asking_for_a_person_hands_off_in_any_state(pending: Optional[str]) -> None:
    assert decide("human", "can I talk to a real person", pending=pending) == "action_handoff"


def test_an_answer_that_sounds_like_a_request_is_still_an_answer() -> None:
    assert decide("human", "my dad", confidence=0.7, pending="for_whom") is None
    assert decide("human", "no", confidence=0.7, pending="consent") is None


def test_only_staff_can_hand_a_conversation_back() -> None:
    assert decide("EXTERNAL_handback", "EXTERNAL: EXTERNAL_handback", external=True) == "action_hand_back"
    assert decide("EXTERNAL_handback", "/EXTERNAL_handback") is None  # typed by the person


@pytest.mark.parametrize("own", ["action_crisis", "action_handoff", "action_hand_back"])
def test_after_its_own_action_it_listens(own: str) -> None:
    assert decide("crisis", "I want to die", since=(own,)) == "action_listen"


def test_it_stays_out_of_everything_else() -> None:
    assert decide("crisis", "I want to die", since=("action_hand_back", "screening_form")) is None
    for intent in ("faq", "inform", "greet", "stop", None):
        assert decide(intent, "what is an IOP?") is None


# ---------------------------------------------------------------------------------------------------
# The Rasa policy


@pytest.fixture(scope="module")
def domain() -> Domain:
    return load_domain(ROOT / "domain.yml")


def policy() -> SafetyPolicy:
    return SafetyPolicy(
        SafetyPolicy.get_default_config(),
        None,
        Resource("safety"),  # type: ignore[arg-type]
        ExecutionContext(GraphSchema({}), "test"),
    )


def in_form(
    domain: Domain, text: str, intent: str, message_id: Optional[str] = None, **metadata: Any
) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet", "confidence": 1.0}),
        ActionExecuted("action_start_screening"),
        ActionExecuted("screening_form"),
        ActiveLoop("screening_form"),
        SlotSet("requested_slot", "concerns_text"),
        ActionExecuted("action_listen"),
        UserUttered(text, {"name": intent, "confidence": 0.9}, metadata=metadata or None, message_id=message_id),
    ]
    return DialogueStateTracker.from_events("t-policy", events, slots=domain.slots)


def best(domain: Domain, mine: PolicyPrediction) -> str:
    """The ensemble's choice between this policy and RulePolicy continuing the form (its happy path)."""
    form = PolicyPrediction(
        confidence_scores_for("screening_form", 1.0, domain), "RulePolicy", 6, is_no_user_prediction=True
    )
    winner = DefaultPolicyPredictionEnsemble._pick_best_policy([form, mine])
    return domain.action_names_or_texts[winner.max_confidence_index]


def test_inside_the_form_the_crisis_action_beats_the_forms_happy_path(domain: Domain) -> None:
    prediction = policy().predict_action_probabilities(in_form(domain, "I want to kill myself", "crisis"), domain)
    assert prediction.policy_priority == 7
    assert best(domain, prediction) == "action_crisis"


def test_inside_the_form_an_ordinary_answer_is_left_to_the_form(domain: Domain) -> None:
    prediction = policy().predict_action_probabilities(in_form(domain, "I feel low", "inform"), domain)
    assert prediction.max_confidence == 0.0
    assert best(domain, prediction) == "screening_form"


def test_a_hand_back_is_read_from_the_external_flag_rasa_sets(domain: Domain) -> None:
    tracker = in_form(domain, "EXTERNAL: EXTERNAL_handback", "EXTERNAL_handback", is_external=True)
    assert best(domain, policy().predict_action_probabilities(tracker, domain)) == "action_hand_back"
    tracker.update(ActionExecuted("action_hand_back"))
    assert best(domain, policy().predict_action_probabilities(tracker, domain)) == "action_listen"


def test_an_unsure_crisis_reading_gets_the_check_in_question_in_any_state() -> None:
    for pending in (None, "consent", "phq9_4", "insurance_holder"):
        chosen = safety_action(
            intent="inform",
            text="I'm dying to get started",
            confidence=0.6,
            external=False,
            pending_question=pending,
            actions_since_message=(),
            tier="check_in",
        )
        assert chosen == "action_crisis_check"


def test_while_the_check_in_waits_every_reply_is_its_answer_but_a_crisis_still_wins() -> None:
    common = dict(confidence=0.9, external=False, pending_question="age", actions_since_message=())
    assert safety_action(intent="inform", text="no", checking="asked", **common) == "action_crisis_check_reply"
    assert (
        safety_action(intent="human", text="can I talk to a person", checking="asked", **common)
        == "action_crisis_check_reply"
    )
    assert safety_action(intent="crisis", text="I want to die", checking="asked", **common) == "action_crisis"
    assert (
        safety_action(intent="inform", text="no", checking="asked", tier="check_in", **common)
        == "action_crisis_check_reply"
    )


@pytest.mark.parametrize("own", ["action_crisis_check", "action_crisis_check_reply"])
def test_after_the_check_in_it_listens(own: str) -> None:
    assert decide("inform", "no", since=(own,)) == "action_listen"


@pytest.mark.parametrize(
    "pending,text",
    [
        ("insurance_holder", "it's my own plan"),
        ("insurance_holder", "Own plan"),
        ("for_whom", "self"),
        ("transport", "Yes, it's hard"),
    ],
)
def test_an_unsure_reading_of_an_offered_option_is_just_the_answer(pending: str, text: str) -> None:
    assert (
        safety_action(
            intent="inform",
            text=text,
            confidence=0.9,
            external=False,
            pending_question=pending,
            actions_since_message=(),
            tier="check_in",
        )
        is None
    )


@pytest.mark.parametrize("pending", ["insurance_holder", "concerns_text", "phq9_2", None])
def test_an_unsure_message_that_is_no_option_is_still_asked_about(pending) -> None:
    text = "I'm looking at my gun trying to find a reason not to"
    assert (
        safety_action(
            intent="inform",
            text=text,
            confidence=0.9,
            external=False,
            pending_question=pending,
            actions_since_message=(),
            tier="check_in",
        )
        == "action_crisis_check"
    )


# ---------------------------------------------------------------------------------------------------
# An action whose call failed (the action server down): never silence


def predicted(domain: Domain, tracker: DialogueStateTracker) -> str:
    return domain.action_names_or_texts[policy().predict_action_probabilities(tracker, domain).max_confidence_index]


def failed_after(
    domain: Domain, text: str, intent: str, action: str, *after: Any, message_id: Optional[str] = "b7c2f0e4d1a94c1b"
) -> DialogueStateTracker:
    """The person's message (with the id a channel's message gets), then `action` logged with no event after it,
    as Rasa logs a failed call."""
    tracker = in_form(domain, text, intent, message_id)
    for event in (ActionExecuted(action, "RulePolicy", 1.0), *after):
        tracker.update(event)
    return tracker


def test_an_answer_the_action_server_could_not_take_is_asked_for_again(domain: Domain) -> None:
    tracker = failed_after(domain, "I worry all the time", "inform", "screening_form")
    assert best(domain, policy().predict_action_probabilities(tracker, domain)) == "utter_action_failed"
    assert "send it again" in domain.responses["utter_action_failed"][0]["text"]
    tracker.update(ActionExecuted("utter_action_failed"))
    tracker.update(BotUttered(domain.responses["utter_action_failed"][0]["text"]))
    assert predicted(domain, tracker) == "action_listen"  # then waits: the form asks nothing twice


@pytest.mark.parametrize("action", ["action_crisis", "action_crisis_check", "screening_form"])
def test_a_crisis_the_action_server_could_not_answer_still_gets_the_crisis_lines(domain: Domain, action: str) -> None:
    tracker = failed_after(domain, "I'm going to end it tonight", "crisis", action)
    assert best(domain, policy().predict_action_probabilities(tracker, domain)) == "utter_crisis_fallback"
    reply = domain.responses["utter_crisis_fallback"][0]["text"]
    assert "911" in reply and "988" in reply and "741741" in reply and "please don't wait for us" in reply


def test_an_action_that_spoke_or_set_anything_did_not_fail(domain: Domain) -> None:
    answer = ("I worry all the time", "inform", "screening_form")
    spoke = failed_after(domain, *answer, BotUttered("Over the last 2 weeks"))
    assert policy().predict_action_probabilities(spoke, domain).max_confidence == 0.0
    worked = failed_after(domain, *answer, SlotSet("requested_slot", "phq9_1"))
    assert policy().predict_action_probabilities(worked, domain).max_confidence == 0.0
    # A story's message (`rasa test`) has no message id, and its actions none of their events: nothing failed.
    story = failed_after(domain, *answer, message_id=None)
    assert policy().predict_action_probabilities(story, domain).max_confidence == 0.0
    # A staff hand-back says nothing to the person by design: no apology for it.
    handed_back = failed_after(domain, "EXTERNAL: EXTERNAL_handback", "EXTERNAL_handback", "action_hand_back")
    assert (
        domain.action_names_or_texts[policy().predict_action_probabilities(handed_back, domain).max_confidence_index]
        != "utter_action_failed"
    )
