"""The speed-ups give exactly Rasa's answers: the check of action-server replies, and whether a tracker has any
applied events."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_edge import speedups

GOOD = {"events": [{"event": "slot", "name": "age", "value": 34}], "responses": [{"text": "How old are you?"}]}
BAD = {"events": [{"name": "age"}], "responses": []}  # an event without its type
ROOT = Path(__file__).resolve().parents[1]


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
    return [
        ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet"}),
        ActionExecuted("screening_form"),
        ActiveLoop("screening_form"),
        ActiveLoop(None),
        SlotSet("age", 30),
        ActionExecuted("action_crisis"),
        ActionReverted(),
        UserUtteranceReverted(),
        Restarted(),
        SessionStarted(),
    ]


def test_whether_a_tracker_has_applied_events_is_answered_as_rasa_does():
    pool = _pool()
    rng = random.Random(7)
    for _ in range(3000):
        events = [rng.choice(pool) for _ in range(rng.randint(0, 14))]
        tracker = DialogueStateTracker.from_events("t-speed", events)
        assert speedups.has_applied_events(tracker) == bool(tracker.applied_events()), events


def test_rasa_code_is_what_the_speedups_were_checked_against() -> None:
    """Fails after a Rasa upgrade that touched a patched method: re-check the speed-up, then its digest."""
    assert speedups.changed_in_rasa() == [], f"re-check rasa_edge/speedups.py (checked with {speedups.CHECKED_WITH})"


def test_changed_rasa_code_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.processor import MessageProcessor

    monkeypatch.setattr(RemoteAction, "_validate_action_result", speedups.RASA_CHECK)
    monkeypatch.setattr(MessageProcessor, "_update_tracker_session", speedups.RASA_UPDATE_SESSION)
    monkeypatch.setattr(speedups, "_applied", False)
    monkeypatch.setitem(speedups.CHECKED_SOURCES, "MessageProcessor._has_session_expired", "0" * 16)
    assert speedups.apply() is False
    assert RemoteAction._validate_action_result is speedups.RASA_CHECK
    assert MessageProcessor._update_tracker_session is speedups.RASA_UPDATE_SESSION


def test_applied_when_a_channel_registers_its_routes_not_when_it_is_imported() -> None:
    script = (
        "from rasa.core.actions.action import RemoteAction\n"
        "from rasa_edge import speedups\n"
        "from rasa_edge.channels.rest import RestChannel\n"
        "print(RemoteAction._validate_action_result is speedups.RASA_CHECK)\n"
        "RestChannel.from_credentials(None).blueprint(lambda message: None)\n"
        "print(RemoteAction._validate_action_result is speedups._validate_action_result)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "IOP_ENV": "test"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-2:] == ["True", "True"]
