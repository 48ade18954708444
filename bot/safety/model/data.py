"""The labelled messages the crisis model learns from and is measured on, and their embeddings.

Three files, read where they lie (their texts are never copied into the project):
`../shared/eval/crisis_train.jsonl` (crisis/none, by `source`), `../shared/eval/crisis_dev.jsonl` and
`tests/data/crisis_cases.jsonl` (both with categories). Each message belongs to one group, the unit held
out in turn when measuring: a training source, the development set, or the project's cases.

Embeddings take minutes for the training file, so they are kept in var/crisis_model/, one array per
input file, named by the file's SHA-256 and the encoder: a changed file or encoder is embedded anew.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from bot.safety.model.encoder import MAX_TOKENS, PACKAGE_PIN, get_encoder

TRAIN, DEV = "crisis_train.jsonl", "crisis_dev.jsonl"
DEV_GROUP, CASES_GROUP = "dev", "project_cases"
# Label bases of crisis_train.jsonl: post-level forum labels are noisy, the others read message by message.
NOISY_BASIS = "subreddit"
MESSAGE_BASIS = "message"
ENCODER_KEY = f"{PACKAGE_PIN.replace('==', '-')}-{MAX_TOKENS}"


@dataclass(frozen=True)
class Example:
    text: str
    crisis: bool
    group: str  # what is held out together
    category: Optional[str]  # known for the development set and the project's cases
    noisy: bool  # labelled by the forum the post came from
    basis: str  # how the label was given (crisis_train.jsonl's label_basis; "message" for the other two files)
    file: str
    line: int  # 1-based, to find the row again without copying its text


@dataclass(frozen=True)
class Source:
    """One input file: what the training report records about it."""

    path: Path
    sha256: str
    examples: tuple[Example, ...]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_source(path: Path, group: Optional[str]) -> Source:
    """`group` None: each row's `source` is its group (the training file)."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["label"] not in ("crisis", "none"):
            raise ValueError(f"{path.name} line {number}: label {row['label']!r}")
        basis = row.get("label_basis", MESSAGE_BASIS)
        examples.append(
            Example(
                text=row["text"],
                crisis=row["label"] == "crisis",
                group=group or row["source"],
                category=row.get("category"),
                noisy=basis == NOISY_BASIS,
                basis=basis,
                file=path.name,
                line=number,
            )
        )
    return Source(path, sha256(path), tuple(examples))


def read_inputs(eval_dir: Path, cases: Path) -> list[Source]:
    return [
        read_source(eval_dir / TRAIN, None),
        read_source(eval_dir / DEV, DEV_GROUP),
        read_source(cases, CASES_GROUP),
    ]


def embed(source: Source, cache_dir: Path, log: Callable[[str], None] = print) -> np.ndarray:
    """The source's embeddings in row order, from the cache or computed (and then cached)."""
    cached = cache_dir / f"{source.sha256[:16]}-{ENCODER_KEY}.npy"
    if cached.exists():
        vectors = np.load(cached)
        if vectors.shape[0] == len(source.examples):
            return vectors
    log(f"embedding {len(source.examples)} messages of {source.path.name} (minutes; cached after)")
    vectors = get_encoder().encode([example.text for example in source.examples])
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial.npy")
    np.save(partial, vectors)
    partial.replace(cached)
    return vectors


def load(
    eval_dir: Path, cases: Path, cache_dir: Path, log: Callable[[str], None] = print
) -> tuple[list[Source], list[Example], np.ndarray]:
    """All examples in a fixed order (group, then text), whatever the files' order, with their embeddings."""
    sources = read_inputs(eval_dir, cases)
    rows: list[tuple[Example, np.ndarray]] = []
    for source in sources:
        rows.extend(zip(source.examples, embed(source, cache_dir, log), strict=True))
    rows.sort(key=lambda row: (row[0].group, row[0].text, row[0].crisis, row[0].file, row[0].line))
    examples = [example for example, _ in rows]
    return sources, examples, np.stack([vector for _, vector in rows]).astype(np.float32)


def groups(examples: Sequence[Example]) -> list[str]:
    return sorted({example.group for example in examples})
