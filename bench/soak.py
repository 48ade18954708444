"""Soak: a steady message rate through HAProxy to N Rasa servers (`scripts/cluster`) for some minutes, with the
resident memory of every process sampled each minute. The requirement: no growth beyond 10%. Prints a row a
minute and each process's growth and slope; writes bench/out/soak.json (the cluster's log: bench/out/soak/).
Exits 0 whenever the run completes.

    .venv/bin/python -m bench.soak [--servers 2] [--minutes 10] [--rate 5] [--warmup 60]

Needs what `make run-cluster` needs (PostgreSQL, Redis, RabbitMQ, haproxy); the cluster is bench/cluster.py's,
on free ports with its databases and queue. The load is open loop: REST participants start at a fixed interval
whatever the latency, each replaying the screening script learnt from the bot, so a slow minute does not lighten
the next one. The warm-up runs at the same rate and memory after it is the baseline: first-load allocations and
caches are not a leak.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from typing import Optional, Sequence

import aiohttp

from bench.cluster import OUT, cluster, figures
from bench.driver import REQUEST_TIMEOUT_S, Outcome
from bench.procs import Role, find, tree_rss_mb
from harness.conversation import LIKELY_FIT, answer_until_done
from harness.servers import Servers

MAX_IN_FLIGHT = 200  # participants; past it a start is skipped (and counted) rather than queued
GROWTH_LIMIT_PCT = 10.0


def roles(front: Servers, servers: int) -> list[Role]:
    first = int(front.env["RASA_PORT"])  # scripts/cluster gives server i the port RASA_PORT + i - 1
    return [
        *(Role(f"rasa{i}", "rasa", (("run",), ("--port", str(first + i - 1)))) for i in range(1, servers + 1)),
        *(Role(command, "iop-intake", ((command,),)) for command in ("actions", "worker", "console")),
        Role("haproxy", "haproxy", ()),
    ]


def sample(front_port: int, wanted: Sequence[Role]) -> dict[str, tuple[Optional[int], Optional[float]]]:
    """Each role's (pid, resident MB of it and its descendants)."""
    return {
        name: (pid, None if pid is None else round(tree_rss_mb(pid), 1))
        for name, pid in find(f"CLUSTER_PORT={front_port}", wanted).items()
    }


class OpenLoad:
    """Starts a participant every `interval_s` seconds; each sends the script, one message per reply."""

    def __init__(self, webhook: str, script: Sequence[str], prefix: str) -> None:
        self.webhook, self.script, self.prefix = webhook, script, prefix
        self.window = Outcome()  # the messages of the current minute; take() hands it over
        self.window_start = time.monotonic()  # made just before the load starts
        self.tasks: set[asyncio.Task] = set()
        self.skipped = 0

    def take(self) -> tuple[Outcome, int]:
        """The window so far (its elapsed time set) and the participants skipped in it; a new window starts."""
        now = time.monotonic()
        window, self.window = self.window, Outcome()
        window.elapsed_s, self.window_start = now - self.window_start, now
        skipped, self.skipped = self.skipped, 0
        return window, skipped

    async def _participant(self, session: aiohttp.ClientSession, sender: str) -> None:
        for message in self.script:
            start = time.perf_counter()
            try:
                async with session.post(self.webhook, json={"sender": sender, "message": message}) as response:
                    response.raise_for_status()
                    await response.json()
            except (aiohttp.ClientError, asyncio.TimeoutError):
                # As in bench/driver.py: a failed turn leaves the conversation out of step; abandon it.
                self.window.errors += 1
                return
            self.window.latencies_ms.append((time.perf_counter() - start) * 1000)

    async def run(self, session: aiohttp.ClientSession, interval_s: float) -> None:
        start = time.monotonic()
        for number in itertools.count():
            # Starts keep to start + n * interval, so a slow event loop does not drift the rate down.
            await asyncio.sleep(max(0.0, start + number * interval_s - time.monotonic()))
            if len(self.tasks) >= MAX_IN_FLIGHT:
                self.skipped += 1
                continue
            task = asyncio.create_task(self._participant(session, f"{self.prefix}-{number}"))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def learn_script(front: Servers) -> list[str]:
    """One screening's messages, learnt as bench/cluster.py's measure() does: the answers to what the bot asks."""
    sender = f"bench-soak-order-{int(time.time())}"
    front.send(sender, "hi")
    asked, _ = answer_until_done(front, sender, LIKELY_FIT)
    return ["hi", *(LIKELY_FIT[key] for key in asked)]


def print_row(row: dict, names: Sequence[str]) -> None:
    label = "warm-up" if row["minute"] == 0 else row["minute"]
    memory = " | ".join("-" if row["rss_mb"][name] is None else f"{row['rss_mb'][name]:.0f}" for name in names)
    print(
        f"| {label} | {row['messages']} | {row['messages_per_s']} | {row['errors']} | {row['p50_ms']:.0f} / "
        f"{row['p95_ms']:.0f} | {row['in_flight']} | {row['skipped']} | {memory} |",
        flush=True,
    )


