"""Paging staff by SMS through Twilio's REST API, with a fake HTTP client (never the network): the record
exists before the first send, retries and backoff, failures kept on the record, the backup contact after
the configured minutes, wording without health information, no numbers in logs, and the settings. One test
sends a real request to a local mock served from Twilio's own OpenAPI description, when npx and the
description are available."""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

import pytest
import requests
from cryptography.fernet import Fernet

from bot import cli
from bot.instruments.cssrs import Risk
from bot.notify import NOT_CONFIGURED, Contacts, Notifier, Round
from bot.safety.escalation import Policy, Role, Severity, Trigger, for_cssrs, for_message
from bot.safety.lexicon import Category
from bot.settings import ROOT, ConfigError, Settings, settings
from bot.sms.twilio_rest import Retry, TwilioConfig, TwilioSms
from bot.store import crud, db
from bot.store.models import Escalation
from harness.servers import free_port

CONVERSATION = "web-7f3c9a1e2b"
T0 = datetime(2024, 5, 6, 14, 0, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)
SID = "AC" + "0123456789abcdef" * 2
TOKEN = "f" * 32
FROM, ON_CALL, ON_CALL_2, BACKUP = "+15555550100", "+15555550101", "+15555550102", "+15555550199"
CONFIG = TwilioConfig(SID, TOKEN, FROM, "http://127.0.0.1:4010")
MESSAGES_URL = f"http://127.0.0.1:4010/2010-04-01/Accounts/{SID}/Messages.json"
TEXT = "I want to end it all tonight, I have the pills"
CRISIS = for_message(Category.INTENT_OR_PLAN)


@dataclass
class Reply:
    status_code: int
    body: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)

    def json(self) -> Any:
        return self.body


CREATED = Reply(201, {"sid": "SM" + "a" * 32, "status": "queued"})


@dataclass
class Call:
    url: str
    data: dict
    auth: tuple
    timeout: float


class FakeTwilio:
    """Answers in turn with the replies given (the last one repeats); an exception is raised instead."""

    def __init__(self, *replies: Union[Reply, Exception], before: Optional[Callable[[dict], None]] = None) -> None:
        self.replies = list(replies)
        self.calls: list[Call] = []
        self.before = before

    def post(self, url: str, *, data: dict, auth: tuple, timeout: float) -> Reply:
        if self.before:
            self.before(dict(data))
        self.calls.append(Call(url, dict(data), auth, timeout))
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    @property
    def sent(self) -> list[tuple[str, str]]:
        return [(call.data["To"], call.data["Body"]) for call in self.calls]


def sms(http: FakeTwilio, sleeps: Optional[list] = None) -> TwilioSms:
    return TwilioSms(CONFIG, http=http, sleep=(sleeps if sleeps is not None else []).append)


def notifier(
    url: str, http: FakeTwilio, sleeps: Optional[list] = None, on_call: tuple[str, ...] = (ON_CALL,)
) -> Notifier:
    return Notifier(
        url,
        sms=sms(http, sleeps),
        contacts=Contacts(on_call, (BACKUP,)),
        policy=Policy(timedelta(minutes=10), timedelta(minutes=60)),
        clock=lambda: T0,
    )


def row(url: str, escalation_id: int) -> Escalation:
    with db.session_scope(url) as session:
        return crud.get_escalation(session, escalation_id=escalation_id)


# ---------------------------------------------------------------------------------------------------
# The SMS client


def test_one_request_in_twilios_form() -> None:
    http = FakeTwilio(CREATED)
    result = sms(http).send(ON_CALL, "Urgent intake escalation 5 - open the console")
    assert (result.ok, result.attempts, result.status, result.sid, result.error) == (
        True,
        1,
        201,
        "SM" + "a" * 32,
        None,
    )
    assert http.calls == [
        Call(
            MESSAGES_URL,
            {"To": ON_CALL, "From": FROM, "Body": "Urgent intake escalation 5 - open the console"},
            (SID, TOKEN),
            10.0,
        )
    ]


