"""Shared fixtures: an empty application database on SQLite and, when it is reachable, PostgreSQL; and the
fixtures more than one test module uses (the console's settings, a booking desk, the fake Twilio).

PostgreSQL is TEST_POSTGRES_URL (default: database `test` on 127.0.0.1:5432, user postgres, trust auth).
Each test gets its own schema there, dropped afterwards, so parallel runs and other suites don't collide.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from bot.booking.desk import Desk
from bot.console import passwords
from bot.program import load_program
from bot.settings import Settings, settings
from bot.store import db
from harness.fake_twilio import FakeTwilio

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@lru_cache(maxsize=1)
def _postgres_unavailable() -> Optional[str]:
    """Why PostgreSQL cannot be used, or None when it can."""
    engine = sa.create_engine(POSTGRES_URL, future=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        return f"PostgreSQL not reachable at {make_url(POSTGRES_URL).host}: {type(cause).__name__}"
    finally:
        engine.dispose()
    return None


def _schema_sql(statement: str) -> None:
    engine = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def _postgres_url(schema: str) -> str:
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty application database (no tables: run `db.upgrade(url)` for the schema)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
        yield url
        db.dispose(url)
        return
    reason = _postgres_unavailable()
    if reason:
        pytest.skip(reason)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    _schema_sql(f"CREATE SCHEMA {schema}")
    url = _postgres_url(schema)
    try:
        yield url
    finally:
        db.dispose(url)
        _schema_sql(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def migrated_db_url(db_url: str) -> str:
    """URL of an application database with every migration applied."""
    db.upgrade(db_url)
    return db_url


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A migrated SQLite application database, set as DATABASE_URL for code that reads the settings (the
    actions)."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    db.upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # argon2id still: only cheaper for tests


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Console passwords hashed cheaply; a module that signs in a lot uses it for every test (pytestmark)."""
    monkeypatch.setattr(passwords, "HASHER", CHEAP)


@pytest.fixture
def config(database: str, tmp_path: Path) -> Settings:
    """The console's settings: the test database, a tracker store of its own, lock-out after 5 failures."""
    return dataclasses.replace(
        settings(),
        env="test",
        database_url=database,
        tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        console_lockout_after=5,
        console_lockout_minutes=15,
    )


@pytest.fixture
def desk(migrated_db_url: str) -> Desk:
    return Desk(load_program(), migrated_db_url)


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    with fake.serving():
        yield fake
