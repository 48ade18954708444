"""Processes the benchmark starts and measures: timed training runs, the stock Rasa server, memory."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Sequence

from harness.servers import BIN, free_port, stop, wait_ready

STOCK_TOKEN = "bench-stock-token"


def timed_run(args: Sequence[str], *, cwd: Path, env: dict, log: Path, timeout_s: float) -> float:
    """Run a command to completion (output to `log`) and return its wall-clock seconds."""
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            list(args), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = proc.wait(timeout=timeout_s)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    if code != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({code}); log:\n{log.read_text()[-4000:]}")
    return time.monotonic() - start


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name in field 2 may hold spaces: the parent pid is the 2nd field after ")".
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process exited while we looked
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of a process and all its descendants, in MB."""
    tree, pending, total_kb = _children(), [pid], 0
    while pending:
        current = pending.pop()
        pending.extend(tree.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


@dataclass(frozen=True)
class Role:
    """One process of the cluster: its program and argument runs that must each appear in its command line."""

    name: str
    program: str
    args: tuple[tuple[str, ...], ...]


def _runs(argv: list[str], role: Role) -> bool:
    """Whether `argv` is the role's real process. A console script's argv is [python, script, ...]; a bash
    restart loop around it is not matched, since its own argv names bash."""
    start = 1 if argv and Path(argv[0]).name.startswith("python") else 0
    if len(argv) <= start or Path(argv[start]).name != role.program:
        return False
    rest = "\0" + "\0".join(argv[start + 1 :]) + "\0"
    return all("\0" + "\0".join(run) + "\0" in rest for run in role.args)


def find(marker: str, wanted: Sequence[Role]) -> dict[str, Optional[int]]:
    """Each role's pid among the processes with `marker` (NAME=value) in their environment, None when it is not
    running (between restarts, say): a cluster's processes carry its CLUSTER_PORT, a test's servers their ports."""
    needle = f"\0{marker}\0".encode()
    tree = _children()
    parent = {child: ppid for ppid, kids in tree.items() for child in kids}
    matches: dict[str, set[int]] = {role.name: set() for role in wanted}
    for pid in itertools.chain.from_iterable(tree.values()):
        try:
            if needle not in b"\0" + Path(f"/proc/{pid}/environ").read_bytes():
                continue
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").rstrip("\0").split("\0")
        except OSError:
            continue  # exited, or not ours
        for role in wanted:
            if _runs(argv, role):
                matches[role.name].add(pid)
    # A forked child keeps its parent's command line: the topmost match is the process (tree_rss_mb adds children).
    return {name: next((pid for pid in pids if parent.get(pid) not in pids), None) for name, pids in matches.items()}


def child_with_args(*needles: str) -> int:
    """The pid of this process's direct child whose command line holds every one of `needles` in order."""
    for pid in _children().get(os.getpid(), []):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        if "\0{}\0".format("\0".join(needles)) in "\0{}\0".format("\0".join(args)):
            return pid
    raise LookupError(f"no child process with arguments {needles}")


@contextmanager
def stock_server(project_dir: Path, env: dict) -> Iterator[tuple[str, int]]:
    """`rasa run` for a `rasa init` project (in-memory tracker store, no action server).

    Yields the base URL and the server's pid; stops its whole process group on exit."""
    port = free_port()
    log = project_dir / "rasa.log"
    proc: Optional[subprocess.Popen] = None
    try:
        proc = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "run",
                "--model",
                "models",
                "--interface",
                "127.0.0.1",
                "--port",
                str(port),
                "--enable-api",
                "--auth-token",
                STOCK_TOKEN,
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
            ],
            cwd=project_dir,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_ready(f"http://127.0.0.1:{port}/status?token={STOCK_TOKEN}", proc, 240, log)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        if proc is not None:
            stop([proc])
