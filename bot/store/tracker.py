"""Rasa's SQL tracker store, configured by one URL and failing loudly.

Rasa's own SQL store takes the URL in pieces and, when a custom store cannot be created, falls back to an
in-memory store with a warning: transcripts would vanish on restart without anyone noticing. This
adapter reads TRACKER_STORE_URL (SQLite under var/ by default) and refuses to start if it cannot connect.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import make_url

from bot.settings import settings

CONNECT_ATTEMPTS = 5


class TrackerStoreUnavailable(RuntimeError):
    pass


def _check_connection(url: str) -> None:
    engine = sa.create_engine(url, future=True)
    try:
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                with engine.connect():
                    return
            except sa.exc.OperationalError as error:
                if attempt == CONNECT_ATTEMPTS - 1:
                    # The URL may hold a password: name only the backend and database.
                    parsed = make_url(url)
                    raise TrackerStoreUnavailable(
                        f"cannot reach the tracker store ({parsed.get_backend_name()} database "
                        f"{parsed.database!r}); refusing to run without transcripts"
                    ) from error
                time.sleep(1 + attempt)
    finally:
        engine.dispose()


class UrlSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Any = None, host: Optional[str] = None, event_broker: Any = None,
                 url: Optional[str] = None, **kwargs: Any) -> None:
        url = url or settings().tracker_store_url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        _check_connection(url)
        # Rasa's store accepts a complete URL in `host`.
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
