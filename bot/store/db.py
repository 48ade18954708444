"""Engines, sessions and migrations for the application database, created on first use of a URL.

Callers open a unit of work with `session_scope(url)`: it commits when the block ends and rolls back on
error. The crud functions only flush, so one block is one transaction.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, CursorResult, Engine, Result, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.settings import settings

HERE = Path(__file__).resolve().parent
ALEMBIC_INI = HERE / "alembic.ini"

_engines: dict[str, tuple[Engine, sessionmaker[Session]]] = {}
_lock = threading.Lock()


def database_url() -> str:
    """DATABASE_URL, or the SQLite file var/app.db in the repository."""
    return settings().database_url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked, per connection; WAL lets the console read while the
    # action server writes.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _migration_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Batch mode copies a table and drops the old one. With foreign keys on, SQLite's DROP TABLE first
    # deletes the rows, and their ON DELETE actions run: revision 0007 emptied `answers` that way.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str, *, migrating: bool = False) -> Engine:
    """`hide_parameters`: a failed statement's error (logged with its traceback) never shows the values,
    which may be a note or an answer. `migrating`: for Alembic (on SQLite, foreign keys are checked once
    at the end instead: `check_foreign_keys`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # The action server runs handlers on several threads; each session still uses one at a time.
        # A pool for files (SQLAlchemy 1.4 opens and closes a connection per session for SQLite files,
        # running the pragmas every time); an in-memory database lives in its one connection.
        pool: dict[str, Any] = {"poolclass": QueuePool} if parsed.database not in (None, "", ":memory:") else {}
        engine = create_engine(
            url, future=True, connect_args={"check_same_thread": False}, hide_parameters=True, **pool
        )
        event.listen(engine, "connect", _migration_pragmas if migrating else _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)


def session_factory(url: str) -> sessionmaker[Session]:
    """One engine and session factory per URL for the life of the process."""
    with _lock:
        if url not in _engines:
            engine = make_engine(url)
            # expire_on_commit=False: rows read in a block stay readable after it commits.
            _engines[url] = engine, sessionmaker(bind=engine, future=True, expire_on_commit=False)
        return _engines[url][1]


def dispose(url: str) -> None:
    """Close the pooled connections of `url` and forget its engine (tests, shutdown)."""
    with _lock:
        cached = _engines.pop(url, None)
    if cached is not None:
        cached[0].dispose()


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    session: Session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config() -> Config:
    return Config(str(ALEMBIC_INI))


def check_foreign_keys(connection: Connection) -> None:
    """After migrating SQLite with foreign keys off: refuse to commit a row that refers to nothing."""
    if connection.dialect.name == "sqlite" and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
        raise RuntimeError("the migration left rows whose foreign keys refer to nothing (PRAGMA foreign_key_check)")


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the migrations up to `revision` (the schema is only ever changed this way)."""
    config = alembic_config()
    engine = make_engine(url, migrating=True)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            check_foreign_keys(connection)
    finally:
        engine.dispose()


def rowcount(result: Result) -> int:
    """Rows an INSERT, UPDATE or DELETE touched: what those return is a CursorResult, though sqlalchemy2-stubs
    type Session.execute as returning its base class Result, which does not count."""
    return cast(CursorResult, result).rowcount
