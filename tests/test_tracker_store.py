"""Rasa's tracker store from one URL: transcripts survive a restart, on SQLite and PostgreSQL, and an
unreachable database stops the server instead of silently keeping conversations in memory."""
from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.store import tracker as tracker_module
from bot.store.tracker import TrackerStoreUnavailable, UrlSQLTrackerStore


def test_a_conversation_is_read_back_by_a_new_store_instance(db_url: str):
    domain = Domain.empty()
    first = UrlSQLTrackerStore(domain=domain, url=db_url)
    tracker = DialogueStateTracker.from_events("conv-1a2b", [
        ActionExecuted("action_listen"),
        UserUttered("<script>alert(1)</script> hi", {"name": "greet", "confidence": 1.0}),
        BotUttered("Hello"),
    ])
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
