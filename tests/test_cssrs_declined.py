"""A safety question the person would not answer (DECLINED): never a no, and a clinician's call."""

import pytest

from bot.instruments import CSSRS, Risk, Score, cssrs_reasons, cssrs_risk, declined_needs_callback, high_risk_reached
from bot.questions import DECLINED

NO_THOUGHTS = {"cssrs_1": False, "cssrs_2": False, "cssrs_6": False}
THOUGHTS = {"cssrs_1": True, "cssrs_2": True, "cssrs_3": False, "cssrs_4": False, "cssrs_5": False, "cssrs_6": False}
ALL_SIX = ["cssrs_1", "cssrs_2", "cssrs_3", "cssrs_4", "cssrs_5", "cssrs_6"]


def test_declined_thoughts_still_asks_about_method_intent_and_plan():
    assert CSSRS.required({"cssrs_1": False, "cssrs_2": DECLINED}) == ALL_SIX
    assert CSSRS.required({"cssrs_1": DECLINED, "cssrs_2": False}) == ["cssrs_1", "cssrs_2", "cssrs_6"]


def test_declined_behaviour_skips_the_recency_question():
    assert CSSRS.required({**NO_THOUGHTS, "cssrs_6": DECLINED}) == ["cssrs_1", "cssrs_2", "cssrs_6"]
    assert CSSRS.required({**THOUGHTS, "cssrs_6": DECLINED}) == ALL_SIX


@pytest.mark.parametrize(
    "answers, risk",
    [
        # Refusing thoughts, intent, plan or behaviour: a clinician calls.
        (
            {
                "cssrs_1": False,
                "cssrs_2": DECLINED,
                "cssrs_3": False,
                "cssrs_4": False,
                "cssrs_5": False,
                "cssrs_6": False,
            },
            Risk.MODERATE,
        ),
        ({**THOUGHTS, "cssrs_4": DECLINED}, Risk.MODERATE),
        ({**THOUGHTS, "cssrs_5": DECLINED}, Risk.MODERATE),
        ({**NO_THOUGHTS, "cssrs_6": DECLINED}, Risk.MODERATE),
        ({**THOUGHTS, "cssrs_3": DECLINED}, Risk.MODERATE),
        # Refusing the first question: as its yes would be, or moderate after PHQ-9 item 9 told of such thoughts.
        ({**NO_THOUGHTS, "cssrs_1": DECLINED}, Risk.LOW),
        ({**NO_THOUGHTS, "cssrs_1": DECLINED, "phq9_9": 0}, Risk.LOW),
        ({**NO_THOUGHTS, "cssrs_1": DECLINED, "phq9_9": 1}, Risk.MODERATE),
        ({**NO_THOUGHTS, "cssrs_1": DECLINED, "phq9_9": DECLINED}, Risk.MODERATE),
        ({**NO_THOUGHTS, "phq9_9": DECLINED}, Risk.NONE),
        # High exactly as before; a refusal never lowers it, and behaviour of unknown timing counts as recent.
        ({**THOUGHTS, "cssrs_4": DECLINED, "cssrs_5": True}, Risk.HIGH),
        ({**NO_THOUGHTS, "cssrs_2": DECLINED, "cssrs_6": True, "cssrs_6_recent": True}, Risk.HIGH),
        ({**NO_THOUGHTS, "cssrs_6": True, "cssrs_6_recent": DECLINED}, Risk.HIGH),
        ({**NO_THOUGHTS, "cssrs_6": True, "cssrs_6_recent": False}, Risk.MODERATE),
    ],
)
def test_risk_with_refusals(answers, risk):
    assert cssrs_risk(answers) is risk


def test_refusals_alone_never_stop_the_screening_as_high_risk():
    every_one = {key: DECLINED for key in ALL_SIX}
    assert high_risk_reached(every_one) is False


def test_behaviour_whose_time_is_refused_is_read_as_recent_and_stops_the_screening():
    assert high_risk_reached({**NO_THOUGHTS, "cssrs_6": True, "cssrs_6_recent": DECLINED}) is True


@pytest.mark.parametrize(
    "answers, callback",
    [
        ({"cssrs_2": DECLINED}, True),
        ({**THOUGHTS, "cssrs_4": DECLINED}, True),
        ({**THOUGHTS, "cssrs_5": DECLINED}, True),
        ({"cssrs_6": DECLINED}, True),
        ({"cssrs_6": True, "cssrs_6_recent": DECLINED}, True),
        ({"cssrs_1": DECLINED}, False),
        ({"cssrs_1": DECLINED, "phq9_9": 2}, True),
        ({"cssrs_1": DECLINED, "phq9_9": DECLINED}, True),
        # Not a refusal: the risk level itself says what to do.
        ({**THOUGHTS, "cssrs_3": True}, False),
        ({"phq9_9": DECLINED}, False),
        ({}, False),
    ],
)
def test_refusal_that_needs_a_clinicians_callback(answers, callback):
    assert declined_needs_callback(answers) is callback


def test_reasons_name_each_refusal():
    answers = {
        "cssrs_1": True,
        "cssrs_2": DECLINED,
        "cssrs_3": False,
        "cssrs_4": DECLINED,
        "cssrs_5": DECLINED,
        "cssrs_6": DECLINED,
    }
    assert cssrs_reasons(answers) == [
        "Reported wishing to be dead or to go to sleep and not wake up in the past month",
        "Declined to answer whether they have had thoughts of killing themselves in the past month",
        "Declined to answer whether they have had any intention of acting on suicidal thoughts in the past month",
        "Declined to answer whether they have worked out the details of a suicide plan, or intend to carry one "
        "out, in the past month",
        "Declined to answer whether they have ever done, started or prepared to do something to end their life",
    ]
    assert cssrs_reasons({"cssrs_1": DECLINED, "cssrs_2": True, "cssrs_3": DECLINED}) == [
        "Declined to answer whether they have wished they were dead or could go to sleep and not wake up in the "
        "past month",
        "Reported thoughts of killing themselves in the past month",
        "Declined to answer whether they have been thinking about how they might kill themselves in the past month",
    ]
    assert cssrs_reasons({"cssrs_6": True, "cssrs_6_recent": DECLINED}) == [
        "Reported having done, started or prepared to do something to end their life (declined to say when)",
    ]


def test_score_counts_refusals_as_asked_but_not_answered():
    answers = {
        "cssrs_1": False,
        "cssrs_2": DECLINED,
        "cssrs_3": False,
        "cssrs_4": False,
        "cssrs_5": DECLINED,
        "cssrs_6": False,
    }
    assert CSSRS.score(answers) == Score(None, "moderate", 4, ("cssrs_2", "cssrs_5"), True)
    assert CSSRS.score({"cssrs_1": False, "cssrs_2": DECLINED}) == Score(None, "moderate", 1, ("cssrs_2",), False)
