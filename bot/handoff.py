"""Staff taking a conversation over from the bot, replying in it, and handing it back.

Everything goes through the Rasa server's own HTTP API (`rasa run --enable-api --auth-token`), so a staff
message reaches the person on the channel they last wrote from and is part of the transcript, and the bot
resumes by Rasa's own mechanism for outside events (an `EXTERNAL_*` intent):

- `take_over`: a `pause` event (the bot stops answering), and an open handoff row (reason "staff").
- `reply`: a `bot` event with the staff name in its metadata, appended with `output_channel=latest` and
  `execute_side_effects=true`, which sends it through the output channel of the person's latest message
  (REST has none to push to: there it is stored for the person's client to read from the tracker).
- `hand_back`: a `resume` event, then the `EXTERNAL_handback` intent triggered with the staff name as an
  entity; the bot's `action_hand_back` closes the handoff and picks the screening up where it was.

The bot steps back by itself after a crisis or when asked for a person (actions/assist.py); those
handoffs are worked and handed back the same way. Errors name the step and the HTTP status, never the
conversation's content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import quote

import requests

from bot.routing import HAND_BACK_INTENT
from bot.screening import Status
from bot.settings import settings
from bot.store import crud
from bot.store.db import session_scope
from bot.store.models import Handoff

# Screening statuses the bot picks up again after a hand-back: one under way (None until the first stop or
# restart), or one a crisis interrupted. A finished, stopped or declined screening is not restarted unasked.
RESUMABLE = frozenset({None, Status.IN_PROGRESS.value, Status.CRISIS.value})
# Statuses a crisis interrupts: anything not yet finished, stopped or declined.
INTERRUPTIBLE = frozenset({None, Status.IN_PROGRESS.value})


class HandoffError(RuntimeError):
    """A staff action that cannot be done; the message says why."""


def resumes_screening(status: Optional[str], consented: bool) -> bool:
    """Whether handing back continues the screening at its next question."""
    return consented and status in RESUMABLE


def status_after_crisis(status: Optional[str]) -> Optional[str]:
    """The screening status a crisis message leaves: "crisis" for one under way, else unchanged (None)."""
    return Status.CRISIS.value if status in INTERRUPTIBLE else None


@dataclass(frozen=True)
class RasaApi:
    """The Rasa server's HTTP API, authenticated with its token."""

    base_url: str
    token: str
    http: Any = field(default_factory=requests.Session)  # has .post(url, params=, json=, timeout=)
    timeout: float = 30.0

    @classmethod
    def from_settings(cls) -> RasaApi:
        config = settings()
        return cls(config.rasa_url, config.rasa_auth_token)

    def post(self, conversation_id: str, path: str, body: dict[str, Any], **params: str) -> dict[str, Any]:
        url = f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{path}"
        try:
            response = self.http.post(url, params={"token": self.token, **params}, json=body, timeout=self.timeout)
        except requests.RequestException as error:
            raise HandoffError(f"the Rasa server did not answer ({type(error).__name__}); is it running?") from None
        if response.status_code >= 400:
            raise HandoffError(f"the Rasa server answered {response.status_code} to {path}")
        answer: dict[str, Any] = response.json()
        return answer


def _staff(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise HandoffError("say who you are (--by)")
    return name


def _open_handoff(conversation_id: str, database_url: str) -> Handoff:
    with session_scope(database_url) as session:
        handoff = crud.open_handoff_for(session, conversation_id=conversation_id)
    if handoff is None:
        raise HandoffError("the bot is talking in this conversation: take it over first")
    return handoff


def take_over(
    conversation_id: str, staff: str, *, rasa: Optional[RasaApi] = None, database_url: Optional[str] = None
) -> Handoff:
    """Stop the bot in the conversation and record who took it (an open handoff is kept as it is)."""
    staff = _staff(staff)
    (rasa or RasaApi.from_settings()).post(conversation_id, "tracker/events", {"event": "pause"})
    with session_scope(database_url or settings().database_url) as session:
        return crud.open_handoff(session, conversation_id=conversation_id, reason="staff", by=staff)


def reply(
    conversation_id: str, text: str, staff: str, *, rasa: Optional[RasaApi] = None, database_url: Optional[str] = None
) -> None:
    """Send a staff message to the person, through the channel they last wrote from."""
    staff = _staff(staff)
    if not (text or "").strip():
        raise HandoffError("the message is empty")
    _open_handoff(conversation_id, database_url or settings().database_url)
    (rasa or RasaApi.from_settings()).post(
        conversation_id,
        "tracker/events",
        {"event": "bot", "text": text.strip(), "metadata": {"staff": staff}},
        output_channel="latest",
        execute_side_effects="true",
    )


def send_crisis_lines(conversation_id: str, text: str, *, rasa: Optional[RasaApi] = None) -> None:
    """The bot's own crisis reply in a paused conversation, where no action can run: sent the way a staff
    reply is, marked as the assistant's."""
    (rasa or RasaApi.from_settings()).post(
        conversation_id,
        "tracker/events",
        {"event": "bot", "text": text, "metadata": {"assistant": "crisis"}},
        output_channel="latest",
        execute_side_effects="true",
    )


def hand_back(
    conversation_id: str, staff: str, *, rasa: Optional[RasaApi] = None, database_url: Optional[str] = None
) -> list[str]:
    """Give the conversation back to the bot; what the bot said on taking it back."""
    staff = _staff(staff)
    _open_handoff(conversation_id, database_url or settings().database_url)
    api = rasa or RasaApi.from_settings()
    api.post(conversation_id, "tracker/events", {"event": "resume"})
    answer = api.post(
        conversation_id,
        "trigger_intent",
        {"name": HAND_BACK_INTENT, "entities": {"staff": staff}},
        output_channel="latest",
    )
    return [message.get("text") or "" for message in answer.get("messages") or []]
