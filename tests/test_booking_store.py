"""Slots, bookings and reminders in the database, on SQLite and (when reachable) PostgreSQL: a slot is taken
once even by fifty people at the same moment, cancelling frees it at once, and reminders go out once, on
time, never after a cancel or STOP, and survive a worker restart. Time is injected, never slept."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.booking import store
from bot.booking.desk import Check, CodeRefused, Desk, SlotTaken
from bot.booking.offers import Preferences
from bot.booking.reminders import Reminders
from bot.booking.slots import horizon_days, slot_times
from bot.booking.store import Booking, Slot
from bot.settings import DEV_SMS_NUMBER_KEY
from bot.sms import store as sms_store
from bot.sms.identity import NumberCipher
from bot.sms.outbox import TwilioTransport
from bot.sms.twilio_rest import Retry, TwilioConfig
from bot.store.db import session_scope
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=LA).astimezone(timezone.utc)  # Thursday
NUMBER = "+15035550142"  # fictional (555-01xx)
CIPHER = NumberCipher(DEV_SMS_NUMBER_KEY)


def first_free(desk: Desk, modality: str = "telehealth") -> Slot:
    return desk.offer(Preferences(modality=modality), NOW).slots[0]


def book(desk: Desk, slot_id: int, who: str = "web-" + "a" * 32, *, contact: str | None = None) -> Booking:
    return desk.book(
        slot_id=slot_id,
        conversation_id=who,
        channel="sms" if contact else "rest",
        screening_id=None,
        contact_conversation_id=contact,
        person_tz=None,
        now=NOW,
    )


def free_ids(desk: Desk) -> set[int]:
    with session_scope(desk.database_url) as session:
        return {s.id for s in store.free_slots(session, start=NOW, end=NOW + timedelta(days=30))}


# --- slots --------------------------------------------------------------------------------------------


def test_slots_are_made_once_and_a_removed_one_is_not_made_again(desk: Desk):
    with session_scope(desk.database_url) as session:
        first, last = horizon_days(desk.program.assessments, LA, NOW)
        assert desk.refresh_slots(session, NOW) == len(slot_times(desk.program.assessments, LA, first, last)) > 60
        assert desk.refresh_slots(session, NOW) == 0
        slot = session.execute(select(Slot).order_by(Slot.starts_at)).scalars().first()
        store.set_slot_status(session, slot_id=slot.id, status="removed", by="Ada Staff")
    with session_scope(desk.database_url) as session:
        assert desk.refresh_slots(session, NOW) == 0
        assert session.get(Slot, slot.id).status == "removed"


def test_blocked_slots_are_not_offered_and_a_booked_slot_cannot_be_blocked(desk: Desk):
    slot = first_free(desk)
    with session_scope(desk.database_url) as session:
        store.set_slot_status(session, slot_id=slot.id, status="blocked", by="Ada Staff")
    assert slot.id not in free_ids(desk)
    with pytest.raises(SlotTaken):
        book(desk, slot.id)
    with session_scope(desk.database_url) as session:
        store.set_slot_status(session, slot_id=slot.id, status="open", by="Ada Staff")
    book(desk, slot.id)
    with session_scope(desk.database_url) as session, pytest.raises(store.SlotInUse):
        store.set_slot_status(session, slot_id=slot.id, status="blocked", by="Ada Staff")


def test_staff_can_add_a_slot_and_it_is_offered(desk: Desk):
    start = datetime(2026, 11, 28, 14, 0, tzinfo=LA)  # a Saturday afternoon: not in the weekly hours
    with session_scope(desk.database_url) as session:
        added = store.add_slot(
            session,
            assessor="Dana Example, LCSW",
            starts_at=start,
            minutes=60,
            modality="in_person",
            location="Riverbend Center",
            by="Ada Staff",
        )
        with pytest.raises(ValueError, match="already has a slot"):
            store.add_slot(
                session,
                assessor="Dana Example, LCSW",
                starts_at=start,
                minutes=60,
                modality="in_person",
                location="Riverbend Center",
                by="Ada Staff",
            )
    assert added.id in free_ids(desk)


# --- bookings -----------------------------------------------------------------------------------------


def test_booking_takes_the_slot_and_cancelling_frees_it_at_once(desk: Desk):
    slot = first_free(desk)
    booking = book(desk, slot.id)
    assert slot.id not in free_ids(desk)
    assert desk.upcoming(booking.conversation_id, NOW).id == booking.id
    assert desk.upcoming("web-" + "b" * 32, NOW) is None  # another person sees nothing
    assert desk.cancel("web-" + "b" * 32, NOW) is None  # and cannot cancel it
    cancelled = desk.cancel(booking.conversation_id, NOW)
    assert cancelled.status == "cancelled" and cancelled.cancelled_by == "participant"
    assert slot.id in free_ids(desk)
    assert book(desk, slot.id, "web-" + "c" * 32).status == "booked"  # someone else can have it now


def test_the_database_itself_refuses_a_second_active_booking_of_a_slot(desk: Desk):
    slot = first_free(desk)
    book(desk, slot.id)
    with pytest.raises(IntegrityError), session_scope(desk.database_url) as session:
        session.add(
            Booking(
                slot_id=slot.id,
                holds_slot_id=slot.id,
                conversation_id="web-x",
                channel="rest",
                status="booked",
                calendar_token="t" * 32,
            )
        )
        session.flush()
    with pytest.raises(IntegrityError), session_scope(desk.database_url) as session:  # the check constraint
        session.add(
            Booking(
                slot_id=slot.id,
                holds_slot_id=None,
                conversation_id="web-y",
                channel="rest",
                status="booked",
                calendar_token="u" * 32,
            )
        )
        session.flush()


def test_fifty_people_taking_the_same_slot_at_once_get_one_booking_and_forty_nine_refusals(desk: Desk):
    slot = first_free(desk)
    start = threading.Barrier(50)
    outcomes: list[str] = []

    def attempt(i: int) -> None:
        start.wait()
        try:
            book(desk, slot.id, f"web-{i:032x}")
            outcomes.append("booked")
        except SlotTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["taken"] * 49
    with session_scope(desk.database_url) as session:
        rows = session.execute(select(Booking).where(Booking.slot_id == slot.id)).scalars().all()
        assert [b.status for b in rows] == ["booked"]


def test_rescheduling_moves_the_booking_or_keeps_it_when_the_new_time_is_gone(desk: Desk):
    first, second, third = desk.offer(Preferences(modality="telehealth"), NOW).slots
    booking = book(desk, first.id)
    taken = book(desk, third.id, "web-" + "d" * 32)
    with pytest.raises(SlotTaken):
        book(desk, taken.slot_id)  # the same person moving to a taken time: nothing changes
    assert desk.upcoming(booking.conversation_id, NOW).slot_id == first.id
    moved = book(desk, second.id)
    assert moved.id != booking.id and moved.slot_id == second.id
    with session_scope(desk.database_url) as session:
        old = session.get(Booking, booking.id)
        assert (old.status, old.replaced_by_id) == ("cancelled", moved.id)
    assert first.id in free_ids(desk)


def test_staff_mark_attended_or_no_show_once_it_started_but_not_on_a_cancelled_booking(desk: Desk):
    booking = book(desk, first_free(desk).id)
    started = booking.slot.starts_at + timedelta(minutes=10)
    with session_scope(desk.database_url) as session:
        with pytest.raises(ValueError, match="has not started yet"):
            store.mark_outcome(session, booking_id=booking.id, attended=True, by="Ada Staff", now=NOW)
        marked = store.mark_outcome(session, booking_id=booking.id, attended=False, by="Ada Staff", now=started)
        assert marked.status == "no_show"
        marked = store.mark_outcome(session, booking_id=booking.id, attended=True, by="Ada Staff", now=started)
        assert marked.status == "attended"
    desk.cancel(booking.conversation_id, NOW)  # attended bookings are not upcoming: nothing to cancel
    other = book(desk, first_free(desk).id, "web-" + "e" * 32)
    desk.cancel(other.conversation_id, NOW)
    with session_scope(desk.database_url) as session, pytest.raises(ValueError, match="cancelled"):
        store.mark_outcome(session, booking_id=other.id, attended=True, by="Ada Staff")


# --- reminders ----------------------------------------------------------------------------------------


def sender(desk: Desk, twilio: FakeTwilio) -> Reminders:
    """A worker's reminder sender, talking HTTP to the local fake Twilio."""
    config = TwilioConfig(ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, twilio.url)
    transport = TwilioTransport(config, status_callback=None, sleep=lambda _: None, retry=Retry(attempts=2))
    return Reminders(desk.program, desk.database_url, transport, CIPHER)


