"""Alembic environment for the application database.

Called two ways: by bot.store.db.upgrade(), which hands over an open connection in
`config.attributes["connection"]`, and by the `alembic -c bot/store/alembic.ini ...` command line, which
connects to DATABASE_URL (or var/app.db) like the application does.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.db import check_foreign_keys, database_url, make_engine
from bot.store.models import metadata

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL for a database administrator to review and run."""
    context.configure(
        url=database_url(), target_metadata=metadata, literal_binds=True, dialect_opts={"paramstyle": "named"}
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        run(given)
        return
    # Only the command line configures logging: inside the application it is the application's job.
    if config.config_file_name:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = make_engine(database_url(), migrating=True)
    try:
        with engine.begin() as connection:
            run(connection)
            check_foreign_keys(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
