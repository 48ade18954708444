"""Rasa's SQL tracker store, configured by one URL, failing loudly, and keeping recent trackers in memory.

Rasa's own SQL store takes the URL in pieces and, when a custom store cannot be created, falls back to an
in-memory store with a warning: transcripts would vanish on restart without anyone noticing. This
adapter reads TRACKER_STORE_URL (SQLite under var/ by default) and refuses to start if it cannot connect.

Rasa rebuilds the whole tracker from SQL on every message (one row and one JSON parse per event, and an
event-class lookup that walks every Event subclass): about a third of the server's CPU in a long screening.
The store keeps the tracker it last saved for each recent conversation and hands it back while the
database holds no other rows for that conversation: the number of its rows and the time of the newest one
(one indexed query) must be what this process last wrote. So several Rasa servers sharing a database (with
Rasa's Redis lock store, endpoints.cluster.yml) never see a stale conversation when its messages alternate
between them (tests/test_cluster.py), nor one that was forgotten and begun again with as many rows. Every
event is still written to SQL before the reply is sent; the memory only saves reading it back.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerEventDiffEngine
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

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


def _write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    # Readers (`iop-intake`, the console) never block the bot, and a commit appends to the log without
    # waiting for the disk: a crash of the server loses nothing committed; a power cut can lose the last
    # moments (PostgreSQL, the production store, keeps its own full durability).
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


# The conversation's rows in the database (all sessions) and the newest row's time: a change means another
# process wrote (or removed) some.
Fingerprint = tuple[int, Optional[float]]


@dataclass
class _Saved:
    tracker: DialogueStateTracker
    stored_events: int  # how many of tracker.events are in the database
    rows: Fingerprint


class UrlSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Any = None,
        host: Optional[str] = None,
        event_broker: Any = None,
        url: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        url = url or settings().tracker_store_url
        parsed = make_url(url)
        sqlite_file = parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
        if sqlite_file:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        _check_connection(url)
        # Rasa's store accepts a complete URL in `host`.
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        if sqlite_file:  # SQLAlchemy 1.4 opens a new SQLite connection per session; keep them instead
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=QueuePool)
            sa.event.listen(self.engine, "connect", _write_ahead_log)
            self.sessionmaker = sessionmaker(bind=self.engine)
        self._saved: OrderedDict[str, _Saved] = OrderedDict()  # least recently saved first
        self._cache_size = settings().tracker_cache_conversations
        self._lent: dict[str, _Saved] = {}  # handed out by retrieve(), not saved back yet

    def _rows(self, sender_id: str) -> Fingerprint:
        with self.session_scope() as session:
            query = sa.select(sa.func.count(), sa.func.max(self.SQLEvent.timestamp)).where(
                self.SQLEvent.sender_id == sender_id
            )
            count, newest = session.execute(query).one()
            return count, newest

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        # The caller owns the tracker until it saves it: the entry leaves the memory meanwhile, so a
        # conversation whose handling failed half-way is read back from the database next time.
        saved = self._saved.pop(sender_id, None)
        rows = self._rows(sender_id)
        if saved is not None and saved.rows == rows:
            tracker = saved.tracker
        else:
            tracker = await super().retrieve(sender_id)
            if tracker is None or tracker.events.maxlen is not None:
                return tracker
        self._lent[sender_id] = _Saved(tracker, len(tracker.events), rows)
        return tracker

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        # Rasa finds the new events for the event broker by reading the whole conversation back from SQL
        # on every save; the store already knows which ones they are.
        if self.event_broker is None:
            return
        lent = self._lent.get(tracker.sender_id)
        if lent is not None and lent.tracker is tracker:
            new_events = list(itertools.islice(tracker.events, lent.stored_events, len(tracker.events)))
        else:
            stored = await super().retrieve(tracker.sender_id)
            new_events = TrackerEventDiffEngine.event_difference(stored, tracker)
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        lent = self._lent.get(tracker.sender_id)
        if lent is None or lent.tracker is not tracker:
            return super()._additional_events(session, tracker)  # Rasa counts the stored rows
        return itertools.islice(tracker.events, lent.stored_events, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        lent = self._lent.get(sender_id)
        if lent is not None and lent.tracker is not tracker:
            lent = None  # saved without being retrieved here (a new conversation, the events API)
        self._saved.pop(sender_id, None)
        try:
            await super().save(tracker)
        finally:
            if lent is not None:
                del self._lent[sender_id]
        if lent is not None:
            count, newest = lent.rows
            for event in itertools.islice(tracker.events, lent.stored_events, len(tracker.events)):
                count += 1
                newest = event.timestamp if newest is None else max(newest, event.timestamp)
            self._saved[sender_id] = _Saved(tracker, len(tracker.events), (count, newest))
            while len(self._saved) > self._cache_size:
                self._saved.popitem(last=False)
