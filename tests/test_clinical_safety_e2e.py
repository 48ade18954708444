"""End to end over REST, the real Rasa and action servers: the screening's safety behaviour as a participant meets
it. A crisis is never taken as an answer, at any question or booking stage; the C-SSRS is read the safe way;
the endings keep their promises. Twilio is a local fake, so booking over REST reaches the text-reminder
stages. Slow (the servers start once for the module); marked e2e."""

from __future__ import annotations

import re
from typing import Iterator, Optional

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bot.booking.conversation import STAGE_SLOT, Stage
from bot.booking.store import Booking
from bot.screening import QUESTIONS, all_keys, context
from bot.sms.identity import NumberCipher
from bot.store import crud, db
from bot.store.models import Escalation, Screening
from harness.conversation import LIKELY_FIT, texts
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio
from harness.servers import Servers, conversation, module_servers

pytestmark = pytest.mark.e2e

NUMBER_KEY = Fernet.generate_key().decode()
CRISIS = "and I'm going to kill myself tonight"
# A crisis message at each question that would also be read as a valid answer there; the test checks that it
# would, so each case proves that the crisis wins over a real answer.
SPECIAL = {
    "first_name": "sam kms",
    "member_id": "ABC123456 kms",
    "phq9_9": "every day, and I took a bunch of pills an hour ago",  # the cases the clinical review found
    "cssrs_6": "yes I just took 30 pills",
    "cssrs_1": "sometimes, I'm standing on the bridge now",
}
# Answers that reach every question: the likely-fit path, then the branches it does not take.
BRANCHES = {
    "auditc_1": {"alcohol_use": "yes"},
    "auditc_2": {"alcohol_use": "yes"},
    "auditc_3": {"alcohol_use": "yes"},
    "cssrs_3": {"cssrs_1": "yes", "cssrs_2": "yes"},
    "cssrs_4": {"cssrs_1": "yes", "cssrs_2": "yes"},
    "cssrs_5": {"cssrs_1": "yes", "cssrs_2": "yes"},
    "cssrs_6_recent": {"cssrs_6": "yes"},
}
ANSWERS = {
    **LIKELY_FIT,
    "auditc_1": "2",
    "auditc_2": "1",
    "auditc_3": "1",
    "cssrs_3": "no",
    "cssrs_4": "no",
    "cssrs_5": "no",
    "cssrs_6_recent": "yes",
}


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio().serving() as fake:
        yield fake


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, twilio: FakeTwilio) -> Iterator[Servers]:
    env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_URL": twilio.url,
        "SMS_PUBLIC_URL": "https://intake.example.org/webhooks/sms",
        "SMS_ID_KEY": "e2e-sms-id-key-" + "k" * 24,
        "SMS_NUMBER_KEY": NUMBER_KEY,
        "ESCALATION_ON_CALL_NUMBERS": "+15035550101",
    }
    with module_servers(tmp_path_factory, "clinical-safety-e2e", extra_env=env) as running:
        yield running


def crisis_at(key: str) -> str:
    return SPECIAL.get(key) or f"{ANSWERS[key]}, {CRISIS}"


def reach(servers: Servers, sender: str, target: Optional[str], answers: dict[str, str]) -> list[str]:
    """Answer the pending questions until `target` is pending (None: until the screening ends)."""
    servers.send(sender, "hi")
    asked: list[str] = []
    for _ in range(80):
        key = servers.requested(sender)
        if key == target:
            return asked
        assert key is not None, f"{target} was never asked after {asked}"
        asked.append(key)
        servers.send(sender, answers[key])
    raise AssertionError(f"{target} not reached: {asked}")


def escalations(servers: Servers, sender: str) -> list[tuple[str, str, str]]:
    with db.session_scope(servers.env["DATABASE_URL"]) as session:
        rows = session.execute(
            sa.select(Escalation).where(Escalation.conversation_id == conversation(sender)).order_by(Escalation.id)
        ).scalars()
        return [(e.severity, e.source, e.category) for e in rows]


def stored_answers(servers: Servers, sender: str) -> dict:
    with db.session_scope(servers.env["DATABASE_URL"]) as session:
        screening = crud.latest_screening(session, conversation_id=conversation(sender))
        if screening is None:  # nothing answered yet
            return {}
        return {key: answer.value for key, answer in crud.answers_of(session, screening).items()}


