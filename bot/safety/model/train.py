"""`iop-intake crisis train`: fit the head, measure it on held-out sources, write head.json and the report.

What it learns from: every message of ../shared/eval/crisis_train.jsonl, ../shared/eval/crisis_dev.jsonl
and tests/data/crisis_cases.jsonl (bot.safety.model.data). The sentence and character models learn
crisis/none from all of them; the category head only from the crisis messages whose category is known
(development set and project cases), since the training corpus has no categories. The combiner learns
from the two models' held-out logits and the rules' readings (bot.safety.model.head).

How it is measured (never on messages it learnt from): leave one group out. Each training source, the
development set and the project's cases is held out in turn; everything is fitted on the rest and scores
it. For the combiner that means two levels: the logits it learns from are themselves held out, from
models fitted without the held-out group and without a third of the other groups at a time. The
thresholds that score a held-out group are chosen without it too (on the other groups whose labels were
read message by message; forum-labelled sources are too noisy to set a rate on). The final thresholds
are chosen the same way on all of those groups' held-out scores.

The rules (bot.safety.detector) were written while reading the development set and the project's
cases, so on those two groups the rules' figures, and those of anything that reads the rules, are not held
out; the report marks them and pools such figures over the other groups only.

Deterministic: inputs sorted, Newton's method from zeros for the sentence model and the combiner, L-BFGS
from zeros for the character model, no randomness; the same inputs give the same bytes (floats written
to 8 or 5 significant digits, no dates or timings).
"""

from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
from scipy import sparse

from bot.safety.model import data
from bot.safety.model.data import Example
from bot.safety.model.encoder import MAX_TOKENS, PACKAGE_PIN
from bot.safety.model.fit import fit_binary, fit_softmax
from bot.safety.model.head import (
    CATEGORIES,
    COMBINER_INPUTS,
    HEAD_FILE,
    LOGIT_LIMIT,
    NGRAMS,
    CharModel,
    Head,
    RuleReading,
    Thresholds,
    char_ngrams,
    combiner_inputs,
    rounded,
    sigmoid,
)
from bot.safety.model.measure import (
    CATEGORY_RECALL,
    CHECK_IN_RATE,
    CRISIS_FPR,
    CRISIS_RECALL,
    Rate,
    Tiers,
    by_category,
    choose_thresholds,
    rate,
    summary,
)

REPORT_FILE = HEAD_FILE.with_name("training_report.json")
# L2 strength on standardised embeddings, picked from 10 / 100 / 300 / 1000 by pooled held-out recall at the
# false-positive target (300 and 1000 within 0.01 of each other; 10 lost 0.04).
STRENGTH = 300.0
CATEGORY_STRENGTH = 30.0  # not tuned: 639 messages in 8 categories, held-out accuracy in the report
# The character model: the 20,000 n-grams in most training messages (10,000 lost 0.01 of held-out AUC on the
# development set, all 170,000 gained nothing) and scikit-learn's inverse regularisation C (1 beat 0.3 and 10).
CHAR_VOCABULARY = 20_000
CHAR_MIN_MESSAGES = 2
CHAR_C = 1.0
CHAR_MAX_STEPS = 3000
COMBINER_STRENGTH = 1.0  # on 7 standardised inputs learnt from 10,000 messages: barely binds
INNER_FOLDS = 3  # the combiner's own held-out logits: each third of the other groups scored by the rest
CHECK_IN_SHARES = (0.0, 0.05, 0.10, 0.15, 0.20)  # reported beside the chosen one, on the groups the rules missed
RULES_WRITTEN_ON = frozenset({data.DEV_GROUP, data.CASES_GROUP})
LARGEST_LOSSES = 30
POLICY = "rules_or_combined_discounted"  # what bot.safety.model.tiers.assess does
PREVIOUS_POLICY = "rules_or_sentence_model_discounted"  # the same over the sentence model alone (the first head)


@dataclass(frozen=True)
class Rules:
    crisis: np.ndarray  # the rules alone say crisis
    discounted: np.ndarray  # the rules found risk words but read them as negated, figurative or past
    third_party: np.ndarray  # the risk words were about someone else


