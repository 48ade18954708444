"""Whose insurance plan it is, read from the point of view of the person answering."""

from __future__ import annotations

import pytest

from bot.intake import HOLDERS, INTAKE
from bot.questions import Context

HOLDER = INTAKE["insurance_holder"]
SELF = Context()
OTHER = Context(for_self=False, name="Avery")


def reading(ctx: Context, text: str):
    parsed = HOLDER.parser(ctx)(text)
    return parsed.value if parsed.ok else None


def test_the_plan_of_the_person_answering_is_a_holder_value():
    assert "respondent" in HOLDERS


@pytest.mark.parametrize(
    "text",
    [
        "mine",
        "my plan",
        "through my job",
        "it's my insurance",
        "I have them on my plan",
        "Mine.",
        "my own",
        "she's on my insurance",
    ],
)
def test_for_someone_else_mine_is_the_person_answering(text):
    assert reading(OTHER, text) == "respondent"


@pytest.mark.parametrize("text", ["theirs", "their own", "her own plan", "hers", "he has his own"])
def test_for_someone_else_their_own_is_the_participant(text):
    assert reading(OTHER, text) == "self"


@pytest.mark.parametrize("text", ["mine", "my plan", "through my job", "it's my insurance"])
def test_for_oneself_mine_stays_the_participant(text):
    assert reading(SELF, text) == "self"


@pytest.mark.parametrize(
    "text, holder",
    [
        ("her dad's", "parent"),
        ("on her mom's insurance", "parent"),
        ("a parent's", "parent"),
        ("his wife's plan", "spouse_partner"),
        ("her partner", "spouse_partner"),
        ("grandma", "other"),
        ("someone else", "other"),
    ],
)
def test_for_someone_else_their_relatives_are_read_as_before(text, holder):
    assert reading(OTHER, text) == holder


@pytest.mark.parametrize("text", ["my husband's plan", "my wife's", "through my husband's job", "my mom's"])
def test_for_someone_else_a_relative_of_the_person_answering_is_asked_again(text):
    # A wife's "my husband's" is the participant's own plan; a mother's is a parent's: not guessed.
    parsed = HOLDER.parser(OTHER)(text)
    assert not parsed.ok and parsed.note.startswith("Just to be sure, seen from their side:")


def test_for_oneself_a_relative_is_theirs():
    assert reading(SELF, "my husband's plan") == "spouse_partner"


@pytest.mark.parametrize("text", ["mine, or her dad's", "idk", "yes", ""])
def test_for_someone_else_unclear_answers_are_asked_again_offering_yours(text):
    parsed = HOLDER.parser(OTHER)(text)
    assert not parsed.ok
    assert parsed.note == "Whose plan is it: yours, their own, a parent's, a spouse's or partner's, or someone else's?"


@pytest.mark.parametrize("choice", HOLDER.choices, ids=lambda c: c.payload)
def test_every_button_reads_the_same_for_someone_else(choice):
    assert reading(OTHER, choice.payload) == choice.value
