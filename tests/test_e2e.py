"""End to end: the real Rasa server and action server, driven over the REST channel, then the database
and `iop-intake export` checked. Slow (servers start once per module); marked e2e."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
import requests

from bot.screening import QUESTIONS, context
from bot.store import crud
from bot.store import staff as staff_store
from bot.store.db import session_scope
from harness.conversation import LIKELY_FIT, answer_until_done, texts
from harness.servers import BIN, ROOT, STAFF_TOKEN, conversation, newest_model, running_servers

pytestmark = pytest.mark.e2e

MODEL = newest_model()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def servers(workdir: Path):
    if MODEL is None:
        pytest.fail("no trained model: run the tests through `make test`, which trains it")
    with running_servers(workdir, MODEL) as running:
        yield running


def export(servers) -> list[dict]:
    out = subprocess.run(
        [str(BIN / "iop-intake"), "export"], env=servers.env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def by_conversation(servers, sender: str) -> dict:
    matches = [row for row in export(servers) if row["conversation_id"] == conversation(sender)]
    assert matches, f"no screening exported for {sender}"
    return matches[-1]


def test_greeting_introduces_the_program_and_asks_consent(servers):
    reply = texts(servers.send("e2e-intro", "hi"))
    assert "Riverbend Behavioral Health" in reply
    assert "5 minutes" in reply and "911" in reply and "988" in reply
    assert servers.requested("e2e-intro") == "consent"


def test_full_screening_likely_fit_is_stored_and_exported(servers):
    sender = "e2e-likely-fit"
    servers.send(sender, "hello")
    asked, last = answer_until_done(servers, sender, LIKELY_FIT)
    assert asked[:7] == ["consent", "for_whom", "first_name", "age", "state", "concerns_text", "current_care"]
    assert "alcohol_use" in asked and "auditc_1" not in asked  # no drinking: AUDIT-C skipped
    assert "cssrs_3" not in asked  # no suicidal thoughts: C-SSRS 3-5 skipped
    assert "final decision" in last and "diagnos" not in last.lower()
    row = by_conversation(servers, sender)
    assert row["status"] == "completed"
    assert row["outcome"] == "likely_fit"
    assert row["instruments"]["phq9"]["total"] == 13 and row["instruments"]["phq9"]["band"] == "moderate"
    assert row["instruments"]["gad7"]["total"] == 10
    assert row["cssrs"]["risk"] == "none"
    assert row["concerns"] == ["anxiety", "depression"]
    assert row["insurance"]["status"] == "in_network"
    assert row["track"]


def test_high_risk_answer_stops_the_screening_with_crisis_resources(servers):
    sender = "e2e-high-risk"
    answers = {
        **LIKELY_FIT,
        "phq9_9": "more than half the days",
        "cssrs_1": "yes",
        "cssrs_2": "yes",
        "cssrs_3": "yes",
        "cssrs_4": "yes",
    }
    servers.send(sender, "hi")
    asked, last = answer_until_done(servers, sender, answers)
    assert asked[-1] == "cssrs_4"
    assert "988" in last and "741741" in last and "911" in last
    assert not any(key.startswith(("insurance", "schedule", "gad7")) for key in asked)
    later = texts(servers.send(sender, "ok what now"))
    assert "insurance" not in later.lower()
    assert servers.requested(sender) is None
    row = by_conversation(servers, sender)
    assert row["status"] == "high_risk" and row["cssrs"]["risk"] == "high"
    assert row["outcome"] == "refer_higher_level"


def escalations_of(servers, sender: str) -> list[tuple[str, str]]:
    with session_scope(servers.env["DATABASE_URL"]) as session:
        return [
            (e.severity, e.source) for e in crud.list_escalations(session) if e.conversation_id == conversation(sender)
        ]


def test_crisis_message_mid_screening_gets_resources_at_once_and_pauses_the_bot(servers):
    sender = "e2e-crisis"
    servers.send(sender, "hi")
    for text in ("yes", "me", "Riley", "29", "WA"):
        servers.send(sender, text)
    assert servers.requested(sender) == "concerns_text"
    reply = texts(servers.send(sender, "honestly I just want to kill myself"))
    assert "988" in reply and "741741" in reply
    assert servers.requested(sender) is None
    assert escalations_of(servers, sender) == [("high", "message")]
    # Paused for a person: no more screening questions, but every message is stored and still scanned.
    assert servers.send(sender, "ok") == []
    assert servers.tracker(sender)["paused"] is True
    assert escalations_of(servers, sender) == [("high", "message")]
    assert servers.send(sender, "/restart") == []  # typed commands are plain text: still paused
    assert servers.tracker(sender)["paused"] is True
    assert servers.send(sender, "I'm going to end it tonight") == []
    # It joins the conversation's open escalation (issue 14: one per conversation, no page flood), kept there.
    assert escalations_of(servers, sender) == [("high", "message")]
    with session_scope(servers.env["DATABASE_URL"]) as session:
        [row] = [e for e in crud.list_escalations(session) if e.conversation_id == conversation(sender)]
        assert [m.text for m in row.messages] == ["I'm going to end it tonight"]
    # ...and the crisis lines are sent again (through the events API: the REST client reads the tracker).
    deadline = time.monotonic() + 10
    while not (
        reminders := [
            e
            for e in servers.tracker(sender)["events"]
            if e["event"] == "bot" and (e.get("metadata") or {}).get("assistant") == "crisis"
        ]
    ):
        assert time.monotonic() < deadline, "no crisis lines sent while paused"
        time.sleep(0.2)
    assert "988" in reminders[0]["text"] and "741741" in reminders[0]["text"]


def test_asking_for_a_person_then_staff_reply_and_hand_back_to_the_same_question(servers):
    sender = "e2e-handoff"
    servers.send(sender, "hi")
    for text in ("yes", "for myself", "Jordan"):
        servers.send(sender, text)
    assert servers.requested(sender) == "age"
    reply = texts(servers.send(sender, "can I talk to a real person"))
    assert "503-555-0100" in reply and escalations_of(servers, sender) == []
    assert servers.send(sender, "hello?") == []  # paused: the person waits for staff
    # Staff work it through the token-protected endpoint the console uses.
    staff_api = f"{servers.rasa_url}/webhooks/staff"
    auth = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    assert requests.get(f"{staff_api}/handoffs", timeout=10).status_code == 401
    guessed = requests.get(f"{staff_api}/handoffs", headers={"Authorization": "Bearer guess"}, timeout=10)
    assert guessed.status_code == 401
    waiting = requests.get(f"{staff_api}/handoffs", headers=auth, timeout=10).json()["handoffs"]
    conversation_id = conversation(sender)
    assert [(h["conversation_id"], h["reason"]) for h in waiting if h["conversation_id"] == conversation_id] == [
        (conversation_id, "request")
    ]
    answer = requests.post(
        f"{staff_api}/conversations/{conversation_id}/reply",
        headers=auth,
        timeout=30,
        json={"staff": "Dana", "text": "Hi Jordan, this is Dana from intake."},
    )
    assert answer.status_code == 200, answer.text
    last = [e for e in servers.tracker(sender)["events"] if e["event"] == "bot"][-1]
    assert (last["text"], last["metadata"]["staff"]) == ("Hi Jordan, this is Dana from intake.", "Dana")
    answer = requests.post(
        f"{staff_api}/conversations/{conversation_id}/release", headers=auth, timeout=30, json={"staff": "Dana"}
    )
    assert answer.status_code == 200, answer.text
    said = answer.json()["bot_said"]
    assert said[-1].endswith(QUESTIONS["age"].wording(context({"for_whom": "self", "first_name": "Jordan"})))
    assert servers.requested(sender) == "age"
    servers.send(sender, "41")
    assert servers.requested(sender) == "state"
    with session_scope(servers.env["DATABASE_URL"]) as session:
        assert crud.open_handoff_for(session, conversation_id=conversation_id) is None
        # The token holder names the member of staff: every act through the endpoint is in the audit log.
        audited = [
            (row.staff_name, row.staff_id, row.action, row.subject_id, row.detail)
            for row in reversed(staff_store.audit_log(session))
            if row.subject_id == conversation_id
        ]
    assert audited == [
        ("Dana", None, "reply", conversation_id, "staff API"),
        ("Dana", None, "hand_back", conversation_id, "staff API"),
    ]


def test_faq_why_and_back_mid_form_return_to_the_question(servers):
    sender = "e2e-detours"
    servers.send(sender, "hi")
    for text in ("yes", "for myself", "Jordan", "41", "Oregon"):
        servers.send(sender, text)
    assert servers.requested(sender) == "concerns_text"
    reply = texts(servers.send(sender, "what is an IOP?"))
    assert "3 hours" in reply or "three hours" in reply
    assert servers.requested(sender) == "concerns_text"
    reply = texts(servers.send(sender, "why do you need to know that?"))
    assert servers.requested(sender) == "concerns_text"
    servers.send(sender, "go back")
    assert servers.requested(sender) == "state"
    servers.send(sender, "Washington")
    assert servers.requested(sender) == "concerns_text"


def test_unclear_and_out_of_range_answers_are_asked_again_kindly(servers):
    sender = "e2e-unclear"
    servers.send(sender, "hi")
    answers = dict(LIKELY_FIT)
    for key in ("consent", "for_whom", "first_name", "age", "state", "concerns_text", "current_care"):
        servers.send(sender, answers[key])
    assert servers.requested(sender) == "phq9_1"
    # The longest message the bot reads (a longer one is refused unread: tests/test_security_e2e.py).
    for bad in ("7", "", "🙂🙂", "<script>alert(1)</script>", "'; DROP TABLE answers;--", "x" * 2000):
        reply = servers.send(sender, bad)
        assert reply, "every message gets an answer"
        assert "Traceback" not in texts(reply)
        assert servers.requested(sender) == "phq9_1"
    reply = texts(servers.send(sender, "blorp"))
    assert "skip" in reply.lower()  # explained, with a way to skip, after repeated misses
    servers.send(sender, "most days")
    assert servers.requested(sender) == "phq9_2"


def test_stop_then_come_back_resumes_where_they_were(servers):
    sender = "e2e-stop"
    servers.send(sender, "hi")
    for text in ("yes", "for myself", "Casey"):
        servers.send(sender, text)
    reply = texts(servers.send(sender, "stop"))
    assert "saved" in reply
    assert servers.requested(sender) is None
    reply = texts(servers.send(sender, "hi"))
    assert "Welcome back" in reply
    assert servers.requested(sender) == "age"


def test_start_over_clears_answers(servers):
    sender = "e2e-restart"
    servers.send(sender, "hi")
    for text in ("yes", "for myself", "Morgan", "52"):
        servers.send(sender, text)
    servers.send(sender, "start over")
    assert servers.requested(sender) == "for_whom"


def test_declining_ends_politely_with_staff_contact(servers):
    sender = "e2e-decline"
    servers.send(sender, "hi")
    reply = texts(servers.send(sender, "no"))
    assert "503-555-0100" in reply
    assert servers.requested(sender) is None


def test_asking_for_a_teenager_words_questions_for_them(servers):
    sender = "e2e-parent"
    servers.send(sender, "hi")
    servers.send(sender, "yes")
    servers.send(sender, "for my son")
    reply = texts(servers.send(sender, "Alex"))
    assert "Alex" in reply  # "How old is Alex?"
    reply = texts(servers.send(sender, "15"))
    assert servers.requested(sender) == "state"
    servers.send(sender, "Oregon")
    reply = texts(servers.send(sender, "he has been really down and stopped going to school"))
    assert servers.requested(sender) == "current_care"


def test_under_age_is_told_clearly(servers):
    sender = "e2e-child"
    servers.send(sender, "hi")
    for text in ("yes", "for my daughter", "Jamie"):
        servers.send(sender, text)
    reply = texts(servers.send(sender, "10"))
    assert "13 to 64" in reply
    assert servers.requested(sender) is None


def test_conversation_survives_a_restart_of_both_servers(workdir: Path):
    if MODEL is None:
        pytest.fail("no trained model")
    sender = "e2e-persist"
    here = workdir / "persist"
    here.mkdir()
    with running_servers(here, MODEL) as first:
        first.send(sender, "hi")
        for text in ("yes", "for myself", "Quinn"):
            first.send(sender, text)
        assert first.requested(sender) == "age"
    with running_servers(here, MODEL) as second:
        assert second.requested(sender) == "age"
        second.send(sender, "38")
        assert second.requested(sender) == "state"
        row = by_conversation(second, sender)
        assert row["status"] == "in_progress"
