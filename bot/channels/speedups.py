"""Two measured fixes to Rasa 3.6's hot path, applied when the Rasa server loads our channel (profiled with
py-spy under `make bench`'s load; each gives the same answers as Rasa's code, which the tests compare).

- Rasa checks every action-server reply with `jsonschema.validate(result, schema)`, which re-validates the
  schema itself on every call: 46 ms per reply on a 2-core machine, once per answered question, on the
  server's single event loop. A validator built once does the same check of the reply in under 1 ms.
- Before each message Rasa asks whether the conversation has any events since its last restart by building
  the whole list of applied events (`tracker.applied_events()`, which replays the form's history) and
  testing it for emptiness: about a tenth of the server's time late in a screening. The last event answers
  the same question.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionReverted, Restarted, SessionStarted, UserUtteranceReverted
from rasa.shared.core.trackers import DialogueStateTracker


RASA_CHECK = RemoteAction._validate_action_result  # kept for the test that compares verdicts
RASA_UPDATE_SESSION = MessageProcessor._update_tracker_session


@lru_cache(maxsize=1)
def _reply_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    return validators.validator_for(schema)(schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        _reply_validator().validate(result)
    except ValidationError as error:
        error.message += ". Failed to validate Action server response from API."
        raise
    return True


def has_applied_events(tracker: DialogueStateTracker) -> bool:
    """`bool(tracker.applied_events())`, from the last event: a restart or new session leaves nothing
    applied after it, and any other event stays applied (a form's later turns fold into its earlier ones,
    never into nothing). Only an undo at the end needs Rasa's full replay."""
    if not tracker.events:
        return False
    last = tracker.events[-1]
    if isinstance(last, (ActionReverted, UserUtteranceReverted)):
        return bool(tracker.applied_events())
    return not isinstance(last, (Restarted, SessionStarted))


async def _update_tracker_session(self: MessageProcessor, tracker: DialogueStateTracker, output_channel: Any,
                                  metadata: Any = None) -> None:
    if has_applied_events(tracker) and not self._has_session_expired(tracker):
        return  # what Rasa's version concludes too, without the replay
    await RASA_UPDATE_SESSION(self, tracker, output_channel, metadata)


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    MessageProcessor._update_tracker_session = _update_tracker_session  # type: ignore[method-assign]
