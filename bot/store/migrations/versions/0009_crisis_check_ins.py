"""Crisis check-ins: the direct question asked when the crisis detector is unsure, and its answer.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OUTCOMES = ("open", "yes", "no", "unclear", "crisis")  # a frozen copy: a migration must not change with the app


def upgrade() -> None:
    op.create_table(
        "crisis_check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("model_score", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            f"outcome IN ({', '.join(repr(o) for o in OUTCOMES)})", name=op.f("ck_crisis_check_ins_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["screenings.id"],
            name=op.f("fk_crisis_check_ins_screening_id_screenings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis_check_ins")),
    )
    op.create_index(op.f("ix_crisis_check_ins_conversation_id"), "crisis_check_ins", ["conversation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_crisis_check_ins_conversation_id"), table_name="crisis_check_ins")
    op.drop_table("crisis_check_ins")
