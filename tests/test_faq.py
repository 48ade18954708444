"""FAQ: which topic a question is about, and the program's answers filled with its facts."""
from __future__ import annotations

import pytest

from bot.faq import FAQ_TOPICS, faq_answer, faq_facts, faq_topic
from bot.program import FAQ_PLACEHOLDERS, load_program


@pytest.fixture(scope="module")
def program():
    return load_program()


@pytest.mark.parametrize(
    "question, topic",
    [
        ("What is an IOP?", "what_is_iop"),
        ("what does IOP mean", "what_is_iop"),
        ("what kind of program is this", "what_is_iop"),
        ("How long does the program last?", "duration"),
        ("how many weeks is it", "duration"),
        ("How long will I be in it", "duration"),
        ("What are the hours?", "hours"),
        ("how many days a week", "hours"),
        ("How long is each day?", "hours"),
        ("when do groups meet", "hours"),
        ("Do you treat PTSD?", "conditions"),
        ("can you help my drinking", "conditions"),
        ("what conditions do you work on", "conditions"),
        ("What's a typical day like?", "typical_day"),
        ("is there group therapy and medication", "typical_day"),
        ("do families get involved", "typical_day"),
        ("Can I keep working?", "work_school"),
        ("will i have to miss school", "work_school"),
        ("can I still go to my job", "work_school"),
        ("How much does it cost?", "cost"),
        ("Do you take insurance?", "cost"),
        ("is it covered by OHP", "cost"),
        ("Can I do it online?", "transport_remote"),
        ("I don't have a car, is there a bus", "transport_remote"),
        ("is iop virtual or in person", "transport_remote"),
        ("Are you accredited?", "accreditation"),
        ("is this place legit", "accreditation"),
        ("are your staff licensed", "accreditation"),
        ("Do I need a referral from my doctor?", "referral"),
        ("how do I sign up", "referral"),
        ("can I refer myself", "referral"),
    ],
)
def test_faq_topic(question, topic):
    assert faq_topic(question) == topic


@pytest.mark.parametrize("question", ["hmm", "", "tell me more"])
def test_unmatched_questions_get_what_an_iop_is(question):
    assert faq_topic(question) == "what_is_iop"


def test_topics_are_the_ten_expected():
    assert FAQ_TOPICS == (
        "what_is_iop", "duration", "hours", "conditions", "typical_day",
        "work_school", "cost", "transport_remote", "accreditation", "referral",
    )


def test_facts_cover_exactly_the_placeholders_program_yml_may_use(program):
    assert set(faq_facts(program)) == FAQ_PLACEHOLDERS


@pytest.mark.parametrize("topic", FAQ_TOPICS)
def test_answers_are_short_plain_and_fully_rendered(program, topic):
    answer = faq_answer(topic, program)
    assert 40 <= len(answer) <= 320  # two SMS
    assert answer.isascii()  # no emoji, straight quotes only
    assert "{" not in answer and "}" not in answer
    assert "diagnos" not in answer.lower()


@pytest.mark.parametrize(
    "topic, facts",
    [
        ("what_is_iop", ["Intensive Outpatient Program (IOP)", "about 3 hours a day, 3 to 4 days a week",
                         "call or text 988"]),
        ("duration", ["8 to 12 weeks"]),
        ("hours", ["Riverbend IOP runs 3 groups.", "Adult Day (ages 18 to 64): Mon, Tue, Thu 9am-12pm",
                   "Adult Evening (ages 18 to 64): Mon-Thu 6-9pm, by telehealth",
                   "Teen After-School (ages 13 to 17): Mon, Wed, Thu 3:30-6:30pm, in person",
                   "9 to 12 hours a week"]),
        ("conditions", ["depression, anxiety, bipolar disorder, PTSD and trauma, and substance use",
                        "specialized eating-disorder program", "503-555-0100"]),
        ("typical_day", ["group therapy", "one-on-one with a therapist", "family sessions", "medication"]),
        ("work_school", ["keep working or going to school", "evening group"]),
        ("cost", ["Blue Cross Blue Shield/Regence", "Oregon Health Plan (Medicaid)", "Moda Health, and PacificSource",
                  "$35 to $150 per session", "Financial assistance is available"]),
        ("transport_remote", ["Adult Day and Adult Evening can be joined by secure video",
                              "Oregon and Washington", "1200 SE Example Ave"]),
        ("accreditation", ["Riverbend Behavioral Health is accredited by The Joint Commission."]),
        ("referral", ["No doctor's referral is needed", "refer yourself", "free assessment",
                      "503-555-0100 (Mon-Fri 8am-6pm, Sat 9am-1pm)"]),
    ],
)
def test_answers_use_the_program_facts(program, topic, facts):
    answer = faq_answer(topic, program)
    for fact in facts:
        assert fact in answer


def test_kaiser_is_not_claimed_in_network(program):
    assert "Kaiser" not in faq_answer("cost", program)


def test_unknown_topic_is_refused(program):
    with pytest.raises(KeyError, match="unknown FAQ topic 'parking'"):
        faq_answer("parking", program)
