"""C-SSRS screener: wording, conservative yes/no reading, skip logic, risk level, reasons, early stop."""

import pytest

from bot.instruments import CSSRS, Risk, Score, cssrs_reasons, cssrs_risk, high_risk_reached
from bot.questions import Context

ITEMS = {item.key: item for item in CSSRS.items}
Q1, RECENT = ITEMS["cssrs_1"], ITEMS["cssrs_6_recent"]


def test_wording_is_verbatim_without_method_examples():
    assert [q.text for q in CSSRS.items] == [
        "Have you wished you were dead or wished you could go to sleep and not wake up?",
        "Have you actually had any thoughts of killing yourself?",
        "Have you been thinking about how you might do this?",
        "Have you had these thoughts and had some intention of acting on them?",
        "Have you started to work out or worked out the details of how to kill yourself? "
        "Do you intend to carry out this plan?",
        "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
        "Was this within the past 3 months?",
    ]
    past_month = [ITEMS[f"cssrs_{n}"] for n in range(1, 6)]
    assert all(q.stem.startswith("These next questions are about the past month.") for q in past_month)
    for q in CSSRS.items:
        text = (q.stem + q.text + q.why + q.help).lower()
        assert not any(word in text for word in ("overdose", "pills", "gun", "shoot", "hang", "jump"))
    assert [(c.value, c.label, c.payload) for c in Q1.choices] == [(True, "Yes", "yes"), (False, "No", "no")]


def test_wording_about_someone_else():
    other = Context(for_self=False, name="Jordan")
    assert [q.wording(other).split("\n")[-1] for q in CSSRS.items] == [
        "Has Jordan wished they were dead or wished they could go to sleep and not wake up?",
        "Has Jordan actually had any thoughts of killing themselves?",
        "Has Jordan been thinking about how they might do this?",
        "Has Jordan had these thoughts and had some intention of acting on them?",
        "Has Jordan started to work out or worked out the details of how to kill themselves? "
        "Do they intend to carry out this plan?",
        "Has Jordan ever done anything, started to do anything, or prepared to do anything to end their life?",
        "Was this within the past 3 months?",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "Yes.",
        "yeah",
        "yep",
        "y",
        "I have",
        "yes I have",
        # Hedges count as yes: a missed "yes" costs far more than a clinician's call about a "maybe".
        "maybe",
        "kind of",
        "kinda",
        "sort of",
        "sometimes",
        "a little",
        "a bit",
        "I guess",
        "probably",
        "I think so",
        "once or twice",
        "not anymore",
        "used to",
        "mybe",
        # Both at once, or changing one's mind: yes.
        "yes and no",
        "no... well maybe",
        "I don't know, maybe",
        # "Ever since" says it goes on.
        "ever since",
    ],
)
def test_safety_yes(text):
    assert Q1.parse(text).value is True


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "No.",
        "nope",
        "nah",
        "never",
        "not really",
        "I haven't",
        "I don't",
        "I dont",
        "no I haven't",
        "not at all",
        "absolutely not",
        "probably not",
        "I guess not",
        "nver",
        "no never",
    ],
)
def test_safety_no(text):
    parsed = Q1.parse(text)
    assert parsed.ok is True and parsed.value is False


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "I am fine",
        "not sure",
        "I'm not sure",
        "I am not sure",
        "I'm not certain",
        "I am unsure",
        "not sure, no",
        "I don't know",
        "idk",
        "no idea",
        "hmm",
        "",
        "👍",
        "what?",
        "ever",
        "I have no idea",
        "x" * 5000,
    ],
)
def test_safety_unclear_is_asked_again_never_taken_as_no(text):
    parsed = Q1.parse(text)
    assert parsed.ok is False and parsed.note


@pytest.mark.parametrize(
    "text, recent",
    [
        ("yes", True),
        ("no", False),
        ("last week", True),
        ("recently", True),
        ("2 weeks ago", True),
        ("three months ago", True),
        ("maybe", True),
        ("5 months ago", False),
        ("years ago", False),
        ("a long time ago", False),
        ("not recently", False),
        ("once, 2 years ago", False),
    ],
)
def test_within_three_months(text, recent):
    assert RECENT.parse(text).value is recent


def test_when_unclear_is_asked_again():
    assert RECENT.parse("last year").ok is False
    assert RECENT.parse("not sure").ok is False


