"""One measured fix to Rasa 3.6's hot path, applied when the Rasa server loads our channel.

Rasa checks every action-server reply with `jsonschema.validate(result, schema)`, which re-validates the
schema itself on every call: 46 ms per reply on a 2-core machine, once per answered question, on the
server's single event loop (measured with cProfile by `make bench`). A validator built once does the same
check of the reply in under 1 ms.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction


RASA_CHECK = RemoteAction._validate_action_result  # kept for the test that compares verdicts


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


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
