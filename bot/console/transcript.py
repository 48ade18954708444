"""A conversation as staff read it, from Rasa's SQL tracker store (read only, with SQLAlchemy Core).

`lines` turns the stored events into who said what and when: the participant, the bot or a member of staff,
crisis detections on the participant's messages, and the bot stepping back (pause) and coming back
(resume, the hand-back intent). Texts are returned as typed; the templates escape them.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from bot.routing import HAND_BACK_INTENT

# Rasa's `events` table (rasa.core.tracker_store.SQLTrackerStore), the columns read here.
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("data", sa.Text),
)
SHOWN = ("user", "bot", "pause", "resume", "session_started", "restart")


@dataclass(frozen=True)
class Line:
    at: datetime  # UTC
    who: str  # participant, bot, staff or event (a change of state, not a message)
    text: str
    staff: Optional[str] = None  # who wrote a staff message
    crisis: Optional[str] = None  # what the crisis detector found in a participant's message
    options: tuple[str, ...] = ()  # the buttons a bot message offered
    check_in: bool = False  # the bot's direct question when the crisis detector was unsure


def _words(value: Optional[str]) -> str:
    return (value or "").replace("_", " ")


def _crisis(parse_data: dict[str, Any]) -> Optional[str]:
    found = parse_data.get("crisis")
    if not isinstance(found, dict):
        return None
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == "crisis":
        source = {"rules": "by the rules", "model": "by the model", "both": "by the rules and the model"}.get(
            found.get("source") or "", ""
        )
        return f"Crisis detected: {_words(found.get('category')) or 'unspecified'} {source}".strip()
    if found.get("tier") == "check_in":
        return (
            f"Possible crisis ({_words(found.get('category')) or 'unspecified'}, model score "
            f"{found.get('model_score')}): the bot asked directly"
        )
    history = found.get("history") or []
    if history:
        return f"Past risk mentioned (not treated as a crisis now): {', '.join(_words(h) for h in history)}"
    if found.get("flags"):
        return f"Crisis words read as {', '.join(found['flags'])}: not treated as a crisis"
    return None


def _line(type_name: str, timestamp: Optional[float], data: dict[str, Any]) -> Optional[Line]:
    at = datetime.fromtimestamp(timestamp or data.get("timestamp") or 0, timezone.utc)
    if type_name == "user":
        metadata = data.get("metadata") or {}
        if metadata.get("is_external"):
            intent = ((data.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent != HAND_BACK_INTENT:
                return None
            staff = next(
                (
                    e.get("value")
                    for e in (data.get("parse_data") or {}).get("entities") or []
                    if e.get("entity") == "staff"
                ),
                None,
            )
            return Line(at, "event", f"Handed back to the bot{f' by {staff}' if staff else ''}")
        return Line(at, "participant", data.get("text") or "", crisis=_crisis(data.get("parse_data") or {}))
    if type_name == "bot":
        if not data.get("text"):
            return None
        metadata = data.get("metadata") or {}
        buttons = ((data.get("data") or {}).get("buttons")) or []
        options = tuple(str(b.get("title")) for b in buttons if isinstance(b, dict) and b.get("title"))
        if metadata.get("staff"):
            return Line(at, "staff", data["text"], staff=str(metadata["staff"]))
        return Line(at, "bot", data["text"], options=options, check_in=metadata.get("assistant") == "check_in")
    events = {
        "pause": "The bot stepped back: a person has the conversation",
        "resume": "The bot resumed",
        "session_started": "New session",
        "restart": "Conversation restarted",
    }
    return Line(at, "event", events[type_name]) if type_name in events else None


def lines(rows: Iterable[Sequence[Any]]) -> list[Line]:
    """Stored events (type_name, timestamp, data as JSON text), in order, as transcript lines."""
    shown = []
    for type_name, timestamp, text in rows:
        try:
            data: Any = json.loads(text or "{}")
        except ValueError:
            continue
        line = _line(type_name, timestamp, data if isinstance(data, dict) else {})
        if line is not None:
            shown.append(line)
    return shown


class Transcripts:
    """Reads one tracker store; the engine is made on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Optional[Engine] = None
        self._lock = threading.Lock()

    def _connect(self) -> Optional[Engine]:
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
            return None  # no conversation yet: do not create the file Rasa will make
        with self._lock:
            if self._engine is None:
                self._engine = sa.create_engine(self.url, future=True, hide_parameters=True)
            return self._engine

    def lines(self, conversation_id: str) -> list[Line]:
        engine = self._connect()
        if engine is None:
            return []
        query = (
            sa.select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
            .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name.in_(SHOWN))
            .order_by(EVENTS.c.id)
        )
        try:
            with engine.connect() as connection:
                return lines(connection.execute(query).all())
        except sa.exc.OperationalError:  # SQLite: Rasa has not created its table yet
            if make_url(self.url).get_backend_name() == "sqlite":
                return []
            raise
