"""`make bench`: training time, REST latency and throughput, and Rasa memory of this project's bot next to
Rasa's stock `rasa init` bot, printed as a table against the targets, written to bench/out/results.json and
into docs/benchmarks.md's "Latest `make bench`" section (commit it with the change it measures).

Phases run one after another so they never compete for the CPU: train the project, train the stock bot,
then serve and drive the project bot, then serve and drive the stock bot.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from bench.driver import Load, Outcome, drive
from bench.procs import child_with_args, stock_server, timed_run, tree_rss_mb
from harness.conversation import LIKELY_FIT, answer_until_done
from harness.servers import BIN, ROOT, conversation, running_servers

OUT = ROOT / "bench" / "out"
REPORT = ROOT / "docs" / "benchmarks.md"
# The part of REPORT that each run replaces; everything else in it is written by hand.
BEGIN, END = "<!-- make bench: begin -->", "<!-- make bench: end -->"
# One message per intent of the stock moodbot's domain, cycled to the length of a project screening.
STOCK_MESSAGES = ("hi", "great", "yes", "no", "I am sad", "are you a bot?", "bye")
TRAIN_TIMEOUT_S = 600


@dataclass(frozen=True)
class Settings:
    idle_screenings: int
    participants: int
    screenings_each: int
    load_duration_s: float


@dataclass(frozen=True)
class Figures:
    training_s: float
    messages_per_screening: int
    idle_messages: int
    idle_p50_ms: float
    idle_p95_ms: float
    idle_p99_ms: float
    load_messages: int
    load_errors: int
    load_elapsed_s: float
    load_screenings_completed: int
    load_messages_per_s: float
    load_screenings_per_min: float
    load_p50_ms: float
    load_p95_ms: float
    load_p99_ms: float
    rasa_rss_mb: float


@dataclass(frozen=True)
class Target:
    figure: str
    text: str
    passed: Callable[[Figures, Figures], bool]
    missed_by: Callable[[Figures, Figures], str]


TARGETS = (
    Target(
        "training_s",
        "project training < 90 s",
        lambda p, s: p.training_s < 90,
        lambda p, s: f"{p.training_s - 90:.1f} s over",
    ),
    Target(
        "idle_p50_ms",
        "project idle p50 < 50 ms",
        lambda p, s: p.idle_p50_ms < 50,
        lambda p, s: f"{p.idle_p50_ms - 50:.1f} ms over",
    ),
    Target(
        "load_messages_per_s",
        "throughput at 20 concurrent >= 2x stock",
        lambda p, s: p.load_messages_per_s >= 2 * s.load_messages_per_s,
        lambda p, s: f"{p.load_messages_per_s / s.load_messages_per_s:.2f}x stock, 2x needed",
    ),
    Target(
        "rasa_rss_mb",
        "project Rasa RSS < 900 MB",
        lambda p, s: p.rasa_rss_mb < 900,
        lambda p, s: f"{p.rasa_rss_mb - 900:.0f} MB over",
    ),
)


def bench_env(cache: Path) -> dict:
    # A fresh cache directory: training from scratch, never reusing .rasa/cache.
    return {
        **os.environ,
        "RASA_CACHE_DIRECTORY": str(cache),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
    }


def train_project() -> float:
    with tempfile.TemporaryDirectory(prefix="iop-bench-train-") as tmp:
        return timed_run(
            [
                str(BIN / "rasa"),
                "train",
                "--config",
                "config.yml",
                "--domain",
                "domain.yml",
                "--data",
                "data/nlu",
                "data/rules",
                "--out",
                str(Path(tmp) / "models"),
            ],
            cwd=ROOT,
            env=bench_env(Path(tmp) / "cache"),
            log=OUT / "train-project.log",
            timeout_s=TRAIN_TIMEOUT_S,
        )


def init_stock(project_dir: Path) -> float:
    """`rasa init --no-prompt` into a fresh folder; it scaffolds the moodbot and trains it (DIET + TED)."""
    shutil.rmtree(project_dir, ignore_errors=True)
    project_dir.mkdir(parents=True)
    return timed_run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project_dir)],
        cwd=project_dir,
        env=bench_env(project_dir / ".rasa" / "cache"),
        log=OUT / "init-stock.log",
        timeout_s=TRAIN_TIMEOUT_S,
    )


def figures(training_s: float, script: Sequence[str], idle: Outcome, load: Outcome, rss_mb: float) -> Figures:
    return Figures(
        training_s=training_s,
        messages_per_screening=len(script),
        idle_messages=idle.messages,
        idle_p50_ms=idle.percentile(50),
        idle_p95_ms=idle.percentile(95),
        idle_p99_ms=idle.percentile(99),
        load_messages=load.messages,
        load_errors=load.errors,
        load_elapsed_s=load.elapsed_s,
        load_screenings_completed=len(load.completed),
        load_messages_per_s=load.messages_per_s(),
        load_screenings_per_min=load.screenings_per_min(len(script)),
        load_p50_ms=load.percentile(50),
        load_p95_ms=load.percentile(95),
        load_p99_ms=load.percentile(99),
        rasa_rss_mb=rss_mb,
    )


def idle_and_load(base_url: str, script: Sequence[str], settings: Settings, prefix: str) -> tuple[Outcome, Outcome]:
    # Idle: one participant at a time; bounded in time too, in case the server is far slower than expected.
    idle = drive(base_url, script, Load(1, settings.idle_screenings, 300), f"{prefix}-idle")
    print(f"    idle: {idle.messages} messages, p50 {idle.percentile(50):.1f} ms", flush=True)
    load = drive(
        base_url,
        script,
        Load(settings.participants, settings.screenings_each, settings.load_duration_s),
        f"{prefix}-load",
    )
    print(
        f"    load: {load.messages} messages in {load.elapsed_s:.1f} s, {len(load.completed)} screenings, "
        f"{load.errors} errors",
        flush=True,
    )
    return idle, load


def stored_completed(env: dict, senders: Sequence[str]) -> int:
    """How many of `senders` the application database holds as completed screenings: proof that the fixed
    script, replayed without looking at the tracker, really drove each screening to its end."""
    out = subprocess.run(
        [str(BIN / "iop-intake"), "export"], env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=120
    ).stdout
    wanted = {conversation(sender) for sender in senders}  # the REST channel's own namespace (rest-...)
    rows = (json.loads(line) for line in out.splitlines() if line.strip())
    return sum(1 for row in rows if row["conversation_id"] in wanted and row["status"] == "completed")


def bench_project(model: Path, settings: Settings, training_s: float) -> tuple[Figures, int, int]:
    """The project's figures, and how many of the screenings the driver completed (idle and load) the
    application database holds as completed, out of how many."""
    workdir = OUT / "project"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    with running_servers(workdir, model) as servers:
        # The one screening that looks at the tracker: it learns the order of questions, and warms up.
        servers.send("bench-order", "hi")
        asked, _ = answer_until_done(servers, "bench-order", LIKELY_FIT)
        script = ["hi", *(LIKELY_FIT[key] for key in asked)]
        print(f"    script: {len(script)} messages per screening", flush=True)
        idle, load = idle_and_load(servers.rasa_url, script, settings, "bench-project")
        rasa_pid = child_with_args("--port", servers.rasa_url.rsplit(":", 1)[1])
        rss = tree_rss_mb(rasa_pid)
        stored = stored_completed(servers.env, [*idle.completed, *load.completed])
    return figures(training_s, script, idle, load, rss), stored, len(idle.completed) + len(load.completed)


def bench_stock(project_dir: Path, settings: Settings, training_s: float, length: int) -> Figures:
    script = [STOCK_MESSAGES[index % len(STOCK_MESSAGES)] for index in range(length)]
    with stock_server(project_dir, bench_env(project_dir / ".rasa" / "cache")) as (url, pid):
        drive(url, script, Load(1, 1, 120), "bench-stock-warmup")
        idle, load = idle_and_load(url, script, settings, "bench-stock")
        rss = tree_rss_mb(pid)
    return figures(training_s, script, idle, load, rss)


def _fmt(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "n/a"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"


def table(project: Figures, stock: Figures) -> str:
    rows = [("figure", "project", "stock", "ratio")]
    for name, value in asdict(project).items():
        other = getattr(stock, name)
        rows.append((name, _fmt(value), _fmt(other), f"{value / other:.2f}" if other else "n/a"))
    widths = [max(len(row[col]) for row in rows) for col in range(4)]
    lines = [
        "  ".join(
            cell.ljust(width) if col == 0 else cell.rjust(width)
            for col, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def verdicts(project: Figures, stock: Figures) -> list[dict]:
    return [
        {
            "target": target.text,
            "figure": target.figure,
            "passed": target.passed(project, stock),
            "missed_by": None if target.passed(project, stock) else target.missed_by(project, stock),
        }
        for target in TARGETS
    ]


def report(
    when: str, settings: Settings, project: Figures, stock: Figures, results: Sequence[dict], stored: int, replayed: int
) -> str:
    """The run as Markdown: what ran, the table and the verdicts, as printed."""
    verdict_lines = [
        f"- {'PASS' if r['passed'] else 'MISS'} {r['target']}" + (f" ({r['missed_by']})" if r["missed_by"] else "")
        for r in results
    ]
    return "\n".join(
        [
            f"{when}, {os.cpu_count()} CPUs: {settings.participants} concurrent participants for up to "
            f"{settings.load_duration_s:.0f} s, {settings.screenings_each} screenings each; "
            f"{settings.idle_screenings} screenings one at a time for the idle figures.",
            "",
            "```",
            table(project, stock),
            "```",
            "",
            *verdict_lines,
            f"- screenings replayed to the end and stored as completed: {stored} of {replayed}",
        ]
    )


def write_report(path: Path, text: str) -> None:
    """Replace what lies between the markers in `path`, keeping the hand-written rest."""
    document = path.read_text()
    head, found, rest = document.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise ValueError(f"{path} lacks the lines {BEGIN} and {END}")
    path.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="the project's trained model (.tar.gz)")
    parser.add_argument("--idle-screenings", type=int, default=5)
    parser.add_argument("--participants", type=int, default=20)
    parser.add_argument("--screenings-each", type=int, default=3)
    parser.add_argument("--load-seconds", type=float, default=60)
    args = parser.parse_args(argv)
    settings = Settings(args.idle_screenings, args.participants, args.screenings_each, args.load_seconds)
    OUT.mkdir(parents=True, exist_ok=True)
    stock_dir = OUT / "stock"

    print("==> training the project from scratch", flush=True)
    project_training = train_project()
    print(f"    {project_training:.1f} s", flush=True)
    print("==> rasa init (stock moodbot, trains DIET + TED)", flush=True)
    stock_training = init_stock(stock_dir)
    print(f"    {stock_training:.1f} s", flush=True)
    print(f"==> project bot: idle, then {settings.participants} concurrent participants", flush=True)
    project, stored, replayed = bench_project(args.model.resolve(), settings, project_training)
    print(f"==> stock bot: idle, then {settings.participants} concurrent participants", flush=True)
    stock = bench_stock(stock_dir, settings, stock_training, project.messages_per_screening)

    results = verdicts(project, stock)
    print()
    print(table(project, stock))
    print()
    for result in results:
        print(
            f"{'PASS' if result['passed'] else 'MISS'}  {result['target']}"
            + (f"  ({result['missed_by']})" if result["missed_by"] else "")
        )
    print(f"      screenings replayed to the end and stored as completed: {stored} of {replayed}")
    (OUT / "results.json").write_text(
        json.dumps(
            {
                "settings": asdict(settings),
                "cpus": os.cpu_count(),
                "project": asdict(project),
                "stock": asdict(stock),
                "project_screenings_replayed": replayed,
                "project_screenings_stored_completed": stored,
                "targets": results,
            },
            indent=2,
        )
        + "\n"
    )
    write_report(
        REPORT,
        report(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), settings, project, stock, results, stored, replayed),
    )
    print(f"\nwritten: {(OUT / 'results.json').relative_to(ROOT)}, {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