def texted_booking(desk: Desk, conversation: str = "sms-" + "1" * 24) -> Booking:
    with session_scope(desk.database_url) as session:
        sms_store.ensure_contact(session, conversation_id=conversation, number_encrypted=CIPHER.encrypt(NUMBER))
    return book(desk, first_free(desk).id, conversation, contact=conversation)


def test_reminders_go_out_24_and_2_hours_before_once_each(desk: Desk, twilio: FakeTwilio):
    booking = texted_booking(desk)
    starts = booking.slot.starts_at
    worker = sender(desk, twilio)
    assert worker.send_due(starts - timedelta(hours=25)) == []
    assert [s.status for s in worker.send_due(starts - timedelta(hours=24))] == ["sent"]
    assert worker.send_due(starts - timedelta(hours=23)) == []  # never twice
    assert [s.status for s in worker.send_due(starts - timedelta(hours=2))] == ["sent"]
    bodies = twilio.to(NUMBER)
    assert len(bodies) == 2 and "tomorrow at" in bodies[0] and "today at" in bodies[1]
    assert all("Reply C to cancel, R to reschedule." in body for body in bodies)
    with session_scope(desk.database_url) as session:
        rows = sms_store.outbound(session, conversation_id=booking.contact_conversation_id)
        assert [(r.status, r.body) for r in rows] == [("sent", b) for b in bodies]


