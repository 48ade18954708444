"""`iop-intake worker` with a heartbeat file for the kubelet's liveness probe (deploy/probe.py worker).

The worker has no port, so "the process exists" is all Kubernetes could see: a pass stuck for good (a hung
connection to the database or to Twilio) would stop paging on-call staff without anyone noticing. This runs
`iop-intake worker` itself, unchanged, and only wraps the sleep of its loop (bot.cli._watch takes the sleep
as a parameter): the heartbeat file is touched after every pass, failed or not, before sleeping, so a stale
file means a stuck pass. A `--heartbeat` option on `iop-intake worker` would make this file unnecessary.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from bot import cli
from bot.settings import Settings

HEARTBEAT_FILE = "/tmp/worker.heartbeat"  # deploy/probe.py reads the same; IOP_HEARTBEAT_FILE overrides


def heartbeat_file() -> Path:
    return Path(os.environ.get("IOP_HEARTBEAT_FILE") or HEARTBEAT_FILE)


def beating(path: Path, sleep: Callable[[float], None] = time.sleep) -> Callable[[float], None]:
    """A sleep that first records that a pass has just ended."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def beat_then_sleep(seconds: float) -> None:
        path.touch()
        sleep(seconds)

    return beat_then_sleep


def main(argv: Optional[Sequence[str]] = None) -> int:
    """`iop-intake worker ARGS`, its loop sleeping through `beating`."""
    watch = cli._watch

    def watch_with_heartbeat(current: Settings, interval: float, sleep: Callable[[float], None] = time.sleep,
                             **options: bool) -> int:
        return watch(current, interval, beating(heartbeat_file(), sleep), **options)

    cli._watch = watch_with_heartbeat  # type: ignore[assignment]
    try:
        return cli.main(["worker", *(sys.argv[1:] if argv is None else argv)])
    finally:
        cli._watch = watch  # type: ignore[assignment]


if __name__ == "__main__":
    sys.exit(main())
