"""The speed-ups give exactly Rasa's answers: the check of action-server replies, and whether a tracker has any
applied events."""
from __future__ import annotations

import random

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, Restarted, SessionStarted, SlotSet,
                                     UserUttered, UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import speedups

GOOD = {"events": [{"event": "slot", "name": "age", "value": 34}], "responses": [{"text": "How old are you?"}]}
BAD = {"events": [{"name": "age"}], "responses": []}  # an event without its type


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("validate_screening_form", None)


@pytest.mark.parametrize("reply", [GOOD, BAD, {"events": "not a list"}, {}])
def test_same_verdict_as_rasa(action: RemoteAction, reply: dict):
    def verdict(check) -> bool:
        try:
            return check(action, reply)
        except ValidationError:
            return False

    assert verdict(speedups._validate_action_result) == verdict(speedups.RASA_CHECK)


def test_an_invalid_reply_still_raises(action: RemoteAction):
    with pytest.raises(ValidationError):
        speedups._validate_action_result(action, BAD)


def _pool() -> list:
    return [ActionExecuted("action_listen"), UserUttered("hi", {"name": "greet"}), ActionExecuted("screening_form"),
            ActiveLoop("screening_form"), ActiveLoop(None), SlotSet("age", 30), ActionExecuted("action_crisis"),
            ActionReverted(), UserUtteranceReverted(), Restarted(), SessionStarted()]


def test_whether_a_tracker_has_applied_events_is_answered_as_rasa_does():
    pool = _pool()
    rng = random.Random(7)
    for _ in range(3000):
        events = [rng.choice(pool) for _ in range(rng.randint(0, 14))]
        tracker = DialogueStateTracker.from_events("t-speed", events)
        assert speedups.has_applied_events(tracker) == bool(tracker.applied_events()), events
