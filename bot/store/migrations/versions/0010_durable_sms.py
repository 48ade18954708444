"""Durable SMS (issue 15): an inbound message for the bot waits in sms_inbound, its text encrypted, until the
bot's turn on it is stored (pending -> done | failed, with a lease so one server replays it), and the texts
that turn writes are held until then (sms_outbound.status 'held', sms_outbound.turn_sid).

Rows from before are done: their turns ran (or were lost) under the old channel.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Frozen copies: a migration must not change when the application's lists do.
INBOUND_STATES = ("pending", "done", "failed")
OLD_STATUSES = ("queued", "sending", "sent", "delivered", "undelivered", "failed", "suppressed")
NEW_STATUSES = ("held",) + OLD_STATUSES


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("sms_inbound") as batch:
        batch.add_column(sa.Column("state", sa.String(length=16), nullable=False, server_default="done"))
        batch.add_column(sa.Column("text_encrypted", sa.Text(), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint("state", _in("state", INBOUND_STATES))
        batch.create_index(op.f("ix_sms_inbound_state"), ["state"])
    with op.batch_alter_table("sms_outbound") as batch:
        batch.add_column(sa.Column("turn_sid", sa.String(length=64), nullable=True))
        batch.create_index(op.f("ix_sms_outbound_turn_sid"), ["turn_sid"])
        batch.drop_constraint(op.f("ck_sms_outbound_status"), type_="check")
        batch.create_check_constraint("status", _in("status", NEW_STATUSES))


def downgrade() -> None:
    # Held texts belong to turns the old channel would never finish: queue them rather than lose them.
    op.execute("UPDATE sms_outbound SET status = 'queued' WHERE status = 'held'")
    with op.batch_alter_table("sms_outbound") as batch:
        batch.drop_constraint(op.f("ck_sms_outbound_status"), type_="check")
        batch.create_check_constraint("status", _in("status", OLD_STATUSES))
        batch.drop_index(op.f("ix_sms_outbound_turn_sid"))
        batch.drop_column("turn_sid")
    with op.batch_alter_table("sms_inbound") as batch:
        batch.drop_index(op.f("ix_sms_inbound_state"))
        batch.drop_constraint(op.f("ck_sms_inbound_state"), type_="check")
        for name in ("handled_at", "attempts", "claimed_at", "claimed_by", "text_encrypted", "state"):
            batch.drop_column(name)
