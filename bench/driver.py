"""Simulated participants sending a fixed script of messages over Rasa's REST webhook.

The driver never asks the tracker what is pending: that would be extra load on the server being measured.
Each participant replays the same script (one "screening") under a fresh sender id, so the only requests
the server sees are the ones a real participant would send.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from typing import Sequence

import aiohttp

REQUEST_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Load:
    participants: int
    screenings_each: int
    max_duration_s: float  # participants stop at this deadline even mid-screening


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)  # sender ids whose whole script got answers
    errors: int = 0
    elapsed_s: float = 0.0

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, pct: float) -> float:
        """Nearest-rank percentile of the per-message latency, in ms."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]

    def messages_per_s(self) -> float:
        return self.messages / self.elapsed_s if self.elapsed_s else math.nan

    def screenings_per_min(self, messages_per_screening: int) -> float:
        """Screenings a minute at the measured message rate. Counting only screenings finished inside the
        window would read 0 whenever 20 participants cannot each finish one within it."""
        return self.messages_per_s() * 60 / messages_per_screening


async def _participant(
    session: aiohttp.ClientSession,
    webhook: str,
    script: Sequence[str],
    name: str,
    load: Load,
    deadline: float,
    outcome: Outcome,
) -> None:
    for number in range(load.screenings_each):
        sender = f"{name}-s{number}"
        for message in script:
            if time.monotonic() >= deadline:
                return
            start = time.perf_counter()
            try:
                async with session.post(webhook, json={"sender": sender, "message": message}) as response:
                    response.raise_for_status()
                    await response.json()
            except (aiohttp.ClientError, asyncio.TimeoutError):
                # A failed turn leaves the conversation out of step with the script: abandon this screening.
                outcome.errors += 1
                break
            outcome.latencies_ms.append((time.perf_counter() - start) * 1000)
        else:
            outcome.completed.append(sender)


async def _drive(base_url: str, script: Sequence[str], load: Load, prefix: str) -> Outcome:
    outcome = Outcome()
    webhook = f"{base_url}/webhooks/rest/webhook"
    connector = aiohttp.TCPConnector(limit=load.participants)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.monotonic()
        deadline = start + load.max_duration_s
        await asyncio.gather(
            *(
                _participant(session, webhook, script, f"{prefix}-p{index}", load, deadline, outcome)
                for index in range(load.participants)
            )
        )
        outcome.elapsed_s = time.monotonic() - start
    return outcome


def drive(base_url: str, script: Sequence[str], load: Load, prefix: str) -> Outcome:
    """Run `load.participants` participants at once, each replaying `script` up to `load.screenings_each`
    times, until done or `load.max_duration_s` has passed. Sender ids start with `prefix`."""
    return asyncio.run(_drive(base_url, script, load, prefix))
