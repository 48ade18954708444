"""`iop-intake worker` with a heartbeat file for the kubelet's liveness probe (deploy/probe.py worker).

The worker has no port, so "the process exists" is all Kubernetes could see: a pass stuck for good (a hung
connection to the database or to Twilio) would stop paging on-call staff without anyone noticing. This runs
the same loop as `iop-intake worker` (bot.cli._watch, with the booking jobs and retention) and touches the
heartbeat file after every pass, failed or not, before sleeping; a stale file means a stuck pass.
The loop takes its sleep as a parameter, which is the seam used here; a `--heartbeat` option on
`iop-intake worker` would make this file unnecessary.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from bot.cli import _watch
from bot.settings import ConfigError, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from probe import heartbeat_file  # noqa: E402  (deploy/ is not a package)


def beating(path: Path, sleep: Callable[[float], None] = time.sleep) -> Callable[[float], None]:
    """A sleep that first records that a pass has just ended."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def beat_then_sleep(seconds: float) -> None:
        path.touch()
        sleep(seconds)

    return beat_then_sleep


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interval", type=float, default=30, help="seconds between passes (default 30)")
    args = parser.parse_args(argv)
    try:
        return _watch(settings(), args.interval, beating(heartbeat_file()), bookings=True)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
