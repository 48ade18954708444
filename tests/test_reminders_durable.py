"""Reminders when the worker is killed (kill -9) mid-send and started again: the person gets each reminder once,
and the reminder ends "sent" on the staff console rather than "sending" for ever.

The worker "dies" by a BaseException raised at one point of its send: nothing after that point runs, and its open
transaction is rolled back, as after kill -9. It died a while ago: its texts' stamps are moved back past the
send lease. Then a new worker pass and the SMS channel's outbox sweep run, in either order, against the local
fake Twilio (HTTP, with its list of accepted messages)."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Iterator, Optional

import pytest
import sqlalchemy as sa

from bot.booking.desk import Desk
from bot.booking.reminders import Reminders
from bot.booking.store import Booking, Reminder
from bot.sms import store as sms_store
from bot.sms.outbox import SEND_LEASE, Attempt, Outbox, Transport
from bot.store.db import session_scope
from bot.store.models import utcnow
from harness.fake_twilio import FakeTwilio
from tests.test_booking_store import CIPHER, NUMBER, sender, texted_booking


class Died(BaseException):
    """The worker stops here (kill -9): not an Exception, so nothing in the worker catches it."""


class DyingTransport:
    """Twilio's transport in a worker killed just before the POST, or just after Twilio accepted the text."""

    def __init__(self, transport: Transport, *, after_twilio: bool) -> None:
        self.transport = transport
        self.after_twilio = after_twilio

    def __call__(self, to: str, body: str) -> Attempt:
        if self.after_twilio:
            self.transport(to, body)
        raise Died()


@contextmanager
def dying_at(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> Iterator[None]:
    """The worker dies when its send calls `module.name` (after the real call, inside the same transaction)."""
    real = getattr(module, name)

    def then_die(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)
        raise Died()

    with monkeypatch.context() as patched:
        patched.setattr(module, name, then_die)
        with pytest.raises(Died):
            yield


def due(booking: Booking) -> datetime:
    return booking.slot.starts_at - timedelta(hours=2)


def died_a_while_ago(url: str) -> None:
    """The texts the dead worker left sending were marked longer ago than any live send lasts."""
    with session_scope(url) as session:
        session.execute(sa.update(sms_store.SmsOutbound).values(updated_at=utcnow() - 2 * SEND_LEASE))


def channel_sweep(url: str, transport: Transport) -> None:
    """What a Rasa server's SMS channel does every half minute: the outbox resumes texts left sending."""

    async def sweep() -> None:
        outbox = Outbox(url, transport, CIPHER)
        await outbox.resume()
        await outbox.idle()

    asyncio.run(sweep())


def restart(desk: Desk, twilio: FakeTwilio, booking: Booking, first: str) -> None:
    """A new worker pass and the channel's sweep, `first` going first, then both once more."""
    worker = sender(desk, twilio)
    later = due(booking) + timedelta(minutes=5)
    steps = {
        "worker": lambda: worker.send_due(later),
        "channel": lambda: channel_sweep(desk.database_url, worker.transport),
    }
    order = [first, *(step for step in steps if step != first)]
    for step in order * 2:
        steps[step]()


def the_reminder(url: str, booking: Booking) -> Reminder:
    with session_scope(url) as session:
        return session.execute(
            sa.select(Reminder).where(Reminder.booking_id == booking.id, Reminder.hours_before == 2)
        ).scalar_one()


def texts(url: str, booking: Booking) -> list[tuple[str, Optional[str]]]:
    with session_scope(url) as session:
        return [
            (row.status, row.twilio_sid)
            for row in sms_store.outbound(session, conversation_id=booking.contact_conversation_id)
        ]


def assert_reminded_once(desk: Desk, twilio: FakeTwilio, booking: Booking) -> None:
    [body] = twilio.to(NUMBER)
    assert body.startswith("Reminder:") and "today at" in body
    [accepted] = twilio.sent
    assert texts(desk.database_url, booking) == [("sent", accepted.sid)]
    reminder = the_reminder(desk.database_url, booking)
    assert (reminder.status, reminder.note) == ("sent", None) and reminder.sent_at is not None


WHO_FIRST = pytest.mark.parametrize("first", ["worker", "channel"])


@WHO_FIRST
def test_killed_before_the_claim_commits_the_reminder_is_still_pending_and_sent_once(
    desk: Desk, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    booking = texted_booking(desk)
    with dying_at(monkeypatch, sms_store, "enqueue"):
        sender(desk, twilio).send_due(due(booking))
    assert the_reminder(desk.database_url, booking).status == "pending"
    assert texts(desk.database_url, booking) == [] and twilio.sent == []
    restart(desk, twilio, booking, first)
    assert_reminded_once(desk, twilio, booking)


@WHO_FIRST
def test_killed_before_twilio_is_called_the_reminder_is_sent_once_and_ends_sent(
    desk: Desk, twilio: FakeTwilio, first: str
) -> None:
    booking = texted_booking(desk)
    dead = Reminders(
        desk.program, desk.database_url, DyingTransport(sender(desk, twilio).transport, after_twilio=False), CIPHER
    )
    with pytest.raises(Died):
        dead.send_due(due(booking))
    assert the_reminder(desk.database_url, booking).status == "sending" and twilio.sent == []
    died_a_while_ago(desk.database_url)
    restart(desk, twilio, booking, first)
    assert_reminded_once(desk, twilio, booking)


@WHO_FIRST
def test_killed_after_twilio_accepted_the_reminder_it_is_not_sent_again_and_ends_sent(
    desk: Desk, twilio: FakeTwilio, first: str
) -> None:
    booking = texted_booking(desk)
    dead = Reminders(
        desk.program, desk.database_url, DyingTransport(sender(desk, twilio).transport, after_twilio=True), CIPHER
    )
    with pytest.raises(Died):
        dead.send_due(due(booking))
    assert len(twilio.sent) == 1 and texts(desk.database_url, booking) == [("sending", None)]
    died_a_while_ago(desk.database_url)
    restart(desk, twilio, booking, first)
    assert_reminded_once(desk, twilio, booking)


@WHO_FIRST
def test_killed_after_recording_twilios_answer_the_reminder_is_not_sent_again_and_ends_sent(
    desk: Desk, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    """Twilio's answer and the reminder's end are written in one transaction: killed between the two, neither is
    kept, and Twilio's list of messages is what shows the text went out."""
    booking = texted_booking(desk)
    with dying_at(monkeypatch, sms_store, "record_attempt"):
        sender(desk, twilio).send_due(due(booking))
    assert len(twilio.sent) == 1 and the_reminder(desk.database_url, booking).status == "sending"
    died_a_while_ago(desk.database_url)
    restart(desk, twilio, booking, first)
    assert_reminded_once(desk, twilio, booking)


def test_a_reminder_a_live_worker_is_sending_is_left_alone_by_another_pass(desk: Desk, twilio: FakeTwilio) -> None:
    booking = texted_booking(desk)
    slow = Reminders(
        desk.program, desk.database_url, DyingTransport(sender(desk, twilio).transport, after_twilio=False), CIPHER
    )
    with pytest.raises(Died):
        slow.send_due(due(booking))  # stands for a worker still inside its send: its mark is fresh
    assert sender(desk, twilio).send_due(due(booking) + timedelta(minutes=1)) == []
    channel_sweep(desk.database_url, sender(desk, twilio).transport)
    assert twilio.sent == [] and twilio.listed == 0
    assert the_reminder(desk.database_url, booking).status == "sending"
    assert texts(desk.database_url, booking) == [("sending", None)]
