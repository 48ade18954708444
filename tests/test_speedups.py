"""The faster check of action-server replies accepts and rejects exactly what Rasa's own check does."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

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
