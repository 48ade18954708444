"""Participants, screenings and answers.

Revision ID: 0001
Revises:
Create Date: 2024-06-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = ("in_progress", "completed", "stopped", "declined", "high_risk", "crisis", "out_of_range", "restarted")


def upgrade() -> None:
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_participants_conversation_id")),
    )
    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("for_self", sa.Boolean(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("phq9_total", sa.Integer(), nullable=True),
        sa.Column("phq9_band", sa.String(length=32), nullable=True),
        sa.Column("gad7_total", sa.Integer(), nullable=True),
        sa.Column("gad7_band", sa.String(length=32), nullable=True),
        sa.Column("auditc_total", sa.Integer(), nullable=True),
        sa.Column("auditc_band", sa.String(length=32), nullable=True),
        sa.Column("cssrs_risk", sa.String(length=16), nullable=True),
        sa.Column("concerns", sa.JSON(), nullable=True),
        sa.Column("care", sa.JSON(), nullable=True),
        sa.Column("schedule", sa.JSON(), nullable=True),
        sa.Column("insurance", sa.JSON(), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("track", sa.String(length=64), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=True),
        sa.CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})", name=op.f("ck_screenings_status")),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            ondelete="CASCADE",
            name=op.f("fk_screenings_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
    )
    op.create_index(op.f("ix_screenings_conversation_id"), "screenings", ["conversation_id"])
    op.create_index(op.f("ix_screenings_participant_id"), "screenings", ["participant_id"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=True),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["screening_id"], ["screenings.id"], ondelete="CASCADE", name=op.f("fk_answers_screening_id_screenings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.UniqueConstraint("screening_id", "question_key", name=op.f("uq_answers_screening_id_question_key")),
    )


def downgrade() -> None:
    op.drop_table("answers")
    op.drop_index(op.f("ix_screenings_participant_id"), table_name="screenings")
    op.drop_index(op.f("ix_screenings_conversation_id"), table_name="screenings")
    op.drop_table("screenings")
    op.drop_table("participants")
