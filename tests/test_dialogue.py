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


# The cases: each would also read as a valid answer to its question, and must not be stored as one.
@pytest.mark.parametrize(
    "key,text,would_read",
    [
        ("phq9_9", "every day, and I took a bunch of pills an hour ago", 3),
        ("cssrs_6", "yes I just took 30 pills", True),
        ("cssrs_1", "sometimes, I'm standing on the bridge now", True),
    ],
)
def test_a_crisis_that_also_reads_as_an_answer_is_a_crisis(key: str, text: str, would_read):
    assert QUESTIONS[key].parse(text).value == would_read  # the answer the old order stored
    assert turn(key, text, "crisis", 1.0).kind is TurnKind.CRISIS


@pytest.mark.parametrize("key", sorted(QUESTIONS))
def test_the_detectors_verdict_wins_at_every_question_whatever_the_text(key: str):
    for choice in QUESTIONS[key].choices or ():
        assert turn(key, choice.payload, "crisis", 0.81).kind is TurnKind.CRISIS
    assert turn(key, "yes", "crisis", 1.0).kind is TurnKind.CRISIS


def test_no_to_a_yes_no_question_is_an_answer_not_a_request_to_stop():
    result = turn("transport", "no", "stop", 0.8)
    assert result.kind is TurnKind.ANSWER and result.value is False


@pytest.mark.parametrize(
    "intent,wanted",
    [
        ("faq", Request.FAQ),
        ("why_ask", Request.WHY),
        ("go_back", Request.BACK),
        ("start_over", Request.RESTART),
        ("stop", Request.STOP),
        ("human", Request.HUMAN),
    ],
)
def test_requests_on_free_text_questions_win_over_the_text(intent, wanted):
    result = turn("first_name", "hang on a second", intent, 0.9)
    assert result.kind is TurnKind.REQUEST and result.request is wanted


def test_an_unsure_classifier_does_not_turn_an_answer_into_a_request():
    result = turn("first_name", "Sam", "faq", 0.4)
    assert result.kind is TurnKind.ANSWER and result.value == "Sam"


def test_skip_is_accepted_only_where_skipping_is_allowed():
    assert turn("gad7_4", "skip").value == SKIPPED
    assert turn("cssrs_1", "skip").kind is TurnKind.REFUSAL
    assert turn("phq9_9", "skip").kind is TurnKind.REFUSAL
    assert turn("age", "skip").kind is TurnKind.UNCLEAR


@pytest.mark.parametrize(
    "key", ["phq9_9", "cssrs_1", "cssrs_2", "cssrs_3", "cssrs_4", "cssrs_5", "cssrs_6", "cssrs_6_recent"]
)
@pytest.mark.parametrize(
    "text",
    [
        "no comment",
        "I'd rather not say",
        "skip",
        "Sorry, I'd rather not answer",
        "I don't want to talk about it",
        "pass please",
    ],
)
def test_a_refusal_on_a_safety_question_is_never_read_as_no(key: str, text: str):
    assert turn(key, text).kind is TurnKind.REFUSAL


@pytest.mark.parametrize("text", ["no comment", "I'd rather not say"])
def test_a_refusal_elsewhere_is_a_skip_not_the_no_inside_it(text: str):
    assert turn("alcohol_use", text).value == SKIPPED
    assert turn("transport", text).value == SKIPPED


def test_words_that_only_contain_a_refusal_phrase_are_read_as_answers():
    assert turn("schedule_times", "I'd rather not come in mornings, afternoons are fine").kind is TurnKind.ANSWER
    assert turn("cssrs_1", "no").value is False


@pytest.mark.parametrize(
    "text",
    [
        "oops can I go back, I answered the last one wrong",
        "sorry go back, wrong one",
        "can I change my answer to 2",
        "go back",
    ],
)
@pytest.mark.parametrize("key", ["phq9_3", "gad7_2", "cssrs_1", "age", "schedule_days"])
def test_going_back_wins_over_a_number_buried_in_the_sentence(key: str, text: str):
    result = turn(key, text, "inform", 0.5)
    assert result.kind is TurnKind.REQUEST and result.request is Request.BACK


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
@pytest.mark.parametrize(
    "text", ["I don't want to be alive anymore", "no I want to die", "not really, but I want to die"]
)
def test_a_no_that_says_it_wants_to_die_is_a_crisis_not_a_no(key: str, text: str):
    assert turn(key, text, "crisis", 1.0).kind is TurnKind.CRISIS


@pytest.mark.parametrize("key", ["phq9_9", "cssrs_2"])
def test_a_plain_no_to_a_safety_question_stays_a_no(key: str):
    result = turn(key, "no, never", "inform", 0.9)
    assert result.kind is TurnKind.ANSWER and result.value in (0, False)