def screening_row(servers: Servers, sender: str) -> Screening:
    with db.session_scope(servers.env["DATABASE_URL"]) as session:
        screening = crud.latest_screening(session, conversation_id=conversation(sender))
        session.expunge(screening)
        return screening


def assert_crisis_handled(servers: Servers, sender: str, reply: list[dict], before: list) -> None:
    said = texts(reply)
    assert "988" in said and "741741" in said and "911" in said
    assert any(
        (r.get("custom") or {}).get("assistant") == "crisis" or "Crisis Text Line" in (r.get("text") or "")
        for r in reply
    )
    new = escalations(servers, sender)[len(before) :]
    assert new and new[0][:2] == ("high", "message")
    tracker = servers.tracker(sender)
    assert tracker["paused"] is True and servers.requested(sender) is None


# --- 1. A crisis message is never taken as an answer --------------------------------------------------------


@pytest.mark.parametrize("key", all_keys())
def test_a_crisis_that_would_also_answer_the_question_is_never_stored_as_its_answer(servers: Servers, key: str):
    sender = f"e2e-crisis-at-{key}"
    message = crisis_at(key)
    answers = {**ANSWERS, **BRANCHES.get(key, {})}
    reach(servers, sender, key, answers)
    assert QUESTIONS[key].parser(context({}))(message).ok, "the message must also read as an answer here"
    before_answers = stored_answers(servers, sender)
    before = escalations(servers, sender)

    reply = servers.send(sender, message)

    assert_crisis_handled(servers, sender, reply, before)
    assert key not in stored_answers(servers, sender) and stored_answers(servers, sender) == before_answers
    assert servers.tracker(sender)["slots"][key] is None
    if key != "consent":  # before consent there is no screening record to mark
        assert screening_row(servers, sender).status == "crisis"


def booked_screening(servers: Servers, sender: str) -> None:
    reach(servers, sender, None, ANSWERS)
    assert servers.tracker(sender)["slots"][STAGE_SLOT] == Stage.OFFERING


def bookings(servers: Servers, sender: str) -> list[str]:
    with db.session_scope(servers.env["DATABASE_URL"]) as session:
        return list(
            session.execute(sa.select(Booking.status).where(Booking.conversation_id == conversation(sender))).scalars()
        )


def test_a_crisis_while_times_are_offered_books_nothing(servers: Servers):
    sender = "e2e-crisis-offering"
    booked_screening(servers, sender)
    before = escalations(servers, sender)
    # "tonight" would be read as a time, and the crisis detector must catch the notes and the finality.
    reply = servers.send(sender, "I won't need it. left notes for my kids, after tonight none of this will matter")
    assert_crisis_handled(servers, sender, reply, before)
    assert bookings(servers, sender) == []
    assert servers.tracker(sender)["slots"]["booking_offer"] is None  # the offer is withdrawn
    assert "Poison" not in texts(reply)


def test_a_crisis_after_booking_cancels_nothing(servers: Servers):
    sender = "e2e-crisis-booked"
    booked_screening(servers, sender)
    servers.send(sender, "1")
    assert bookings(servers, sender) == ["booked"]
    servers.send(sender, "no thanks")  # no text reminders
    before = escalations(servers, sender)
    reply = servers.send(sender, "cancel my appointment, I'm going to kill myself tonight")
    assert_crisis_handled(servers, sender, reply, before)
    assert bookings(servers, sender) == ["booked"]


def test_a_crisis_when_asked_for_a_reminder_number_texts_no_code(servers: Servers, twilio: FakeTwilio):
    sender = "e2e-crisis-reminders"
    booked_screening(servers, sender)
    servers.send(sender, "1")
    assert servers.tracker(sender)["slots"][STAGE_SLOT] == Stage.REMINDERS
    before = escalations(servers, sender)
    reply = servers.send(sender, "503-555-0143 but I'm going to end my life tonight")
    assert_crisis_handled(servers, sender, reply, before)
    assert twilio.to("+15035550143") == []


