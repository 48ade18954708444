"""Crisis detector benchmark (not a test): latency per message, and decisions on the development set.

    python -m bench.crisis_detector [--dev PATH] [--model models/X.tar.gz] [--threshold 0.7]

Prints the time to build the pipeline, p50 / p95 / mean / max milliseconds per message over the
development set and over short intake answers, and, when the development set is present, recall,
precision and false-positive rate of the rules alone. With --model, each message is also parsed by the
trained Rasa model: the intent classifier alone (its crisis confidence in the ranking, against --threshold: it
no longer decides anything, shown for comparison), and the bot's actual decision (the parsed intent is
`crisis`; the check-in tier asked directly). Then the learned model's held-out figures and latency
(bench.crisis_model).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from bench import crisis_model
from bot.safety.detector import detect, warm_up
from bot.safety.scan import Message, Scores, read_messages, report
from bot.settings import ROOT

DEV_SET = ROOT.parent / "shared" / "eval" / "crisis_dev.jsonl"
ROUNDS = 5
# What most messages in a screening look like: answers to questions.
SHORT_MESSAGES = (
    "yes",
    "no",
    "maybe",
    "3",
    "not sure",
    "skip",
    "Aetna",
    "tuesday mornings",
    "several days",
    "nearly every day",
    "I'm 34",
    "she/her",
    "what is an IOP?",
    "can I talk to a person",
    "why do you ask?",
    "ok thanks",
    "bye",
    "more than half the days",
    "I work nights",
    "my daughter is 12",
    "not at all",
    "kms",
    "I want to die",
)


def _latencies(texts: Sequence[str]) -> list[float]:
    timings = []
    for _ in range(ROUNDS):
        for text in texts:
            start = time.perf_counter()
            detect(text)
            timings.append((time.perf_counter() - start) * 1000)
    return sorted(timings)


def _line(name: str, timings: list[float]) -> str:
    p50 = timings[len(timings) // 2]
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return (
        f"{name:<22} n={len(timings):>5}  p50 {p50:6.3f}  p95 {p95:6.3f}  mean {statistics.mean(timings):6.3f}  "
        f"max {timings[-1]:6.3f} ms"
    )


def _score(messages: Sequence[Message], decide: Callable[[Message], bool]) -> Scores:
    scores = Scores()
    for message in messages:
        scores.add(message, decide(message))
    return scores


async def _parse_all(
    model: str, messages: Sequence[Message]
) -> tuple[dict[str, float], dict[str, bool], dict[str, bool]]:
    """Per message: the intent classifier's crisis confidence, whether the bot's NLU pipeline decided `crisis`,
    and whether it asked for the check-in."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa's structlog prints every parse at debug level, message text included, unless configured as its
    # CLI does: the benchmark's terminal gets INFO and above.
    configure_structlog(logging.INFO)
    agent = Agent.load(model)
    confidences, decided, checked = {}, {}, {}
    for message in messages:
        parsed = await agent.parse_message(message.text)
        ranking = {i["name"]: i["confidence"] for i in parsed.get("intent_ranking", [])}
        confidences[message.id] = ranking.get("crisis", 0.0)
        decided[message.id] = (parsed.get("intent") or {}).get("name") == "crisis"
        checked[message.id] = (parsed.get("crisis") or {}).get("tier") == "check_in"
    return confidences, decided, checked


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    parser.add_argument("--model", help="a trained model (models/*.tar.gz) to OR with")
    parser.add_argument("--threshold", type=float, default=0.7, help="a bar for the classifier-alone figures")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    warm_up()
    print(f"pipeline built in {(time.perf_counter() - start) * 1000:.0f} ms")
    messages = list(read_messages(args.dev.open(encoding="utf-8"))) if args.dev.exists() else []
    for text in SHORT_MESSAGES + tuple(m.text for m in messages):
        detect(text)  # first calls fill caches; time the steady state
    if messages:
        print(_line("development set", _latencies([m.text for m in messages])))
    print(_line("short messages", _latencies(SHORT_MESSAGES)))
    if not messages:
        print(f"no development set at {args.dev}: decisions not measured")
        return 0

    rules = {m.id: detect(m.text).crisis for m in messages}
    print(f"\nrules alone on {args.dev.name}\n{report(_score(messages, lambda m: rules[m.id]))}")
    if args.model:
        confidence, pipeline, checked = asyncio.run(_parse_all(args.model, messages))
        by_classifier = {key: value >= args.threshold for key, value in confidence.items()}
        print(
            f"\nintent classifier alone (crisis >= {args.threshold}; it decides nothing now)\n"
            f"{report(_score(messages, lambda m: by_classifier[m.id]))}"
        )
        scores = Scores()
        for message in messages:
            scores.add(message, pipeline[message.id], checked[message.id])
        print(f"\nthe bot's NLU pipeline (parsed intent is crisis; check-in tier)\n{report(scores)}")
    return crisis_model.run(args.dev.parent, short=SHORT_MESSAGES)


if __name__ == "__main__":
    raise SystemExit(main())
