"""Insurance answers as people type them, and what the participant is told about each."""

from __future__ import annotations

import copy

import pytest
import yaml

from bot.insurance import (
    IN_NETWORK,
    OUT_OF_NETWORK,
    SELF_PAY,
    UNKNOWN,
    Carrier,
    InsuranceMatch,
    carriers_asked_about,
    insurance_summary,
    recognise_insurance,
)
from bot.program import DEFAULT_PROGRAM_FILE, load_program, parse_program

BCBS = "Blue Cross Blue Shield/Regence"
UHC = "UnitedHealthcare"
OHP = "Oregon Health Plan (Medicaid)"


@pytest.fixture(scope="module")
def program():
    return load_program()


@pytest.mark.parametrize(
    "text, status, carrier",
    [
        ("BCBS", IN_NETWORK, BCBS),
        ("bcbs thru work", IN_NETWORK, BCBS),
        ("blue cross", IN_NETWORK, BCBS),
        ("Bluecross", IN_NETWORK, BCBS),
        ("blue shield", IN_NETWORK, BCBS),
        ("Blue Crss", IN_NETWORK, BCBS),
        ("Regence BlueCross BlueShield of Oregon", IN_NETWORK, BCBS),
        ("UHC", IN_NETWORK, UHC),
        ("united", IN_NETWORK, UHC),
        ("United Healthcare through my husband", IN_NETWORK, UHC),
        ("unitedhealtcare", IN_NETWORK, UHC),
        ("Optum", IN_NETWORK, UHC),
        ("OHP", IN_NETWORK, OHP),
        ("medicaid", IN_NETWORK, OHP),
        ("I'm on the Oregon Health Plan", IN_NETWORK, OHP),
        ("aetna", IN_NETWORK, "Aetna"),
        ("Atena", IN_NETWORK, "Aetna"),
        ("cigan", IN_NETWORK, "Cigna"),
        ("i have cigan thru my job", IN_NETWORK, "Cigna"),
        ("Medicare", IN_NETWORK, "Medicare"),
        ("providence", IN_NETWORK, "Providence Health Plan"),
        ("Moda", IN_NETWORK, "Moda Health"),
        ("pacific source", IN_NETWORK, "PacificSource"),
        ("kaiser", OUT_OF_NETWORK, "Kaiser Permanente"),
        ("KP", OUT_OF_NETWORK, "Kaiser Permanente"),
        ("kaizer", OUT_OF_NETWORK, "Kaiser Permanente"),
        ("Humana", OUT_OF_NETWORK, "Humana"),
        ("tricare", OUT_OF_NETWORK, "TRICARE"),
        ("Molina", OUT_OF_NETWORK, "Molina Healthcare"),
        ("ambetter from the marketplace", OUT_OF_NETWORK, "Ambetter"),
        ("no insurance", SELF_PAY, None),
        ("none", SELF_PAY, None),
        ("No", SELF_PAY, None),
        ("n/a", SELF_PAY, None),
        ("self pay", SELF_PAY, None),
        ("Self-pay", SELF_PAY, None),
        ("cash", SELF_PAY, None),
        ("uninsured", SELF_PAY, None),
        ("I'll pay myself", SELF_PAY, None),
        ("I don't have insurance right now", SELF_PAY, None),
        ("not sure", UNKNOWN, None),
        ("the one from my job", UNKNOWN, None),
        ("medical", UNKNOWN, None),  # could be anything; close to medicaid and medicare, so not guessed
        ("", UNKNOWN, None),
    ],
)
def test_recognise_insurance(program, text, status, carrier):
    assert recognise_insurance(text, program) == InsuranceMatch(status, carrier, text.strip())


def test_two_plans_prefer_the_one_in_network(program):
    assert recognise_insurance("I have Humana and Medicaid", program).carrier == OHP
    assert recognise_insurance("kaiser and aetna", program).carrier == "Aetna"


def test_two_plans_in_network_go_to_the_first_named(program):
    assert recognise_insurance("Medicare and Medicaid", program).carrier == "Medicare"
    assert recognise_insurance("Medicaid and Medicare", program).carrier == OHP


def test_saying_no_insurance_outranks_a_plan_named_before(program):
    assert recognise_insurance("I had Aetna but I'm uninsured now", program).status == SELF_PAY


def test_offering_to_pay_does_not_hide_a_plan(program):
    assert recognise_insurance("Aetna, or I can pay cash", program) == InsuranceMatch(
        IN_NETWORK, "Aetna", "Aetna, or I can pay cash"
    )


def test_program_list_wins_over_known_carriers():
    data = yaml.safe_load(DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["insurers"].append({"name": "Humana", "in_network": True, "aliases": ["humana"]})
    program = parse_program(data)
    assert recognise_insurance("humana", program) == InsuranceMatch(IN_NETWORK, "Humana", "humana")


def test_summary_in_network(program):
    text = insurance_summary(recognise_insurance("bcbs", program), program)
    assert text == (
        "Blue Cross Blue Shield/Regence is in network with Riverbend Behavioral Health. The intake team will "
        "confirm your benefits and any copay before you start."
    )


def test_summary_out_of_network_is_honest_and_offers_self_pay(program):
    text = insurance_summary(recognise_insurance("humana", program), program)
    assert text == (
        "Riverbend Behavioral Health is not in network with Humana. Your plan may still pay part of the cost "
        "if it has out-of-network benefits: the number on your card can tell you. Self-pay fees run on a "
        "sliding scale from $35 to $150 per session, based on income. Financial assistance is available if "
        "you qualify."
    )


def test_summary_self_pay(program):
    text = insurance_summary(recognise_insurance("cash", program), program)
    assert text == (
        "You can take part without insurance. Self-pay fees run on a sliding scale from $35 to $150 per "
        "session, based on income. Financial assistance is available if you qualify."
    )


def test_summary_unknown_says_staff_will_check(program):
    text = insurance_summary(recognise_insurance("the purple card one", program), program)
    assert text == (
        "Thanks. I couldn't match that to our list of plans, so the intake team will check your coverage and "
        "tell you before you start."
    )


@pytest.mark.parametrize("answer", ["bcbs", "kaiser", "humana", "none", "dunno"])
def test_summaries_fit_two_sms_in_plain_text(program, answer):
    text = insurance_summary(recognise_insurance(answer, program), program)
    assert len(text) <= 320 and text.isascii() and "{" not in text


@pytest.mark.parametrize(
    "question, carriers",
    [
        ("Do you take Kaiser?", [Carrier("Kaiser Permanente", False, True)]),
        ("Do you take Humana?", [Carrier("Humana", False, False)]),
        ("do you take aetna or kaiser", [Carrier("Aetna", True, True), Carrier("Kaiser Permanente", False, True)]),
        ("is kaiser permanente the same as kp", [Carrier("Kaiser Permanente", False, True)]),
        ("do you take the VA", [Carrier("VA health care", False, False)]),
        ("I live in VA", []),  # a state code in a question is a place
        ("can I talk to a human?", []),  # typos are forgiven in answers, not in questions
        ("do you take insurance", []),
    ],
)
def test_carriers_asked_about(program, question, carriers):
    assert carriers_asked_about(question, program) == carriers
