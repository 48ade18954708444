"""Booking the free assessment: slots, bookings (a slot is held at most once), reminder jobs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen copies: a migration must not change when the application's lists do.
SLOT_STATUSES = ("open", "blocked", "removed")
SLOT_SOURCES = ("generated", "staff")
MODALITIES = ("in_person", "telehealth")
BOOKING_STATUSES = ("booked", "cancelled", "attended", "no_show")
REMINDER_STATUSES = ("pending", "sending", "sent", "failed", "skipped")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessor", sa.String(length=100), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modality", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint(_in("status", SLOT_STATUSES), name=op.f("ck_slots_status")),
        sa.CheckConstraint(_in("source", SLOT_SOURCES), name=op.f("ck_slots_source")),
        sa.CheckConstraint(_in("modality", MODALITIES), name=op.f("ck_slots_modality")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slots")),
        sa.UniqueConstraint("assessor", "starts_at", name=op.f("uq_slots_assessor_starts_at")),
    )
    op.create_index(op.f("ix_slots_starts_at"), "slots", ["starts_at"])
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("holds_slot_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=True),
        sa.Column("contact_conversation_id", sa.String(length=64), nullable=True),
        sa.Column("person_tz", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("calendar_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=100), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_by", sa.String(length=100), nullable=True),
        sa.Column("pending_number", sa.Text(), nullable=True),
        sa.Column("pending_code_hash", sa.String(length=64), nullable=True),
        sa.Column("pending_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pending_tries", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'cancelled' AND holds_slot_id IS NULL) OR "
            "(status <> 'cancelled' AND holds_slot_id IS NOT NULL AND holds_slot_id = slot_id)",
            name=op.f("ck_bookings_holds"),
        ),
        sa.CheckConstraint(_in("status", BOOKING_STATUSES), name=op.f("ck_bookings_status")),
        sa.ForeignKeyConstraint(["slot_id"], ["slots.id"], name=op.f("fk_bookings_slot_id_slots")),
        sa.ForeignKeyConstraint(
            ["screening_id"], ["screenings.id"], ondelete="SET NULL", name=op.f("fk_bookings_screening_id_screenings")
        ),
        sa.ForeignKeyConstraint(["replaced_by_id"], ["bookings.id"], name=op.f("fk_bookings_replaced_by_id_bookings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("holds_slot_id", name=op.f("uq_bookings_holds_slot_id")),
        sa.UniqueConstraint("calendar_token", name=op.f("uq_bookings_calendar_token")),
    )
    op.create_index(op.f("ix_bookings_slot_id"), "bookings", ["slot_id"])
    op.create_index(op.f("ix_bookings_conversation_id"), "bookings", ["conversation_id"])
    op.create_index(op.f("ix_bookings_screening_id"), "bookings", ["screening_id"])
    op.create_index(op.f("ix_bookings_contact_conversation_id"), "bookings", ["contact_conversation_id"])
    op.create_table(
        "booking_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("hours_before", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outbound_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=32), nullable=True),
        sa.CheckConstraint(_in("status", REMINDER_STATUSES), name=op.f("ck_booking_reminders_status")),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], ondelete="CASCADE", name=op.f("fk_booking_reminders_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_reminders")),
        sa.UniqueConstraint("booking_id", "hours_before", name=op.f("uq_booking_reminders_booking_id_hours_before")),
    )
    op.create_index(op.f("ix_booking_reminders_due_at"), "booking_reminders", ["due_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_booking_reminders_due_at"), table_name="booking_reminders")
    op.drop_table("booking_reminders")
    for column in ("contact_conversation_id", "screening_id", "conversation_id", "slot_id"):
        op.drop_index(op.f(f"ix_bookings_{column}"), table_name="bookings")
    op.drop_table("bookings")
    op.drop_index(op.f("ix_slots_starts_at"), table_name="slots")
    op.drop_table("slots")