def test_a_crisis_when_asked_for_the_code_confirms_nothing(servers: Servers, twilio: FakeTwilio):
    sender = "e2e-crisis-verifying"
    booked_screening(servers, sender)
    servers.send(sender, "1")
    servers.send(sender, "503-555-0144")
    [code_text] = twilio.to("+15035550144")
    code = re.search(r"\b(\d{4})\b", code_text)[1]
    assert servers.tracker(sender)["slots"][STAGE_SLOT] == Stage.VERIFYING
    before = escalations(servers, sender)
    reply = servers.send(sender, f"the code is {code}, and I want to kill myself")
    assert_crisis_handled(servers, sender, reply, before)
    with db.session_scope(servers.env["DATABASE_URL"]) as session:
        [booking] = session.execute(sa.select(Booking).where(Booking.conversation_id == conversation(sender))).scalars()
        assert booking.contact_conversation_id is None  # the number was not confirmed


def test_a_crisis_in_a_program_question_and_at_consent(servers: Servers):
    sender = "e2e-crisis-faq"
    servers.send(sender, "what is an IOP?")
    reply = servers.send(sender, "how long does it last? doesn't matter, I won't be alive next week")
    assert_crisis_handled(servers, sender, reply, [])
    sender = "e2e-crisis-consent"
    servers.send(sender, "hi")
    assert servers.requested(sender) == "consent"
    reply = servers.send(sender, "yes, and I'm going to kill myself tonight")
    assert_crisis_handled(servers, sender, reply, [])
    assert "consent" not in stored_answers(servers, sender)


# --- 2. The C-SSRS read as a clinician reads it ------------------------------------------------------------


@pytest.mark.parametrize("answer", ["still now", "happening now", "1.5 months ago", "last night"])
def test_behaviour_within_3_months_stops_the_screening_as_high_risk(servers: Servers, answer: str):
    sender = f"e2e-recent-{answer.replace(' ', '-').replace('.', '')}"
    reach(servers, sender, "cssrs_6_recent", {**ANSWERS, "cssrs_6": "yes"})
    reply = texts(servers.send(sender, answer))
    assert "hospital or emergency level of care" in reply and "988" in reply
    assert "final decision" not in reply  # no assessment is offered here
    assert screening_row(servers, sender).status == "high_risk"
    assert ("high", "cssrs", "cssrs_high") in escalations(servers, sender)


@pytest.mark.parametrize("answer", ["I did years ago", "20 weeks ago", "more than 3 months ago"])
def test_behaviour_longer_ago_is_moderate_and_the_screening_goes_on(servers: Servers, answer: str):
    sender = f"e2e-longago-{answer.replace(' ', '-')}"
    reach(servers, sender, "cssrs_6_recent", {**ANSWERS, "cssrs_6": "yes"})
    servers.send(sender, answer)
    assert servers.requested(sender) == "schedule_times"
    assert escalations(servers, sender) == [("moderate", "cssrs", "cssrs_moderate")]


@pytest.mark.parametrize("key", ["cssrs_4", "cssrs_5"])
@pytest.mark.parametrize("answer", ["no, not yet but I will", "no but soon", "not yet"])
def test_a_no_that_is_only_not_yet_on_intent_or_plan_is_high_risk(servers: Servers, key: str, answer: str):
    sender = f"e2e-notyet-{key}-{answer.replace(' ', '-').replace(',', '')}"
    answers = {**ANSWERS, "cssrs_1": "yes", "cssrs_2": "yes", "cssrs_3": "yes"}
    reach(servers, sender, key, answers)
    servers.send(sender, answer)
    assert screening_row(servers, sender).status == "high_risk"


@pytest.mark.parametrize("answer", ["not really, I just wrote a note", "no, not since 2019", "no not recently"])
def test_a_qualified_no_to_behaviour_is_yes_and_asks_when(servers: Servers, answer: str):
    sender = f"e2e-qualified-{answer[:12].replace(' ', '-').replace(',', '')}"
    reach(servers, sender, "cssrs_6", ANSWERS)
    servers.send(sender, answer)
    assert servers.requested(sender) == "cssrs_6_recent"
    assert stored_answers(servers, sender)["cssrs_6"] is True


