"""The direct check-in when the crisis detector is unsure: how the reply is read and what follows it."""

from __future__ import annotations

import pytest

from bot.safety.checkin import ASKED, ASKED_AGAIN, QUESTION, Reply, Step, next_step, read_reply


def test_the_question_is_the_one_the_issue_asks_for() -> None:
    assert QUESTION == (
        "I want to make sure I understand you. Are you having thoughts of ending your life or hurting yourself?"
    )


@pytest.mark.parametrize("text", ["yes", "yeah", "Yes", "maybe", "kind of", "sometimes", "a little", "not yet"])
def test_any_yes_or_hedge_is_yes(text: str) -> None:
    assert read_reply(text) is Reply.YES


@pytest.mark.parametrize("text", ["no", "No.", "nope", "no, not at all", "not really", "nvr"])
def test_a_clear_no_is_no(text: str) -> None:
    assert read_reply(text) is Reply.NO


@pytest.mark.parametrize("text", ["what?", "I don't know", "hmm", "", "why do you ask"])
def test_anything_else_is_unclear(text: str) -> None:
    assert read_reply(text) is Reply.UNCLEAR


def test_what_follows_the_reply() -> None:
    assert next_step(Reply.YES, ASKED) is Step.CRISIS
    assert next_step(Reply.NO, ASKED) is Step.BACK
    assert next_step(Reply.UNCLEAR, ASKED) is Step.ASK_AGAIN
    assert next_step(Reply.UNCLEAR, ASKED_AGAIN) is Step.CRISIS  # asked twice: the safer reading
    assert next_step(Reply.NO, ASKED_AGAIN) is Step.BACK


def test_the_transcript_marks_the_check_in_and_the_reading_that_raised_it() -> None:
    import json

    from bot.console.transcript import lines

    user = {
        "text": "I'm not suicidal, just tired",
        "parse_data": {
            "intent": {"name": "inform"},
            "crisis": {"tier": "check_in", "category": "suicidal_ideation", "model_score": 0.98, "flags": ["negated"]},
        },
    }
    bot = {
        "text": QUESTION,
        "metadata": {"assistant": "check_in"},
        "data": {"buttons": [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]},
    }
    said, asked = lines([("user", 1.0, json.dumps(user)), ("bot", 2.0, json.dumps(bot))])
    assert said.crisis == "Possible crisis (suicidal ideation, model score 0.98): the bot asked directly"
    assert asked.check_in and asked.options == ("Yes", "No")
