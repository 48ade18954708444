"""The application database: migrations, answers that survive restarts, "go back", restarts, raw text
kept exactly, the JSON Lines export, and conversation ids that are never phone numbers."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.settings import ROOT
from bot.store import crud, db
from bot.store.export import export_jsonl
from bot.store.models import Answer, Participant, Screening, metadata

CONVERSATION = "web-7f3c9a1e2b"  # opaque, as the channels make them
T0 = datetime(2024, 5, 6, 14, 0, tzinfo=timezone.utc)


def new_screening(url: str, conversation_id: str = CONVERSATION) -> int:
    with db.session_scope(url) as session:
        return crud.current_screening(session, conversation_id=conversation_id, channel="rest").id


def test_migrations_reach_head_on_an_empty_database_and_match_the_models(db_url: str) -> None:
    db.upgrade(db_url)
    db.upgrade(db_url)  # a second run is a no-op, as at every start
    head = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    finally:
        engine.dispose()
    # Exactly the models' tables: compare_metadata also reports a table the models do not have.
    assert {"alembic_version", "participants", "screenings", "answers", "escalations", "handoffs"} <= tables
    assert version == head
    assert diff == []


def test_the_alembic_command_line_migrates_the_database_url(db_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": db_url}
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "bot/store/alembic.ini", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Running upgrade  -> 0001" in done.stderr
    with db.session_scope(db_url) as session:
        head = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
        assert session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == head


def test_default_database_is_the_sqlite_file_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert db.database_url() == f"sqlite:///{ROOT / 'var' / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql://intake@db.example/iop")
    assert db.database_url() == "postgresql://intake@db.example/iop"


def test_sqlite_enforces_foreign_keys_and_uses_wal(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'app.db'}"  # missing directories are created
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("PRAGMA journal_mode")).scalar_one() == "wal"
            with pytest.raises(sa.exc.IntegrityError):
                connection.execute(
                    sa.text(
                        "INSERT INTO answers (screening_id, question_key, raw_text, answered_at) "
                        "VALUES (999, 'age', '34', '2024-05-06 14:00:00')"
                    )
                )
    finally:
        engine.dispose()


def test_answers_survive_a_restart_of_the_process(migrated_db_url: str) -> None:
    screening_id = new_screening(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        screening = crud.current_screening(session, conversation_id=CONVERSATION, channel="rest")
        crud.record_answer(session, screening=screening, key="age", raw_text="I'm 34", value=34)
        crud.record_answer(
            session, screening=screening, key="phq9_1", raw_text="several days", value=1, instrument="phq9"
        )
        crud.update_screening(session, screening=screening, for_self=True)
    db.dispose(migrated_db_url)  # every pooled connection gone, as after a restart

    with db.session_scope(migrated_db_url) as session:
        screening = crud.current_screening(session, conversation_id=CONVERSATION, channel="rest")
        answers = crud.answers_of(session, screening)
        assert screening.id == screening_id
        assert screening.for_self is True
        assert {key: (a.raw_text, a.value, a.instrument) for key, a in answers.items()} == {
            "age": ("I'm 34", 34, None),
            "phq9_1": ("several days", 1, "phq9"),
        }
        assert answers["age"].answered_at.tzinfo == timezone.utc
        assert screening.started_at.tzinfo == timezone.utc


def test_re_answering_after_going_back_replaces_the_value_and_time(migrated_db_url: str) -> None:
    new_screening(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        screening = crud.current_screening(session, conversation_id=CONVERSATION, channel="rest")
        first = crud.record_answer(
            session, screening=screening, key="phq9_2", raw_text="nearly every day", value=3, instrument="phq9"
        )
        first.answered_at = T0  # as if answered an hour ago
        crud.record_answer(
            session, screening=screening, key="gad7_1", raw_text="not at all", value=0, instrument="gad7"
        )
    with db.session_scope(migrated_db_url) as session:
        screening = crud.current_screening(session, conversation_id=CONVERSATION, channel="rest")
        assert crud.clear_answers(session, screening=screening, keys=["gad7_1", "gad7_2"]) == 1
        crud.record_answer(
            session, screening=screening, key="phq9_2", raw_text="oops, several days", value=1, instrument="phq9"
        )
    with db.session_scope(migrated_db_url) as session:
        rows = session.execute(sa.select(Answer)).scalars().all()
        assert [(a.question_key, a.raw_text, a.value) for a in rows] == [("phq9_2", "oops, several days", 1)]
        assert rows[0].answered_at > T0 + timedelta(minutes=1)


def test_one_answer_per_question_is_enforced_by_the_database(migrated_db_url: str) -> None:
    screening_id = new_screening(migrated_db_url)
    with pytest.raises(sa.exc.IntegrityError):
        with db.session_scope(migrated_db_url) as session:
            for value in (1, 2):
                session.add(
                    Answer(
                        screening_id=screening_id,
                        question_key="phq9_1",
                        raw_text=str(value),
                        value=value,
                        answered_at=T0,
                    )
                )
            session.flush()
    with db.session_scope(migrated_db_url) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Answer)).scalar_one() == 0


def test_only_known_statuses_and_fields_are_accepted(migrated_db_url: str) -> None:
    screening_id = new_screening(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        screening = session.get(Screening, screening_id)
        with pytest.raises(ValueError):
            crud.update_screening(session, screening=screening, status="finished")
        with pytest.raises(TypeError, match="conversation_id"):
            crud.update_screening(session, screening=screening, conversation_id="web-other")
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        with db.session_scope(migrated_db_url) as session:
            crud.update_screening(
                session, screening=session.get(Screening, screening_id), completed_at=datetime(2024, 5, 6, 14, 0)
            )
    with pytest.raises(sa.exc.IntegrityError):  # the database refuses it too
        with db.session_scope(migrated_db_url) as session:
            session.execute(sa.text("UPDATE screenings SET status = 'finished'"))


def test_restart_keeps_the_old_screening_and_starts_an_empty_one(migrated_db_url: str) -> None:
    old_id = new_screening(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        old = session.get(Screening, old_id)
        crud.record_answer(session, screening=old, key="age", raw_text="29", value=29)
        new = crud.restart_screening(session, conversation_id=CONVERSATION, channel="rest")
        new_id = new.id
    with db.session_scope(migrated_db_url) as session:
        old, current = (
            session.get(Screening, old_id),
            crud.current_screening(session, conversation_id=CONVERSATION, channel="rest"),
        )
        assert current.id == new_id != old_id
        assert (old.status, current.status) == ("restarted", "in_progress")
        assert old.completed_at is not None and current.completed_at is None
        assert crud.answers_of(session, current) == {}
        assert list(crud.answers_of(session, old)) == ["age"]
        assert session.execute(sa.select(sa.func.count()).select_from(Participant)).scalar_one() == 1
        with pytest.raises(ValueError, match="restarted"):
            crud.record_answer(session, screening=old, key="age", raw_text="30", value=30)


def test_restart_after_completion_keeps_the_completed_status(migrated_db_url: str) -> None:
    old_id = new_screening(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        crud.update_screening(session, screening=session.get(Screening, old_id), status="completed")
        crud.restart_screening(session, conversation_id=CONVERSATION, channel="rest")
    with db.session_scope(migrated_db_url) as session:
        assert session.get(Screening, old_id).status == "completed"


def test_an_answer_after_a_stop_resumes_the_same_screening(migrated_db_url: str) -> None:
    screening_id = new_screening(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        stopped = crud.update_screening(session, screening=session.get(Screening, screening_id), status="stopped")
        assert stopped.completed_at is not None
    with db.session_scope(migrated_db_url) as session:
        screening = crud.current_screening(session, conversation_id=CONVERSATION, channel="rest")
        crud.record_answer(session, screening=screening, key="state", raw_text="Oregon", value="OR")
        assert (screening.id, screening.status, screening.completed_at) == (screening_id, "in_progress", None)


TRICKY_TEXTS = [
    "<script>alert('hi')</script>",
    "'; DROP TABLE answers;--",
    "honestly 😔 some days, other days fine 🙂",
    ("Line one\nline \"two\" \\ 'three' <b>&amp;</b> 😔 " * 125)[:5000],
]


@pytest.mark.parametrize("text", TRICKY_TEXTS, ids=["html", "sql", "emoji", "5000-chars"])
def test_raw_text_round_trips_unchanged(migrated_db_url: str, text: str) -> None:
    screening_id = new_screening(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        screening = session.get(Screening, screening_id)
        crud.record_answer(
            session,
            screening=screening,
            key="concerns_text",
            raw_text=text,
            value={"concerns": ["depression"], "text": text},
        )
    db.dispose(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        answer = crud.answers_of(session, session.get(Screening, screening_id))["concerns_text"]
        assert answer.raw_text == text
        assert answer.value == {"concerns": ["depression"], "text": text}
        assert session.execute(sa.select(sa.func.count()).select_from(Answer)).scalar_one() == 1
    assert len(TRICKY_TEXTS[3]) == 5000


def test_a_nul_character_is_replaced_rather_than_failing_on_postgresql(migrated_db_url: str) -> None:
    screening_id = new_screening(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        crud.record_answer(
            session, screening=session.get(Screening, screening_id), key="state", raw_text="Ore\x00gon", value="OR"
        )
    with db.session_scope(migrated_db_url) as session:
        assert crud.answers_of(session, session.get(Screening, screening_id))["state"].raw_text == "Ore\ufffdgon"


def fixture_screening(url: str) -> None:
    """A completed screening by a fictional person, with fixed times."""
    with db.session_scope(url) as session:
        screening = crud.current_screening(session, conversation_id="sms-4b1d0c77e9", channel="twilio_secure")
        answers = [
            ("consent", "yes", True, None),
            ("for_whom", "for me", "self", None),
            ("first_name", "Jordan", "Jordan", None),
            ("age", "34", 34, None),
            ("insurance_carrier", "bcbs thru work", "bcbs thru work", None),
            ("member_id", "XJH123456789", "XJH123456789", None),
            ("phq9_10", "hypothetical tenth item", 0, "phq9"),  # shows numeric ordering of keys
            ("phq9_2", "more than half the days", 2, "phq9"),
            ("phq9_1", "several days", 1, "phq9"),
            ("phq9_9", "not at all", 0, "phq9"),
            ("gad7_1", "skip", "skipped", "gad7"),
            ("gad7_2", "nearly every day", 3, "gad7"),
            ("cssrs_1", "no", False, "cssrs"),
            ("cssrs_2", "no", False, "cssrs"),
            ("cssrs_6", "no", False, "cssrs"),
        ]
        for key, raw, value, instrument in answers:
            crud.record_answer(session, screening=screening, key=key, raw_text=raw, value=value, instrument=instrument)
        screening.started_at = T0
        crud.update_screening(
            session,
            screening=screening,
            status="completed",
            completed_at=T0 + timedelta(minutes=12, seconds=5),
            for_self=True,
            phq9_total=3,
            phq9_band="minimal",
            gad7_total=3,
            gad7_band="minimal",
            cssrs_risk="none",
            concerns=["depression", "anxiety"],
            care=["therapist"],
            schedule={"times": ["evening"], "days_per_week": 3, "modality": "virtual", "transport_problem": False},
            insurance={"given": "bcbs thru work", "carrier": "Blue Cross Blue Shield", "status": "in_network"},
            outcome="likely_fit",
            reasons=["Depression and anxiety symptoms in the mild range"],
            track="adult_evening",
            flags=[],
        )


EXPECTED_LINE = {
    "conversation_id": "sms-4b1d0c77e9",
    "status": "completed",
    "started_at": "2024-05-06T14:00:00+00:00",
    "completed_at": "2024-05-06T14:12:05+00:00",
    "for_self": True,
    "instruments": {
        "phq9": {"items": {"phq9_1": 1, "phq9_2": 2, "phq9_9": 0, "phq9_10": 0}, "total": 3, "band": "minimal"},
        "gad7": {"items": {"gad7_1": "skipped", "gad7_2": 3}, "total": 3, "band": "minimal"},
        "auditc": {"items": {}, "total": None, "band": None},
    },
    "cssrs": {"answers": {"cssrs_1": False, "cssrs_2": False, "cssrs_6": False}, "risk": "none"},
    "concerns": ["depression", "anxiety"],
    "care": ["therapist"],
    "schedule": {"times": ["evening"], "days_per_week": 3, "modality": "virtual", "transport_problem": False},
    "insurance": {"given": "bcbs thru work", "carrier": "Blue Cross Blue Shield", "status": "in_network"},
    "outcome": "likely_fit",
    "reasons": ["Depression and anxiety symptoms in the mild range"],
    "track": "adult_evening",
    "flags": [],
}


def test_export_writes_exactly_the_expected_json_line(migrated_db_url: str) -> None:
    fixture_screening(migrated_db_url)
    out = io.StringIO()
    with db.session_scope(migrated_db_url) as session:
        assert export_jsonl(session, out) == 1
    assert out.getvalue() == json.dumps(EXPECTED_LINE) + "\n"
    # Names, member ids and raw text stay in the database.
    assert "Jordan" not in out.getvalue() and "XJH123456789" not in out.getvalue()


def test_export_since_selects_screenings_started_from_then(migrated_db_url: str) -> None:
    for day, conversation_id in ((1, "web-aaaa1111"), (3, "web-bbbb2222")):
        with db.session_scope(migrated_db_url) as session:
            screening = crud.current_screening(session, conversation_id=conversation_id, channel="socketio")
            screening.started_at = datetime(2024, 5, day, 9, 30, tzinfo=timezone.utc)
    out = io.StringIO()
    with db.session_scope(migrated_db_url) as session:
        assert export_jsonl(session, out, since=datetime(2024, 5, 2)) == 1  # naive: read as UTC
    record = json.loads(out.getvalue())
    assert (record["conversation_id"], record["status"], record["completed_at"]) == (
        "web-bbbb2222",
        "in_progress",
        None,
    )
    assert record["instruments"]["phq9"] == {"items": {}, "total": None, "band": None}


@pytest.mark.parametrize("phone", ["+15555550123", "whatsapp:+15555550142", "(555) 555-0199", "555.555.0107"])
def test_phone_numbers_are_refused_as_conversation_ids(migrated_db_url: str, phone: str) -> None:
    with db.session_scope(migrated_db_url) as session:
        with pytest.raises(ValueError) as refused:
            crud.current_screening(session, conversation_id=phone, channel="twilio")
        with pytest.raises(ValueError):
            crud.restart_screening(session, conversation_id=phone, channel="twilio")
    assert not re.search(r"\d", str(refused.value))  # the error does not repeat the number
    with db.session_scope(migrated_db_url) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Participant)).scalar_one() == 0


@pytest.mark.parametrize("opaque", ["sms-4b1d0c77e9a2", "0f8fad5b-d9cb-469f-a165-70867728950e", "default", "1234567"])
def test_opaque_conversation_ids_are_accepted(migrated_db_url: str, opaque: str) -> None:
    with db.session_scope(migrated_db_url) as session:
        assert crud.current_screening(session, conversation_id=opaque, channel="rest").conversation_id == opaque


def test_no_phone_number_is_stored_or_exported_for_a_fixture_screening(migrated_db_url: str) -> None:
    fixture_screening(migrated_db_url)
    out = io.StringIO()
    with db.session_scope(migrated_db_url) as session:
        export_jsonl(session, out)
        stored = [
            str(value) for table in metadata.sorted_tables for row in session.execute(sa.select(table)) for value in row
        ]
    phone = re.compile(r"\+?1?[\s.-]?\(?555\)?[\s.-]?\d{3}[\s.-]?\d{4}")
    assert not [value for value in stored if phone.search(value)]
    assert not phone.search(out.getvalue())
