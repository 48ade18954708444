"""Each fact has one owner in Python; what cannot import it (the rules' shared wording, YAML, migrations, the
widget's JavaScript, the demo page) is held to the owner here, so no copy can drift."""

from __future__ import annotations

import re
import shutil
import subprocess

import sqlalchemy as sa
import yaml

from bot import eligibility
from bot.console.app import HERE as CONSOLE
from bot.domain import FILE_NAME as DOMAIN_FILE
from bot.domain import FORM
from bot.instruments import AUDITC, GAD7, PHQ9
from bot.instruments.cssrs import Risk
from bot.safety.resources import EMERGENCY, LIFELINE, NATIONAL_RESOURCES
from bot.screening import Status
from bot.settings import ROOT, Settings
from bot.store import db
from bot.store.models import STATUSES, metadata
from tests.test_console_auth import Console


def test_phq9_and_gad7_share_the_floors_the_rules_state_once_for_both() -> None:
    # The rules say "PHQ-9 or GAD-7 5-9" and "10 or more": one number for both instruments.
    for label, cutoff in (("mild", eligibility.MILD_CUTOFF), ("moderate", eligibility.SYMPTOM_CUTOFF)):
        assert PHQ9.lowest(label) == GAD7.lowest(label) == cutoff
    assert (eligibility.SEVERE_PHQ9, eligibility.AUDITC_CUTOFF, eligibility.AUDITC_HIGH) == (20, 3, 8)
    assert AUDITC.band(eligibility.AUDITC_CUTOFF - 1) == "negative"


def test_the_rules_accept_exactly_the_cssrs_risk_levels() -> None:
    assert eligibility.CSSRS_RISKS == ("none", "low", "moderate", "high") == tuple(risk.value for risk in Risk)
    assert [level for level, _ in eligibility.CSSRS_TRIAGE] == ["high", "moderate", "low", "none"]


def test_the_screening_status_slot_takes_every_status_a_conversation_can_have() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    values = domain["slots"]["screening_status"]["values"]
    assert values == [status.value for status in Status if status is not Status.RESTARTED]
    assert STATUSES == tuple(status.value for status in Status)


def _quoted(sql: str) -> set[str]:
    return set(re.findall(r"'([^']*)'", sql))


def test_the_migrated_database_allows_exactly_the_values_the_models_list(migrated_db_url: str) -> None:
    # Migrations keep frozen copies of each list (they must not change with the code): the newest one must
    # leave the database allowing what the owners list now (screening statuses, escalation severities...).
    expected = {
        (table.name, str(check.name)): _quoted(str(check.sqltext))
        for table in metadata.sorted_tables
        for check in table.constraints
        if isinstance(check, sa.CheckConstraint)
    }
    assert expected[("screenings", "ck_screenings_status")] == set(STATUSES)
    engine = db.make_engine(migrated_db_url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            found = {
                (table, check["name"]): _quoted(check["sqltext"])
                for table in {table for table, _ in expected}
                for check in inspector.get_check_constraints(table)
            }
    finally:
        engine.dispose()
    assert {key: found.get(key) for key in expected} == expected


def test_the_stories_rules_and_domain_name_the_one_form() -> None:
    domain = [ROOT / "domain.yml", ROOT / DOMAIN_FILE]
    files = [*(ROOT / "data").rglob("*.yml"), *domain]  # data/stories/ holds the conversation tests
    named = {
        name
        for path in files
        for name in re.findall(r"\b(?:active_loop|action):\s*(\w+_form)\b", path.read_text(encoding="utf-8"))
    }
    forms = {name for path in domain for name in (yaml.safe_load(path.read_text(encoding="utf-8")).get("forms") or {})}
    assert named == forms == {FORM}


def test_the_widget_and_the_demo_page_take_the_crisis_lines_from_the_server(config: Settings, tmp_path) -> None:
    console = Console(config)  # the console in process, on tests/conftest.py's settings
    try:
        _crisis_lines_served(console, tmp_path)
    finally:
        console.close()


def _crisis_lines_served(console: Console, tmp_path) -> None:
    assert f"Call or text {LIFELINE}" in NATIONAL_RESOURCES[1] and f"call {EMERGENCY}" in NATIONAL_RESOURCES[0]
    # The files name no crisis number themselves: the console writes them in.
    for name in ("static/widget.js", "templates/demo.html"):
        assert not re.search(rf"\b({LIFELINE}|{EMERGENCY})\b", (CONSOLE / name).read_text(encoding="utf-8")), name
    script = console.get("/widget.js").text
    assert f'var CRISIS = {{"lifeline": "{LIFELINE}", "emergency": "{EMERGENCY}"}};' in script
    assert "__CRISIS_LINES__" not in script
    demo = console.get("/demo").text
    assert f'Call or text <a href="tel:{LIFELINE}">{LIFELINE}</a>,' in demo
    assert f"or call {EMERGENCY} if you are in immediate danger" in demo
    if shutil.which("node"):  # the script as served is still valid JavaScript
        (tmp_path / "widget.js").write_text(script, encoding="utf-8")
        checked = subprocess.run(["node", "--check", str(tmp_path / "widget.js")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_the_program_files_own_words_name_the_same_crisis_lines() -> None:
    # program.yml's answers are the program's own words; where they name a crisis line, it is the owner's.
    text = re.sub(r"\s+", " ", (ROOT / "program.yml").read_text(encoding="utf-8"))
    named = re.findall(r"call or text (\d+)", text, re.IGNORECASE)
    assert named and set(named) == {LIFELINE}
