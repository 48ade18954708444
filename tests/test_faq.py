"""FAQ: which topic a question is about, and the program's answers filled with its facts."""

from __future__ import annotations

import copy
import re
from typing import Any, Callable

import pytest
import yaml

from bot.faq import FAQ_TOPICS, faq_answer, faq_facts, faq_reply, faq_topic
from bot.program import DEFAULT_PROGRAM_FILE, FAQ_PLACEHOLDERS, ProgramError, load_program, parse_program


@pytest.fixture(scope="module")
def program():
    return load_program()


def changed(mutate: Callable[[dict[str, Any]], None]):
    """The example program with one change made to its program.yml data."""
    data = copy.deepcopy(yaml.safe_load(DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")))
    mutate(data)
    return parse_program(data)


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
        # Who an IOP is for
        ("Is IOP right for me?", "good_fit"),
        ("who is a good fit for an intensive outpatient program", "good_fit"),
        ("I just got out of the hospital, is this the next step?", "good_fit"),
        ("is it a step down after inpatient", "good_fit"),
        ("weekly therapy isn't enough anymore, do I need IOP?", "good_fit"),
        ("is this for me", "good_fit"),
        ("who is it for", "good_fit"),
        ("good fit 4 me?", "good_fit"),
        # How to choose one
        ("How do I choose an IOP?", "choosing"),
        ("what should I look for in a program", "choosing"),
        ("how do i pick a good iop", "choosing"),
        ("what makes a good program?", "choosing"),
        ("how 2 choose a program", "choosing"),
        # How soon
        ("How soon can I start?", "how_soon"),
        ("when can I start", "how_soon"),
        ("is there a waitlist?", "how_soon"),
        ("how long is the wait to get in", "how_soon"),
        ("can i start next week", "how_soon"),
        ("how fast can i get in asap", "how_soon"),
        # Teens
        ("Do you have a teen program?", "teens"),
        ("is there something for my 15 year old", "teens"),
        ("do you work with teenagers?", "teens"),
        ("what ages do you take", "teens"),
        ("my daughter is in high school, can she come?", "teens"),
        ("teens?", "teens"),
        # Confidentiality
        ("Is this confidential?", "confidentiality"),
        ("who sees my answers", "confidentiality"),
        ("will my employer find out", "confidentiality"),
        ("will my job find out", "confidentiality"),
        ("is it hipaa", "confidentiality"),
        ("is my info private?", "confidentiality"),
        # Therapies
        ("What therapies do you use?", "therapies"),
        ("do you do CBT or DBT?", "therapies"),
        ("what kind of therapy is it", "therapies"),
        ("is it evidence based", "therapies"),
        ("dbt?", "therapies"),
        # IOP vs PHP
        ("What's the difference between IOP and PHP?", "iop_vs_php"),
        ("is this partial hospitalization?", "iop_vs_php"),
        ("should I do PHP or IOP", "iop_vs_php"),
        ("iop vs php", "iop_vs_php"),
        ("php?", "iop_vs_php"),
        # Payment words that used to fall through to what an IOP is
        ("is my plan in network", "cost"),
        ("which insurances do you accept", "cost"),
    ],
)
def test_faq_topic(question, topic):
    assert faq_topic(question) == topic


@pytest.mark.parametrize("question", ["hmm", "", "tell me more"])
def test_unmatched_questions_get_what_an_iop_is(question):
    assert faq_topic(question) == "what_is_iop"


