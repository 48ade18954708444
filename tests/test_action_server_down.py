"""While the action server is down (killed, restarting), the Rasa server still answers every message by itself:
an answer is asked for again, not lost in silence, and a crisis message gets the crisis lines in full and is
escalated by the event broker in the Rasa server. Once the action server is back, the same answer is taken,
once. Real servers over REST; the action server is killed with SIGKILL and started again by the test."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests
import sqlalchemy as sa

from bench.procs import Role, find
from bot.messages import ACTION_FAILED
from bot.store import crud
from bot.store.db import session_scope
from bot.store.models import Answer, Escalation
from harness.conversation import texts
from harness.servers import BIN, ROOT, Servers, conversation, module_servers, wait_ready

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with module_servers(tmp_path_factory, "action-server-down") as running:
        yield running


def kill_action_server(servers: Servers) -> None:
    actions = Role("actions", "iop-intake", (("actions",),))
    pid = find(f"ACTIONS_PORT={servers.env['ACTIONS_PORT']}", [actions])["actions"]
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(f"{servers.actions_url}/health", timeout=1)
        except requests.ConnectionError:
            return
        time.sleep(0.1)
    raise AssertionError("the action server still answers after SIGKILL")


def start_action_server(servers: Servers, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(BIN / "iop-intake"), "actions"],
        cwd=ROOT,
        env=servers.env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_ready(f"{servers.actions_url}/health", proc, 120, log)
    return proc


def stored_answers(servers: Servers, sender: str) -> dict[str, str]:
    with session_scope(servers.env["DATABASE_URL"]) as session:
        screening = crud.latest_screening(session, conversation_id=conversation(sender))
        assert screening is not None
        return dict(
            session.execute(
                sa.select(Answer.question_key, Answer.raw_text).where(Answer.screening_id == screening.id)
            ).all()
        )


def test_no_message_meets_silence_while_the_action_server_is_down(servers: Servers, tmp_path: Path) -> None:
    sender = "action-server-down"
    servers.send(sender, "hi")
    servers.send(sender, "yes")
    assert servers.requested(sender) == "for_whom"
    kill_action_server(servers)
    restarted = None
    try:
        assert texts(servers.send(sender, "for myself")) == ACTION_FAILED
        crisis = texts(servers.send(sender, "I'm going to kill myself tonight"))
        assert "911" in crisis and "988" in crisis and "741741" in crisis
        assert "please don't wait for us" in crisis
        restarted = start_action_server(servers, tmp_path / "actions-restarted.log")
        # The form never took the answer: the same question is pending, and the answer now counts, once.
        assert servers.requested(sender) == "for_whom"
        assert "first name" in texts(servers.send(sender, "for myself")).lower()
        assert servers.requested(sender) == "first_name"
        assert stored_answers(servers, sender) == {"consent": "yes", "for_whom": "for myself"}
    finally:
        if restarted is not None:
            os.killpg(restarted.pid, signal.SIGTERM)
            restarted.wait(timeout=20)
    with session_scope(servers.env["DATABASE_URL"]) as session:
        escalations = session.execute(
            sa.select(Escalation.severity, Escalation.trigger_text).where(
                Escalation.conversation_id == conversation(sender)
            )
        ).all()
    assert escalations == [("high", "I'm going to kill myself tonight")]  # opened without the action server
