"""Two measured fixes to Rasa 3.6's hot path (profiled with py-spy under `make bench`'s load; each gives the
same answers as Rasa's code, which the tests compare). `apply()` is called once, explicitly, when the server
starts: by each of this project's channels as it registers its routes (whichever a deployment enables).

- Rasa checks every action-server reply with `jsonschema.validate(result, schema)`, which re-validates the
  schema itself on every call: 46 ms per reply on a 2-core machine, once per answered question, on the
  server's single event loop. A validator built once does the same check of the reply in under 1 ms.
- Before each message Rasa asks whether the conversation has any events since its last restart by building
  the whole list of applied events (`tracker.applied_events()`, which replays the form's history) and
  testing it for emptiness: about a tenth of the server's time late in a screening. The last event answers
  the same question.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from functools import lru_cache
from typing import Any, Callable, Dict

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionReverted, Restarted, SessionStarted, UserUtteranceReverted
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)

RASA_CHECK = RemoteAction._validate_action_result  # kept for the test that compares verdicts
RASA_UPDATE_SESSION = MessageProcessor._update_tracker_session

# What each replacement was checked against: Rasa 3.6.21's source of the methods it replaces or relies on.
# Another Rasa gets its own code (slower, never wrong) until someone re-checks them and updates the digests.
CHECKED_WITH = "3.6.21"
CHECKED_SOURCES = {
    "RemoteAction._validate_action_result": "f8cdb4be68123961",
    "MessageProcessor._update_tracker_session": "b0d44217b5ca28ba",
    "MessageProcessor._has_session_expired": "aa0e659a9cfa1f70",
}
_applied = False


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


async def _update_tracker_session(
    self: MessageProcessor, tracker: DialogueStateTracker, output_channel: Any, metadata: Any = None
) -> None:
    if has_applied_events(tracker) and not self._has_session_expired(tracker):
        return  # what Rasa's version concludes too, without the replay
    await RASA_UPDATE_SESSION(self, tracker, output_channel, metadata)


def source_digest(method: Callable[..., Any]) -> str:
    return hashlib.sha256(inspect.getsource(method).encode()).hexdigest()[:16]


def changed_in_rasa() -> list[str]:
    """The methods whose source is not the one the speed-ups were checked against."""
    current = {
        "RemoteAction._validate_action_result": RASA_CHECK,
        "MessageProcessor._update_tracker_session": RASA_UPDATE_SESSION,
        "MessageProcessor._has_session_expired": MessageProcessor._has_session_expired,
    }
    return [name for name, method in current.items() if source_digest(method) != CHECKED_SOURCES[name]]


def apply() -> bool:
    """Patch Rasa, once per process; False (and Rasa left as it is) when its code is not what was checked."""
    global _applied
    if _applied:
        return True
    changed = changed_in_rasa()
    if changed:
        log.warning("Rasa speed-ups not applied: %s changed since Rasa %s", ", ".join(changed), CHECKED_WITH)
        return False
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    MessageProcessor._update_tracker_session = _update_tracker_session  # type: ignore[method-assign]
    _applied = True
    log.info("Rasa speed-ups applied (checked against Rasa %s)", CHECKED_WITH)
    return True
