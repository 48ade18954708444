"""Load through HAProxy: 1 against N Rasa servers (`scripts/cluster`), at 20 and 100 concurrent REST participants,
in one run. Prints messages a second, the ratio, p50 / p95 latency and errors; writes bench/out/cluster.json.

    .venv/bin/python -m bench.cluster [--servers 2] [--duration 60] [--rounds 1]

Needs what `make run-cluster` needs (PostgreSQL, Redis, RabbitMQ, haproxy). Each cluster is started on free
ports with its own databases (iop_bench, iop_bench_tracker) and queue, driven by bench/driver.py with the
screening script learnt from the bot, then stopped, so the two never compete for the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, Sequence

import requests

from bench.driver import Load, Outcome, drive
from harness.conversation import LIKELY_FIT, answer_until_done
from harness.servers import ROOT, Servers, free_port, stop

OUT = ROOT / "bench" / "out"
TOKEN = "bench-cluster-token"


def free_ports_in_a_row(count: int) -> int:
    """The first of `count` consecutive free ports (scripts/cluster gives server i the port RASA_PORT + i)."""
    while True:
        first = free_port()
        if all(_free(first + i) for i in range(1, count)):
            return first


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextmanager
def cluster(
    servers: int, workdir: Path, *, database: str = "iop_bench", extra_env: Optional[dict[str, str]] = None
) -> Iterator[Servers]:
    """`scripts/cluster N` on free ports with PostgreSQL databases `database` and `database`_tracker and a
    queue of that name; yields the HAProxy front (Servers.env holds CLUSTER_PORT and the rest)."""
    front, rasa_port = free_port(), free_ports_in_a_row(servers)
    env = {
        **os.environ,
        "CLUSTER_PORT": str(front),
        "RASA_PORT": str(rasa_port),  # the servers take this port and the next ones
        "ACTIONS_PORT": str(free_port()),
        "ACTIONS_BACKEND_PORT": str(free_port()),
        "CONSOLE_PORT": str(free_port()),
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "TRACKER_STORE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}_tracker",
        "EVENTS_QUEUE": f"{database}_events",
        "EVENTS_EXCHANGE": f"{database}_events",
        "LOCK_KEY_PREFIX": database.replace("_", ""),  # Rasa takes letters and digits only
        "RASA_AUTH_TOKEN": TOKEN,
        # Every participant comes from 127.0.0.1: limits far above the load.
        "RATE_LIMIT_PER_CONVERSATION": "100000",
        "RATE_LIMIT_PER_ADDRESS": "1000000",
        **(extra_env or {}),
    }
    for name in ("ACTION_ENDPOINT_URL", "RASA_URL", "WIDGET_BOT_URL", "CONSOLE_PUBLIC_URL"):
        env.pop(name, None)  # scripts/env.sh and scripts/cluster make them from the ports above
    log = workdir / f"cluster-{database}-{servers}.log"  # runs on other databases may share the folder
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "cluster"), str(servers)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{front}"
    try:
        deadline = time.monotonic() + 600
        while "Ctrl-C stops everything" not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the cluster did not start; log:\n{log.read_text()[-3000:]}")
            time.sleep(1)
        requests.get(f"{url}/status", params={"token": TOKEN}, timeout=10).raise_for_status()
        yield Servers(url, TOKEN, env)
    finally:
        stop([proc], timeout=60)


def figures(outcome: Outcome) -> dict:
    return {
        "messages": outcome.messages,
        "errors": outcome.errors,
        "elapsed_s": round(outcome.elapsed_s, 1),
        "messages_per_s": round(outcome.messages_per_s(), 1),
        "p50_ms": round(outcome.percentile(50), 1),
        "p95_ms": round(outcome.percentile(95), 1),
    }


def measure(servers: int, loads: Sequence[int], duration_s: float, workdir: Path) -> dict[int, dict]:
    print(f"==> {servers} Rasa server(s) behind HAProxy", flush=True)
    results: dict[int, dict] = {}
    with cluster(servers, workdir) as front:
        sender = f"bench-order-{servers}-{int(time.time())}"
        front.send(sender, "hi")
        asked, _ = answer_until_done(front, sender, LIKELY_FIT)
        script = ["hi", *(LIKELY_FIT[key] for key in asked)]
        drive(front.rasa_url, script, Load(servers * 2, 1, 120), f"bench-warm-{servers}-{int(time.time())}")
        for participants in loads:
            outcome = drive(
                front.rasa_url,
                script,
                Load(participants, 1000, duration_s),
                f"bench-c{servers}-{participants}-{int(time.time())}",
            )
            results[participants] = figures(outcome)
            print(f"    {participants} participants: {results[participants]}", flush=True)
    return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=2, help="Rasa servers of the larger cluster (default 2)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load at each level (default 60)")
    parser.add_argument("--participants", type=int, nargs="+", default=[20, 100])
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="1 then N servers, this many times: on a shared machine one pair can mislead",
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    rounds = []
    for _ in range(args.rounds):
        rounds.append(
            (
                measure(1, args.participants, args.duration, OUT),
                measure(args.servers, args.participants, args.duration, OUT),
            )
        )
    print(
        f"\n| round | concurrent | 1 server msg/s | {args.servers} servers msg/s | ratio | p50 / p95 ms (1) | "
        f"p50 / p95 ms ({args.servers}) | errors (1 / {args.servers}) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for number, (one, many) in enumerate(rounds, 1):
        for participants in args.participants:
            a, b = one[participants], many[participants]
            ratio = b["messages_per_s"] / a["messages_per_s"] if a["messages_per_s"] else float("nan")
            print(
                f"| {number} | {participants} | {a['messages_per_s']} | {b['messages_per_s']} | {ratio:.2f}x | "
                f"{a['p50_ms']:.0f} / {a['p95_ms']:.0f} | {b['p50_ms']:.0f} / {b['p95_ms']:.0f} | "
                f"{a['errors']} / {b['errors']} |"
            )
    (OUT / "cluster.json").write_text(
        json.dumps([{"1": one, str(args.servers): many} for one, many in rounds], indent=2)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
