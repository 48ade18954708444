"""The short version of bench/faults.py: two Rasa servers behind HAProxy, two participants on each of REST, the
widget and SMS (one of each writes a crisis message), a Rasa server killed with SIGKILL a quarter of the way
through and the action server and the worker at 60%, each started again by scripts/cluster. Every answer a
participant got a reply to is stored once with the text sent, every crisis message made one escalation paged
once, and every acknowledged text was answered once. Skipped without PostgreSQL, Redis, RabbitMQ or haproxy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.faults import run
from harness.servers import newest_model
from tests.test_cluster import services_missing

pytestmark = pytest.mark.e2e


def test_nothing_is_lost_or_doubled_when_servers_are_killed_mid_load(tmp_path: Path) -> None:
    missing = services_missing() or (None if shutil.which("haproxy") else "haproxy is not installed")
    if missing:
        pytest.skip(f"the fault test needs the cluster's services: {missing}")
    if newest_model() is None:
        pytest.fail("no trained model: run the tests through `make test`, which trains it")
    report = run(2, (0.25, 0.6), tmp_path, database="iop_faults_test")
    assert report.problems == []
    assert [kill.what for kill in report.kills] == ["Rasa server 1", "action server", "worker"]
    assert len(report.restarts) >= 3, report.restarts  # scripts/cluster started each one again
    assert report.escalations == report.pages == 3
    assert report.checked_answers > 6 * 10
