"""The crisis detector (bot.safety): the project's own written cases, the API, spelling, the scan."""

from __future__ import annotations

import dataclasses
import io
import json
from collections import Counter
from pathlib import Path

import pytest

from bot.cli import main
from bot.safety.detector import Detection, detect
from bot.safety.lexicon import Category
from bot.safety.patterns import compile_spec
from bot.safety.scan import Message, Scores, read_messages, report, scan_lines
from bot.safety.spelling import Speller, rewrite, typo_table

CASES_FILE = Path(__file__).parent / "data" / "crisis_cases.jsonl"
CASES = [json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "crisis_dev.jsonl"


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:60] for c in CASES])
def test_written_case(case: dict) -> None:
    detection = detect(case["text"])
    assert detection.crisis is (case["label"] == "crisis")
    if case["label"] == "crisis":
        assert detection.category == case["category"]
    else:
        assert detection.category is None
    if "flag" in case:
        assert case["flag"] in detection.flags


def test_written_cases_cover_every_category_and_hard_negative() -> None:
    counts = Counter((c["label"], c["category"]) for c in CASES)
    for category in Category:
        assert counts[("crisis", category.value)] >= 5, category
    for kind in ("negated", "figurative", "historical", "symptom", "logistics"):
        assert counts[("none", kind)] >= 10, kind
    assert len(CASES) >= 200
    assert len({c["text"] for c in CASES}) == len(CASES)


def test_hedged_wish_to_be_dead_is_a_crisis_despite_the_denial_before_it() -> None:
    detection = detect("I don't want to kill myself but I want to be dead")
    assert detection.crisis
    assert detection.category == Category.PASSIVE_DEATH_WISH
    assert detection.phrases == ("want to be dead",)
    assert "negated" in detection.flags  # the first clause is denied, and the detection says so


def test_resolved_history_is_not_a_crisis_but_is_recorded() -> None:
    detection = detect("I attempted ten years ago and have been stable since")
    assert not detection.crisis
    assert detection.historical
    assert detection.flags == ("historical",)
    assert [m.category for m in detection.mentions] == [Category.ATTEMPT_OR_PREPARATION]


def test_a_wish_that_used_to_be_there_is_history_but_the_same_wish_now_is_not() -> None:
    over = detect("I used to wish I was dead, therapy helped a lot")
    assert not over.crisis
    assert over.historical
    now = detect("I used to be happy, now I wish I was dead")
    assert now.crisis
    assert now.category == Category.PASSIVE_DEATH_WISH


def test_history_that_is_back_now_is_a_crisis() -> None:
    detection = detect("I attempted years ago and lately I'm thinking about suicide again")
    assert detection.crisis
    assert detection.category == Category.SUICIDAL_IDEATION


def test_third_party_now_is_a_crisis_and_a_mourned_death_is_not() -> None:
    now = detect("my daughter said she wants to die")
    assert (now.crisis, now.category, now.flags) == (True, Category.THIRD_PARTY, ("third_party",))
    mourned = detect("My uncle died by suicide when I was little")
    assert not mourned.crisis
    assert mourned.historical


def test_a_weak_cue_alone_is_not_a_crisis_but_with_despair_it_is() -> None:
    assert not detect("ok thanks, goodbye").crisis
    assert detect("nobody cares anyway. goodbye").crisis
    assert detect("I'm standing on the bridge right now").crisis
    assert not detect("I'm standing on the bridge").crisis


def test_a_body_site_or_a_means_alone_is_ordinary_but_with_a_plan_to_do_it_is_a_plan() -> None:
    assert not detect("I sprained something and the pain goes right up to my wrist").crisis
    assert not detect("the rifle was loaded for the hunting trip").crisis
    plan = detect("I keep planning on doing it at my wrist")
    assert (plan.crisis, plan.category) == (True, Category.INTENT_OR_PLAN)
    assert all("weak" in m.flags for m in plan.mentions) and len(plan.phrases) == 2


def test_curly_quotes_and_capitals_read_like_plain_text() -> None:
    assert detect("I\u2019M NOT SUICIDAL").flags == ("negated",)
    assert detect("I DON\u2019T WANT TO LIVE ANYMORE").crisis


def test_empty_and_very_long_messages() -> None:
    assert detect("") == Detection(False, None)
    assert detect("   ") == Detection(False, None)
    long = "I had a long day at work and " * 100 + "I want to die"
    assert not detect(long).crisis  # read from its start only, like the dialogue
    assert detect("I want to die. " + "so tired " * 300).crisis


def test_detection_is_frozen() -> None:
    detection = detect("kms")
    with pytest.raises(dataclasses.FrozenInstanceError):
        detection.crisis = False  # type: ignore[misc]


def test_typos_that_are_real_words_are_left_alone() -> None:
    table = typo_table(lambda word: word in {"overdone"})
    assert table["sucidal"] == "suicidal"
    assert table["myslef"] == "myself"
    assert "overdone" not in table
    assert Speller(lambda word: False).correct("wanna") == "want"


