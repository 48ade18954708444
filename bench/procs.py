"""Processes the benchmark starts and measures: timed training runs, the stock Rasa server, memory."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, Sequence


from tests.support.servers import BIN, free_port, wait_ready

STOCK_TOKEN = "bench-stock-token"


def timed_run(args: Sequence[str], *, cwd: Path, env: dict, log: Path, timeout_s: float) -> float:
    """Run a command to completion (output to `log`) and return its wall-clock seconds."""
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(list(args), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
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
            [str(BIN / "rasa"), "run", "--model", "models", "--interface", "127.0.0.1", "--port", str(port),
             "--enable-api",
             "--auth-token", STOCK_TOKEN, "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
            cwd=project_dir, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_ready(f"http://127.0.0.1:{port}/status?token={STOCK_TOKEN}", proc, 240, log)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
