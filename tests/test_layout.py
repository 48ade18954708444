"""The layout the README describes: bot/ is the application in plain Python, rasa_edge/ the Rasa adapters."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RASA = ("rasa", "rasa_sdk")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_under_bot_imports_rasa() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imported(path) if name.split(".")[0] in RASA)
        for path in sorted((ROOT / "bot").rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_importing_every_module_under_bot_loads_neither_rasa_nor_the_edge() -> None:
    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if "migrations" not in path.parts
    ]
    script = (
        f"import importlib, sys\nfor name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rasa', 'rasa_sdk', 'rasa_edge'}))"
    )
    loaded = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert loaded.stdout.strip().splitlines()[-1] == "[]"


def test_the_project_classes_rasa_loads_by_name_are_in_the_edge() -> None:
    text = "\n".join(
        (ROOT / name).read_text()
        for name in ("config.yml", "credentials.yml", "endpoints.yml", "endpoints.cluster.yml")
    )
    classes = set(re.findall(r"\b([a-z_]+(?:\.[a-z_]+)+\.[A-Z]\w+)\b", text))
    assert len(classes) >= 8 and all(name.startswith("rasa_edge.") for name in classes), sorted(classes)


def test_the_product_never_imports_the_test_harness_and_benchmarks_never_import_tests() -> None:
    def offenders(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
        found = {
            str(path.relative_to(ROOT)): sorted(n for n in _imported(path) if n.split(".")[0] in forbidden)
            for path in sorted((ROOT / package).rglob("*.py"))
        }
        return {path: names for path, names in found.items() if names}

    for package in ("bot", "rasa_edge", "actions"):
        assert offenders(package, ("harness", "tests", "bench")) == {}, package
    assert offenders("bench", ("tests",)) == {}


def test_sms_and_booking_each_live_in_one_package_beside_their_rasa_adapter() -> None:
    # bot/sms/ and bot/booking/ hold each feature's logic, tables and clients; the edge keeps one thin adapter.
    named = sorted(
        str(path.relative_to(ROOT))
        for package in ("bot", "rasa_edge", "actions", "bench", "harness")
        for path in (ROOT / package).rglob("*.py")
        if path.stem in ("sms", "booking")
    )
    assert named == ["actions/booking.py", "rasa_edge/channels/sms.py"]


def test_rasa_trains_on_the_nlu_data_and_rules_never_on_the_conversation_tests() -> None:
    # data/stories/ is for `rasa test core`: trained on, its messages would become NLU examples (another model).
    assert "TRAINING_DATA=(data/nlu data/rules)" in (ROOT / "scripts" / "env.sh").read_text()
    for name in ("scripts/train", "scripts/test", "deploy/Containerfile", "bench/run.py"):
        given = [arg.strip('"') for arg in re.findall(r'--data"?,?\s*("?[^\s",]+)', (ROOT / name).read_text())]
        assert given and set(given) <= {"data/nlu", "${TRAINING_DATA[@]}"}, (name, given)
