"""What the bot says when safety is at stake: replies fitted to an overdose or to harm to others, the crisis
lines at the end of a screening that touched on safety, and the text that ends a screening by SMS."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.messages import completed_by_text
from bot.program import load_program
from bot.questions import Context
from bot.safety.escalation import Severity, Source, Trigger, for_urgent_review
from bot.safety.resources import crisis_message, crisis_reminder, owes_crisis_lines

PROGRAM = load_program()
NOW = datetime(2026, 12, 7, 18, 0, tzinfo=timezone.utc)  # a Monday, 10 AM in Portland: staff on duty


def test_an_overdose_gets_911_and_poison_control_first_not_the_suicide_framed_reply() -> None:
    text = crisis_message(PROGRAM, NOW, category="overdose_or_medical")
    first, second = text.splitlines()[1:3]
    assert "call 911 now" in first and "taken too much" in first
    assert "Poison Control" in second and "1-800-222-1222" in second
    assert "988" in text and "741741" in text  # the other lines still follow


def test_harm_to_others_gets_911_first() -> None:
    text = crisis_message(PROGRAM, NOW, category="harm_to_others")
    lines = text.splitlines()
    assert "everyone's safety" in lines[0]
    assert lines[1] == "If anyone is in immediate danger, call 911 now."
    assert "hurting someone else" in text and "your safety matters" not in text


@pytest.mark.parametrize("category", [None, "suicidal_ideation", "intent_or_plan", "self_harm"])
def test_every_other_crisis_keeps_the_usual_lines_in_full(category) -> None:
    text = crisis_message(PROGRAM, NOW, category=category)
    assert "If you are in immediate danger, call 911" in text
    assert "Call or text 988" in text and "Text HOME to 741741" in text and "503-555-0199" in text
    assert "Poison Control" not in text


def test_the_reminder_while_paused_is_fitted_the_same_way() -> None:
    assert "Poison Control" in crisis_reminder(PROGRAM, NOW, category="overdose_or_medical")


@pytest.mark.parametrize(
    "risk,item9,owed",
    [
        ("none", 0, False),
        ("none", None, False),
        ("none", 1, True),
        ("none", "declined", True),
        ("low", 0, True),
        ("moderate", 0, True),
        ("high", None, True),
    ],
)
def test_which_screenings_end_with_the_crisis_lines(risk, item9, owed) -> None:
    assert owes_crisis_lines(risk, item9) is owed


def test_the_sms_end_of_a_screening_says_nothing_of_results_but_gives_the_lines_when_owed() -> None:
    ctx = Context(name="Sam")
    plain = completed_by_text(PROGRAM, ctx, crisis_lines=False, callback=False)
    assert "988" not in plain and PROGRAM.phone in plain
    lines = completed_by_text(PROGRAM, ctx, crisis_lines=True, callback=False)
    assert "call or text 988" in lines and "741741" in lines
    moderate = completed_by_text(PROGRAM, ctx, crisis_lines=True, callback=True)
    assert "A clinician from our team will call you at this number soon." in moderate and "988" in moderate
    for text in (plain, lines, moderate):
        assert "risk" not in text.lower() and "depress" not in text.lower()


def test_an_urgent_review_is_a_moderate_escalation_from_the_screening() -> None:
    trigger = for_urgent_review()
    assert (trigger.severity, trigger.source, trigger.category) == (
        Severity.MODERATE,
        Source.SCREENING,
        "urgent_review",
    )
    with pytest.raises(ValueError):
        Trigger(Severity.HIGH, "urgent_review", Source.SCREENING)
