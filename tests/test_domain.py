"""The Rasa domain stays in step with the question definitions (the single source of truth)."""
from __future__ import annotations

from pathlib import Path

import yaml

from bot.domain import FORM, render
from bot.instruments import INSTRUMENTS
from bot.screening import QUESTIONS, all_keys

ROOT = Path(__file__).resolve().parents[1]


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / "domain" / name).read_text())


def test_generated_domain_file_is_current():
    assert (ROOT / "domain" / "screening.yml").read_text() == render(), "run `iop-intake domain`"


def test_every_question_has_a_slot_and_a_place_in_the_form():
    domain = load("screening.yml")
    assert set(all_keys()) == set(QUESTIONS)
    assert domain["forms"][FORM]["required_slots"] == all_keys()
    for key in QUESTIONS:
        slot = domain["slots"][key]
        assert slot["mappings"][0]["conditions"] == [{"active_loop": FORM, "requested_slot": key}]
    # The validation action asks every question: an ask action or response would make the form ask twice.
    assert "actions" not in domain and not any(name.startswith("utter_ask") for name in domain["responses"])


def test_every_instrument_item_is_in_the_form():
    keys = set(load("screening.yml")["forms"][FORM]["required_slots"])
    for instrument in INSTRUMENTS.values():
        assert {item.key for item in instrument.items} <= keys


def test_intents_cover_every_request_the_dialogue_understands():
    from bot.dialogue import Request

    intents = set(load("base.yml")["intents"])
    assert {request.value for request in Request} <= intents
    assert {"crisis", "inform"} <= intents


def test_the_slots_the_turns_keep_are_in_the_domain():
    from bot import turn
    from bot.booking import conversation

    slots = set(load("base.yml")["slots"])
    assert {turn.STATUS_SLOT, turn.REPORTED_SLOT, turn.MISSES_SLOT, turn.REFUSED_SLOT} <= slots
    assert {conversation.STAGE_SLOT, conversation.OFFER_SLOT, conversation.AFTER_SLOT, conversation.OFFERED_AT_SLOT,
            conversation.TZ_SLOT} <= slots
    stages = {value for name, value in vars(conversation.Stage).items() if name.isupper()}
    assert set(load("base.yml")["slots"][conversation.STAGE_SLOT]["values"]) == stages
