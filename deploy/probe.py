"""Kubernetes exec probes for the two processes an HTTP GET cannot judge (deploy/k8s/).

  python deploy/probe.py rasa      ready: the Rasa server answers /status with a loaded model. /status needs
                                   the auth token, which an httpGet probe could only carry inlined in the
                                   manifest; here it comes from the container's environment (the Secret).
  python deploy/probe.py worker    alive: the worker finished a pass within --max-age seconds (the heartbeat
                                   file `iop-intake worker` touches after each pass); the worker has no port.

Exit status 0 is healthy, 1 is not, with one line on stderr saying why (the kubelet records it in the pod's
events: no token, no conversation id, no health detail in it). Standard library only: it starts in
milliseconds and does not import Rasa.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Optional, Sequence

# An emptyDir in the pod, touched by `iop-intake worker --heartbeat`; IOP_HEARTBEAT_FILE overrides.
HEARTBEAT_FILE = "/tmp/worker.heartbeat"


def heartbeat_file() -> Path:
    return Path(os.environ.get("IOP_HEARTBEAT_FILE") or HEARTBEAT_FILE)


def rasa_ready(base_url: str, token: str, timeout: float) -> Optional[str]:
    """None when the Rasa server has a model loaded, else why not."""
    url = f"{base_url.rstrip('/')}/status?{urllib.parse.urlencode({'token': token})}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 (a local http URL)
            status = json.load(reply)
    except urllib.error.HTTPError as error:  # 401: wrong token; 409: no model loaded
        return f"Rasa /status answered {error.code}"
    except (OSError, ValueError) as error:
        return f"Rasa /status unreachable or unreadable ({type(error).__name__})"
    return None if status.get("model_file") else "Rasa has no model loaded"


def worker_alive(path: Path, max_age: float, now: Optional[float] = None) -> Optional[str]:
    """None when the heartbeat file is younger than max_age seconds, else why not."""
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except FileNotFoundError:
        return "no heartbeat yet: the worker has not finished a pass"
    return None if age <= max_age else f"the worker's last pass ended {age:.0f} s ago (limit {max_age:g} s)"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="check", required=True)
    rasa = sub.add_parser("rasa", help="ready when the Rasa server has a model loaded")
    rasa.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('RASA_PORT') or 5005}")
    rasa.add_argument("--timeout", type=float, default=3)
    worker = sub.add_parser("worker", help="alive when the worker's last pass is recent")
    worker.add_argument("--max-age", type=float, default=300, help="seconds (default 300: ten 30 s passes)")
    args = parser.parse_args(argv)
    if args.check == "rasa":
        problem = rasa_ready(args.url, os.environ.get("RASA_AUTH_TOKEN", ""), args.timeout)
    else:
        problem = worker_alive(heartbeat_file(), args.max_age)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
