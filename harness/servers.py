"""Start the real Rasa server and action server for end-to-end tests, on free ports and throw-away databases.

Tests name REST conversations as a caller does ("e2e-1"); the REST channel keeps them in its own namespace
("rest-e2e-1"), so whatever reads a conversation back (tracker, database) goes through `conversation()`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Sequence

import pytest
import requests

from bot.channels.access import rest_conversation_id

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def newest_model() -> Optional[Path]:
    given = os.environ.get("IOP_MODEL")
    if given:
        return Path(given)
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def conversation(sender: str) -> str:
    """The conversation id of a REST sender as a test names it ("e2e-1" -> "rest-e2e-1"); the ids the widget
    ("web-") and SMS ("sms-") channels issue are their own."""
    if sender.startswith(("web-", "sms-")):
        return sender
    conversation_id = rest_conversation_id(sender)
    assert conversation_id is not None, f"not a REST sender id: {sender!r}"
    return conversation_id


@dataclass
class Servers:
    rasa_url: str
    token: str
    env: dict
    console_url: Optional[str] = None  # with running_servers(..., console=True)
    actions_url: str = ""

    def send(self, sender: str, message: str) -> list[dict]:
        rest_token = self.env.get("REST_CHANNEL_TOKEN")
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=30,
            headers={"Authorization": f"Bearer {rest_token}"} if rest_token else {},
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        """The tracker of a REST sender's conversation, or of a widget or SMS conversation by its id."""
        response = requests.get(
            f"{self.rasa_url}/conversations/{conversation(sender)}/tracker", params={"token": self.token}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def requested(self, sender: str) -> Optional[str]:
        tracker = self.tracker(sender)
        if not (tracker.get("active_loop") or {}).get("name"):
            return None
        return tracker["slots"].get("requested_slot")


def wait_ready(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early; log:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server not ready after {timeout} s; log:\n{log.read_text()[-4000:]}")


STAFF_TOKEN = "e2e-staff-token"
ACTIONS_TOKEN = "e2e-action-server-token"


@contextmanager
def running_servers(
    workdir: Path, model: Path, extra_env: Optional[dict] = None, *, console: bool = False
) -> Iterator[Servers]:
    """The action and Rasa servers (and with `console`, the console serving the widget) until the block ends."""
    rasa_port, actions_port, console_port = free_port(), free_port(), free_port()
    token = "e2e-test-token"
    env = {
        **os.environ,
        "IOP_ENV": "test",
        "DATABASE_URL": f"sqlite:///{workdir / 'app.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "ACTIONS_PORT": str(actions_port),
        "ACTION_SERVER_TOKEN": ACTIONS_TOKEN,
        # Tests send as fast as the bot answers, all from 127.0.0.1: limits far above that, unless a test asks.
        "RATE_LIMIT_PER_CONVERSATION": "100000",
        "RATE_LIMIT_PER_ADDRESS": "100000",
        "RASA_AUTH_TOKEN": token,
        "STAFF_API_TOKEN": STAFF_TOKEN,
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "CONSOLE_PORT": str(console_port),
        "RASA_INTERFACE": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        **(extra_env or {}),
    }
    subprocess.run([str(BIN / "iop-intake"), "db", "upgrade"], env=env, cwd=ROOT, check=True)
    procs: list[subprocess.Popen] = []
    try:
        actions_log = workdir / "actions.log"
        procs.append(
            subprocess.Popen(
                [str(BIN / "iop-intake"), "actions"],
                cwd=ROOT,
                env=env,
                stdout=actions_log.open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        rasa_log = workdir / "rasa.log"
        procs.append(
            subprocess.Popen(
                [
                    str(BIN / "rasa"),
                    "run",
                    "--model",
                    str(model),
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(rasa_port),
                    "--enable-api",
                    "--auth-token",
                    token,
                    "--endpoints",
                    "endpoints.yml",
                    "--credentials",
                    "credentials.yml",
                ],
                cwd=ROOT,
                env=env,
                stdout=rasa_log.open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        console_url = f"http://127.0.0.1:{console_port}" if console else None
        if console:
            console_log = workdir / "console.log"
            procs.append(
                subprocess.Popen(
                    [str(BIN / "iop-intake"), "console"],
                    cwd=ROOT,
                    env=env,
                    stdout=console_log.open("w"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        wait_ready(f"http://127.0.0.1:{actions_port}/health", procs[0], 120, actions_log)
        wait_ready(f"http://127.0.0.1:{rasa_port}/status?token={token}", procs[1], 240, rasa_log)
        if console:
            wait_ready(f"{console_url}/demo", procs[2], 60, console_log)
        yield Servers(f"http://127.0.0.1:{rasa_port}", token, env, console_url, f"http://127.0.0.1:{actions_port}")
    finally:
        stop(procs)


@contextmanager
def module_servers(tmp_path_factory: pytest.TempPathFactory, name: str, **options: object) -> Iterator[Servers]:
    """`running_servers` for one test module, with the newest trained model (none is a failure, not a skip)."""
    model = newest_model()
    if model is None:
        pytest.fail("no trained model: run the tests through `make test`, which trains it")
    with running_servers(tmp_path_factory.mktemp(name), model, **options) as running:  # type: ignore[arg-type]
        yield running


def stop(procs: Sequence[subprocess.Popen], timeout: float = 20) -> None:
    """SIGTERM to each process group still running, then SIGKILL to any not gone within `timeout` seconds."""
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
