"""Escalations: the policy (severity, SMS wording, when the backup is paged), the table and its migration on
SQLite and PostgreSQL, acknowledge / resolve with who and when, and `iop-intake escalations`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot import cli
from bot.instruments.cssrs import Risk
from bot.safety import escalation as policy
from bot.safety.escalation import Policy, Role, Severity, Source, Trigger, for_cssrs, for_message, sms_body
from bot.safety.lexicon import Category
from bot.settings import settings
from bot.store import crud, db, models
from bot.store.models import Escalation, Screening, metadata

CONVERSATION = "web-7f3c9a1e2b"
T0 = datetime(2024, 5, 6, 14, 0, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)


# ---------------------------------------------------------------------------------------------------
# Policy


@pytest.mark.parametrize("category", list(Category))
def test_every_crisis_message_category_is_high(category: Category) -> None:
    assert for_message(category) == Trigger(Severity.HIGH, category.value, Source.MESSAGE)


def test_cssrs_results_map_to_their_severity_and_no_risk_to_no_escalation() -> None:
    assert for_cssrs(Risk.HIGH) == Trigger(Severity.HIGH, "cssrs_high", Source.CSSRS)
    assert for_cssrs(Risk.MODERATE) == Trigger(Severity.MODERATE, "cssrs_moderate", Source.CSSRS)
    assert for_cssrs(Risk.LOW) == Trigger(Severity.LOW, "cssrs_low", Source.CSSRS)
    assert for_cssrs(Risk.NONE) is None


@pytest.mark.parametrize(
    "severity, category, source",
    [
        (Severity.HIGH, "handoff", Source.MESSAGE),  # asking for a person is not an escalation
        (Severity.LOW, "suicidal_ideation", Source.MESSAGE),  # a crisis message is never low
        (Severity.HIGH, "cssrs_moderate", Source.CSSRS),
        (Severity.HIGH, "suicidal_ideation", Source.CSSRS),
    ],
)
def test_triggers_that_make_no_sense_are_refused(severity: Severity, category: str, source: Source) -> None:
    with pytest.raises(ValueError, match="not an escalation"):
        Trigger(severity, category, source)


def test_the_sms_names_the_urgency_and_the_id_only() -> None:
    assert sms_body(123, Severity.HIGH) == "Urgent intake escalation 123 - open the console"
    assert sms_body(7, Severity.MODERATE) == "Priority intake escalation 7 - open the console"
    with pytest.raises(KeyError):
        sms_body(8, Severity.LOW)  # low is never paged


def test_the_table_allows_exactly_the_policys_severities_and_sources() -> None:
    assert models.SEVERITIES == policy.SEVERITIES
    assert models.SOURCES == policy.SOURCES


@dataclass
class State:
    severity: str = "high"
    created_at: datetime = T0
    notified_at: Optional[datetime] = None
    backup_notified_at: Optional[datetime] = None
    acknowledged_at: Optional[datetime] = None
    resolved_at: Optional[datetime] = None
    last_attempt_at: Optional[datetime] = None
    last_message_at: Optional[datetime] = None
    paged_at: Optional[datetime] = None
    held_at: Optional[datetime] = None
    backup_held_at: Optional[datetime] = None


PAGED = dict(notified_at=T0, paged_at=T0, last_attempt_at=T0)


@pytest.mark.parametrize(
    "state, at, due",
    [
        (State(), T0, (Role.ON_CALL,)),
        (State(severity="moderate"), T0, (Role.ON_CALL,)),
        (State(severity="low"), T0 + 60 * MINUTE, ()),
        (State(**PAGED), T0 + 9 * MINUTE, ()),
        (State(**PAGED), T0 + 10 * MINUTE, (Role.BACKUP,)),
        (State(**PAGED, backup_notified_at=T0 + 10 * MINUTE), T0 + 30 * MINUTE, ()),
        (State(**PAGED, acknowledged_at=T0 + 5 * MINUTE), T0 + 10 * MINUTE, ()),
        (State(**PAGED, resolved_at=T0 + 5 * MINUTE), T0 + 10 * MINUTE, ()),
        (State(severity="moderate", **PAGED), T0 + 59 * MINUTE, ()),
        (State(severity="moderate", **PAGED), T0 + 60 * MINUTE, (Role.BACKUP,)),
        # A failed round is retried after the gap, not on every pass...
        (State(last_attempt_at=T0), T0 + timedelta(seconds=59), ()),
        (State(last_attempt_at=T0), T0 + MINUTE, (Role.ON_CALL,)),
        # ...and a failing on-call page does not hold back the backup.
        (State(last_attempt_at=T0 + 8 * MINUTE), T0 + 10 * MINUTE, (Role.ON_CALL, Role.BACKUP)),
        # Later crisis messages re-page on-call once ESCALATION_RENOTIFY_MINUTES have passed since it was told...
        (State(**PAGED, last_message_at=T0 + 2 * MINUTE), T0 + 9 * MINUTE, ()),
        (State(**PAGED, last_message_at=T0 + 2 * MINUTE), T0 + 10 * MINUTE, (Role.ON_CALL, Role.BACKUP)),
        (
            State(**PAGED, acknowledged_at=T0 + MINUTE, last_message_at=T0 + 2 * MINUTE),
            T0 + 10 * MINUTE,
            (Role.ON_CALL,),
        ),  # acknowledged: a new message may be new danger
        (State(**PAGED, resolved_at=T0 + MINUTE, last_message_at=T0 + 2 * MINUTE), T0 + 10 * MINUTE, ()),
        (
            State(
                notified_at=T0,
                paged_at=T0 + 10 * MINUTE,
                backup_notified_at=T0 + 10 * MINUTE,
                last_attempt_at=T0 + 10 * MINUTE,
                last_message_at=T0 + 5 * MINUTE,
            ),
            T0 + 30 * MINUTE,
            (),
        ),
        # ...and a round held back by the flood limits counts as told (a summary page stood in for it).
        (State(held_at=T0, last_attempt_at=T0), T0 + 5 * MINUTE, ()),
        (State(held_at=T0, backup_held_at=T0 + 10 * MINUTE, last_attempt_at=T0 + 10 * MINUTE), T0 + 30 * MINUTE, ()),
        (
            State(held_at=T0, last_attempt_at=T0, last_message_at=T0 + MINUTE),
            T0 + 10 * MINUTE,
            (Role.ON_CALL, Role.BACKUP),
        ),
    ],
)
def test_who_is_paged_when(state: State, at: datetime, due: tuple[Role, ...]) -> None:
    assert Policy().pages_due(state, at) == due


# ---------------------------------------------------------------------------------------------------
# The table


IDEATION = for_message(Category.SUICIDAL_IDEATION)


def _open(
    url: str,
    trigger: Trigger = IDEATION,
    text: str = "I want to end it all",
    now: datetime = T0,
    screening_id: Optional[int] = None,
) -> int:
    with db.session_scope(url) as session:
        return crud.create_escalation(
            session,
            conversation_id=CONVERSATION,
            trigger=trigger,
            trigger_text=text,
            screening_id=screening_id,
            now=now,
        ).id


def test_the_migration_creates_the_table_on_both_databases(db_url: str) -> None:
    db.upgrade(db_url, "0001")
    with db.session_scope(db_url) as session:  # data from before the upgrade carries over
        # Plain SQL: today's models have columns that revision 0001 does not.
        now = datetime.now(timezone.utc)
        session.execute(
            sa.text("INSERT INTO participants (conversation_id, channel, created_at) VALUES (:c, 'rest', :t)"),
            {"c": CONVERSATION, "t": now},
        )
        participant_id = session.execute(sa.text("SELECT id FROM participants")).scalar_one()
        session.execute(
            sa.text(
                "INSERT INTO screenings (participant_id, conversation_id, status, started_at, "
                "updated_at) VALUES (:p, :c, 'in_progress', :t, :t)"
            ),
            {"p": participant_id, "c": CONVERSATION, "t": now},
        )
        screening_id = session.execute(sa.text("SELECT id FROM screenings")).scalar_one()
    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
            assert "escalations" in sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()
    assert (version, diff) == (ScriptDirectory.from_config(db.alembic_config()).get_current_head(), [])

    escalation_id = _open(db_url, screening_id=screening_id)
    with pytest.raises(sa.exc.IntegrityError):
        with db.session_scope(db_url) as session:
            session.execute(sa.update(Escalation).where(Escalation.id == escalation_id).values(severity="critical"))
    # The escalation outlives its screening: it is the record that staff were alerted.
    with db.session_scope(db_url) as session:
        session.execute(sa.delete(Screening))
    with db.session_scope(db_url) as session:
        row = crud.get_escalation(session, escalation_id=escalation_id)
        assert (row.severity, row.screening_id) == ("high", None)


def test_an_escalation_keeps_what_raised_it(migrated_db_url: str) -> None:
    with db.session_scope(migrated_db_url) as session:
        screening_id = crud.current_screening(session, conversation_id=CONVERSATION, channel="rest").id
    text = "<b>i can't do this anymore</b> \x00 😞"
    escalation_id = _open(migrated_db_url, for_cssrs(Risk.MODERATE), text, screening_id=screening_id)
    with db.session_scope(migrated_db_url) as session:
        row = crud.get_escalation(session, escalation_id=escalation_id)
        assert (row.conversation_id, row.screening_id, row.severity, row.category, row.source) == (
            CONVERSATION,
            screening_id,
            "moderate",
            "cssrs_moderate",
            "cssrs",
        )
        assert row.trigger_text == "<b>i can't do this anymore</b> \ufffd 😞"
        assert (row.created_at, row.status, row.notify_attempts, row.last_error) == (T0, "open", 0, None)
        assert (row.notified_at, row.backup_notified_at, row.acknowledged_at, row.resolved_at) == (None,) * 4


def test_a_phone_number_is_never_a_conversation_id(migrated_db_url: str) -> None:
    with pytest.raises(ValueError, match="looks like a phone number"):
        with db.session_scope(migrated_db_url) as session:
            crud.create_escalation(
                session, conversation_id="+1 555 555 0101", trigger=for_message(Category.SELF_HARM), trigger_text="x"
            )


def test_acknowledge_and_resolve_record_who_and_when(migrated_db_url: str) -> None:
    escalation_id = _open(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        crud.acknowledge_escalation(session, escalation_id=escalation_id, by="  Dana   Reyes ", now=T0 + 4 * MINUTE)
    with db.session_scope(migrated_db_url) as session:  # the first acknowledgement is the one kept
        row = crud.acknowledge_escalation(session, escalation_id=escalation_id, by="Sam Ortiz", now=T0 + 6 * MINUTE)
        assert (row.status, row.acknowledged_by, row.acknowledged_at) == ("acknowledged", "Dana Reyes", T0 + 4 * MINUTE)
    with db.session_scope(migrated_db_url) as session:
        crud.resolve_escalation(
            session,
            escalation_id=escalation_id,
            by="Sam Ortiz",
            now=T0 + 40 * MINUTE,
            outcome="called back, safety plan made",
            note="mother is with them tonight",
        )
    with db.session_scope(migrated_db_url) as session:
        row = crud.get_escalation(session, escalation_id=escalation_id)
        assert (row.status, row.resolved_by, row.resolved_at, row.outcome, row.note) == (
            "resolved",
            "Sam Ortiz",
            T0 + 40 * MINUTE,
            "called back, safety plan made",
            "mother is with them tonight",
        )
        assert (row.acknowledged_by, row.acknowledged_at) == ("Dana Reyes", T0 + 4 * MINUTE)
        with pytest.raises(crud.EscalationClosed, match="already resolved by Sam Ortiz"):
            crud.resolve_escalation(session, escalation_id=escalation_id, by="Dana Reyes", outcome="again")


def test_resolving_an_unacknowledged_escalation_acknowledges_it(migrated_db_url: str) -> None:
    escalation_id = _open(migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        row = crud.resolve_escalation(
            session, escalation_id=escalation_id, by="Dana Reyes", outcome="duplicate", now=T0 + 2 * MINUTE
        )
        assert (row.acknowledged_by, row.acknowledged_at, row.note) == ("Dana Reyes", T0 + 2 * MINUTE, None)


@pytest.mark.parametrize(
    "by, outcome, message",
    [
        ("  ", "called", "name of who resolved must not be empty"),
        ("Dana Reyes", "", "outcome must not be empty"),
        ("D" * 101, "called", "longer than 100 characters"),
    ],
)
def test_resolving_needs_a_name_and_an_outcome(migrated_db_url: str, by: str, outcome: str, message: str) -> None:
    escalation_id = _open(migrated_db_url)
    with pytest.raises(ValueError, match=message):
        with db.session_scope(migrated_db_url) as session:
            crud.resolve_escalation(session, escalation_id=escalation_id, by=by, outcome=outcome)
    with db.session_scope(migrated_db_url) as session:
        assert crud.get_escalation(session, escalation_id=escalation_id).status == "open"
        with pytest.raises(crud.EscalationNotFound, match="no escalation 999"):
            crud.acknowledge_escalation(session, escalation_id=999, by="Dana Reyes")


def test_the_open_queue_puts_the_untaken_first_then_the_most_severe_then_the_oldest(migrated_db_url: str) -> None:
    moderate = _open(migrated_db_url, for_cssrs(Risk.MODERATE), "yes", now=T0)
    old_high = _open(migrated_db_url, now=T0 + MINUTE)
    done = _open(migrated_db_url, now=T0 + 2 * MINUTE)
    low = _open(migrated_db_url, for_cssrs(Risk.LOW), "yes", now=T0 - MINUTE)
    new_high = _open(
        migrated_db_url, for_message(Category.OVERDOSE_OR_MEDICAL), "took all my pills", now=T0 + 3 * MINUTE
    )
    with db.session_scope(migrated_db_url) as session:
        crud.resolve_escalation(session, escalation_id=done, by="Dana Reyes", outcome="called back")
        crud.acknowledge_escalation(session, escalation_id=old_high, by="Dana Reyes")
    with db.session_scope(migrated_db_url) as session:
        # The high one somebody acknowledged waits below those nobody has taken yet.
        assert [e.id for e in crud.list_escalations(session, open_only=True)] == [new_high, moderate, low, old_high]
        assert [e.id for e in crud.list_escalations(session)] == [moderate, old_high, done, low, new_high]
        assert [e.id for e in crud.pageable_escalations(session)] == [moderate, low, new_high]


def test_only_one_process_claims_a_round_of_pages(migrated_db_url: str) -> None:
    escalation_id = _open(migrated_db_url)
    # Two processes read the row; the first to claim wins, the other's claim fails.
    with db.session_scope(migrated_db_url) as session:
        seen = crud.get_escalation(session, escalation_id=escalation_id).last_attempt_at
    with db.session_scope(migrated_db_url) as first:
        assert crud.claim_paging(first, escalation_id=escalation_id, seen=seen, now=T0) is True
    with db.session_scope(migrated_db_url) as second:
        assert crud.claim_paging(second, escalation_id=escalation_id, seen=seen, now=T0 + MINUTE) is False
    with db.session_scope(migrated_db_url) as session:
        row = crud.get_escalation(session, escalation_id=escalation_id)
        assert row.last_attempt_at == T0
        assert crud.claim_paging(session, escalation_id=escalation_id, seen=T0, now=T0 + 2 * MINUTE) is True
        assert row.last_attempt_at == T0 + 2 * MINUTE  # the session's copy follows the claim
        crud.acknowledge_escalation(session, escalation_id=escalation_id, by="Dana Reyes")
        assert (
            crud.claim_paging(session, escalation_id=escalation_id, seen=row.last_attempt_at, now=T0 + 3 * MINUTE)
            is False
        )  # taken meanwhile


# ---------------------------------------------------------------------------------------------------
# iop-intake escalations


HEADER = (
    "   id  raised (UTC)      severity  category                status        by                "
    "paged            conversation"
)


def test_cli_lists_acknowledges_and_resolves(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    first = _open(migrated_db_url, text="I want to end it all")
    second = _open(migrated_db_url, for_cssrs(Risk.MODERATE), "yes", now=T0 + MINUTE)
    with db.session_scope(migrated_db_url) as session:
        crud.record_paging(session, escalation_id=first, attempts=1, error=None, on_call_at=T0)
        crud.record_paging(
            session,
            escalation_id=second,
            attempts=3,
            error="on-call 1 of 1: Twilio answered 503; gave up after 3 tries",
        )

    assert cli.main(["escalations", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        HEADER,
        f"{first:>5}  2024-05-06 14:00  high      suicidal_ideation       open          -                 "
        f"on-call          {CONVERSATION}",
        f"{second:>5}  2024-05-06 14:01  moderate  cssrs_moderate          open          -                 "
        f"nobody           {CONVERSATION}",
        "       last paging error (3 requests so far): on-call 1 of 1: Twilio answered 503; gave up after 3 tries",
    ]
    assert "end it all" not in out  # what the person wrote stays in the console

    before = datetime.now(timezone.utc)
    assert cli.main(["escalations", "ack", str(first), "--by", "Dana Reyes"]) == 0
    assert capsys.readouterr().out.startswith(f"escalation {first} acknowledged by Dana Reyes at ")
    assert (
        cli.main(
            [
                "escalations",
                "resolve",
                str(second),
                "--by",
                "Sam Ortiz",
                "--outcome",
                "called back",
                "--note",
                "will attend Monday's assessment",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.startswith(f"escalation {second} resolved by Sam Ortiz at ")
    with db.session_scope(migrated_db_url) as session:
        acked, resolved = (crud.get_escalation(session, escalation_id=i) for i in (first, second))
        assert (acked.status, acked.acknowledged_by) == ("acknowledged", "Dana Reyes")
        assert (resolved.status, resolved.resolved_by, resolved.outcome, resolved.note) == (
            "resolved",
            "Sam Ortiz",
            "called back",
            "will attend Monday's assessment",
        )
        assert before <= acked.acknowledged_at <= datetime.now(timezone.utc)

    assert cli.main(["escalations", "list", "--open"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:6] for line in lines[1:]] == [
        [str(first), "2024-05-06", "14:00", "high", "suicidal_ideation", "acknowledged"]
    ]
    assert lines[1].split()[6:8] == ["Dana", "Reyes"]


def test_cli_refuses_unknown_and_closed_escalations(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    assert cli.main(["escalations", "list", "--open"]) == 0
    assert capsys.readouterr().out.splitlines() == [HEADER, "no open escalations"]
    assert cli.main(["escalations", "ack", "41", "--by", "Dana Reyes"]) == 1
    assert capsys.readouterr().err == "escalations: no escalation 41\n"
    escalation_id = _open(migrated_db_url)
    assert cli.main(["escalations", "resolve", str(escalation_id), "--by", "Dana Reyes", "--outcome", "called"]) == 0
    assert cli.main(["escalations", "resolve", str(escalation_id), "--by", "Sam Ortiz", "--outcome", "again"]) == 1
    assert capsys.readouterr().err == f"escalations: escalation {escalation_id} was already resolved by Dana Reyes\n"


def test_cli_watch_pages_what_is_due_every_interval_until_stopped(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    escalation_id = _open(migrated_db_url, now=datetime.now(timezone.utc))
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            raise KeyboardInterrupt  # Ctrl-C, as scripts/run stops it

    assert cli._watch(settings(), 5, sleep=sleep) == 0
    assert waits == [5, 5, 5]
    # SMS is not configured here: the first pass records that nobody was paged; the next ones wait for the
    # retry gap instead of hammering the database.
    assert capsys.readouterr().out.splitlines() == [
        f"escalation {escalation_id}: on_call: 0 sent, SMS not configured: nobody was paged"
    ]


def test_cli_watch_refuses_an_interval_of_zero(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        cli.main(["escalations", "watch", "--interval", "0"])
    assert "should be more than 0" in capsys.readouterr().err


def test_two_people_acknowledging_or_resolving_at_once_keep_the_first_record(migrated_db_url: str) -> None:
    escalation_id = _open(migrated_db_url)
    with db.session_scope(migrated_db_url) as first, db.session_scope(migrated_db_url) as second:
        crud.get_escalation(first, escalation_id=escalation_id)  # both read it unacknowledged
        crud.get_escalation(second, escalation_id=escalation_id)
        crud.acknowledge_escalation(first, escalation_id=escalation_id, by="Dana Reyes", now=T0)
        first.commit()
        taken = crud.acknowledge_escalation(second, escalation_id=escalation_id, by="Sam Lee", now=T0 + MINUTE)
        assert (taken.acknowledged_by, taken.acknowledged_at) == ("Dana Reyes", T0)
    with db.session_scope(migrated_db_url) as session:
        crud.resolve_escalation(session, escalation_id=escalation_id, by="Dana Reyes", outcome="called, safe")
    with db.session_scope(migrated_db_url) as session, pytest.raises(crud.EscalationClosed):
        crud.resolve_escalation(session, escalation_id=escalation_id, by="Sam Lee", outcome="double submit")
    with db.session_scope(migrated_db_url) as session:
        kept = crud.get_escalation(session, escalation_id=escalation_id)
        assert (kept.outcome, kept.resolved_by) == ("called, safe", "Dana Reyes")
