"""How the intake team may reach the person (the number encrypted); two ways a screening ends early (the
person lives outside the states the program serves, or is a minor who needs a parent or guardian); and
escalations raised by the level-of-care rules (an urgent clinical review).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copies: a migration must not change when the application's lists do.
OLD_STATUSES = ("in_progress", "completed", "stopped", "declined", "high_risk", "crisis", "out_of_range", "restarted")
NEW_STATUSES = OLD_STATUSES + ("out_of_area", "needs_guardian")
OLD_SOURCES = ("message", "cssrs")
NEW_SOURCES = OLD_SOURCES + ("screening",)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("contact_number_encrypted", sa.Text(), nullable=True))
        batch.add_column(sa.Column("contact_ok", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("contact_times", sa.JSON(), nullable=True))
        batch.drop_constraint(op.f("ck_screenings_status"), type_="check")
        batch.create_check_constraint("status", _in("status", NEW_STATUSES))
    with op.batch_alter_table("escalations") as batch:
        batch.drop_constraint(op.f("ck_escalations_source"), type_="check")
        batch.create_check_constraint("source", _in("source", NEW_SOURCES))


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.drop_constraint(op.f("ck_escalations_source"), type_="check")
        batch.create_check_constraint("source", _in("source", OLD_SOURCES))
    with op.batch_alter_table("screenings") as batch:
        batch.drop_constraint(op.f("ck_screenings_status"), type_="check")
        batch.create_check_constraint("status", _in("status", OLD_STATUSES))
        batch.drop_column("contact_times")
        batch.drop_column("contact_ok")
        batch.drop_column("contact_number_encrypted")
