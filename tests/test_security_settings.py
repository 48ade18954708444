"""What production refuses to start with (bot/settings.py): the action server's token, the tokens of the REST
channel and the staff endpoint, the widget's allowed origins, and the SMS keys whether or not the SMS channel
is on (phone numbers are stored by the widget and REST too)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot import cli
from bot.settings import (
    DEV_ACTION_TOKEN,
    DEV_SMS_ID_KEY,
    DEV_SMS_NUMBER_KEY,
    ConfigError,
    Settings,
    origin_of,
    settings,
)
from harness.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER

NUMBER_KEY = Fernet.generate_key().decode()


def production(**changes: Any) -> Settings:
    """A production configuration that starts, with the SMS channel off (no SMS_PUBLIC_URL)."""
    values = dict(
        env="production",
        database_url="sqlite://",
        tracker_store_url="sqlite://",
        program_file=settings().program_file,
        rasa_auth_token="r" * 32,
        action_server_token="a" * 32,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number=FROM_NUMBER,
        on_call_numbers=("+15035550101",),
        backup_number="+15035550199",
        sms_id_key="i" * 32,
        sms_number_key=NUMBER_KEY,
        console_public_url="https://intake.example.org",
        widget_allowed_origins=("https://www.example.org",),
    )
    return Settings(**{**values, **changes})


def test_production_starts_without_the_staff_endpoint_and_the_rest_channel():
    production().check()
    production(staff_api_token="s" * 32, rest_channel_token="t" * 32).check()


@pytest.mark.parametrize(
    "changes, message",
    [
        # Finding 5: phone numbers are stored with the SMS channel off too.
        (dict(sms_id_key=DEV_SMS_ID_KEY), "SMS_ID_KEY must be set"),
        (dict(sms_id_key="short"), "SMS_ID_KEY must be set"),
        (dict(sms_number_key=DEV_SMS_NUMBER_KEY), "SMS_NUMBER_KEY must be set to a new Fernet key"),
        (dict(sms_number_key="not-a-fernet-key"), "SMS_NUMBER_KEY should be a Fernet key"),
        # Finding 1: the action server's secret.
        (dict(action_server_token=DEV_ACTION_TOKEN), "ACTION_SERVER_TOKEN must be set"),
        (dict(action_server_token="a" * 23), "ACTION_SERVER_TOKEN must be set"),
        (dict(action_server_token="r" * 32), r"ACTION_SERVER_TOKEN must be set to its own .*RASA_AUTH_TOKEN"),
        # Findings 3 and 10: a door that is on has its own long secret.
        (dict(rest_channel_token="short"), "REST_CHANNEL_TOKEN must be a long random secret"),
        (dict(rest_channel_token="a" * 32), r"REST_CHANNEL_TOKEN must be set to its own .*ACTION_SERVER_TOKEN"),
        (dict(staff_api_token="s" * 10), "STAFF_API_TOKEN must be a long random secret"),
        (dict(staff_api_token="r" * 32), r"STAFF_API_TOKEN must be set to its own .*RASA_AUTH_TOKEN"),
        (dict(staff_api_token="t" * 32, rest_channel_token="t" * 32), "REST_CHANNEL_TOKEN must be set to its own"),
        # Finding 11: the pages that may open the widget's socket.
        (dict(widget_allowed_origins=()), "WIDGET_ALLOWED_ORIGINS must list"),
        (
            dict(widget_allowed_origins=("https://www.example.org", "http://www.example.org")),
            "WIDGET_ALLOWED_ORIGINS must be https:// origins",
        ),
    ],
)
def test_production_refuses_to_start(changes: dict, message: str):
    with pytest.raises(ConfigError, match=message):
        production(**changes).check()


def test_development_keeps_its_defaults():
    Settings(
        env="development",
        database_url="sqlite://",
        tracker_store_url="sqlite://",
        program_file=settings().program_file,
        rasa_auth_token="dev",
    ).check()


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(rate_limit_per_conversation=0), "RATE_LIMIT_PER_CONVERSATION should be at least 1"),
        (dict(rate_limit_per_address=0), "RATE_LIMIT_PER_ADDRESS should be at least 1"),
        (dict(rasa_proxies=-1), "RASA_PROXIES_COUNT should be 0 or more"),
        (dict(tracker_cache_conversations=-1), "TRACKER_CACHE_CONVERSATIONS should be 0 or more"),
    ],
)
def test_limits_are_checked_in_any_environment(changes: dict, message: str):
    with pytest.raises(ConfigError, match=message):
        production(env="development", **changes).check()


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    for name in (
        "ACTION_SERVER_TOKEN",
        "ACTIONS_INTERFACE",
        "ACTIONS_PORT",
        "REST_CHANNEL_TOKEN",
        "STAFF_API_TOKEN",
        "WIDGET_ALLOWED_ORIGINS",
        "RATE_LIMIT_PER_CONVERSATION",
        "RATE_LIMIT_PER_ADDRESS",
        "RASA_PROXIES_COUNT",
        "CONSOLE_PORT",
        "CONSOLE_PUBLIC_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    defaults = settings()
    assert (defaults.action_server_token, defaults.actions_interface, defaults.actions_port) == (
        DEV_ACTION_TOKEN,
        "127.0.0.1",
        5055,
    )
    assert (defaults.rest_channel_token, defaults.staff_api_token) == ("", "")
    assert (defaults.rate_limit_per_conversation, defaults.rate_limit_per_address, defaults.rasa_proxies) == (20, 60, 0)
    # Outside production, the console's own origin (it serves the demo page), by either local name.
    assert defaults.widget_origins == ("http://127.0.0.1:8000", "http://localhost:8000")

    monkeypatch.setenv("ACTION_SERVER_TOKEN", " " + "x" * 40 + " ")
    monkeypatch.setenv("ACTIONS_INTERFACE", "10.0.0.5")
    monkeypatch.setenv("REST_CHANNEL_TOKEN", "y" * 40)
    monkeypatch.setenv(
        "WIDGET_ALLOWED_ORIGINS", "https://WWW.Example.org/, https://intake.example.org:443,http://localhost:3000"
    )
    monkeypatch.setenv("RATE_LIMIT_PER_ADDRESS", "120")
    monkeypatch.setenv("RASA_PROXIES_COUNT", "1")
    current = settings()
    assert (current.action_server_token, current.actions_interface, current.rest_channel_token) == (
        "x" * 40,
        "10.0.0.5",
        "y" * 40,
    )
    assert current.widget_origins == ("https://www.example.org", "https://intake.example.org", "http://localhost:3000")
    assert (current.rate_limit_per_address, current.rasa_proxies) == (120, 1)
    assert "x" * 40 not in repr(current) and "y" * 40 not in repr(current)

    monkeypatch.setenv("WIDGET_ALLOWED_ORIGINS", "https://www.example.org/chat")
    with pytest.raises(ConfigError, match="WIDGET_ALLOWED_ORIGINS should list origins"):
        settings()


@pytest.mark.parametrize(
    "url, origin",
    [
        ("https://intake.example.org", "https://intake.example.org"),
        ("HTTPS://Intake.Example.org:443/path", "https://intake.example.org"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://localhost:80", "http://localhost"),
        ("ftp://example.org", ""),
        ("not a url", ""),
    ],
)
def test_an_origin_is_written_as_browsers_send_it(url: str, origin: str):
    assert origin_of(url) == origin


def test_check_config_refuses_development_sms_keys_in_production_with_sms_off(monkeypatch, capsys):
    env = {
        "IOP_ENV": "production",
        "RASA_AUTH_TOKEN": "r" * 32,
        "ACTION_SERVER_TOKEN": "a" * 32,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_URL": "https://api.twilio.com",
        "ESCALATION_ON_CALL_NUMBERS": "+15035550101",
        "ESCALATION_BACKUP_NUMBER": "+15035550199",
        "CONSOLE_PUBLIC_URL": "https://intake.example.org",
        "WIDGET_ALLOWED_ORIGINS": "https://www.example.org",
    }
    for name in ("SMS_PUBLIC_URL", "SMS_ID_KEY", "SMS_NUMBER_KEY", "STAFF_API_TOKEN", "REST_CHANNEL_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["check-config"]) == 1
    assert "SMS_ID_KEY must be set" in capsys.readouterr().err
    monkeypatch.setenv("SMS_ID_KEY", "i" * 32)
    monkeypatch.setenv("SMS_NUMBER_KEY", NUMBER_KEY)
    assert cli.main(["check-config"]) == 0