def test_a_number_given_in_the_widget_gets_the_reminders_with_how_to_opt_out_once(desk: Desk, twilio: FakeTwilio):
    booking = book(desk, first_free(desk).id, "web-" + "9" * 32)
    code = desk.start_number_check(booking.id, NUMBER, cipher=CIPHER, now=NOW)
    assert desk.confirm_number(booking.id, code, id_key="test-id-key", cipher=CIPHER, now=NOW) == (
        Check.CONFIRMED,
        NUMBER,
    )
    worker = sender(desk, twilio)
    worker.send_due(booking.slot.starts_at - timedelta(hours=24))
    worker.send_due(booking.slot.starts_at - timedelta(hours=2))
    first, second = twilio.to(NUMBER)
    assert first.endswith("Reply C to cancel, R to reschedule. Reply STOP to opt out.")
    assert second.endswith("Reply C to cancel, R to reschedule.")


def test_no_reminder_after_a_cancel_or_a_stop_or_without_a_number(desk: Desk, twilio: FakeTwilio):
    cancelled = texted_booking(desk, "sms-" + "2" * 24)
    desk.cancel(cancelled.conversation_id, NOW)
    stopped = texted_booking(desk, "sms-" + "3" * 24)
    with session_scope(desk.database_url) as session:
        sms_store.opt_out(session, contact=sms_store.contact(session, conversation_id=stopped.conversation_id))
    web = book(desk, first_free(desk).id, "web-" + "f" * 32)  # booked in the widget: no number given
    worker = sender(desk, twilio)
    done = [d for b in (cancelled, stopped, web) for d in worker.send_due(b.slot.starts_at - timedelta(minutes=90))]
    assert twilio.sent == [] and done and all(d.status == "skipped" for d in done)
    with session_scope(desk.database_url) as session:
        notes = {(r.booking_id, r.status, r.note) for r in session.execute(select(store.Reminder)).scalars()}
    assert {(stopped.id, "skipped", "opted_out"), (web.id, "skipped", "no_number")} <= notes
    assert {n for b, _, n in notes if b == cancelled.id} == {"cancelled"}


def test_reminders_survive_a_worker_restart_and_only_the_latest_overdue_one_is_sent(desk: Desk, twilio: FakeTwilio):
    booking = texted_booking(desk)
    starts = booking.slot.starts_at
    sender(desk, twilio).send_due(starts - timedelta(hours=30))  # a worker that then stops
    # A new worker starts 90 minutes before: both reminders are overdue, and one text is enough.
    done = sender(desk, twilio).send_due(starts - timedelta(minutes=90))
    assert sorted((d.status, d.note) for d in done) == [("sent", None), ("skipped", "superseded")]
    assert len(twilio.to(NUMBER)) == 1 and "today at" in twilio.to(NUMBER)[0]


def test_two_workers_at_once_send_each_reminder_once(desk: Desk, twilio: FakeTwilio):
    bookings = [texted_booking(desk, f"sms-{i:024d}") for i in range(4)]
    due = max(b.slot.starts_at for b in bookings) - timedelta(hours=2)
    start = threading.Barrier(2)
    results: list = []

    def work() -> None:
        worker = sender(desk, twilio)
        start.wait()
        results.extend(worker.send_due(due))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = [r for r in results if r.status == "sent"]
    assert len(twilio.sent) == len(sent) == len({r.reminder_id for r in sent})
    with session_scope(desk.database_url) as session:
        statuses = [r.status for r in session.execute(select(store.Reminder)).scalars()]
    assert "pending" not in statuses and "sending" not in statuses


