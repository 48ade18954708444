"""End to end over REST (the channel web clients use): a screening that ends with assessment times offered,
a time booked by its button, the calendar invitation downloaded from the console, then cancelled and
booked again, moved to another time, and a day named in words. The real Rasa, action and console servers;
slow (servers start once per module); marked e2e."""

from __future__ import annotations

import re
from typing import Iterator

import pytest
import requests
import sqlalchemy as sa
from icalendar import Calendar

from bot.booking.conversation import STAGE_SLOT, Stage
from bot.booking.store import Booking, Reminder
from bot.store import db
from harness.conversation import LIKELY_FIT, answer_until_done, texts
from harness.servers import Servers, conversation, module_servers

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with module_servers(tmp_path_factory, "booking-e2e", console=True) as running:
        yield running


def bookings(servers: Servers, sender: str) -> list[Booking]:
    with db.session_scope(servers.env["DATABASE_URL"]) as session:
        return list(
            session.execute(
                sa.select(Booking).where(Booking.conversation_id == conversation(sender)).order_by(Booking.id)
            ).scalars()
        )


def screened(servers: Servers, sender: str) -> list[dict]:
    """A likely-fit screening (mornings, in person or online); the bot's last replies."""
    servers.send(sender, "hi")
    answer_until_done(servers, sender, {**LIKELY_FIT, "member_id": "skip"})
    tracker = servers.tracker(sender)
    assert tracker["slots"][STAGE_SLOT] == Stage.OFFERING
    return [e for e in tracker["events"] if e.get("event") == "bot"][-1:]


def test_a_screening_ends_with_times_offered_and_a_button_books_one(servers: Servers):
    sender = "e2e-book-1"
    [offer] = screened(servers, sender)
    assert "free assessment with a clinician" in offer["text"]
    buttons = offer["data"]["buttons"]
    assert [b["payload"] for b in buttons] == ["1", "2", "3", "other times", "not now"]
    assert all(
        re.fullmatch(r"\w{3} \w{3} \d{1,2}, \d{1,2}:\d{2} AM \((in person|telehealth)\)", b["title"])
        for b in buttons[:3]
    )  # mornings, as the person said

    reply = texts(servers.send(sender, "1"))
    assert "You're booked for a free assessment with a clinician" in reply and "Please bring" in reply
    [booking] = bookings(servers, sender)
    assert booking.status == "booked" and booking.screening_id is not None
    assert booking.slot.starts_at.strftime("%b") in reply  # the month as the button said
    url = re.search(r"(http://\S+\.ics)", reply)[1]
    assert url.startswith(servers.console_url) and sender not in url
    ics = requests.get(url, timeout=10)
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == booking.slot.starts_at

    # Cancelling by word frees the slot at once, and the invitation is gone with it.
    cancelled = texts(servers.send(sender, "I need to cancel my appointment"))
    assert "is cancelled" in cancelled
    assert [b.status for b in bookings(servers, sender)] == ["cancelled"]
    assert requests.get(url, timeout=10).status_code == 404
    with db.session_scope(servers.env["DATABASE_URL"]) as session:
        reminders = session.execute(sa.select(Reminder).where(Reminder.booking_id == booking.id)).scalars().all()
        assert {r.status for r in reminders} <= {"skipped"}
        held = session.execute(sa.select(Booking).where(Booking.holds_slot_id == booking.slot_id)).first()
        assert held is None

    again = servers.send(sender, "can I book an appointment?")
    assert again[-1].get("buttons", [{}])[0].get("payload") == "1", again
    assert "booked" in texts(servers.send(sender, "1")).lower()


def test_rescheduling_keeps_the_old_time_until_a_new_one_is_chosen(servers: Servers):
    sender = "e2e-book-2"
    screened(servers, sender)
    servers.send(sender, "2")
    [first] = bookings(servers, sender)
    moving = servers.send(sender, "R")
    assert "stays booked until you choose" in texts(moving)
    assert [b.status for b in bookings(servers, sender)] == ["booked"]
    moved = texts(servers.send(sender, "3"))
    assert "Done, your assessment is moved" in moved
    old, new = bookings(servers, sender)
    assert (old.status, old.replaced_by_id, new.status) == ("cancelled", new.id, "booked")
    assert new.slot_id != first.slot_id


def test_other_times_and_a_day_in_words(servers: Servers):
    sender = "e2e-book-3"
    [offer] = screened(servers, sender)
    first_titles = [b["title"] for b in offer["data"]["buttons"][:3]]
    more = servers.send(sender, "other times")
    more_titles = [b["title"] for b in more[-1]["buttons"][:-2]]
    assert more_titles and not set(more_titles) & set(first_titles)
    named = servers.send(sender, "next tuesday afternoon")
    text = texts(named)
    assert "Tuesday" in text or "closest" in text
    titles = [b["title"] for b in named[-1]["buttons"][:-2]]  # the times, then "Other times" and "Not now"
    assert titles, text
    if "closest" not in text:
        assert all(t.startswith("Tue") and "PM" in t for t in titles), (text, titles)
    assert "not now" in [b["payload"] for b in named[-1]["buttons"]]
    later = texts(servers.send(sender, "not now"))
    assert 'say "book"' in later
    assert servers.tracker(sender)["slots"][STAGE_SLOT] == Stage.OPEN
    assert bookings(servers, sender) == []


def test_a_time_taken_meanwhile_is_refused_kindly_and_nobody_else_can_cancel_a_booking(servers: Servers):
    owner, other = "e2e-book-4", "e2e-book-5"
    [offer_a] = screened(servers, owner)
    [offer_b] = screened(servers, other)
    first = offer_a["data"]["buttons"][0]["title"]
    assert offer_b["data"]["buttons"][0]["title"] == first  # the same answers: the same earliest time
    servers.send(owner, "1")
    refused = servers.send(other, "1")
    assert texts(refused).startswith("Sorry, that time was just taken by someone else. Here are other times:")
    assert first not in [b["title"] for b in refused[-1]["buttons"]]
    assert bookings(servers, other) == []
    assert "I don't see an upcoming appointment" in texts(servers.send(other, "R"))
    assert texts(servers.send(other, "C")).startswith("No problem")  # "cancel" to an offer: not now
    assert "I don't see an upcoming appointment" in texts(servers.send(other, "cancel my appointment"))
    assert [b.status for b in bookings(servers, owner)] == ["booked"]