def test_topics_are_the_seventeen_expected():
    assert FAQ_TOPICS == (
        "what_is_iop",
        "duration",
        "hours",
        "conditions",
        "typical_day",
        "work_school",
        "cost",
        "transport_remote",
        "accreditation",
        "referral",
        "good_fit",
        "choosing",
        "how_soon",
        "teens",
        "confidentiality",
        "therapies",
        "iop_vs_php",
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
        (
            "what_is_iop",
            ["Intensive Outpatient Program (IOP)", "about 3 hours a day, 3 to 4 days a week", "call or text 988"],
        ),
        ("duration", ["8 to 12 weeks"]),
        (
            "hours",
            [
                "Riverbend IOP runs 3 groups.",
                "Adult Day (ages 18 to 64): Mon, Tue, Thu 9am-12pm",
                "Adult Evening (ages 18 to 64): Mon-Thu 6-9pm, by telehealth",
                "Teen After-School (ages 13 to 17): Mon, Wed, Thu 3:30-6:30pm, in person",
                "9 to 12 hours a week",
            ],
        ),
        (
            "conditions",
            [
                "depression, anxiety, bipolar disorder, PTSD and trauma, and substance use",
                "specialized eating-disorder program",
                "503-555-0100",
            ],
        ),
        ("typical_day", ["group therapy", "one-on-one with a therapist", "family sessions", "medication"]),
        ("work_school", ["keep working or going to school", "evening group"]),
        (
            "cost",
            [
                "Blue Cross Blue Shield/Regence",
                "Oregon Health Plan (Medicaid)",
                "Moda Health, and PacificSource",
                "$35 to $150 per session",
                "Financial assistance is available",
            ],
        ),
        (
            "transport_remote",
            [
                "Adult Day and Adult Evening can be joined by secure video",
                "Oregon and Washington",
                "1200 SE Example Ave",
            ],
        ),
        ("accreditation", ["Riverbend Behavioral Health is accredited by The Joint Commission."]),
        (
            "referral",
            [
                "No doctor's referral is needed",
                "refer yourself",
                "free assessment",
                "503-555-0100 (Mon-Fri 8am-6pm, Sat 9am-1pm)",
            ],
        ),
        (
            "good_fit",
            ["more support than weekly therapy", "step down after a hospital", "not crisis care", "call or text 988"],
        ),
        (
            "choosing",
            [
                "licensed clinicians",
                "accreditation (ours: The Joint Commission)",
                "evidence-based therapies",
                "takes your insurance",
                "group times you can keep",
            ],
        ),
        ("how_soon", ["free assessment", "start groups 2 to 7 days after it", "503-555-0100"]),
        ("teens", ["Teen After-School (ages 13 to 17): Mon, Wed, Thu 3:30-6:30pm, in person", "serves ages 13 to 64"]),
        ("confidentiality", ["Only our intake team sees your answers", "HIPAA", "42 CFR Part 2"]),
        (
            "therapies",
            [
                "cognitive behavioral therapy (CBT), DBT skills, motivational interviewing, mindfulness, "
                "and relapse prevention"
            ],
        ),
        (
            "iop_vs_php",
            [
                "(PHP, ASAM level 2.5) is 20 or more hours a week",
                "IOP (level 2.1) 9 to 19",
                "Medicare and ASAM",
                "Ours is 9 to 12 hours a week",
            ],
        ),
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


def test_a_program_without_a_teen_group_says_so():
    def adults_only(data):
        data["tracks"] = [t for t in data["tracks"] if t["key"] != "teen_after_school"]
        data["ages"] = {"min": 18, "max": 64}

    answer = faq_answer("teens", changed(adults_only))
    assert answer.startswith("We do not have a separate teen group. Riverbend IOP serves ages 18 to 64.")
    assert "Teen After-School" not in answer


def test_wait_and_therapies_come_from_program_yml():
    def other_facts(data):
        data["start_wait_days"] = {"min": 1, "max": 1}
        data["therapies"] = ["acceptance and commitment therapy (ACT)", "EMDR"]

    program = changed(other_facts)
    assert "start groups 1 day after it" in faq_answer("how_soon", program)
    assert "Our groups use acceptance and commitment therapy (ACT) and EMDR:" in faq_answer("therapies", program)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("therapies"), "therapies: should list the therapies the groups use"),
        (lambda d: d.update(therapies=[]), "therapies: should list the therapies the groups use"),
        (lambda d: d.update(therapies="CBT"), "therapies: should be a list of text"),
        (lambda d: d.pop("start_wait_days"), "start_wait_days: is missing"),
        (
            lambda d: d.update(start_wait_days={"min": 7, "max": 2}),
            "start_wait_days: min (7) should be 0 or more and not above max (2)",
        ),
        (lambda d: d["faq"].pop("teens"), "faq.teens: is missing"),
    ],
)
def test_faq_only_facts_are_checked_at_load(mutate, message):
    with pytest.raises(ProgramError, match=re.escape(message)):
        changed(mutate)


# --- questions that name an insurer ------------------------------------------------------------------------

SELF_PAY = (
    "Self-pay fees run on a sliding scale from $35 to $150 per session, based on income. Financial "
    "assistance is available if you qualify."
)
OUT_OF_NETWORK_MEANS = (
    "That means your plan pays only if it has out-of-network benefits, and often only part "
    "of the cost: the intake team can check for you."
)


@pytest.mark.parametrize(
    "question", ["Do you take Kaiser?", "is kaiser in network", "does KP cover iop?", "kaiser permanente??"]
)
def test_an_insurer_listed_out_of_network_is_named_as_such(program, question):
    assert faq_reply(question, program) == (
        f"We are not in network with Kaiser Permanente. {OUT_OF_NETWORK_MEANS} {SELF_PAY}"
    )


@pytest.mark.parametrize("question", ["Do you take Humana?", "humana ok?", "is Humana in network"])
def test_an_insurer_not_listed_is_not_one_we_work_with(program, question):
    assert faq_reply(question, program) == (
        f"Humana is not a plan we work with directly. {OUT_OF_NETWORK_MEANS} {SELF_PAY}"
    )


@pytest.mark.parametrize(
    "question, insurer",
    [
        ("do u take aetna", "Aetna"),
        ("is it covered by OHP", "Oregon Health Plan (Medicaid)"),
        ("Do you take Regence?", "Blue Cross Blue Shield/Regence"),
    ],
)
def test_an_insurer_in_network_is_confirmed(program, question, insurer):
    assert faq_reply(question, program) == (
        f"Yes, we are in network with {insurer}. The intake team will confirm your benefits and any copay before "
        "you start."
    )


def test_several_insurers_are_each_answered(program):
    reply = faq_reply("do you take aetna, kaiser or tricare?", program)
    assert reply.startswith("Yes, we are in network with Aetna.")
    assert "We are not in network with Kaiser Permanente, and TRICARE is not a plan we work with directly." in reply
    assert reply.endswith(SELF_PAY)


@pytest.mark.parametrize("question", ["Do you take Kaiser?", "Do you take Humana?", "do you take the VA?"])
def test_insurer_answers_fit_two_sms_in_plain_text(program, question):
    reply = faq_reply(question, program)
    assert len(reply) <= 320 and reply.isascii() and "diagnos" not in reply.lower()


@pytest.mark.parametrize(
    "question, topic",
    [
        ("I have Aetna, how long is the program?", "duration"),  # a clearer topic wins over the insurer
        ("can I talk to a human", "what_is_iop"),  # a near miss is not Humana in a question
        ("I live in VA, is it online?", "transport_remote"),
        ("how much does it cost?", "cost"),
        ("what insurance do you take?", "cost"),
    ],
)
def test_questions_without_an_insurer_get_their_topic(program, question, topic):
    assert faq_reply(question, program) == faq_answer(topic, program)


def test_a_state_code_is_a_place_not_the_va(program):
    assert "VA health care" not in faq_reply("I'm in VA", program)