def test_the_worker_pass_makes_slots_and_sends_due_reminders(
    desk: Desk, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
):
    from bot.booking.cli import booking_pass
    from bot.settings import settings

    booking = texted_booking(desk)
    for name, value in {
        "DATABASE_URL": desk.database_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_URL": twilio.url,
    }.items():
        monkeypatch.setenv(name, value)
    tomorrow = NOW + timedelta(days=1)
    lines = booking_pass(settings(), booking.slot.starts_at - timedelta(hours=23))
    assert lines[-1].endswith(": sent") and len(twilio.to(NUMBER)) == 1
    assert any(line.startswith("slots: ") for line in booking_pass(settings(), tomorrow + timedelta(days=7)))


def test_slots_program_yml_no_longer_makes_are_removed_unless_booked(desk: Desk):
    with session_scope(desk.database_url) as session:
        desk.refresh_slots(session, NOW)
    booked = book(desk, first_free(desk, "in_person").id)
    day = booked.slot.starts_at.astimezone(LA).date()
    # The program closes that day after its slots were made: the others that day go, the booked one stays.
    closed = desk.program.assessments.copy(update={"closed_dates": desk.program.assessments.closed_dates | {day}})
    changed = Desk(desk.program.copy(update={"assessments": closed}), desk.database_url)
    with session_scope(desk.database_url) as session:
        changed.refresh_slots(session, NOW)
        that_day = [s for s in session.execute(select(Slot)).scalars() if s.starts_at.astimezone(LA).date() == day]
    assert {(s.id == booked.slot_id, s.status) for s in that_day} == {(True, "open"), (False, "removed")}
    assert not any(s.starts_at.astimezone(LA).date() == day for s in changed.offer(Preferences(), NOW).slots)


def test_a_failed_transaction_leaves_no_booking_behind(desk: Desk):
    slot = first_free(desk)
    earliest = NOW
    with pytest.raises(RuntimeError), session_scope(desk.database_url) as session:
        store.book(
            session,
            slot_id=slot.id,
            conversation_id="web-" + "7" * 32,
            channel="rest",
            screening_id=None,
            contact_conversation_id=None,
            person_tz=None,
            reminders_hours_before=(24,),
            earliest=earliest,
            now=NOW,
        )
        raise RuntimeError("the rest of the unit of work failed")
    assert slot.id in free_ids(desk)  # nothing was committed half-way (no savepoint released on SQLite)


def test_reminders_use_the_zone_the_person_named(desk: Desk, twilio: FakeTwilio):
    with session_scope(desk.database_url) as session:
        sms_store.ensure_contact(session, conversation_id="sms-" + "8" * 24, number_encrypted=CIPHER.encrypt(NUMBER))
    booking = desk.book(
        slot_id=first_free(desk).id,
        conversation_id="sms-" + "8" * 24,
        channel="sms",
        screening_id=None,
        contact_conversation_id="sms-" + "8" * 24,
        person_tz="America/New_York",
        now=NOW,
    )
    sender(desk, twilio).send_due(booking.slot.starts_at - timedelta(hours=24))
    local = booking.slot.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert f"{local:%I:%M %p}".lstrip("0") + f" {local.tzname()}" in twilio.to(NUMBER)[0]


def test_a_number_typed_in_the_widget_needs_the_code_texted_to_it(desk: Desk):
    booking = book(desk, first_free(desk).id, "web-" + "6" * 32)
    code = desk.start_number_check(booking.id, NUMBER, cipher=CIPHER, now=NOW, id_key="k")
    wrong = "0000" if code != "0000" else "1111"
    assert desk.confirm_number(booking.id, wrong, id_key="k", cipher=CIPHER, now=NOW)[0] is Check.WRONG
    assert desk.confirm_number(booking.id, wrong, id_key="k", cipher=CIPHER, now=NOW)[0] is Check.WRONG
    assert desk.confirm_number(booking.id, wrong, id_key="k", cipher=CIPHER, now=NOW)[0] is Check.GIVEN_UP
    assert desk.confirm_number(booking.id, code, id_key="k", cipher=CIPHER, now=NOW)[0] is Check.EXPIRED  # cleared
    with pytest.raises(CodeRefused, match="too many wrong codes"):  # a new code does not bring new tries
        desk.start_number_check(booking.id, NUMBER, cipher=CIPHER, now=NOW, id_key="k")
    other = book(desk, first_free(desk).id, "web-" + "7" * 32)
    code = desk.start_number_check(other.id, NUMBER, cipher=CIPHER, now=NOW, id_key="k")
    late = NOW + timedelta(minutes=16)
    assert desk.confirm_number(other.id, code, id_key="k", cipher=CIPHER, now=late)[0] is Check.EXPIRED
    assert desk.upcoming("web-" + "6" * 32, NOW).contact_conversation_id is None  # never tied to the number
    with session_scope(desk.database_url) as session:
        stored = session.get(Booking, booking.id)
        assert stored.pending_number is None and stored.pending_code_hash is None