def test_a_500_is_retried_after_a_second_and_then_succeeds() -> None:
    sleeps: list[float] = []
    http = FakeTwilio(Reply(500, {"code": 20500, "message": "Internal Server Error"}), CREATED)
    result = sms(http, sleeps).send(ON_CALL, "body")
    assert (result.ok, result.attempts, len(http.calls), sleeps) == (True, 2, 2, [1.0])


def test_connection_failures_are_retried_with_growing_waits() -> None:
    sleeps: list[float] = []
    http = FakeTwilio(requests.ConnectionError("refused"), requests.Timeout("read timed out"), CREATED)
    result = sms(http, sleeps).send(ON_CALL, "body")
    assert (result.ok, result.attempts, sleeps) == (True, 3, [1.0, 2.0])


def test_429_backs_off_and_honours_retry_after_within_the_cap() -> None:
    sleeps: list[float] = []
    http = FakeTwilio(
        Reply(429, {"code": 20429}),
        Reply(429, {"code": 20429}, {"Retry-After": "7"}),
        Reply(429, {"code": 20429}, {"Retry-After": "3600"}),
        CREATED,
    )
    result = TwilioSms(CONFIG, http=http, sleep=sleeps.append, retry=Retry(attempts=4)).send(ON_CALL, "body")
    assert (result.ok, result.attempts, sleeps) == (True, 4, [1.0, 7.0, 30.0])


def test_retries_are_bounded_and_the_failure_is_reported() -> None:
    sleeps: list[float] = []
    result = sms(FakeTwilio(Reply(503)), sleeps).send(ON_CALL, "body")
    assert (result.ok, result.attempts, result.status, sleeps) == (False, 3, 503, [1.0, 2.0])
    assert result.error == "Twilio answered 503; gave up after 3 tries"
    result = sms(FakeTwilio(requests.ConnectionError("refused"))).send(ON_CALL, "body")
    assert (result.ok, result.status, result.error) == (
        False,
        None,
        "no answer from Twilio (ConnectionError); gave up after 3 tries",
    )


def test_a_refused_message_is_not_retried_and_its_error_repeats_no_number(caplog: pytest.LogCaptureFixture) -> None:
    refusal = Reply(
        400, {"code": 21211, "status": 400, "message": f"The 'To' number {ON_CALL} is not a valid phone number."}
    )
    http = FakeTwilio(refusal)
    with caplog.at_level(logging.DEBUG):
        result = sms(http).send(ON_CALL, "body")
    assert (result.ok, result.attempts, len(http.calls)) == (False, 1, 1)
    assert result.error == "Twilio answered 400 (error 21211)"
    assert "5550101" not in caplog.text


def test_a_recipient_that_is_not_e164_is_refused_before_any_request() -> None:
    http = FakeTwilio(CREATED)
    with pytest.raises(ValueError, match="not an E.164 phone number") as error:
        sms(http).send("555-0101", "body")
    assert "0101" not in str(error.value) and http.calls == []


# ---------------------------------------------------------------------------------------------------
# Paging escalations


def test_the_record_is_committed_before_the_first_send_attempt(migrated_db_url: str) -> None:
    seen: list[tuple] = []

    def check_the_database(data: dict) -> None:
        # A separate session: only committed data is visible to it.
        with db.session_scope(migrated_db_url) as session:
            rows = crud.list_escalations(session)
            seen.append(tuple((e.trigger_text, e.severity, e.category, e.last_attempt_at) for e in rows))

    http = FakeTwilio(Reply(500), CREATED, before=check_the_database)
    escalation_id = notifier(migrated_db_url, http).escalate(
        conversation_id=CONVERSATION, trigger=CRISIS, trigger_text=TEXT
    )
    assert seen == [((TEXT, "high", "intent_or_plan", T0),)] * 2
    saved = row(migrated_db_url, escalation_id)
    assert (saved.notified_at, saved.notify_attempts, saved.last_error, saved.backup_notified_at) == (T0, 2, None, None)
    assert http.sent == [(ON_CALL, f"Urgent intake escalation {escalation_id} - open the console")] * 2