@dataclass(frozen=True)
class Corpus:
    examples: list[Example]
    vectors: np.ndarray
    counts: sparse.csr_matrix  # character n-gram counts, one row per example
    grams: list[str]  # the n-gram of each column of `counts`
    rules: Rules
    short: np.ndarray  # bool per example: bot.safety.model.tiers treats a model-only crisis as a check-in
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

    @property
    def honest(self) -> np.ndarray:
        """The threshold pool without the groups the rules were written on."""
        return self.threshold_pool & ~np.isin(self.group, sorted(RULES_WRITTEN_ON))


def rule_readings(examples: Sequence[Example]) -> Rules:
    from bot.safety.detector import detect

    readings = []
    for example in examples:
        detection = detect(example.text)
        readings.append(RuleReading.of(detection.crisis, detection.flags))
    return Rules(
        np.array([r.crisis for r in readings]),
        np.array([r.discounted for r in readings]),
        np.array([r.third_party for r in readings]),
    )


def gram_counts(texts: Sequence[str]) -> tuple[sparse.csr_matrix, list[str]]:
    """Character n-gram counts of every text; columns in order of first appearance."""
    columns: dict[str, int] = {}
    indptr, indices, values = [0], [], []
    for text in texts:
        for gram, count in char_ngrams(text).items():
            indices.append(columns.setdefault(gram, len(columns)))
            values.append(count)
        indptr.append(len(indices))
    counts = sparse.csr_matrix(
        (np.array(values, dtype=np.float64), np.array(indices), np.array(indptr)), shape=(len(texts), len(columns))
    )
    return counts, list(columns)


def make_corpus(examples: list[Example], vectors: np.ndarray, rules: Rules) -> Corpus:
    from bot.safety.model.tiers import is_short

    group = np.array([example.group for example in examples])
    noisy = tuple(sorted({example.group for example in examples if example.noisy}))
    counts, grams = gram_counts([example.text for example in examples])
    return Corpus(
        examples,
        vectors,
        counts,
        grams,
        rules,
        np.array([is_short(e.text) for e in examples]),
        np.array([example.crisis for example in examples]),
        group,
        noisy,
    )


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