async def soak(
    front: Servers, script: Sequence[str], wanted: Sequence[Role], rate: float, warmup_s: float, minutes: int
) -> list[dict]:
    """Row 0 ends the warm-up (its memory is the baseline), row n the n-th minute after it."""
    front_port = int(front.env["CLUSTER_PORT"])
    load = OpenLoad(f"{front.rasa_url}/webhooks/rest/webhook", script, f"bench-soak-{int(time.time())}")
    names = [role.name for role in wanted]
    print(
        f"\n| minute | answered | msg/s | errors | p50 / p95 ms | in flight | skipped | "
        f"{' | '.join(f'{name} MB' for name in names)} |"
    )
    print(f"| {' | '.join(['---'] * (7 + len(names)))} |", flush=True)
    rows: list[dict] = []
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=MAX_IN_FLIGHT), timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    ) as session:
        start = load.window_start  # the warm-up window starts with the load
        runner = asyncio.create_task(load.run(session, len(script) / rate))
        try:
            for minute in range(minutes + 1):
                await asyncio.sleep(max(0.0, start + warmup_s + 60 * minute - time.monotonic()))
                outcome, skipped = load.take()
                # Sampled under the load, like every later sample; /proc is read off the event loop.
                memory = await asyncio.to_thread(sample, front_port, wanted)
                rows.append(
                    {
                        "minute": minute,
                        **figures(outcome),
                        "in_flight": len(load.tasks),
                        "skipped": skipped,
                        "pid": {name: pid for name, (pid, _) in memory.items()},
                        "rss_mb": {name: mb for name, (_, mb) in memory.items()},
                    }
                )
                print_row(rows[-1], names)
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
            await load.stop()
    return rows


def slope(points: Sequence[tuple[float, float]]) -> Optional[float]:
    """Least-squares MB a minute: one noisy last sample can mislead the growth figure, the trend much less."""
    if len(points) < 2:
        return None
    mean_x, mean_y = sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)


def growth(rows: Sequence[dict], name: str) -> dict:
    baseline, last = rows[0]["rss_mb"][name], rows[-1]["rss_mb"][name]
    pct = None if baseline is None or last is None else (last - baseline) / baseline * 100
    trend = slope([(row["minute"], row["rss_mb"][name]) for row in rows if row["rss_mb"][name] is not None])
    # A restarted process starts afresh: its last sample says nothing of growth, and a restart may hide a leak.
    restarts = max(0, len({row["pid"][name] for row in rows} - {None}) - 1)
    return {
        "baseline_mb": baseline,
        "last_mb": last,
        "growth_pct": None if pct is None else round(pct, 1),
        "slope_mb_per_min": None if trend is None else round(trend, 2),
        "restarts": restarts,
        "within": pct is not None and pct <= GROWTH_LIMIT_PCT and restarts == 0,
    }


def report(growths: dict[str, dict]) -> tuple[bool, str]:
    """Prints the growth table and the verdict line; returns the verdict and the worst process."""
    print(f"\n| process | baseline MB | last MB | growth | slope MB/min | restarts | within {GROWTH_LIMIT_PCT:.0f}% |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, figure in growths.items():
        pct, trend = figure["growth_pct"], figure["slope_mb_per_min"]
        print(
            f"| {name} | {figure['baseline_mb']} | {figure['last_mb']} | "
            f"{'-' if pct is None else f'{pct:+.1f}%'} | {'-' if trend is None else f'{trend:+.2f}'} | "
            f"{figure['restarts']} | {'yes' if figure['within'] else 'no'} |"
        )
    worst = max(growths, key=lambda name: (not growths[name]["within"], growths[name]["growth_pct"] or 0.0))
    pct = growths[worst]["growth_pct"]
    within = all(figure["within"] for figure in growths.values())
    detail = "not sampled" if pct is None else f"{pct:+.1f}%"
    if growths[worst]["restarts"]:
        detail += f", restarted {growths[worst]['restarts']}x"
    print(f"\nmemory growth within {GROWTH_LIMIT_PCT:.0f}%: {'yes' if within else 'no'} (worst: {worst} {detail})")
    return within, worst


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=2, help="Rasa servers behind HAProxy (default 2)")
    parser.add_argument("--minutes", type=int, default=10, help="minutes of steady load after the warm-up (default 10)")
    parser.add_argument("--rate", type=float, default=5, help="messages a second in total (default 5)")
    parser.add_argument("--warmup", type=float, default=60, help="seconds at the same rate before the baseline (60)")
    args = parser.parse_args(argv)
    (OUT / "soak").mkdir(parents=True, exist_ok=True)
    print(
        f"==> {args.servers} Rasa server(s) behind HAProxy: {args.rate} messages/s, {args.warmup:.0f} s warm-up, "
        f"then {args.minutes} min",
        flush=True,
    )
    # The cluster's log in a directory of its own, apart from those of the other benchmarks run alongside.
    with cluster(args.servers, OUT / "soak") as front:
        script = learn_script(front)
        print(
            f"    a screening is {len(script)} messages: one participant starts every {len(script) / args.rate:.1f} s",
            flush=True,
        )
        wanted = roles(front, args.servers)
        rows = asyncio.run(soak(front, script, wanted, args.rate, args.warmup, args.minutes))
    growths = {role.name: growth(rows, role.name) for role in wanted}
    within, worst = report(growths)
    (OUT / "soak.json").write_text(
        json.dumps(
            {
                "servers": args.servers,
                "rate_per_s": args.rate,
                "warmup_s": args.warmup,
                "minutes": args.minutes,
                "script_messages": len(script),
                "limit_pct": GROWTH_LIMIT_PCT,
                "rows": rows,
                "growth": growths,
                "within_limit": within,
                "worst": worst,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
