"""`iop-intake`: the project's command line (set-up, data export, checks used by the run scripts)."""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional, Sequence

from bot.settings import ROOT, ConfigError, settings

DOMAIN_FILE = ROOT / "domain" / "screening.yml"


def cmd_domain(args: argparse.Namespace) -> int:
    from bot.domain import render

    text = render()
    if args.check:
        current = DOMAIN_FILE.read_text() if DOMAIN_FILE.exists() else ""
        if current != text:
            print(f"{DOMAIN_FILE.relative_to(ROOT)} is out of date: run `iop-intake domain`", file=sys.stderr)
            return 1
        return 0
    DOMAIN_FILE.write_text(text)
    print(f"wrote {DOMAIN_FILE.relative_to(ROOT)}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from bot.store.db import upgrade

    upgrade(settings().database_url)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.store.db import session_scope
    from bot.store.export import export_jsonl

    since = datetime.fromisoformat(args.since) if args.since else None
    with session_scope(settings().database_url) as session:
        if args.out == "-":
            count = export_jsonl(session, sys.stdout, since=since)
        else:
            with open(args.out, "w", encoding="utf-8") as out:
                count = export_jsonl(session, out, since=since)
    print(f"exported {count} screening(s)", file=sys.stderr)
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


def cmd_wait_ready(args: argparse.Namespace) -> int:
    import requests

    rasa = f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    actions = f"http://127.0.0.1:{os.environ.get('ACTIONS_PORT', '5055')}"
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


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="iop-intake", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    domain = sub.add_parser("domain", help="write domain/screening.yml from the question definitions")
    domain.add_argument("--check", action="store_true", help="only check that it is up to date")
    domain.set_defaults(func=cmd_domain)

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
    setting.add_argument("name", choices=["program_name", "database_url", "tracker_store_url", "rasa_auth_token", "env"])
    setting.set_defaults(func=cmd_setting)

    wait = sub.add_parser("wait-ready", help="wait until the Rasa and action servers answer")
    wait.add_argument("--timeout", type=float, default=180)
    wait.set_defaults(func=cmd_wait_ready)

    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