def test_required_branches():
    assert CSSRS.required({}) == ["cssrs_1", "cssrs_2", "cssrs_6"]
    assert CSSRS.required({"cssrs_1": True, "cssrs_2": False}) == ["cssrs_1", "cssrs_2", "cssrs_6"]
    assert CSSRS.required({"cssrs_2": True}) == ["cssrs_1", "cssrs_2", "cssrs_3", "cssrs_4", "cssrs_5", "cssrs_6"]
    assert CSSRS.required({"cssrs_2": False, "cssrs_6": True}) == ["cssrs_1", "cssrs_2", "cssrs_6", "cssrs_6_recent"]
    assert CSSRS.required({"cssrs_6": False}) == ["cssrs_1", "cssrs_2", "cssrs_6"]
    assert CSSRS.required({"cssrs_2": True, "cssrs_6": True}) == [
        "cssrs_1",
        "cssrs_2",
        "cssrs_3",
        "cssrs_4",
        "cssrs_5",
        "cssrs_6",
        "cssrs_6_recent",
    ]


NO_THOUGHTS = {"cssrs_1": False, "cssrs_2": False, "cssrs_6": False}
THOUGHTS = {"cssrs_1": True, "cssrs_2": True, "cssrs_3": False, "cssrs_4": False, "cssrs_5": False, "cssrs_6": False}


@pytest.mark.parametrize(
    "answers, risk",
    [
        ({}, Risk.NONE),
        (NO_THOUGHTS, Risk.NONE),
        ({**NO_THOUGHTS, "cssrs_1": True}, Risk.LOW),
        (THOUGHTS, Risk.LOW),
        ({**THOUGHTS, "cssrs_3": True}, Risk.MODERATE),
        ({**NO_THOUGHTS, "cssrs_6": True, "cssrs_6_recent": False}, Risk.MODERATE),
        ({**THOUGHTS, "cssrs_4": True}, Risk.HIGH),
        ({**THOUGHTS, "cssrs_5": True}, Risk.HIGH),
        ({**NO_THOUGHTS, "cssrs_6": True, "cssrs_6_recent": True}, Risk.HIGH),
        # Behaviour whose timing was never given is treated as recent.
        ({**NO_THOUGHTS, "cssrs_6": True}, Risk.HIGH),
    ],
)
def test_risk_levels(answers, risk):
    assert cssrs_risk(answers) is risk


def test_high_risk_is_reached_at_the_first_answer_that_makes_it():
    assert high_risk_reached({"cssrs_1": True, "cssrs_2": True, "cssrs_3": True}) is False
    assert high_risk_reached({"cssrs_1": True, "cssrs_2": True, "cssrs_3": False, "cssrs_4": True}) is True
    assert (
        high_risk_reached({"cssrs_1": False, "cssrs_2": True, "cssrs_3": True, "cssrs_4": False, "cssrs_5": True})
        is True
    )
    # Q6 yes alone does not stop the screening: the follow-up on when it happened is asked first.
    assert high_risk_reached({**NO_THOUGHTS, "cssrs_6": True}) is False
    assert high_risk_reached({**NO_THOUGHTS, "cssrs_6": True, "cssrs_6_recent": True}) is True
    assert high_risk_reached({**NO_THOUGHTS, "cssrs_6": True, "cssrs_6_recent": False}) is False


def test_reasons_for_staff():
    assert cssrs_reasons(NO_THOUGHTS) == []
    assert cssrs_reasons({**THOUGHTS, "cssrs_4": True}) == [
        "Reported wishing to be dead or to go to sleep and not wake up in the past month",
        "Reported thoughts of killing themselves in the past month",
        "Reported intent to act on suicidal thoughts in the past month",
    ]
    behaviour = "Reported having done, started or prepared to do something to end their life"
    assert cssrs_reasons({"cssrs_6": True, "cssrs_6_recent": True}) == [f"{behaviour} within the past 3 months"]
    assert cssrs_reasons({"cssrs_6": True, "cssrs_6_recent": False}) == [f"{behaviour} more than 3 months ago"]
    assert cssrs_reasons({"cssrs_6": True}) == [f"{behaviour} (when is not known)"]


def test_score_gives_the_risk_as_band():
    assert CSSRS.score(THOUGHTS) == Score(None, "low", 6, (), True)
    assert CSSRS.score({"cssrs_1": True, "cssrs_2": True, "cssrs_3": True, "cssrs_4": True}) == Score(
        None, "high", 4, (), False
    )
    assert CSSRS.score({}) == Score(None, "none", 0, (), False)