@dataclass(frozen=True)
class CharFit:
    columns: np.ndarray  # the vocabulary: columns of Corpus.counts
    idf: np.ndarray
    weights: np.ndarray
    bias: float

    def logits(self, counts: sparse.csr_matrix) -> np.ndarray:
        return _tfidf(counts[:, self.columns], self.idf) @ self.weights + self.bias

    def model(self, grams: Sequence[str]) -> CharModel:
        names = [grams[column] for column in self.columns]
        return CharModel(
            dict(zip(names, self.idf.tolist(), strict=True)),
            dict(zip(names, self.weights.tolist(), strict=True)),
            self.bias,
        )


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """What CharModel.logit computes, for many rows: (1 + log count) * idf, each row scaled to length 1."""
    values = counts.tocsr(copy=True)
    values.data = 1.0 + np.log(values.data)
    values = values @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(values.multiply(values).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ values


def fit_chars(counts: sparse.csr_matrix, grams: Sequence[str], rows: np.ndarray, crisis: np.ndarray) -> CharFit:
    """The character model on `rows` (bool): vocabulary and idf from those rows only."""
    from sklearn.linear_model import LogisticRegression

    chosen = counts[rows]
    df = np.asarray((chosen > 0).sum(axis=0)).ravel()
    order = sorted(np.flatnonzero(df >= CHAR_MIN_MESSAGES), key=lambda column: (-df[column], grams[column]))
    columns = np.array(order[:CHAR_VOCABULARY], dtype=np.int64)
    idf = np.log((1.0 + rows.sum()) / (1.0 + df[columns])) + 1.0
    fitted = LogisticRegression(C=CHAR_C, max_iter=CHAR_MAX_STEPS)
    fitted.fit(_tfidf(chosen[:, columns], idf), crisis[rows], sample_weight=balanced_weights(crisis[rows]))
    return CharFit(columns, idf, fitted.coef_[0].astype(np.float64), float(fitted.intercept_[0]))


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


def _clip(logits: np.ndarray) -> np.ndarray:
    return np.clip(logits, -LOGIT_LIMIT, LOGIT_LIMIT)


def model_logits(corpus: Corpus, train: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sentence and character logits of the `score` rows from models fitted on the `train` rows."""
    weights, bias = fit_crisis(corpus.vectors[train], corpus.crisis[train])
    sentence = corpus.vectors[score].astype(np.float64) @ weights + bias
    chars = fit_chars(corpus.counts, corpus.grams, train, corpus.crisis).logits(corpus.counts[score])
    return _clip(sentence), _clip(chars)


def inputs(corpus: Corpus, sentence: np.ndarray, chars: np.ndarray, rows: np.ndarray) -> np.ndarray:
    rules = corpus.rules
    return combiner_inputs(
        sentence[rows], chars[rows], rules.crisis[rows], rules.discounted[rows], rules.third_party[rows]
    )


def fit_combiner(features: np.ndarray, crisis: np.ndarray) -> tuple[np.ndarray, float]:
    return fit_binary(features, crisis.astype(np.float64), balanced_weights(crisis), COMBINER_STRENGTH)


@dataclass(frozen=True)
class HeldOut:
    """Each message's scores from everything fitted without its group."""

    sentence: np.ndarray  # logits
    chars: np.ndarray  # logits
    combined: np.ndarray  # probabilities


def held_out_scores(corpus: Corpus, log: Callable[[str], None] = lambda line: None) -> HeldOut:
    n = len(corpus.examples)
    sentence, chars, combined = np.zeros(n), np.zeros(n), np.zeros(n)
    for group in corpus.groups:
        out = corpus.group == group
        sentence[out], chars[out] = model_logits(corpus, ~out, out)
        others = [other for other in corpus.groups if other != group]
        inner_sentence, inner_chars = np.zeros(n), np.zeros(n)
        for k in range(INNER_FOLDS):
            fold = np.isin(corpus.group, others[k::INNER_FOLDS])
            if fold.any():
                inner_sentence[fold], inner_chars[fold] = model_logits(corpus, ~out & ~fold, fold)
        weights, bias = fit_combiner(inputs(corpus, inner_sentence, inner_chars, ~out), corpus.crisis[~out])
        combined[out] = sigmoid(inputs(corpus, sentence, chars, out) @ weights + bias)
        log(f"held out {group}")
    return HeldOut(sentence, chars, combined)


def held_out_tiers(
    corpus: Corpus, scores: np.ndarray, check_in_rate: float = CHECK_IN_RATE
) -> tuple[np.ndarray, dict[str, Thresholds]]:
    """Each group scored at thresholds chosen on the other groups of the threshold pool."""
    levels = np.zeros(len(scores), dtype=int)
    chosen: dict[str, Thresholds] = {}
    pool = corpus.threshold_pool
    for group in corpus.groups:
        others = pool & (corpus.group != group)
        chosen[group] = choose_thresholds(scores[others], corpus.crisis[others], check_in_rate)
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
        right = [CATEGORIES[k] == examples[i].category for k, i in zip(named, test, strict=True)]
        per = {
            name: rate(ok for ok, i in zip(right, test, strict=True) if examples[i].category == name).to_json()
            for name in CATEGORIES
            if any(examples[i].category == name for i in test)
        }
        found[group] = {"accuracy": rate(right).to_json(), "by_category": per}
    return found


def _figures(levels: np.ndarray, corpus: Corpus, mask: np.ndarray) -> dict[str, object]:
    return {name: value.to_json() for name, value in summary(levels, corpus.crisis, mask).items()}


def _categories(levels: np.ndarray, corpus: Corpus, mask: np.ndarray) -> dict[str, object]:
    table = by_category(levels, corpus.crisis, [e.category for e in corpus.examples], mask)
    return {name: {k: v.to_json() for k, v in row.items()} for name, row in table.items()}


def with_rules(corpus: Corpus, levels: np.ndarray) -> np.ndarray:
    """What tiers.assess does with a model's levels: the rules' crisis is a crisis; the model's crisis becomes
    a check-in where the rules read the words as negated, figurative or past, or the message is short."""
    rules = corpus.rules
    return Tiers.of_levels(levels, rules.crisis, rules.discounted | corpus.short)


def decisions(corpus: Corpus, scores: HeldOut) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Thresholds]]]:
    """The policies compared: what each would have done with every held-out message (2/1/0), and the
    thresholds each model used per held-out group."""
    sentence, sentence_thresholds = held_out_tiers(corpus, sigmoid(scores.sentence))
    chars, chars_thresholds = held_out_tiers(corpus, sigmoid(scores.chars))
    combined, combined_thresholds = held_out_tiers(corpus, scores.combined)
    policies = {
        "sentence_model": sentence,
        "char_model": chars,
        "combined": combined,
        "rules": np.where(corpus.rules.crisis, 2, 0),
        PREVIOUS_POLICY: with_rules(corpus, sentence),
        POLICY: with_rules(corpus, combined),
    }
    used = {"sentence_model": sentence_thresholds, "char_model": chars_thresholds, "combined": combined_thresholds}
    return policies, used


