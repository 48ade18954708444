"""`iop-intake slots ...`, `iop-intake bookings ...` and `iop-intake reminders ...`: staff's booking tools on the
command line, and the booking pass of the worker process (make slots, send due reminders)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Optional

from bot.booking import store
from bot.booking.desk import Desk
from bot.booking.reminders import Reminders, Sent
from bot.program import load_program
from bot.settings import Settings, settings
from bot.store.db import session_scope
from bot.store.models import utcnow


def _local(at: datetime, current: Settings) -> str:
    return f"{at.astimezone(load_program(current.program_file).tz):%a %Y-%m-%d %H:%M}"


def _parse_local(text: str, current: Settings) -> datetime:
    """'2026-12-02 15:00' in the program's time zone (or with an explicit offset)."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"{text!r} should be a date and time like 2026-12-02T15:00") from None
    return at if at.tzinfo else at.replace(tzinfo=load_program(current.program_file).tz)


@lru_cache(maxsize=4)
def _desk(program_file: Path, database_url: str) -> Desk:
    """The worker's desk, kept between passes: it makes the day's slots once, not every 30 seconds."""
    return Desk(load_program(program_file), database_url)


def reminders_from_settings(current: Settings) -> Optional[Reminders]:
    """None when Twilio is not configured: reminders then wait in the database."""
    from bot.sms.identity import NumberCipher
    from bot.sms.outbox import TwilioTransport
    from bot.sms.service import STATUS_PATH
    from bot.sms.twilio_rest import TwilioConfig

    config = TwilioConfig.from_settings(current)
    if config is None:
        return None
    callback = f"{current.sms_public_url}/{STATUS_PATH}" if current.sms_channel_configured else None
    return Reminders(
        load_program(current.program_file),
        current.database_url,
        TwilioTransport(config, status_callback=callback),
        NumberCipher(current.sms_number_key),
    )


def booking_pass(current: Settings, now: Optional[datetime] = None) -> list[str]:
    """One pass of the worker's booking jobs; returns a line per thing done (no personal data)."""
    at = now or utcnow()
    lines: list[str] = []
    with session_scope(current.database_url) as session:
        made = _desk(current.program_file, current.database_url).ensure_fresh(session, at)
    if made:
        lines.append(f"slots: {made} new")
    sender = reminders_from_settings(current)
    if sender is not None:
        lines += [_sent_line(done) for done in sender.send_due(at)]
    return lines


def _sent_line(done: Sent) -> str:
    return f"reminder {done.reminder_id}: {done.status}" + (f" ({done.note})" if done.note else "")


def cmd_slots(args: argparse.Namespace) -> int:
    current = settings()
    program = load_program(current.program_file)
    with session_scope(current.database_url) as session:
        if args.action == "generate":
            made = Desk(program, current.database_url).refresh_slots(session, utcnow())
            print(f"{made} new slot(s) for the next {program.assessments.book_ahead_days} days")
        elif args.action == "list":
            start = utcnow()
            for slot in store.slots_between(session, start=start, end=start + timedelta(days=args.days)):
                held = store.active_booking_of_slot(session, slot.id)
                state = f"booked #{held.id}" if held else slot.status
                print(
                    f"{slot.id:>6}  {_local(slot.starts_at, current)}  {slot.modality:<10}  {state:<12}  "
                    f"{slot.assessor}"
                )
        elif args.action == "add":
            slot = store.add_slot(
                session,
                assessor=args.assessor,
                starts_at=_parse_local(args.start, current),
                minutes=args.minutes or program.assessments.slot_minutes,
                modality=args.modality,
                location=args.location,
                by=args.by,
            )
            print(f"added slot {slot.id}")
        else:
            status = {"block": "blocked", "unblock": "open", "remove": "removed"}[args.action]
            try:
                store.set_slot_status(session, slot_id=args.id, status=status, by=args.by)
            except (store.NotFound, store.SlotInUse) as error:
                print(error, file=sys.stderr)
                return 1
            print(f"slot {args.id}: {status}")
    return 0


def cmd_bookings(args: argparse.Namespace) -> int:
    current = settings()
    with session_scope(current.database_url) as session:
        try:
            if args.action == "list":
                start = utcnow() - timedelta(days=args.past)
                for booking in store.bookings_between(session, start=start, end=start + timedelta(days=args.past + 60)):
                    print(
                        f"{booking.id:>6}  {_local(booking.slot.starts_at, current)}  {booking.slot.modality:<10}  "
                        f"{booking.status:<9}  {booking.channel:<8}  screening {booking.screening_id or '-'}"
                    )
            elif args.action == "cancel":
                store.cancel(session, booking_id=args.id, by=args.by)
                print(f"booking {args.id}: cancelled, slot freed")
            else:
                store.mark_outcome(session, booking_id=args.id, attended=args.action == "attended", by=args.by)
                print(f"booking {args.id}: {args.action}")
        except (store.NotFound, ValueError) as error:
            print(error, file=sys.stderr)
            return 1
    return 0


def cmd_reminders(args: argparse.Namespace) -> int:
    current = settings()
    current.check()
    sender = reminders_from_settings(current)
    if sender is None:
        print("reminders need TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER", file=sys.stderr)
        return 1
    done = sender.send_due(utcnow())
    for line in map(_sent_line, done):
        print(line)
    return 1 if any(d.status == "failed" for d in done) else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    slots = sub.add_parser("slots", help="assessment slots: generate from program.yml, list, add, block, remove")
    steps = slots.add_subparsers(dest="action", required=True)
    steps.add_parser("generate", help="make the slots of the booking horizon (the worker does this too)")
    listing = steps.add_parser("list", help="upcoming slots and whether they are booked")
    listing.add_argument("--days", type=int, default=14)
    add = steps.add_parser("add", help="an extra slot")
    add.add_argument("start", help="local date and time, e.g. 2026-12-02T15:00")
    add.add_argument("--assessor", required=True)
    add.add_argument("--modality", choices=list(store.MODALITIES), required=True)
    add.add_argument("--location", help="for in-person slots")
    add.add_argument("--minutes", type=int, help="length (default: program.yml's slot_minutes)")
    add.add_argument("--by", required=True, help="who")
    for name, text in (
        ("block", "take a slot off offer for now"),
        ("unblock", "offer a blocked slot again"),
        ("remove", "remove a slot for good (not regenerated)"),
    ):
        step = steps.add_parser(name, help=text)
        step.add_argument("id", type=int)
        step.add_argument("--by", required=True, help="who")
    slots.set_defaults(func=cmd_slots)

    bookings = sub.add_parser("bookings", help="assessment bookings: list, cancel, mark attended or no-show")
    steps = bookings.add_subparsers(dest="action", required=True)
    listing = steps.add_parser("list", help="bookings from --past days ago onwards")
    listing.add_argument("--past", type=int, default=7)
    for name in ("cancel", "attended", "no-show"):
        step = steps.add_parser(name)
        step.add_argument("id", type=int)
        step.add_argument("--by", required=True, help="who")
    bookings.set_defaults(func=cmd_bookings)

    reminders = sub.add_parser("reminders", help="send the text reminders that are due (the worker does this too)")
    reminders.set_defaults(func=cmd_reminders)