def test_every_on_call_number_is_paged_and_not_the_backup(migrated_db_url: str) -> None:
    http = FakeTwilio(CREATED)
    escalation_id = notifier(migrated_db_url, http, on_call=(ON_CALL, ON_CALL_2)).escalate(
        conversation_id=CONVERSATION, trigger=for_cssrs(Risk.MODERATE), trigger_text="yes"
    )
    body = f"Priority intake escalation {escalation_id} - open the console"
    assert http.sent == [(ON_CALL, body), (ON_CALL_2, body)]
    assert row(migrated_db_url, escalation_id).notify_attempts == 2


def test_a_permanent_failure_keeps_the_escalation_and_is_retried_by_the_next_pass(
    migrated_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    http = FakeTwilio(Reply(500))
    paging = notifier(migrated_db_url, http)
    with caplog.at_level(logging.DEBUG):
        escalation_id = paging.escalate(conversation_id=CONVERSATION, trigger=CRISIS, trigger_text=TEXT)
    saved = row(migrated_db_url, escalation_id)
    assert (saved.trigger_text, saved.status, saved.notified_at, saved.notify_attempts, saved.last_error) == (
        TEXT,
        "open",
        None,
        3,
        "on-call 1 of 1: Twilio answered 500; gave up after 3 tries",
    )
    # Nothing the person wrote and no number reaches the log.
    assert "5550101" not in caplog.text and "pills" not in caplog.text
    assert f"escalation {escalation_id}: paging on-call: 0 sent, 1 failed" in caplog.text

    assert paging.notify_due(now=T0 + timedelta(seconds=30)) == []  # too soon after the failed round
    http.replies = [CREATED]
    assert paging.notify_due(now=T0 + 2 * MINUTE) == [Round(escalation_id, (Role.ON_CALL,), 1, 0, None)]
    saved = row(migrated_db_url, escalation_id)
    assert (saved.notified_at, saved.notify_attempts, saved.last_error) == (T0 + 2 * MINUTE, 4, None)


def test_the_backup_is_paged_after_the_configured_minutes_without_acknowledgement(migrated_db_url: str) -> None:
    http = FakeTwilio(CREATED)
    paging = notifier(migrated_db_url, http)
    escalation_id = paging.escalate(conversation_id=CONVERSATION, trigger=CRISIS, trigger_text=TEXT)
    assert paging.notify_due(now=T0 + 9 * MINUTE) == []
    assert paging.notify_due(now=T0 + 10 * MINUTE) == [Round(escalation_id, (Role.BACKUP,), 1, 0, None)]
    assert paging.notify_due(now=T0 + 25 * MINUTE) == []  # the backup is paged once
    body = f"Urgent intake escalation {escalation_id} - open the console"
    assert http.sent == [(ON_CALL, body), (BACKUP, body)]
    saved = row(migrated_db_url, escalation_id)
    assert (saved.notified_at, saved.backup_notified_at, saved.notify_attempts) == (T0, T0 + 10 * MINUTE, 2)


def test_no_backup_once_someone_has_acknowledged(migrated_db_url: str) -> None:
    http = FakeTwilio(CREATED)
    paging = notifier(migrated_db_url, http)
    escalation_id = paging.escalate(conversation_id=CONVERSATION, trigger=CRISIS, trigger_text=TEXT)
    with db.session_scope(migrated_db_url) as session:
        crud.acknowledge_escalation(session, escalation_id=escalation_id, by="Dana Reyes", now=T0 + 4 * MINUTE)
    assert paging.notify_due(now=T0 + 10 * MINUTE) == []
    assert paging.notify_due(now=T0 + 90 * MINUTE) == []
    assert [to for to, _ in http.sent] == [ON_CALL]


def test_moderate_waits_for_its_own_time_and_low_pages_nobody(migrated_db_url: str) -> None:
    http = FakeTwilio(CREATED)
    paging = notifier(migrated_db_url, http)
    moderate = paging.escalate(conversation_id=CONVERSATION, trigger=for_cssrs(Risk.MODERATE), trigger_text="yes")
    low = paging.escalate(conversation_id=CONVERSATION, trigger=for_cssrs(Risk.LOW), trigger_text="yes")
    assert paging.notify_due(now=T0 + 59 * MINUTE) == []
    assert paging.notify_due(now=T0 + 60 * MINUTE) == [Round(moderate, (Role.BACKUP,), 1, 0, None)]
    assert [to for to, _ in http.sent] == [ON_CALL, BACKUP]
    assert (row(migrated_db_url, low).notify_attempts, row(migrated_db_url, low).last_attempt_at) == (0, None)


HEALTH_WORDS = re.compile(
    r"suicid|kill|die|dead|death|harm|hurt|overdose|pill|crisis|risk|cssrs|c-ssrs|self|"
    r"intent|plan|attempt|ideation|mental|depress|safety|988|\+1",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "trigger",
    [for_message(c) for c in Category] + [for_cssrs(Risk.HIGH), for_cssrs(Risk.MODERATE)],
    ids=lambda t: t.category,
)
def test_the_sms_carries_no_health_information(migrated_db_url: str, trigger: Trigger) -> None:
    http = FakeTwilio(CREATED)
    escalation_id = notifier(migrated_db_url, http).escalate(
        conversation_id=CONVERSATION, trigger=trigger, trigger_text=TEXT
    )
    [(_, body)] = http.sent
    word = "Urgent" if trigger.severity is Severity.HIGH else "Priority"
    assert body == f"{word} intake escalation {escalation_id} - open the console"
    assert not HEALTH_WORDS.search(body) and CONVERSATION not in body
    assert body.isascii()  # GSM-7: one SMS segment


def test_without_sms_settings_the_escalation_is_recorded_and_says_nobody_was_paged(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    paging = Notifier.from_settings()
    assert paging.sms is None
    escalation_id = paging.escalate(conversation_id=CONVERSATION, trigger=CRISIS, trigger_text=TEXT)
    saved = row(migrated_db_url, escalation_id)
    assert (saved.trigger_text, saved.notified_at, saved.notify_attempts, saved.last_error) == (
        TEXT,
        None,
        0,
        NOT_CONFIGURED,
    )


def test_notifier_from_settings_uses_the_configured_numbers_minutes_and_address(migrated_db_url: str) -> None:
    current = Settings(
        env="test",
        database_url=migrated_db_url,
        tracker_store_url="sqlite://",
        program_file=ROOT / "program.yml",
        rasa_auth_token="t",
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_from_number=FROM,
        twilio_api_url="http://127.0.0.1:4010",
        on_call_numbers=(ON_CALL, ON_CALL_2),
        backup_number=BACKUP,
        renotify_minutes=5,
        moderate_renotify_minutes=30,
    )
    http = FakeTwilio(CREATED)
    paging = Notifier.from_settings(current, http=http, sleep=lambda _: None)
    assert (paging.contacts, paging.policy.high_backup_after, paging.policy.moderate_backup_after) == (
        Contacts((ON_CALL, ON_CALL_2), (BACKUP,)),
        5 * MINUTE,
        30 * MINUTE,
    )
    paging.escalate(conversation_id=CONVERSATION, trigger=CRISIS, trigger_text=TEXT)
    assert [call.url for call in http.calls] == [MESSAGES_URL] * 2


def test_cli_notify_due_runs_one_pass(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    with db.session_scope(migrated_db_url) as session:
        escalation_id = crud.create_escalation(
            session,
            conversation_id=CONVERSATION,
            trigger=CRISIS,
            trigger_text=TEXT,
            now=datetime.now(timezone.utc) - 20 * MINUTE,
        ).id
    assert cli.main(["escalations", "notify-due"]) == 1  # nobody could be paged: say so in the exit status
    out, err = capsys.readouterr()
    assert out == f"escalation {escalation_id}: on_call and backup: 0 sent, {NOT_CONFIGURED}\n"
    assert err == "1 escalation(s) due\n"
    assert cli.main(["escalations", "notify-due"]) == 0  # the failed round is not retried within a minute
    assert capsys.readouterr() == ("", "0 escalation(s) due\n")


# ---------------------------------------------------------------------------------------------------
# Settings


def configured(**changes: Any) -> Settings:
    values = dict(
        env="production",
        database_url="sqlite://",
        tracker_store_url="sqlite://",
        program_file=ROOT / "program.yml",
        rasa_auth_token="r" * 32,
        staff_api_token="s" * 32,
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_from_number=FROM,
        twilio_api_url="https://api.twilio.com",
        on_call_numbers=(ON_CALL,),
        backup_number=BACKUP,
        console_public_url="https://intake.example.org",
        action_server_token="a" * 32,
        sms_id_key="i" * 32,
        sms_number_key=Fernet.generate_key().decode(),
        widget_allowed_origins=("https://www.example.org",),
    )
    return Settings(**{**values, **changes})


def test_production_with_sms_configured_starts() -> None:
    configured().check()


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            dict(twilio_account_sid="", twilio_auth_token="", twilio_from_number=""),
            "escalation SMS must be configured in production",
        ),
        (dict(backup_number=""), "ESCALATION_ON_CALL_NUMBERS and ESCALATION_BACKUP_NUMBER must be set"),
        (dict(on_call_numbers=()), "ESCALATION_ON_CALL_NUMBERS and ESCALATION_BACKUP_NUMBER must be set"),
        (dict(twilio_api_url="http://127.0.0.1:4010"), "TWILIO_API_URL must be an https:// address in production"),
        (dict(staff_api_token="short"), "STAFF_API_TOKEN must be a long random secret"),
        (dict(staff_api_token="r" * 32), "STAFF_API_TOKEN must be set to its own"),  # the Rasa token reused
        (dict(console_public_url=""), "CONSOLE_PUBLIC_URL must be the console's public https:// address"),
        (dict(console_public_url="http://intake.example.org"), "CONSOLE_PUBLIC_URL must be"),
    ],
)
def test_production_refuses_to_start_when_nobody_could_be_paged(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        configured(**changes).check()


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            dict(twilio_auth_token=""),
            r"set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER together "
            r"\(missing: TWILIO_AUTH_TOKEN\)",
        ),
        (dict(twilio_account_sid="AC123"), "TWILIO_ACCOUNT_SID should be AC followed by 32 hexadecimal characters"),
        (dict(on_call_numbers=(ON_CALL, "5555550102")), "number 2 in ESCALATION_ON_CALL_NUMBERS should be in E.164"),
        (dict(backup_number="555-0199"), "^ESCALATION_BACKUP_NUMBER should be in E.164"),
        (dict(twilio_api_url="ftp://twilio.example"), "TWILIO_API_URL should be a base address"),
        (dict(twilio_api_url="https://api.twilio.com/2010-04-01"), "TWILIO_API_URL should be a base address"),
        (dict(renotify_minutes=0), "ESCALATION_RENOTIFY_MINUTES should be at least 1"),
    ],
)
def test_bad_sms_settings_are_refused_in_any_environment(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        configured(env="development", **changes).check()
    assert "0102" not in str(error.value) and "0199" not in str(error.value)


def test_sms_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_FROM_NUMBER",
        "TWILIO_API_URL",
        "ESCALATION_ON_CALL_NUMBERS",
        "ESCALATION_BACKUP_NUMBER",
        "ESCALATION_RENOTIFY_MINUTES",
        "ESCALATION_MODERATE_RENOTIFY_MINUTES",
    ):
        monkeypatch.delenv(name, raising=False)
    defaults = settings()
    assert (
        defaults.sms_configured,
        defaults.twilio_api_url,
        defaults.on_call_numbers,
        defaults.backup_number,
        defaults.renotify_minutes,
        defaults.moderate_renotify_minutes,
    ) == (False, "https://api.twilio.com", (), "", 10, 60)
    defaults.check()  # development: nothing to send with, nothing to refuse

    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_FROM_NUMBER", "+1 (555) 555-0100")
    monkeypatch.setenv("TWILIO_API_URL", "http://127.0.0.1:4010/")
    monkeypatch.setenv("ESCALATION_ON_CALL_NUMBERS", "+1 555-555-0101, +15555550102,")
    monkeypatch.setenv("ESCALATION_BACKUP_NUMBER", "+1 555 555 0199")
    monkeypatch.setenv("ESCALATION_RENOTIFY_MINUTES", "15")
    current = settings()
    assert (
        current.sms_configured,
        current.twilio_from_number,
        current.twilio_api_url,
        current.on_call_numbers,
        current.backup_number,
        current.renotify_minutes,
    ) == (True, FROM, "http://127.0.0.1:4010", (ON_CALL, ON_CALL_2), BACKUP, 15)
    current.check()  # a plain-http mock is fine outside production
    monkeypatch.setenv("ESCALATION_MODERATE_RENOTIFY_MINUTES", "an hour")
    with pytest.raises(ConfigError, match="ESCALATION_MODERATE_RENOTIFY_MINUTES should be a whole number"):
        settings()