def evaluate(corpus: Corpus, scores: HeldOut) -> dict[str, object]:
    policies, used = decisions(corpus, scores)
    pool = corpus.threshold_pool
    categorised = np.array([e.category is not None for e in corpus.examples])
    basis = np.array([e.basis for e in corpus.examples])
    return {
        "per_group": {
            group: {
                "thresholds_used": {
                    model: {"crisis": round(chosen[group].crisis, 4), "check_in": round(chosen[group].check_in, 4)}
                    for model, chosen in used.items()
                },
                "noisy_labels": group in corpus.noisy_groups,
                "rules_written_on_it": group in RULES_WRITTEN_ON,
                **{policy: _figures(value, corpus, corpus.group == group) for policy, value in policies.items()},
            }
            for group in corpus.groups
        },
        "pooled_message_level_groups": {policy: _figures(value, corpus, pool) for policy, value in policies.items()},
        "pooled_without_rules_sets": {
            policy: _figures(value, corpus, corpus.honest) for policy, value in policies.items()
        },
        "pooled_all_groups": {
            policy: _figures(value, corpus, np.ones(len(value), bool)) for policy, value in policies.items()
        },
        # Where one source holds labels given two ways (annotated posts, constructed sentences), each apart.
        "by_label_basis": {
            f"{group}/{kind}": {
                policy: _figures(policies[policy], corpus, (corpus.group == group) & (basis == kind))
                for policy in (PREVIOUS_POLICY, POLICY)
            }
            for group in corpus.groups
            for kind in sorted(set(basis[corpus.group == group].tolist()))
            if len(set(basis[corpus.group == group].tolist())) > 1
        },
        "by_category": {policy: _categories(value, corpus, categorised) for policy, value in policies.items()},
        # The check-in threshold set for other shares of none messages asked (the crisis threshold unchanged).
        "check_in_trade_off": {
            f"{share:.2f}": _figures(
                with_rules(corpus, held_out_tiers(corpus, scores.combined, share)[0]), corpus, corpus.honest
            )
            for share in CHECK_IN_SHARES
        },
    }


def largest_losses(corpus: Corpus, scores: np.ndarray, count: int = LARGEST_LOSSES) -> list[dict[str, object]]:
    """The held-out messages the combined model disagrees with most (where to look for wrong labels), without
    texts."""
    p = np.clip(scores, 1e-12, 1 - 1e-12)
    loss = np.where(corpus.crisis, -np.log(p), -np.log(1 - p))
    order = np.argsort(-loss, kind="stable")[:count]
    return [
        {
            "file": corpus.examples[i].file,
            "line": corpus.examples[i].line,
            "group": corpus.examples[i].group,
            "label": "crisis" if corpus.crisis[i] else "none",
            "held_out_score": round(float(scores[i]), 4),
        }
        for i in order
    ]


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
    import sklearn

    from bot.safety.model.encoder import model_dir

    weights = model_dir() / "model.safetensors"
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit_learn": sklearn.__version__,
        "encoder_package": PACKAGE_PIN,
        "encoder_weights_sha256": data.sha256(weights),
        "max_tokens": str(MAX_TOKENS),
    }


def load_corpus(
    eval_dir: Path, cases: Path, cache_dir: Path, log: Callable[[str], None]
) -> tuple[list[data.Source], Corpus]:
    sources, examples, vectors = data.load(eval_dir, cases, cache_dir, log)
    log("reading every message with the rules (inputs of the combiner)")
    return sources, make_corpus(examples, vectors, rule_readings(examples))


def held_out(eval_dir: Path, cases: Path, cache_dir: Path, log: Callable[[str], None] = print) -> dict[str, object]:
    """The held-out figures alone (what the benchmark prints), nothing written but the embedding cache."""
    _sources, corpus = load_corpus(eval_dir, cases, cache_dir, log)
    return evaluate(corpus, held_out_scores(corpus))