@pytest.mark.parametrize(
    "key,refusals", [("cssrs_2", ("no comment", "I'd rather not say")), ("phq9_9", ("skip", "no comment"))]
)
def test_a_refusal_is_asked_again_once_then_declined_and_a_clinician_calls_back(
    servers: Servers, key: str, refusals: tuple[str, str]
):
    sender = f"e2e-refuse-{key}"
    answers = {**ANSWERS, "cssrs_1": "yes"}
    reach(servers, sender, key, answers)
    again = texts(servers.send(sender, refusals[0]))
    assert "It matters for your safety" in again and servers.requested(sender) == key
    servers.send(sender, refusals[1])
    assert stored_answers(servers, sender)[key] == "declined"
    if key == "cssrs_2":  # thoughts of suicide not denied: the method, intent and plan questions follow
        assert servers.requested(sender) == "cssrs_3"
        assert escalations(servers, sender) == [("moderate", "cssrs", "cssrs_moderate")]
    else:  # no answer about thoughts of death: the safety questions come next
        assert servers.requested(sender) == "cssrs_1"
        servers.send(sender, "no comment")
        servers.send(sender, "no comment")  # a refusal after item 9 was refused: a clinician calls back
        assert escalations(servers, sender) == [("moderate", "cssrs", "cssrs_moderate")]


def test_an_overdose_and_harm_to_others_get_their_own_replies(servers: Servers):
    reach(servers, "e2e-overdose", "concerns_text", ANSWERS)
    overdose = texts(servers.send("e2e-overdose", "I took a whole bottle of my pills an hour ago"))
    assert "call 911 now" in overdose and "Poison Control" in overdose and "1-800-222-1222" in overdose
    reach(servers, "e2e-others", "concerns_text", ANSWERS)
    others = texts(servers.send("e2e-others", "I'm going to kill my boss tomorrow"))
    assert "If anyone is in immediate danger, call 911 now." in others and "Poison Control" not in others
    assert escalations(servers, "e2e-others") == [("high", "message", "harm_to_others")]


# --- 5. Endings that keep their promises ----------------------------------------------------------------------


def test_thoughts_of_death_end_with_the_crisis_lines_and_the_number_is_kept_encrypted(servers: Servers):
    sender = "e2e-ending-item9"
    answers = {**ANSWERS, "phq9_9": "several days", "cssrs_1": "no", "cssrs_2": "no", "cssrs_6": "no"}
    asked = reach(servers, sender, None, answers)
    assert asked[-3:] == ["contact_phone", "contact_ok", "contact_time"]  # before the outcome
    outcome = next(
        e["text"]
        for e in reversed(servers.tracker(sender)["events"])
        if e.get("event") == "bot" and "Why:" in (e.get("text") or "")
    )
    assert "call or text 988" in outcome and "HOME to 741741" in outcome and "call 911" in outcome
    assert "diagnos" not in outcome.lower()
    row = screening_row(servers, sender)
    assert NumberCipher(NUMBER_KEY).decrypt(row.contact_number_encrypted) == "+15035550142"
    assert (row.contact_ok, row.contact_times) == ("voicemail_and_text", ["morning"])
    assert stored_answers(servers, sender)["contact_phone"] == "given"


def test_without_a_number_nothing_promises_a_call(servers: Servers):
    sender = "e2e-ending-no-number"
    answers = {
        **ANSWERS,
        "cssrs_1": "yes",
        "cssrs_2": "yes",
        "cssrs_3": "yes",
        "cssrs_4": "no",
        "cssrs_5": "no",
        "contact_phone": "no thanks",
    }
    asked = reach(servers, sender, None, answers)
    assert asked[-1] == "contact_phone" and "contact_ok" not in asked
    bot = [e["text"] for e in servers.tracker(sender)["events"] if e.get("event") == "bot" and e.get("text")]
    declined_note = next(text for text in bot if "won't call" in text)
    assert "503-555-0100" in declined_note
    outcome = next(text for text in reversed(bot) if "Why:" in text)
    assert "will call you" not in outcome and "Please call our team at 503-555-0100" in outcome
    assert "call or text 988" in outcome
    assert screening_row(servers, sender).contact_number_encrypted is None


def test_the_high_risk_reply_offers_no_assessment(servers: Servers):
    sender = "e2e-ending-high"
    reach(servers, sender, "cssrs_4", {**ANSWERS, "cssrs_1": "yes", "cssrs_2": "yes", "cssrs_3": "yes"})
    reply = texts(servers.send(sender, "yes"))
    assert reply.index("988") < reply.index("hospital or emergency level of care")
    assert "final decision at the assessment" not in reply and "free assessment" not in reply


def test_someone_asking_for_another_person_holds_the_plan_when_they_say_mine(servers: Servers):
    sender = "e2e-holder-other"
    answers = {**ANSWERS, "for_whom": "for my daughter", "first_name": "Avery", "age": "16", "insurance_holder": "mine"}
    reach(servers, sender, "member_id", answers)
    assert stored_answers(servers, sender)["insurance_holder"] == "respondent"


