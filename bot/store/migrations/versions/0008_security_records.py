"""Security and privacy records (issue 14): later crisis messages kept on their open escalation, a log of
pages for the flood limits, failed sign-ins per account and client address (the account-wide lock goes),
verification codes counted per conversation and number, and the audit log chained by hashes and, on
PostgreSQL, closed to TRUNCATE and to the application role's UPDATE, DELETE and TRUNCATE.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import hashlib
import json
from datetime import timezone

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen copies: a migration must not change when the application does.
PAGE_KINDS = ("page", "held", "summary")
PAGE_ROLES = ("on_call", "backup")
GENESIS = "0" * 64
APPEND_ONLY = "the audit log is append-only"
AUDIT = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("staff_id", sa.Integer),
    sa.column("staff_name", sa.String),
    sa.column("action", sa.String),
    sa.column("subject_kind", sa.String),
    sa.column("subject_id", sa.String),
    sa.column("detail", sa.String),
    sa.column("row_hash", sa.String),
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _chain_hash(previous: str, row: sa.engine.Row) -> str:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC
    fields = [
        previous,
        at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        row.staff_id,
        row.staff_name,
        row.action,
        row.subject_kind,
        row.subject_id,
        row.detail,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode()).hexdigest()


def _sqlite_triggers(create: bool) -> None:
    for change in ("UPDATE", "DELETE"):
        name = f"audit_log_no_{change.lower()}"
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {change} ON audit_log BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            if create
            else f"DROP TRIGGER {name}"
        )


def _chain_existing_rows(postgres: bool) -> str:
    """Hash the rows written before the chain existed, oldest first; the newest hash."""
    bind = op.get_bind()
    if postgres:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        _sqlite_triggers(create=False)
    previous = GENESIS
    for row in bind.execute(sa.select(AUDIT).order_by(AUDIT.c.id)).all():
        previous = _chain_hash(previous, row)
        bind.execute(AUDIT.update().where(AUDIT.c.id == row.id).values(row_hash=previous))
    if postgres:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    return previous


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"

    with op.batch_alter_table("escalations") as batch:
        for name in ("last_message_at", "paged_at", "held_at", "backup_held_at", "stripped_at"):
            batch.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("source_ref", sa.String(length=64), nullable=True))
        batch.create_index(op.f("ix_escalations_source_ref"), ["source_ref"])
    op.create_table(
        "escalation_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            ondelete="CASCADE",
            name=op.f("fk_escalation_messages_escalation_id_escalations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_messages")),
    )
    op.create_index(op.f("ix_escalation_messages_escalation_id"), "escalation_messages", ["escalation_id"])
    op.create_table(
        "page_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("source_ref", sa.String(length=64), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.Column("covers", sa.Integer(), nullable=True),
        sa.Column("sent", sa.Boolean(), nullable=True),
        sa.CheckConstraint(_in("kind", PAGE_KINDS), name=op.f("ck_page_log_kind")),
        sa.CheckConstraint(_in("role", PAGE_ROLES), name=op.f("ck_page_log_role")),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            ondelete="SET NULL",
            name=op.f("fk_page_log_escalation_id_escalations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_log")),
    )
    op.create_index(op.f("ix_page_log_at"), "page_log", ["at"])

    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("address_ref", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    for column in ("at", "account_key", "address_ref"):
        op.create_index(op.f(f"ix_sign_in_failures_{column}"), "sign_in_failures", [column])
    op.create_table(
        "sign_in_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_ref", sa.String(length=64), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_addresses")),
        sa.UniqueConstraint("address_ref", name=op.f("uq_sign_in_addresses_address_ref")),
    )
    # The lock is per account and address now: ten failures from anywhere no longer lock a clinician out.
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("failed_sign_ins")
        batch.drop_column("locked_until")

    op.create_table(
        "number_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("number_ref", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wrong_tries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_checks")),
    )
    op.create_index(op.f("ix_number_checks_conversation_id"), "number_checks", ["conversation_id"])
    op.create_index(op.f("ix_number_checks_number_ref"), "number_checks", ["number_ref"])
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("pending_tries")  # the tries are per conversation now (number_checks)

    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), nullable=True))
    last_hash = _chain_existing_rows(postgres)
    with op.batch_alter_table("audit_log") as batch:  # SQLite: a copy of the table, without its triggers
        batch.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("writes", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    last_id = op.get_bind().execute(sa.select(sa.func.max(AUDIT.c.id))).scalar()
    op.get_bind().execute(
        sa.text("INSERT INTO audit_head (id, writes, last_id, last_hash) VALUES (1, 0, :i, :h)"),
        {"i": last_id, "h": last_hash},
    )
    if postgres:
        # Row triggers do not see TRUNCATE. And the rights: an owner can grant itself back what is revoked
        # here, so docs/security.md has the application run as a role that does not own the tables.
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC")
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM CURRENT_USER")
    else:
        _sqlite_triggers(create=True)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO CURRENT_USER")
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
    op.drop_table("audit_head")
    if not postgres:
        _sqlite_triggers(create=False)
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("row_hash")
    if not postgres:
        _sqlite_triggers(create=True)

    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("pending_tries", sa.Integer(), nullable=False, server_default="0"))
    op.drop_index(op.f("ix_number_checks_number_ref"), table_name="number_checks")
    op.drop_index(op.f("ix_number_checks_conversation_id"), table_name="number_checks")
    op.drop_table("number_checks")

    with op.batch_alter_table("staff_accounts") as batch:
        batch.add_column(sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_table("sign_in_addresses")
    for column in ("address_ref", "account_key", "at"):
        op.drop_index(op.f(f"ix_sign_in_failures_{column}"), table_name="sign_in_failures")
    op.drop_table("sign_in_failures")

    op.drop_index(op.f("ix_page_log_at"), table_name="page_log")
    op.drop_table("page_log")
    op.drop_index(op.f("ix_escalation_messages_escalation_id"), table_name="escalation_messages")
    op.drop_table("escalation_messages")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_index(op.f("ix_escalations_source_ref"))
        batch.drop_column("source_ref")
        for name in ("stripped_at", "backup_held_at", "held_at", "paged_at", "last_message_at"):
            batch.drop_column(name)
