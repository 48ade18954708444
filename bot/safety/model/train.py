"""`iop-intake crisis train`: fit the head, measure it on held-out sources, write head.json and the report.

What it learns from: every message of ../shared/eval/crisis_train.jsonl, ../shared/eval/crisis_dev.jsonl
and tests/data/crisis_cases.jsonl (bot.safety.model.data). The binary head learns crisis/none from all
of them; the category head only from the crisis messages whose category is known (development set and
project cases), since the training corpus has no categories.

How it is measured (never on messages it learnt from): leave one group out. Each training source, the
development set and the project's cases is held out in turn, a head is fitted on the rest and scores
it. The thresholds that score a held-out group are chosen without it too (on the other groups whose
labels were read message by message; forum-labelled sources are too noisy to set a rate on). The
final thresholds are chosen the same way on all of those groups' held-out scores.

The rules (bot.safety.detector) were written while reading the development set and the project's
cases, so on those two groups the rules' figures, and any combination with them, are not held out;
the report marks them and pools the combination's figures over the other groups only.

Deterministic: inputs sorted, Newton's method from zeros, no randomness; the same inputs give the same
bytes (floats written to 8 significant digits, no dates or timings).
"""
from __future__ import annotations

import json
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from bot.safety.model import data
from bot.safety.model.data import Example
from bot.safety.model.encoder import MAX_TOKENS, PACKAGE_PIN
from bot.safety.model.fit import fit_binary, fit_softmax
from bot.safety.model.head import CATEGORIES, HEAD_FILE, Head, Thresholds, rounded
from bot.safety.model.measure import (CATEGORY_RECALL, CHECK_IN_RATE, CRISIS_FPR, CRISIS_RECALL, Rate, Tiers,
                                      by_category, choose_thresholds, rate, summary)

REPORT_FILE = HEAD_FILE.with_name("training_report.json")
# L2 strength on standardised embeddings, picked from 10 / 100 / 300 / 1000 by pooled held-out recall at the
# false-positive target (300 and 1000 within 0.01 of each other; 10 lost 0.04).
STRENGTH = 300.0
CATEGORY_STRENGTH = 30.0  # not tuned: 639 messages in 8 categories, held-out accuracy in the report
# Rules that read their words as not counting (not a crisis, but the model may still say crisis).
DISCOUNTING_FLAGS = frozenset({"negated", "figurative", "historical"})
RULES_WRITTEN_ON = frozenset({data.DEV_GROUP, data.CASES_GROUP})
LARGEST_LOSSES = 30
POLICY = "rules_or_model_discounted"  # what bot.safety.model.tiers.assess does


@dataclass(frozen=True)
class Corpus:
    examples: list[Example]
    vectors: np.ndarray
    crisis: np.ndarray  # bool per example
    group: np.ndarray  # str per example
    noisy_groups: tuple[str, ...]

    @property
    def groups(self) -> list[str]:
        return sorted(set(self.group.tolist()))

    @property
    def threshold_pool(self) -> np.ndarray:
        """Groups labelled message by message: the ones rates and thresholds are set on."""
        return ~np.isin(self.group, self.noisy_groups)


def make_corpus(examples: list[Example], vectors: np.ndarray) -> Corpus:
    group = np.array([example.group for example in examples])
    noisy = tuple(sorted({example.group for example in examples if example.noisy}))
    return Corpus(examples, vectors, np.array([example.crisis for example in examples]), group, noisy)


def balanced_weights(crisis: np.ndarray) -> np.ndarray:
    """Crisis and none messages weigh the same in all (the corpus has 3 none for 2 crisis)."""
    weights = np.ones(len(crisis))
    for label in (True, False):
        chosen = crisis == label
        if chosen.any():
            weights[chosen] = len(crisis) / (2 * chosen.sum())
    return weights


def fit_crisis(vectors: np.ndarray, crisis: np.ndarray) -> tuple[np.ndarray, float]:
    return fit_binary(vectors, crisis.astype(np.float64), balanced_weights(crisis), STRENGTH)