def test_a_hello_seconds_after_the_widget_greets_is_not_a_welcome_back(servers: Servers):
    sender = "e2e-hello-again"
    servers.send(sender, "hi")
    reply = texts(servers.send(sender, "hi"))
    assert "Welcome back" not in reply and servers.requested(sender) == "consent"


def test_the_program_faq_answers_insurers_not_on_the_list(servers: Servers):
    reply = texts(servers.send("e2e-faq-kaiser", "Do you take Kaiser?"))
    assert "not in network with Kaiser Permanente" in reply and "sliding scale" in reply


def test_outside_the_licensed_states_the_screening_stops_with_where_to_look(servers: Servers):
    sender = "e2e-idaho"
    reach(servers, sender, "state", ANSWERS)
    reply = texts(servers.send(sender, "Idaho"))
    assert "1-800-662-4357" in reply and "FindTreatment.gov" in reply and "988" in reply
    assert servers.requested(sender) is None and screening_row(servers, sender).status == "out_of_area"
    assert servers.tracker(sender)["slots"][STAGE_SLOT] is None


def test_a_young_teen_is_asked_to_continue_with_a_parent(servers: Servers):
    sender = "e2e-minor"
    reach(servers, sender, "state", {**ANSWERS, "age": "13"})
    reply = texts(servers.send(sender, "Oregon"))
    assert "parent or guardian" in reply and screening_row(servers, sender).status == "needs_guardian"


def test_go_back_wins_over_a_number_in_the_sentence(servers: Servers):
    sender = "e2e-go-back"
    reach(servers, sender, "phq9_3", ANSWERS)
    servers.send(sender, "oops can I go back, I answered the last one wrong")
    assert servers.requested(sender) == "phq9_2" and "phq9_2" not in stored_answers(servers, sender)


# --- The check-in when the crisis detector is unsure (issue 13) -----------------------------------------------

UNSURE = "I'm not suicidal or anything, I just can't sleep"  # a denial: the model hears a crisis, the rules a "not"


def check_ins(servers: Servers, sender: str) -> list[str]:
    from bot.store.checkins import CheckIn

    with db.session_scope(servers.env["DATABASE_URL"]) as session:
        return list(
            session.execute(
                sa.select(CheckIn.outcome).where(CheckIn.conversation_id == conversation(sender)).order_by(CheckIn.id)
            ).scalars()
        )


def test_an_unsure_reading_is_asked_directly_and_no_goes_back_to_the_question(servers: Servers):
    sender = "e2e-checkin-no"
    reach(servers, sender, "concerns_text", ANSWERS)
    asked = servers.send(sender, UNSURE)
    assert texts(asked) == (
        "I want to make sure I understand you. Are you having thoughts of ending your life or hurting yourself?"
    )
    assert [b["payload"] for b in asked[0]["buttons"]] == ["yes", "no"]
    assert escalations(servers, sender) == [] and "concerns_text" not in stored_answers(servers, sender)
    back = texts(servers.send(sender, "no"))
    assert "Thank you for telling me" in back and "what's been going on" in back
    assert servers.requested(sender) == "concerns_text" and check_ins(servers, sender) == ["no"]
    servers.send(sender, "I've been feeling down and worried")
    assert servers.requested(sender) == "current_care" and escalations(servers, sender) == []


def test_yes_to_the_check_in_is_the_crisis_path(servers: Servers):
    sender = "e2e-checkin-yes"
    reach(servers, sender, "phq9_1", ANSWERS)
    servers.send(sender, UNSURE)
    reply = servers.send(sender, "yes")
    assert_crisis_handled(servers, sender, reply, [])
    assert check_ins(servers, sender) == ["yes"] and "phq9_1" not in stored_answers(servers, sender)


def test_an_unclear_reply_is_asked_once_more_then_taken_as_yes(servers: Servers):
    sender = "e2e-checkin-unclear"
    servers.send(sender, "what is an IOP?")
    servers.send(sender, UNSURE)
    again = texts(servers.send(sender, "why do you ask"))
    assert "Yes or no is enough" in again and escalations(servers, sender) == []
    reply = servers.send(sender, "hmm")
    assert_crisis_handled(servers, sender, reply, [])
    assert check_ins(servers, sender) == ["unclear"]
