"""Escalations: crisis and C-SSRS alerts for staff, with paging, acknowledgement and resolution.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-15 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copies: a migration must not change when the application's lists do.
SEVERITIES = ("high", "moderate", "low")
SOURCES = ("message", "cssrs")


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("trigger_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backup_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notify_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            f"severity IN ({', '.join(repr(s) for s in SEVERITIES)})", name=op.f("ck_escalations_severity")
        ),
        sa.CheckConstraint(f"source IN ({', '.join(repr(s) for s in SOURCES)})", name=op.f("ck_escalations_source")),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["screenings.id"],
            ondelete="SET NULL",
            name=op.f("fk_escalations_screening_id_screenings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    op.create_index(op.f("ix_escalations_conversation_id"), "escalations", ["conversation_id"])
    op.create_index(op.f("ix_escalations_screening_id"), "escalations", ["screening_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_escalations_screening_id"), table_name="escalations")
    op.drop_index(op.f("ix_escalations_conversation_id"), table_name="escalations")
    op.drop_table("escalations")