def fit_categories(examples: Sequence[Example], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The softmax over CATEGORIES on crisis messages with a known category; every category gets the same
    total weight (harm to others and overdose are rare)."""
    chosen = [i for i, e in enumerate(examples) if e.crisis and e.category in CATEGORIES]
    labels = np.array([CATEGORIES.index(examples[i].category) for i in chosen])
    counts = np.bincount(labels, minlength=len(CATEGORIES))
    if (counts == 0).any():
        missing = [CATEGORIES[k] for k in np.flatnonzero(counts == 0)]
        raise ValueError(f"no training message of category {', '.join(missing)}")
    weights = 1.0 / counts[labels]
    return fit_softmax(vectors[chosen], labels, len(CATEGORIES), weights, CATEGORY_STRENGTH)


def held_out_scores(corpus: Corpus) -> np.ndarray:
    """Each message's crisis probability from a head fitted without its group."""
    scores = np.zeros(len(corpus.examples))
    for group in corpus.groups:
        out = corpus.group == group
        weights, bias = fit_crisis(corpus.vectors[~out], corpus.crisis[~out])
        scores[out] = 1.0 / (1.0 + np.exp(-(corpus.vectors[out].astype(np.float64) @ weights + bias)))
    return scores


def held_out_tiers(corpus: Corpus, scores: np.ndarray) -> tuple[np.ndarray, dict[str, Thresholds]]:
    """Each group scored at thresholds chosen on the other groups of the threshold pool."""
    levels = np.zeros(len(scores), dtype=int)
    chosen: dict[str, Thresholds] = {}
    pool = corpus.threshold_pool
    for group in corpus.groups:
        others = pool & (corpus.group != group)
        chosen[group] = choose_thresholds(scores[others], corpus.crisis[others])
        mine = corpus.group == group
        levels[mine] = Tiers.of(scores[mine], chosen[group]).levels
    return levels, chosen


def held_out_categories(corpus: Corpus) -> dict[str, object]:
    """How often the category head names the labelled category, each categorised group held out."""
    examples = corpus.examples
    found: dict[str, object] = {}
    labelled = sorted({e.group for e in examples if e.category in CATEGORIES})
    for group in labelled:
        train = [i for i, e in enumerate(examples) if e.group != group]
        weights, bias = fit_categories([examples[i] for i in train], corpus.vectors[train])
        test = [i for i, e in enumerate(examples) if e.group == group and e.crisis and e.category in CATEGORIES]
        named = np.argmax(corpus.vectors[test].astype(np.float64) @ weights.T + bias, axis=1)
        right = [CATEGORIES[k] == examples[i].category for k, i in zip(named, test)]
        per = {name: rate(ok for ok, i in zip(right, test) if examples[i].category == name).to_json()
               for name in CATEGORIES if any(examples[i].category == name for i in test)}
        found[group] = {"accuracy": rate(right).to_json(), "by_category": per}
    return found


@dataclass(frozen=True)
class Rules:
    crisis: np.ndarray  # the rules alone say crisis
    discounted: np.ndarray  # the rules found risk words but read them as negated, figurative or past
    third_party: np.ndarray  # the risk words were about someone else

    def features(self) -> np.ndarray:
        return np.stack([self.crisis, self.discounted, self.third_party], axis=1).astype(np.float32)


def rule_readings(examples: Sequence[Example]) -> Rules:
    from bot.safety.detector import detect

    crisis, discounted, third_party = [], [], []
    for example in examples:
        detection = detect(example.text)
        crisis.append(detection.crisis)
        discounted.append(not detection.crisis and bool(DISCOUNTING_FLAGS & set(detection.flags)))
        third_party.append("third_party" in detection.flags)
    return Rules(np.array(crisis), np.array(discounted), np.array(third_party))


def rule_features_variant(corpus: Corpus, rules: Rules) -> dict[str, object]:
    """The alternative design: the rules' readings as three more inputs of the head, not beside it."""
    widened = Corpus(corpus.examples, np.hstack([corpus.vectors, rules.features()]), corpus.crisis, corpus.group,
                     corpus.noisy_groups)
    levels, _ = held_out_tiers(widened, held_out_scores(widened))
    pool = corpus.threshold_pool
    honest = pool & ~np.isin(corpus.group, sorted(RULES_WRITTEN_ON))
    return {"pooled_message_level_groups": _figures(levels, corpus, pool),
            "pooled_without_rules_sets": _figures(levels, corpus, honest)}


def _figures(levels: np.ndarray, corpus: Corpus, mask: np.ndarray) -> dict[str, object]:
    return {name: value.to_json() for name, value in summary(levels, corpus.crisis, mask).items()}


def _categories(levels: np.ndarray, corpus: Corpus, mask: np.ndarray) -> dict[str, object]:
    table = by_category(levels, corpus.crisis, [e.category for e in corpus.examples], mask)
    return {name: {k: v.to_json() for k, v in row.items()} for name, row in table.items()}


def decisions(corpus: Corpus, model: np.ndarray, rules: Rules) -> dict[str, np.ndarray]:
    """The policies compared: what each would have done with every held-out message (2/1/0)."""
    return {
        "model": model,
        "rules": np.where(rules.crisis, 2, 0),
        "rules_or_model": np.where(rules.crisis, 2, model),
        # The model's crisis, where the rules read the words as negated, figurative or past, becomes a check-in.
        "rules_or_model_discounted": np.where(rules.crisis, 2, np.where(rules.discounted & (model == 2), 1, model)),
    }


def evaluate(corpus: Corpus, scores: np.ndarray, rules: Rules) -> dict[str, object]:
    levels, chosen = held_out_tiers(corpus, scores)
    pool = corpus.threshold_pool
    honest = pool & ~np.isin(corpus.group, sorted(RULES_WRITTEN_ON))
    categorised = np.array([e.category is not None for e in corpus.examples])
    policies = decisions(corpus, levels, rules)
    result: dict[str, object] = {
        "per_group": {
            group: {
                "thresholds_used": {"crisis": round(chosen[group].crisis, 4),
                                    "check_in": round(chosen[group].check_in, 4)},
                "noisy_labels": group in corpus.noisy_groups,
                "rules_written_on_it": group in RULES_WRITTEN_ON,
                **{policy: _figures(value, corpus, corpus.group == group) for policy, value in policies.items()},
            } for group in corpus.groups},
        "pooled_message_level_groups": {policy: _figures(value, corpus, pool) for policy, value in policies.items()},
        "pooled_without_rules_sets": {policy: _figures(value, corpus, honest) for policy, value in policies.items()},
        "pooled_all_groups": {policy: _figures(value, corpus, np.ones(len(levels), bool))
                              for policy, value in policies.items()},
        "by_category": {policy: _categories(value, corpus, categorised) for policy, value in policies.items()},
    }
    return result


def largest_losses(corpus: Corpus, scores: np.ndarray, count: int = LARGEST_LOSSES) -> list[dict[str, object]]:
    """The held-out messages the model disagrees with most (where to look for wrong labels), without texts."""
    p = np.clip(scores, 1e-12, 1 - 1e-12)
    loss = np.where(corpus.crisis, -np.log(p), -np.log(1 - p))
    order = np.argsort(-loss, kind="stable")[:count]
    return [{"file": corpus.examples[i].file, "line": corpus.examples[i].line, "group": corpus.examples[i].group,
             "label": "crisis" if corpus.crisis[i] else "none", "held_out_score": round(float(scores[i]), 4)}
            for i in order]


def counts(corpus: Corpus) -> dict[str, object]:
    table: dict[str, dict[str, int]] = {}
    for example in corpus.examples:
        row = table.setdefault(example.group, {"crisis": 0, "none": 0})
        row["crisis" if example.crisis else "none"] += 1
    categories: dict[str, int] = {}
    for example in corpus.examples:
        if example.category:
            key = f"{'crisis' if example.crisis else 'none'}/{example.category}"
            categories[key] = categories.get(key, 0) + 1
    return {"by_group": table, "categories_where_known": dict(sorted(categories.items()))}


def versions() -> dict[str, str]:
    from bot.safety.model.encoder import model_dir

    weights = model_dir() / "model.safetensors"
    return {"python": platform.python_version(), "numpy": np.__version__, "encoder_package": PACKAGE_PIN,
            "encoder_weights_sha256": data.sha256(weights), "max_tokens": str(MAX_TOKENS)}


def held_out(eval_dir: Path, cases: Path, cache_dir: Path, log: Callable[[str], None] = print) -> dict[str, object]:
    """The held-out figures alone (what the benchmark prints), nothing written but the embedding cache."""
    _sources, examples, vectors = data.load(eval_dir, cases, cache_dir, log)
    corpus = make_corpus(examples, vectors)
    return evaluate(corpus, held_out_scores(corpus), rule_readings(examples))


def train(eval_dir: Path, cases: Path, cache_dir: Path, out_dir: Path = HEAD_FILE.parent,
          log: Callable[[str], None] = print) -> dict[str, object]:
    sources, examples, vectors = data.load(eval_dir, cases, cache_dir, log)
    corpus = make_corpus(examples, vectors)
    log(f"{len(examples)} messages in {len(corpus.groups)} groups; leave-one-group-out")
    scores = held_out_scores(corpus)
    log("reading every message with the rules (for the combination)")
    rules = rule_readings(examples)
    pool = corpus.threshold_pool
    final = choose_thresholds(scores[pool], corpus.crisis[pool])
    weights, bias = fit_crisis(vectors, corpus.crisis)
    category_weights, category_bias = fit_categories(examples, vectors)
    head = rounded(Head(data.ENCODER_KEY, weights, bias, category_weights, category_bias,
                        Thresholds(round(final.crisis, 4), round(final.check_in, 4))))
    report = {
        "inputs": [{"file": source.path.name, "sha256": source.sha256, "rows": len(source.examples)}
                   for source in sources],
        "counts": counts(corpus),
        "versions": versions(),
        "settings": {"l2_strength": STRENGTH, "category_l2_strength": CATEGORY_STRENGTH,
                     "class_weights": "balanced", "noisy_label_groups": list(corpus.noisy_groups),
                     "rules_written_on": sorted(RULES_WRITTEN_ON)},
        "targets": {"recall": CRISIS_RECALL, "false_positive_rate": CRISIS_FPR, "check_in_rate": CHECK_IN_RATE,
                    "category_recall": CATEGORY_RECALL},
        "policy": POLICY,
        "thresholds": {"crisis": head.thresholds.crisis, "check_in": head.thresholds.check_in,
                       "chosen_on": sorted(set(corpus.group[pool].tolist())),
                       "rule": "crisis: lowest with false-positive rate <= target on held-out scores; "
                               "check-in: lowest below it asking <= target of none messages"},
        "held_out": evaluate(corpus, scores, rules),
        "held_out_rule_features_in_head": rule_features_variant(corpus, rules),
        "category_head_held_out": held_out_categories(corpus),
        "largest_held_out_losses": largest_losses(corpus, scores),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_json(out_dir / HEAD_FILE.name, head.to_json())
    _write_json(out_dir / REPORT_FILE.name, report)
    return report


def _write_json(path: Path, content: object) -> None:
    path.write_text(json.dumps(content, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def headline(report: dict) -> str:
    """The few lines `crisis train` prints."""
    t = report["thresholds"]
    lines = [f"thresholds: crisis {t['crisis']}, check-in {t['check_in']}; * the policy tiers.assess follows"]
    for name, key in (("message-level groups", "pooled_message_level_groups"),
                      ("without the rules' own sets", "pooled_without_rules_sets")):
        policies = {**report["held_out"][key],
                    "model_with_rule_features": report["held_out_rule_features_in_head"][key]}
        for policy, figures in policies.items():
            mark = "*" if policy == POLICY else " "
            lines.append(f"held out, {name:<28} {mark}{policy:<26} " + "  ".join(
                f"{k} {Rate(v['hits'], v['n']).text()}" for k, v in figures.items()))
    return "\n".join(lines)


def changed_inputs(eval_dir: Path, cases: Path, report_file: Path = REPORT_FILE) -> list[str]:
    """What differs between these input files and the ones the committed head was trained on."""
    if not report_file.exists():
        return [f"no {report_file.name}"]
    recorded = {entry["file"]: entry["sha256"] for entry in json.loads(report_file.read_text())["inputs"]}
    changed = []
    for path in (eval_dir / data.TRAIN, eval_dir / data.DEV, cases):
        if recorded.get(path.name) != data.sha256(path):
            changed.append(f"{path.name} changed since the head was trained")
    return changed


def main(eval_dir: Path, cases: Path, cache_dir: Path, out_dir: Optional[Path] = None) -> int:
    report = train(eval_dir, cases, cache_dir, out_dir or HEAD_FILE.parent,
                   log=lambda line: print(line, file=sys.stderr))
    print(headline(report))
    return 0
