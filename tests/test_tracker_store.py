"""Rasa's tracker store from one URL: transcripts survive a restart, on SQLite and PostgreSQL, and an
unreachable database stops the server instead of silently keeping conversations in memory; trackers kept in
memory never hide or duplicate an event."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_edge import tracker_store as tracker_module
from rasa_edge.tracker_store import TrackerStoreUnavailable, UrlSQLTrackerStore


def test_a_conversation_is_read_back_by_a_new_store_instance(db_url: str):
    domain = Domain.empty()
    first = UrlSQLTrackerStore(domain=domain, url=db_url)
    tracker = DialogueStateTracker.from_events(
        "conv-1a2b",
        [
            ActionExecuted("action_listen"),
            UserUttered("<script>alert(1)</script> hi", {"name": "greet", "confidence": 1.0}),
            BotUttered("Hello"),
        ],
    )
    asyncio.run(first.save(tracker))
    first.engine.dispose()

    second = UrlSQLTrackerStore(domain=domain, url=db_url)
    loaded = asyncio.run(second.retrieve("conv-1a2b"))
    second.engine.dispose()
    assert loaded is not None
    texts = [e.text for e in loaded.events if isinstance(e, (UserUttered, BotUttered))]
    assert texts == ["<script>alert(1)</script> hi", "Hello"]


def test_the_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    store = UrlSQLTrackerStore(domain=Domain.empty())
    assert str(store.engine.url) == url
    assert (tmp_path / "nested" / "tracker.db").exists()
    store.engine.dispose()


def test_an_unreachable_database_refuses_to_start(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(tracker_module, "CONNECT_ATTEMPTS", 1)
    with pytest.raises(TrackerStoreUnavailable) as error:
        UrlSQLTrackerStore(domain=Domain.empty(), url="postgresql://intake:s3cret@127.0.0.1:1/transcripts")
    assert "s3cret" not in str(error.value)
    assert "transcripts" in str(error.value)


def _texts(tracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, (UserUttered, BotUttered))]


def _turn(store: UrlSQLTrackerStore, sender: str, text: str) -> None:
    """One message as Rasa handles it: retrieve (or create), append, save."""

    async def run() -> None:
        tracker = await store.retrieve(sender) or DialogueStateTracker.from_events(
            sender, [ActionExecuted("action_listen")]
        )
        tracker.update(UserUttered(text, {"name": "inform", "confidence": 1.0}))
        tracker.update(BotUttered(f"got {text}"))
        await store.save(tracker)

    asyncio.run(run())


def test_every_message_is_stored_exactly_once_while_trackers_are_kept_in_memory(db_url: str):
    store = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url)
    for text in ("one", "two", "three"):
        _turn(store, "conv-cache", text)
    assert _texts(asyncio.run(store.retrieve("conv-cache"))) == [
        "one",
        "got one",
        "two",
        "got two",
        "three",
        "got three",
    ]
    fresh = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url)  # reads SQL only
    assert _texts(asyncio.run(fresh.retrieve("conv-cache"))) == [
        "one",
        "got one",
        "two",
        "got two",
        "three",
        "got three",
    ]
    store.engine.dispose()
    fresh.engine.dispose()


def test_a_message_handled_by_another_process_is_never_missed(db_url: str):
    mine = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url)
    other = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url)  # a second Rasa process on the same database
    _turn(mine, "conv-shared", "first")
    _turn(other, "conv-shared", "second")
    _turn(mine, "conv-shared", "third")
    assert _texts(asyncio.run(other.retrieve("conv-shared"))) == [
        "first",
        "got first",
        "second",
        "got second",
        "third",
        "got third",
    ]
    mine.engine.dispose()
    other.engine.dispose()


def test_a_turn_that_failed_before_saving_leaves_nothing_behind(db_url: str):
    store = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url)
    _turn(store, "conv-fail", "kept")
    half_done = asyncio.run(store.retrieve("conv-fail"))
    half_done.update(UserUttered("lost", {"name": "inform", "confidence": 1.0}))  # then an error: no save
    assert _texts(asyncio.run(store.retrieve("conv-fail"))) == ["kept", "got kept"]
    store.engine.dispose()


def test_a_kept_tracker_is_saved_without_counting_the_stored_rows(db_url: str, monkeypatch: pytest.MonkeyPatch):
    store = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url)
    _turn(store, "conv-count", "one")
    _turn(store, "conv-count", "two")  # read back from SQL once, then kept
    counted = []
    monkeypatch.setattr(
        SQLTrackerStore, "_additional_events", lambda self, session, tracker: counted.append(tracker.sender_id)
    )
    _turn(store, "conv-count", "three")
    assert counted == []
    store.engine.dispose()


def test_memory_keeps_only_the_most_recent_conversations(db_url: str, monkeypatch: pytest.MonkeyPatch):
    """TRACKER_CACHE_CONVERSATIONS bounds the server's memory: an older conversation is read back from SQL."""
    monkeypatch.setenv("TRACKER_CACHE_CONVERSATIONS", "2")
    store = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url)
    for sender in ("conv-a", "conv-b", "conv-c"):
        _turn(store, sender, "one")
        _turn(store, sender, "two")  # read back from SQL once, then kept
    read_back = []
    retrieve = SQLTrackerStore.retrieve

    async def counting(self: SQLTrackerStore, sender_id: str):
        read_back.append(sender_id)
        return await retrieve(self, sender_id)

    monkeypatch.setattr(SQLTrackerStore, "retrieve", counting)
    for sender in ("conv-c", "conv-b", "conv-a"):
        _turn(store, sender, "three")
    assert read_back == ["conv-a"]  # the two saved last were kept
    assert _texts(asyncio.run(store.retrieve("conv-a")))[-2:] == ["three", "got three"]
    store.engine.dispose()


class _Collecting:
    def __init__(self) -> None:
        self.events: list[dict] = []

    def publish(self, event: dict) -> None:
        self.events.append(event)


def test_the_event_broker_gets_every_new_event_once(db_url: str):
    broker = _Collecting()
    store = UrlSQLTrackerStore(domain=Domain.empty(), url=db_url, event_broker=broker)
    for text in ("one", "two", "three"):
        _turn(store, "conv-broker", text)
    assert [e["text"] for e in broker.events if e["event"] in ("user", "bot")] == [
        "one",
        "got one",
        "two",
        "got two",
        "three",
        "got three",
    ]
    assert {e["sender_id"] for e in broker.events} == {"conv-broker"}
    store.engine.dispose()