def test_rewrite_joins_split_and_censored_words() -> None:
    assert rewrite("I want to k!ll my self") == "i want to kill myself"
    assert rewrite("Self-Harm and sewer slide") == "selfharm and suicide"
    assert rewrite("dieeee *really*") == "die really"
    assert rewrite("that was odd") == "that was odd"
    assert rewrite("my self harm, been sh-ing") == "my selfharm, been selfharm"
    assert rewrite("imma do it, idc") == "i am going to do it, i do not care"
    assert rewrite("want 2 die but took 2 pills") == "want to die but took 2 pills"
    assert rewrite("I want to over dose, I over-dosed before") == "i want to overdose, i overdosed before"
    assert rewrite("the game is over, dose of reality") == "the game is over, dose of reality"


def test_pattern_groups_expand_and_merge_single_words() -> None:
    assert compile_spec("(a | b) c") == [[{"NORM": {"IN": ["a", "b"]}}, {"NORM": {"IN": ["c"]}}]]
    assert compile_spec("x (y z | ~w)?") == [
        [{"NORM": {"IN": ["x"]}}, {"LEMMA": {"IN": ["w"]}}],
        [{"NORM": {"IN": ["x"]}}, {"NORM": {"IN": ["y"]}}, {"NORM": {"IN": ["z"]}}],
        [{"NORM": {"IN": ["x"]}}],
    ]


def test_read_messages_takes_plain_lines_and_json_lines() -> None:
    lines = [
        "first plain line\n",
        "\n",
        '{"id": "a7", "text": "kms", "label": "crisis", "category": "x"}\n',
        '{"text": "fine", "label": "none"}\n',
    ]
    assert list(read_messages(lines)) == [
        Message("1", "first plain line"),
        Message("a7", "kms", True, "x"),
        Message("4", "fine", False, None),
    ]


@pytest.mark.parametrize(
    "line, error",
    [
        ('{"text": 3}', 'line 1: a JSON line needs a string "text"'),
        ('{"text": "hi", "label": "maybe"}', "line 1: label must be 'crisis' or 'none', not 'maybe'"),
        ("{not json", "line 1: not valid JSON"),
    ],
)
def test_read_messages_rejects_bad_lines(line: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        list(read_messages([line]))


def test_scan_lines_writes_decisions_without_texts() -> None:
    out = io.StringIO()
    scores = scan_lines(
        ['{"id": "m1", "text": "I want to kill myself", "label": "crisis"}', "my phone died", "I'm not suicidal"], out
    )
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    scores_of_model = [row.pop("model_score") for row in rows]
    assert all(0 <= score <= 1 for score in scores_of_model)
    assert rows[0] == {"id": "m1", "crisis": True, "check_in": False, "category": "suicidal_ideation", "flags": []}
    assert rows[1] == {"id": "2", "crisis": False, "check_in": False, "category": None, "flags": []}
    assert rows[2]["crisis"] is False and rows[2]["flags"] == ["negated"]  # a denial: asked at most
    assert "kill" not in out.getvalue()
    assert scores.labelled == 1


def test_scores_and_report() -> None:
    scores = Scores()
    decisions = [
        (True, "self_harm", True),
        (True, "self_harm", False),
        (False, "figurative", True),
        (False, "figurative", False),
        (False, "negated", False),
        (None, None, True),
    ]
    for label, category, crisis in decisions:
        scores.add(
            Message("x", "t", label, category),
            crisis,
            check_in=(label, category) in ((True, "self_harm"), (False, "negated")),
        )
    assert (scores.recall, scores.precision, scores.false_positive_rate) == (0.5, 0.5, 1 / 3)
    assert (scores.recall_with_check_in, scores.check_in_rate) == (1.0, 1 / 3)
    lines = report(scores).splitlines()
    assert lines[0] == "messages 5: crisis 2, none 3"
    assert lines[1] == ("recall 0.500  precision 0.500  false-positive rate 0.333  (missed 1, false alarms 1)")
    assert lines[2] == "with the check-in question: recall 1.000  check-in rate 0.333"
    assert lines[5].split() == ["crisis", "self_harm", "2", "1", "0.500", "recall"]
    assert lines[6].split() == ["none", "figurative", "2", "1", "0.500", "false-positive", "rate"]
    assert lines[7].split() == ["none", "negated", "1", "0", "0.000", "false-positive", "rate"]


def test_cli_crisis_scan_reports_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messages = tmp_path / "messages.jsonl"
    messages.write_text(
        '{"text": "I want to die", "label": "crisis", "category": "passive_death_wish"}\n'
        '{"text": "the suspense is killing me", "label": "none", "category": "figurative"}\n'
    )
    assert main(["crisis-scan", str(messages)]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["crisis"] for line in out.splitlines()] == [True, False]
    assert "recall 1.000  precision 1.000  false-positive rate 0.000" in err


def test_cli_crisis_scan_fails_cleanly_on_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messages = tmp_path / "messages.jsonl"
    messages.write_text('{"txt": "hello"}\n')
    assert main(["crisis-scan", str(messages)]) == 1
    assert capsys.readouterr().err == 'crisis-scan: line 1: a JSON line needs a string "text"\n'


@pytest.mark.skipif(not DEV_SET.exists(), reason="the shared development set is not on this machine")
def test_development_set_does_not_regress() -> None:
    """Regression guard at the level reached (rules alone): recall 1.000, false-positive rate 0.000."""
    scores = Scores()
    for message in read_messages(DEV_SET.open(encoding="utf-8")):
        scores.add(message, detect(message.text).crisis)
    assert scores.recall is not None and scores.recall >= 0.99
    assert scores.false_positive_rate is not None and scores.false_positive_rate <= 0.005
