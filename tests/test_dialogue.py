"""What one message means during the screening: the safety order of checks in bot/dialogue.py."""
from __future__ import annotations

import pytest

from bot.dialogue import Request, TurnKind, read_turn
from bot.questions import SKIPPED
from bot.screening import QUESTIONS


def turn(key: str, text: str, intent: str = "inform", confidence: float = 0.95):
    return read_turn(QUESTIONS[key], text, intent, confidence)


def test_a_crisis_message_is_never_taken_as_an_answer_to_a_free_text_question():
    assert turn("concerns_text", "I want to kill myself", "crisis", 0.7).kind is TurnKind.CRISIS


def test_a_valid_choice_answer_needs_a_surer_classifier_to_count_as_crisis():
    assert turn("insurance_holder", "it's my own plan", "crisis", 0.78).value == "self"
    assert turn("insurance_holder", "it's my own plan", "crisis", 0.95).kind is TurnKind.CRISIS


def test_on_safety_questions_yes_is_an_answer_even_if_it_sounds_like_a_crisis():
    result = turn("cssrs_2", "yes", "crisis", 0.99)
    assert result.kind is TurnKind.ANSWER and result.value is True


def test_no_to_a_yes_no_question_is_an_answer_not_a_request_to_stop():
    result = turn("transport", "no", "stop", 0.8)
    assert result.kind is TurnKind.ANSWER and result.value is False


@pytest.mark.parametrize("intent,wanted", [("faq", Request.FAQ), ("why_ask", Request.WHY), ("go_back", Request.BACK),
                                            ("start_over", Request.RESTART), ("stop", Request.STOP),
                                            ("human", Request.HUMAN)])
def test_requests_on_free_text_questions_win_over_the_text(intent, wanted):
    result = turn("first_name", "go back", intent, 0.9)
    assert result.kind is TurnKind.REQUEST and result.request is wanted


def test_an_unsure_classifier_does_not_turn_an_answer_into_a_request():
    result = turn("first_name", "Sam", "faq", 0.4)
    assert result.kind is TurnKind.ANSWER and result.value == "Sam"


def test_skip_is_accepted_only_where_skipping_is_allowed():
    assert turn("gad7_4", "skip").value == SKIPPED
    assert turn("cssrs_1", "skip").kind is TurnKind.UNCLEAR
    assert turn("phq9_9", "skip").kind is TurnKind.UNCLEAR


@pytest.mark.parametrize("text", ["", "   ", "🙂", "x" * 5000, "<script>alert(1)</script>", "7"])
def test_bad_input_is_unclear_with_a_kind_note(text):
    result = turn("phq9_1", text)
    assert result.kind is TurnKind.UNCLEAR
    assert "<script>" not in result.note


def test_sql_or_markup_never_triggers_a_request():
    result = turn("phq9_1", "'; DROP TABLE answers;--", "start_over", 0.7)
    assert result.kind is TurnKind.UNCLEAR


def test_asking_for_a_person_on_the_who_is_it_for_question_is_heard():
    result = turn("for_whom", "can I talk to a real person", "human", 0.9)
    assert result.kind is TurnKind.REQUEST and result.request is Request.HUMAN
    assert turn("for_whom", "it's me", "inform", 0.9).value == "self"


@pytest.mark.parametrize("key", ["phq9_9", "cssrs_1", "cssrs_2", "cssrs_6_recent"])
@pytest.mark.parametrize("text", ["I don't want to be alive anymore", "no I want to die", "not really, but I want to die"])
def test_a_no_that_says_it_wants_to_die_is_a_crisis_not_a_no(key: str, text: str):
    assert turn(key, text, "crisis", 1.0).kind is TurnKind.CRISIS


@pytest.mark.parametrize("key", ["phq9_9", "cssrs_2"])
def test_a_plain_no_to_a_safety_question_stays_a_no(key: str):
    result = turn(key, "no, never", "inform", 0.9)
    assert result.kind is TurnKind.ANSWER and result.value in (0, False)