def train(
    eval_dir: Path, cases: Path, cache_dir: Path, out_dir: Path = HEAD_FILE.parent, log: Callable[[str], None] = print
) -> dict[str, object]:
    sources, corpus = load_corpus(eval_dir, cases, cache_dir, log)
    examples, vectors, everything = corpus.examples, corpus.vectors, np.ones(len(corpus.examples), bool)
    log(f"{len(examples)} messages in {len(corpus.groups)} groups; leave-one-group-out")
    scores = held_out_scores(corpus, log)
    pool = corpus.threshold_pool
    final = choose_thresholds(scores.combined[pool], corpus.crisis[pool])
    weights, bias = fit_crisis(vectors, corpus.crisis)
    chars = fit_chars(corpus.counts, corpus.grams, everything, corpus.crisis)
    combiner_weights, combiner_bias = fit_combiner(
        inputs(corpus, scores.sentence, scores.chars, everything), corpus.crisis
    )
    category_weights, category_bias = fit_categories(examples, vectors)
    head = rounded(
        Head(
            data.ENCODER_KEY,
            weights,
            bias,
            category_weights,
            category_bias,
            chars.model(corpus.grams),
            combiner_weights,
            combiner_bias,
            Thresholds(round(final.crisis, 4), round(final.check_in, 4)),
        )
    )
    report: dict[str, object] = {
        "inputs": [
            {"file": source.path.name, "sha256": source.sha256, "rows": len(source.examples)} for source in sources
        ],
        "counts": counts(corpus),
        "versions": versions(),
        "settings": {
            "l2_strength": STRENGTH,
            "category_l2_strength": CATEGORY_STRENGTH,
            "char_ngrams": list(NGRAMS),
            "char_vocabulary": len(chars.columns),
            "char_c": CHAR_C,
            "combiner_inputs": list(COMBINER_INPUTS),
            "combiner_l2_strength": COMBINER_STRENGTH,
            "combiner_inner_folds": INNER_FOLDS,
            "class_weights": "balanced",
            "noisy_label_groups": list(corpus.noisy_groups),
            "rules_written_on": sorted(RULES_WRITTEN_ON),
        },
        "targets": {
            "recall": CRISIS_RECALL,
            "false_positive_rate": CRISIS_FPR,
            "check_in_rate": CHECK_IN_RATE,
            "category_recall": CATEGORY_RECALL,
        },
        "policy": POLICY,
        "thresholds": {
            "crisis": head.thresholds.crisis,
            "check_in": head.thresholds.check_in,
            "on": "the combined probability",
            "chosen_on": sorted(set(corpus.group[pool].tolist())),
            "rule": "crisis: lowest with false-positive rate <= target on held-out scores; "
            "check-in: lowest below it asking <= target of none messages",
        },
        "held_out": evaluate(corpus, scores),
        "category_head_held_out": held_out_categories(corpus),
        "largest_held_out_losses": largest_losses(corpus, scores.combined),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    # The head without indentation: its 20,000 n-grams would double its size.
    _write_json(out_dir / HEAD_FILE.name, json.dumps(head.to_json(), sort_keys=True, separators=(",", ":")))
    _write_json(out_dir / REPORT_FILE.name, json.dumps(report, indent=1, sort_keys=True))
    return report


def _write_json(path: Path, text: str) -> None:
    path.write_text(text + "\n", encoding="utf-8")


def headline(report: dict) -> str:
    """The few lines `crisis train` prints."""
    t = report["thresholds"]
    lines = [f"thresholds: crisis {t['crisis']}, check-in {t['check_in']}; * the policy tiers.assess follows"]
    for name, key in (
        ("message-level groups", "pooled_message_level_groups"),
        ("without the rules' own sets", "pooled_without_rules_sets"),
    ):
        for policy, figures in report["held_out"][key].items():
            mark = "*" if policy == POLICY else " "
            lines.append(
                f"held out, {name:<28} {mark}{policy:<36} "
                + "  ".join(f"{k} {Rate(v['hits'], v['n']).text()}" for k, v in figures.items())
            )
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
    start = time.monotonic()
    report = train(
        eval_dir,
        cases,
        cache_dir,
        out_dir or HEAD_FILE.parent,
        log=lambda line: print(f"[{time.monotonic() - start:5.0f} s] {line}", file=sys.stderr),
    )
    print(headline(report))
    return 0
