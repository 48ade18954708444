"""The Rasa domain stays in step with the question definitions (the single source of truth)."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.domain import FILE_NAME, FORM, render
from bot.instruments import INSTRUMENTS
from bot.screening import QUESTIONS, all_keys

ROOT = Path(__file__).resolve().parents[1]


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def test_generated_domain_file_is_current():
    assert (ROOT / FILE_NAME).read_text() == render(), "run `iop-intake domain`"


def test_every_question_has_a_slot_and_a_place_in_the_form():
    domain = load(FILE_NAME)
    assert set(all_keys()) == set(QUESTIONS)
    assert domain["forms"][FORM]["required_slots"] == all_keys()
    for key in QUESTIONS:
        slot = domain["slots"][key]
        assert slot["mappings"][0]["conditions"] == [{"active_loop": FORM, "requested_slot": key}]
    # The validation action asks every question: an ask action or response would make the form ask twice.
    assert "actions" not in domain and not any(name.startswith("utter_ask") for name in domain["responses"])


def test_every_instrument_item_is_in_the_form():
    keys = set(load(FILE_NAME)["forms"][FORM]["required_slots"])
    for instrument in INSTRUMENTS.values():
        assert {item.key for item in instrument.items} <= keys


def test_intents_cover_every_request_the_dialogue_understands():
    from bot.dialogue import Request

    intents = set(load("domain.yml")["intents"])
    assert {request.value for request in Request} <= intents
    assert {"crisis", "inform"} <= intents


def test_the_slots_the_turns_keep_are_in_the_domain():
    from bot import turn
    from bot.booking import conversation
    from bot.safety import checkin

    slots = set(load("domain.yml")["slots"])
    assert {turn.STATUS_SLOT, turn.REPORTED_SLOT, turn.MISSES_SLOT, turn.REFUSED_SLOT} <= slots
    assert checkin.SLOT in slots
    assert {
        conversation.STAGE_SLOT,
        conversation.OFFER_SLOT,
        conversation.AFTER_SLOT,
        conversation.OFFERED_AT_SLOT,
        conversation.TZ_SLOT,
    } <= slots
    stages = {value for name, value in vars(conversation.Stage).items() if name.isupper()}
    assert set(load("domain.yml")["slots"][conversation.STAGE_SLOT]["values"]) == stages


def test_rasa_reads_the_hand_written_and_the_generated_domain_as_one():
    # What `rasa train` and `rasa data validate` get from config.yml's importer when given domain.yml.
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data" / "nlu"), str(ROOT / "data" / "rules")]
    )
    domain = importer.get_domain()
    assert domain.forms[FORM]["required_slots"] == all_keys()
    assert set(all_keys()) | {"screening_status"} <= {slot.name for slot in domain.slots}
    assert set(load("domain.yml")["intents"]) <= set(domain.intents)
    assert set(load(FILE_NAME)["responses"]) | set(load("domain.yml")["responses"]) <= set(domain.responses)