# ---------------------------------------------------------------------------------------------------
# Against Twilio's own OpenAPI description


SPEC = ROOT.parent / "shared" / "twilio" / "twilio_api_v2010.json"
PRISM = "@stoplight/prism-cli@5.14.2"
PRISM_START_SECONDS = 60


@pytest.fixture(scope="module")
def twilio_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a Prism mock that validates requests against Twilio's OpenAPI description."""
    npx = shutil.which("npx")
    if npx is None or not SPEC.is_file():
        pytest.skip("needs npx and ../shared/twilio/twilio_api_v2010.json")
    port = free_port()
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [npx, "--yes", PRISM, "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + PRISM_START_SECONDS
        while b"Prism is listening" not in log.read_bytes():
            if proc.poll() is not None:
                pytest.skip("npx could not run the Prism mock (is the npm registry reachable?)")
            if time.monotonic() > deadline:
                pytest.skip(f"the Prism mock did not start within {PRISM_START_SECONDS} s")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # npx runs prism as a child: stop the whole group
            proc.wait(timeout=10)


def test_a_page_is_a_valid_request_to_twilio(twilio_mock: str, tmp_path: Path) -> None:
    # The mock checks what it is sent: without credentials it refuses, so its 201 below means something.
    assert (
        requests.post(
            f"{twilio_mock}/2010-04-01/Accounts/{SID}/Messages.json",
            data={"To": ON_CALL, "From": FROM, "Body": "x"},
            timeout=10,
        ).status_code
        == 401
    )
    url = f"sqlite:///{tmp_path / 'app.db'}"
    db.upgrade(url)
    try:
        paging = Notifier(
            url,
            sms=TwilioSms(TwilioConfig(SID, TOKEN, FROM, twilio_mock), sleep=lambda _: None),
            contacts=Contacts((ON_CALL,), (BACKUP,)),
        )
        escalation_id = paging.escalate(conversation_id=CONVERSATION, trigger=CRISIS, trigger_text=TEXT)
        saved = row(url, escalation_id)
        assert (saved.notify_attempts, saved.last_error) == (1, None)
        assert saved.notified_at is not None
        result = paging.sms.send(BACKUP, "Priority intake escalation 1 - open the console")
        assert (result.ok, result.status, result.attempts) == (True, 201, 1)
        assert result.sid and result.sid.startswith("SM")
    finally:
        db.dispose(url)
