"""SMS channel: contacts (encrypted numbers, opt-out), inbound message SIDs and outbound messages.

Revision ID: 0004
Revises: 0003
Create Date: 2024-07-15 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen copies: a migration must not change when the application's lists do.
KINDS = ("bot", "staff", "channel", "opt_out", "opt_in")
STATUSES = ("queued", "sending", "sent", "delivered", "undelivered", "failed", "suppressed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "sms_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("number_encrypted", sa.Text(), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opted_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_options", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_contacts")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_sms_contacts_conversation_id")),
    )
    op.create_table(
        "sms_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_inbound")),
        sa.UniqueConstraint("message_sid", name=op.f("uq_sms_inbound_message_sid")),
    )
    op.create_index(op.f("ix_sms_inbound_conversation_id"), "sms_inbound", ["conversation_id"])
    op.create_table(
        "sms_outbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("twilio_sid", sa.String(length=64), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_sms_outbound_kind")),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_sms_outbound_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbound")),
        sa.UniqueConstraint("twilio_sid", name=op.f("uq_sms_outbound_twilio_sid")),
    )
    op.create_index(op.f("ix_sms_outbound_conversation_id"), "sms_outbound", ["conversation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sms_outbound_conversation_id"), table_name="sms_outbound")
    op.drop_table("sms_outbound")
    op.drop_index(op.f("ix_sms_inbound_conversation_id"), table_name="sms_inbound")
    op.drop_table("sms_inbound")
    op.drop_table("sms_contacts")
