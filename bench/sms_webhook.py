"""SMS webhook benchmark (not a test): how fast the channel acknowledges Twilio with many people texting.

    python -m bench.sms_webhook [--model models/X.tar.gz] [--senders 20] [--duration 60]

Starts the real Rasa and action servers with the SMS channel on and a local fake of Twilio's REST API,
then has `--senders` people text at once, each through a screening: every message signed like Twilio's,
the next one sent when the bot's reply has reached the fake and no more texts came for 0.3 s (as a
person would answer). Prints the
webhook acknowledgement latency (p50 / p95 / p99, target p95 < 100 ms: Twilio allows 15 s) and, for
context, how long the first reply text took to reach Twilio.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import aiohttp
from cryptography.fernet import Fernet

from bot.program import load_program
from bot.screening import QUESTIONS, required
from harness.conversation import LIKELY_FIT
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio, inbound, sign
from harness.servers import newest_model, running_servers

PUBLIC = "https://intake.example.org/webhooks/sms"
AREAS = ("503", "360", "541", "971", "458")  # with 555-0100..0199: fictional numbers only
REPLY_TIMEOUT_S = 30.0
TARGET_P95_MS = 100.0
QUIET_S = 0.3


@dataclass
class Figures:
    acks_ms: list[float] = field(default_factory=list)
    replies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    no_reply: int = 0
    elapsed_s: float = 0.0


def percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def screening_script() -> list[str]:
    """What one person texts: hello, then the answers of a likely-fit screening in the order asked."""
    answers = {key: QUESTIONS[key].parse(text).value for key, text in LIKELY_FIT.items()}
    return ["hi", *(LIKELY_FIT[key] for key in required(answers, load_program()) if key in LIKELY_FIT)]


def numbers() -> list[str]:
    return [f"+1{area}5550{n:03d}" for area in AREAS for n in range(100, 200)]


async def _read_all(twilio: FakeTwilio, number: str) -> None:
    """A reply can be several texts: answer once they have all arrived (none for QUIET_S), as a person would."""
    seen = twilio.counts.get(number, 0)
    while True:
        await asyncio.sleep(QUIET_S)
        now = twilio.counts.get(number, 0)
        if now == seen:
            return
        seen = now


async def _sender(
    http: aiohttp.ClientSession,
    webhook: str,
    twilio: FakeTwilio,
    phones: list[str],
    script: Sequence[str],
    deadline: float,
    figures: Figures,
) -> None:
    while phones and time.monotonic() < deadline:
        number = phones.pop()
        for text in script:
            if time.monotonic() >= deadline:
                return
            form = inbound(number, text)
            headers = {"X-Twilio-Signature": sign(f"{PUBLIC}/webhook", form)}
            before = twilio.counts.get(number, 0)
            start = time.perf_counter()
            try:
                async with http.post(webhook, data=form, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ok = False
            acked = time.perf_counter()
            if not ok:
                figures.errors += 1
                break
            figures.acks_ms.append((acked - start) * 1000)
            while twilio.counts.get(number, 0) == before:
                if time.perf_counter() - start > REPLY_TIMEOUT_S:
                    figures.no_reply += 1
                    break
                await asyncio.sleep(0.005)
            else:
                figures.replies_ms.append((time.perf_counter() - start) * 1000)
                await _read_all(twilio, number)


async def _drive(base_url: str, twilio: FakeTwilio, senders: int, duration_s: float) -> Figures:
    figures, phones, script = Figures(), numbers(), screening_script()
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=senders), timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S)
    ) as http:
        start = time.monotonic()
        await asyncio.gather(
            *(
                _sender(http, f"{base_url}/webhooks/sms/webhook", twilio, phones, script, start + duration_s, figures)
                for _ in range(senders)
            )
        )
        figures.elapsed_s = time.monotonic() - start
    return figures


def run(model: Path, senders: int, duration_s: float) -> Figures:
    with FakeTwilio().serving() as twilio, tempfile.TemporaryDirectory(prefix="sms-bench-") as work:
        env = {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_API_URL": twilio.url,
            "SMS_PUBLIC_URL": PUBLIC,
            "SMS_ID_KEY": "bench-sms-id-key-" + "b" * 24,
            "SMS_NUMBER_KEY": Fernet.generate_key().decode(),
        }
        with running_servers(Path(work), model, extra_env=env) as servers:
            return asyncio.run(_drive(servers.rasa_url, twilio, senders, duration_s))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="trained model (default: the newest in models/)")
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    args = parser.parse_args(argv)
    model = args.model or newest_model()
    if model is None:
        parser.error("no trained model: run scripts/train first")
    figures = run(model, args.senders, args.duration)
    p95 = percentile(figures.acks_ms, 95)
    print(
        f"SMS webhook, {args.senders} concurrent senders, {figures.elapsed_s:.0f} s: {len(figures.acks_ms)} messages "
        f"({len(figures.acks_ms) / figures.elapsed_s:.1f}/s), {figures.errors} errors, {figures.no_reply} unanswered"
    )
    print(
        f"  acknowledgement p50 / p95 / p99: {percentile(figures.acks_ms, 50):.1f} / {p95:.1f} / "
        f"{percentile(figures.acks_ms, 99):.1f} ms  (target p95 < {TARGET_P95_MS:.0f} ms: "
        f"{'met' if p95 < TARGET_P95_MS else 'MISSED'})"
    )
    print(
        f"  first reply reaching Twilio p50 / p95: {percentile(figures.replies_ms, 50):.0f} / "
        f"{percentile(figures.replies_ms, 95):.0f} ms"
    )
    return 0 if figures.acks_ms and not figures.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
