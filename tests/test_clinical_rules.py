"""The level-of-care rules from the person's own words to the outcome, and docs/clinical-rules.md kept in step."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.console.funnel import REFERRED
from bot.console.queue import GROUPS
from bot.eligibility import BOOKABLE, CSSRS_TRIAGE, RULES, Outcome, rules_markdown
from bot.instruments import AUDITC, cssrs_risk
from bot.intake import INTAKE
from bot.program import DEFAULT_PROGRAM_FILE, PROGRAM_FILE_ENV, load_program, parse_program
from bot.questions import Context
from bot.screening import required, summarise

PROGRAM = load_program()
DOC = Path(__file__).resolve().parent.parent / "docs" / "clinical-rules.md"

# Sam, 34, in Oregon, few symptoms, safe, can come any time: each test changes what it is about.
CALM: dict[str, Any] = {
    "consent": True,
    "for_whom": "self",
    "first_name": "Sam",
    "age": 34,
    "state": "OR",
    "concerns_text": {"text": "feeling down", "concerns": ["depression"]},
    "current_care": ["none"],
    **{f"phq9_{i}": 0 for i in range(1, 10)},
    **{f"gad7_{i}": 0 for i in range(1, 8)},
    "alcohol_use": "none",
    "cssrs_1": False,
    "cssrs_2": False,
    "cssrs_6": False,
}
PHQ9_MODERATE = {f"phq9_{i}": 1 for i in range(1, 9)} | {"phq9_3": 2, "phq9_4": 2, "phq9_9": 0}  # 12
PHQ9_SEVERE = {f"phq9_{i}": 3 for i in range(1, 9)} | {"phq9_9": 0}  # 24
LOW_RISK = {"cssrs_1": True}


def said(key: str, text: str) -> Any:
    parsed = INTAKE[key].parse(text)
    assert parsed.ok, text
    return parsed.value


def outcome(answers: dict[str, Any]):
    return summarise({**CALM, **answers}, PROGRAM).assessment


# --- step-down: only a recent psychiatric stay ---------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["I just got out of the psych ward", "left residential last week", "discharged from PHP 10 days ago"]
)
def test_a_recent_psychiatric_discharge_is_a_step_down(text):
    result = outcome({"current_care": said("current_care", text)})
    assert result.outcome is Outcome.LIKELY_FIT and result.flags[0].value == "step_down"


@pytest.mark.parametrize(
    "text",
    [
        "hospitalized 3 years ago",
        "in the hospital for surgery last week",
        "I got out of jail",
        "hospitalized 3 years ago, I see a therapist",
        "in the hospital for surgery last week, and I see a therapist",
    ],
)
def test_an_old_medical_or_custodial_stay_is_not_a_step_down(text):
    result = outcome({"current_care": said("current_care", text)})
    assert result.outcome is Outcome.REFER_OUTPATIENT and result.flags == ()


@pytest.mark.parametrize("answers", [LOW_RISK, PHQ9_SEVERE])
def test_a_recent_discharge_with_any_risk_or_severe_depression_is_urgent_review(answers):
    result = outcome({"current_care": said("current_care", "discharged from PHP 10 days ago"), **answers})
    assert (result.outcome, result.urgent) == (Outcome.NEEDS_REVIEW, True)


def test_the_step_down_window_is_the_programs():
    data = copy.deepcopy(yaml.safe_load(DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")))
    data["step_down_days"] = 7
    program = parse_program(data)
    answers = {**CALM, "current_care": said("current_care", "discharged from PHP 10 days ago")}
    assert summarise(answers, program).assessment.outcome is Outcome.REFER_OUTPATIENT
    answers = {**CALM, "current_care": said("current_care", "discharged from PHP 5 days ago")}
    assert summarise(answers, program).assessment.outcome is Outcome.LIKELY_FIT


# --- concerns ----------------------------------------------------------------------------------------


def test_an_eating_disorder_with_moderate_risk_keeps_the_callback():
    concerns = {"text": "anorexia", "concerns": ["eating_disorder"]}
    result = outcome(
        {
            "concerns_text": concerns,
            "cssrs_1": True,
            "cssrs_2": True,
            "cssrs_3": True,
            "cssrs_4": False,
            "cssrs_5": False,
        }
    )
    assert (result.outcome, result.urgent) == (Outcome.NEEDS_REVIEW, True)


@pytest.mark.parametrize("text", ["I can't eat or sleep", "binge watching", "I binge on weekends"])
def test_eating_words_that_are_not_an_eating_disorder_do_not_refer_elsewhere(text):
    result = outcome({"concerns_text": said("concerns_text", text)})
    assert result.outcome is not Outcome.REFER_SPECIALIZED


@pytest.mark.parametrize("text", ["stress", "stressed out at work"])
def test_stress_with_minimal_symptoms_is_routine_outpatient_care(text):
    assert outcome({"concerns_text": said("concerns_text", text)}).outcome is Outcome.REFER_OUTPATIENT


# --- alcohol -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "sober 3 days",
        "quit last month",
        "stopped 2 weeks ago",
        "I'm trying to quit",
        "not anymore",
        "I quit",
        "every day",
        "daily",
    ],
)
def test_past_year_drinking_asks_the_audit_c(text):
    answers = {**CALM, "alcohol_use": said("alcohol_use", text)}
    assert "auditc_1" in required(answers, PROGRAM)


def test_no_drinking_in_the_past_year_skips_the_audit_c():
    assert "auditc_1" not in required({**CALM, "alcohol_use": said("alcohol_use", "quit years ago")}, PROGRAM)


def test_the_audit_c_asks_about_the_past_year_verbatim():
    for item in AUDITC.items:
        assert item.wording(Context()).startswith("These questions are about the past year.")
    assert [item.text for item in AUDITC.items] == [
        "How often do you have a drink containing alcohol?",
        "How many standard drinks containing alcohol do you have on a typical day?",
        "How often do you have six or more drinks on one occasion?",
    ]


@pytest.mark.parametrize("text", ["I quit", "sober", "not anymore"])
def test_having_stopped_is_not_never_drinking_in_the_past_year(text):
    assert not AUDITC.items[0].parse(text).ok


LIGHT = {"auditc_1": 2, "auditc_2": 0, "auditc_3": 0}  # 2-4 times a month, 1 or 2 drinks, never six
HEAVY_WEEKENDS = {"auditc_1": 3, "auditc_2": 2, "auditc_3": 3}  # 2-3 times a week, 5 or 6, six+ weekly: 8


@pytest.mark.parametrize(
    "gate, audit",
    [
        ("yes", HEAVY_WEEKENDS),  # AUDIT-C 8
        ("every day", {"auditc_1": 4, "auditc_2": 0, "auditc_3": 0}),
        ("yes", {"auditc_1": 4, "auditc_2": 1, "auditc_3": 1}),  # most days, 3 or 4 drinks
        ("yes", {"auditc_1": 3, "auditc_2": 0, "auditc_3": 4}),  # six or more daily or almost daily
        ("sober 3 days", {"auditc_1": 2, "auditc_2": 1, "auditc_3": 3}),  # stopped weekly heavy drinking
    ],
)
def test_withdrawal_risk_is_review_never_a_plain_likely_fit(gate, audit):
    result = outcome({**PHQ9_MODERATE, "alcohol_use": said("alcohol_use", gate), **audit})
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert "risk of withdrawal" in result.reasons[0]


@pytest.mark.parametrize("gate", ["yes", "quit last month", "sober 3 days"])
def test_light_drinking_keeps_the_likely_fit(gate):
    result = outcome({**PHQ9_MODERATE, "alcohol_use": said("alcohol_use", gate), **LIGHT})
    assert result.outcome is Outcome.LIKELY_FIT


# --- who the program can serve, and how often they can come ----------------------------------------------


@pytest.mark.parametrize("answers", [{"state": said("state", "California")}, {"age": 70}, {"age": 12}])
def test_someone_the_program_cannot_serve_is_never_offered_a_booking(answers):
    result = outcome({**PHQ9_MODERATE, **answers})
    assert result.outcome is Outcome.REFER_OTHER_PROGRAM
    assert result.outcome.value not in BOOKABLE and result.track is None


def test_other_program_referrals_count_as_referred_on_the_console():
    assert Outcome.REFER_OTHER_PROGRAM.value in REFERRED
    assert Outcome.REFER_OTHER_PROGRAM.value in dict(GROUPS)["Referred elsewhere"]


def test_too_few_days_a_week_is_review():
    result = outcome({**PHQ9_MODERATE, "schedule_days": said("schedule_days", "twice a week")})
    assert result.outcome is Outcome.NEEDS_REVIEW


# --- the published table --------------------------------------------------------------------------------


def test_the_committed_table_is_what_the_code_generates():
    assert DOC.read_text(encoding="utf-8") == rules_markdown(load_program(DEFAULT_PROGRAM_FILE)), (
        "docs/clinical-rules.md is out of date: run `iop-intake clinical-rules > docs/clinical-rules.md`"
    )


def test_the_command_prints_the_table(capsys, monkeypatch):
    monkeypatch.setenv(PROGRAM_FILE_ENV, str(DEFAULT_PROGRAM_FILE))
    assert main(["clinical-rules"]) == 0
    assert capsys.readouterr().out == DOC.read_text(encoding="utf-8")


def test_the_table_lists_every_rule_in_order_with_its_outcome_and_source():
    text = DOC.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and line.split(" | ")[0][2:].isdigit()]
    assert len(rows) == len(RULES)
    for n, (row, rule) in enumerate(zip(rows, RULES, strict=True), 1):
        assert row.startswith(f"| {n} | {rule.condition} | {rule.outcome.value}") and rule.source in row
    assert "PHQ-9 item 9 above 0" in text and "minor-consent age" in text


# The table's C-SSRS levels, checked against the screener's code.
TRIAGE_EXAMPLES = {
    "high": [
        {"cssrs_2": True, "cssrs_4": True},
        {"cssrs_2": True, "cssrs_5": True},
        {"cssrs_6": True, "cssrs_6_recent": True},
        {"cssrs_6": True},
    ],
    "moderate": [{"cssrs_2": True, "cssrs_3": True}, {"cssrs_6": True, "cssrs_6_recent": False}],
    "low": [{"cssrs_1": True}, {"cssrs_2": True, "cssrs_3": False, "cssrs_4": False, "cssrs_5": False}],
    "none": [{"cssrs_1": False, "cssrs_2": False, "cssrs_6": False}],
}


def test_the_tables_c_ssrs_levels_are_the_screeners():
    assert [level for level, _ in CSSRS_TRIAGE] == list(TRIAGE_EXAMPLES)
    for level, examples in TRIAGE_EXAMPLES.items():
        for answers in examples:
            assert cssrs_risk(answers).value == level, answers


def test_phq9_item9_above_zero_brings_the_safety_questions_forward():
    keys = required({**CALM, "phq9_9": 1}, PROGRAM)
    assert keys.index("cssrs_1") < keys.index("gad7_1")
