"""The NLU training data, checked as plain YAML (no training): fast enough to run on every change.

What a broken data file does to users: an intent the domain does not know never fires, an example under two
intents makes the classifier unsure between them, and an evaluation text copied into training makes the
crisis figures in docs/benchmarks.md a lie.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NLU_DIR = ROOT / "data" / "nlu"
CRISIS_DEV = ROOT.parent / "shared" / "eval" / "crisis_dev.jsonl"

FILES = ("basics.yml", "answers.yml", "faq.yml", "control.yml", "crisis.yml", "external.yml", "booking.yml")
# Minimum examples per intent: the classifier needs variety most where answers and requests meet.
MIN_EXAMPLES = {
    "greet": 20,
    "goodbye": 20,
    "thanks": 20,
    "inform": 150,
    "faq": 60,
    "why_ask": 20,
    "go_back": 20,
    "start_over": 20,
    "stop": 20,
    "human": 20,
    "crisis": 80,
    "booking": 30,
    "EXTERNAL_handback": 2,  # staff handing back through the API: examples only for `rasa data validate`
}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


@cache
def _load(name: str) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((NLU_DIR / name).read_text(encoding="utf-8"), Loader=loader)


def _examples(block: dict) -> List[str]:
    return [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]


@cache
def _by_intent() -> Dict[str, List[str]]:
    """Examples per intent over all files (cached: read-only, callers must not mutate)."""
    found: Dict[str, List[str]] = defaultdict(list)
    for name in FILES:
        for block in _load(name)["nlu"]:
            if "intent" in block:
                found[block["intent"]].extend(_examples(block))
    return dict(found)


@pytest.mark.parametrize("name", FILES)
def test_every_file_loads_as_rasa_3_1_nlu_data(name: str) -> None:
    data = _load(name)
    assert data["version"] == "3.1"
    assert data["nlu"], f"{name} has no entries"
    for block in data["nlu"]:
        assert set(block) == {"intent", "examples"} or set(block) == {"regex", "examples"}, block
        assert _examples(block), f"{name}: empty examples under {block}"


def test_no_other_files_in_the_nlu_folder() -> None:
    assert sorted(p.name for p in NLU_DIR.iterdir()) == sorted(FILES)


def test_intents_are_exactly_the_ones_the_bot_handles() -> None:
    assert set(_by_intent()) == set(MIN_EXAMPLES)


def test_every_intent_is_declared_in_the_domain() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(_by_intent()) <= set(domain["intents"])


@pytest.mark.parametrize("intent,minimum", sorted(MIN_EXAMPLES.items()))
def test_every_intent_has_enough_examples(intent: str, minimum: int) -> None:
    assert len(_by_intent().get(intent, [])) >= minimum


def test_no_example_is_under_two_intents() -> None:
    owners: Dict[str, set] = defaultdict(set)
    for intent, texts in _by_intent().items():
        for text in texts:
            owners[_norm(text)].add(intent)
    clashes = {text: sorted(intents) for text, intents in owners.items() if len(intents) > 1}
    assert clashes == {}


def test_regex_features_compile() -> None:
    patterns = [p for name in FILES for b in _load(name)["nlu"] if "regex" in b for p in _examples(b)]
    assert patterns, "the crisis and risk-denied sentence features are missing"
    for pattern in patterns:
        re.compile(pattern)


@pytest.mark.parametrize(
    "text,intent",
    [
        ("I need help with my depression", "inform"),  # help-seeking is an answer, not a greeting
        ("is this the IOP?", "greet"),
        ("I don't want to do this anymore", "stop"),
        ("this homework is killing me", "inform"),
        ("I'm not suicidal", "inform"),
        ("I attempted years ago and have been stable since", "inform"),
        ("kms", "crisis"),
        ("sucidal", "crisis"),
        ("I want to stop existing", "crisis"),
        ("do you take my insurance?", "faq"),
        ("why do you ask", "why_ask"),
        ("go back", "go_back"),
        ("start over", "start_over"),
        ("call me instead", "human"),
        ("can I book an appointment?", "booking"),  # not a request for a person
        ("I need to cancel my appointment", "booking"),
    ],
)
def test_telling_examples_sit_under_the_intended_intent(text: str, intent: str) -> None:
    assert text in _by_intent()[intent]


@pytest.mark.skipif(not CRISIS_DEV.exists(), reason="crisis_dev.jsonl is not beside the repository")
def test_no_evaluation_text_is_used_for_training() -> None:
    held_out = {_norm(json.loads(line)["text"]) for line in CRISIS_DEV.read_text(encoding="utf-8").splitlines() if line}
    used = {_norm(text): text for texts in _by_intent().values() for text in texts}
    assert sorted(used[key] for key in used.keys() & held_out) == []
