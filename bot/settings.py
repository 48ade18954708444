"""Configuration from the environment, with safe defaults for development.

In production (IOP_ENV=production) the assistant refuses to start while a secret still has its
development default: a shared default token would open the Rasa HTTP API to anyone.

Escalation SMS (Twilio) is off by default: with no TWILIO_* settings an escalation is still recorded and
queued for the console, and notes that nobody was paged. Production refuses to start without it, and
without on-call and backup numbers: a crisis that pages nobody is the failure this product exists to
prevent. TWILIO_API_URL points the client at a local mock (tests, staging) instead of api.twilio.com.

The SMS channel (rasa_edge/channels/sms.py) is on when SMS_PUBLIC_URL is set: the address Twilio posts to, which
request signatures are checked against. It replies through the same Twilio account and number. Its two
keys (SMS_ID_KEY for the pseudonymous conversation ids, SMS_NUMBER_KEY to encrypt numbers) have
development defaults that production refuses.

The staff console's sign-in limits and session lengths (CONSOLE_*) have safe defaults; its cookies are
Secure over HTTPS (CONSOLE_PROXIES_COUNT: trust that many proxies' X-Forwarded-Proto) and always in production.

The doors into the Rasa server and the action server (docs/security.md): the action server answers only
calls with ACTION_SERVER_TOKEN (development default; production refuses it); the REST channel is open in
development, needs REST_CHANNEL_TOKEN when that is set, and is off in production without it; the staff
endpoint is off unless STAFF_API_TOKEN is set; the widget's socket.io accepts pages from
WIDGET_ALLOWED_ORIGINS only (production must name them). Participants' messages are rate limited per
conversation and per client address (RATE_LIMIT_*, a minute), the address taken from X-Forwarded-For only
behind RASA_PROXIES_COUNT trusted proxies. Phone numbers are stored whatever the SMS setting (widget
reminders, contact numbers), so production refuses the development SMS keys in any case.

Several Rasa servers (`make run-cluster`, docs/cluster.md) publish every stored event to RabbitMQ (Rasa's
pika broker, endpoints.cluster.yml) and the worker re-alerts from the queue EVENTS_QUEUE; unset (the
default), the worker reads no queue and the one Rasa server re-alerts itself. RABBITMQ_* say where RabbitMQ
is, for Rasa and the worker alike; production refuses RabbitMQ's stock guest password.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_RASA_TOKEN = "dev-only-rasa-token"
DEV_ACTION_TOKEN = "dev-only-action-server-token"  # scripts/env.sh exports the same for endpoints.yml
TWILIO_API_URL = "https://api.twilio.com"
DEV_SMS_ID_KEY = "dev-only-sms-id-key"
# A Fernet key is 32 bytes in URL-safe base64; this one is derived from a public string: development only.
DEV_SMS_NUMBER_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"dev-only-sms-number-key").digest()).decode()

_E164 = re.compile(r"\+[1-9]\d{7,14}")
_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_ORIGIN = re.compile(r"(https?)://([a-z0-9.-]+|\[[0-9a-f:]+\])(?::(\d{1,5}))?")
MIN_SECRET = 24  # characters of a production token


class ConfigError(RuntimeError):
    """Settings that must not be used; the message says which variable to set."""


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{ROOT / 'var' / name}"


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    tracker_store_url: str
    program_file: Path
    rasa_auth_token: str
    rasa_url: str = "http://127.0.0.1:5005"  # the Rasa server's HTTP API, for staff replies and hand-backs
    staff_api_token: str = field(default="", repr=False)  # the staff endpoint's bearer token; unset: endpoint off
    action_server_token: str = field(default=DEV_ACTION_TOKEN, repr=False)  # what the action server asks of Rasa
    actions_interface: str = "127.0.0.1"  # the action server listens here: only the Rasa server calls it
    # Conversations each Rasa server keeps in memory after their last turn (rasa_edge/tracker_store.py): about 0.6 MB
    # each at the end of a screening, so 200 bound it near 120 MB; 0 reads every turn from the database.
    tracker_cache_conversations: int = 200
    actions_port: int = 5055
    rest_channel_token: str = field(default="", repr=False)  # the REST channel's; unset: open outside production
    widget_allowed_origins: tuple[str, ...] = ()  # pages that may open the widget's socket; unset: the console's
    rate_limit_per_conversation: int = 20  # participant messages a minute in one conversation...
    rate_limit_per_address: int = 60  # ...and from one client address, before "you're sending messages faster"
    rasa_proxies: int = 0  # reverse proxies in front of the Rasa server whose X-Forwarded-For to trust
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_api_url: str = TWILIO_API_URL
    on_call_numbers: tuple[str, ...] = ()  # paged first, all of them
    backup_number: str = ""  # paged when nobody acknowledges in time
    renotify_minutes: int = 10  # high severity: minutes without acknowledgement before the backup is paged
    moderate_renotify_minutes: int = 60  # moderate: the time a clinician has to call back
    # Flood limits on paging (bot.safety.escalation.Limits): past them a summary page stands in for the rest.
    pages_per_minute: int = 6  # pages a minute, all escalations together
    pages_per_source_hour: int = 3  # pages an hour for escalations from one client address
    sms_public_url: str = ""  # the SMS channel's public base URL, e.g. https://intake.example.org/webhooks/sms
    sms_id_key: str = field(default=DEV_SMS_ID_KEY, repr=False)
    sms_number_key: str = field(default=DEV_SMS_NUMBER_KEY, repr=False)
    console_interface: str = "127.0.0.1"  # the console (widget assets, demo page) listens here, like Rasa
    console_port: int = 8000
    widget_bot_url: str = ""  # the Rasa server as visitors' browsers reach it; rasa_url when unset
    # Staff console sign-in: failed attempts slow down from the 3rd, the account locks at the Nth for a while.
    console_lockout_after: int = 10
    console_lockout_minutes: int = 15
    console_session_hours: int = 12  # a shift: then sign in again, however active
    console_idle_minutes: int = 30  # signed out after this long without a click (auto-refreshes don't count)
    console_proxies: int = 0  # reverse proxies in front of the console whose X-Forwarded-Proto/-For to trust
    console_public_url: str = ""  # the console as participants' browsers reach it (calendar links)
    # Several Rasa servers: the RabbitMQ queue of Rasa's events the worker re-alerts from; unset: none.
    events_queue: str = ""
    events_exchange: str = "rasa-exchange"  # Rasa's fanout exchange the queue is bound to (Rasa's default name)
    rabbitmq_host: str = "127.0.0.1"
    rabbitmq_port: int = 5672
    rabbitmq_username: str = "guest"
    rabbitmq_password: str = field(default="guest", repr=False)  # RabbitMQ's stock account: development only
    # Several Rasa servers: Redis shared by their socket.io servers, so a message sent through any server
    # (a staff reply, the crisis lines while paused) reaches a widget connected to another; unset: one server.
    widget_redis_url: str = field(default="", repr=False)  # may hold Redis's password

    @property
    def console_url(self) -> str:
        return self.console_public_url or f"http://127.0.0.1:{self.console_port}"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def widget_origins(self) -> tuple[str, ...]:
        """The origins whose pages may talk to the widget's socket: WIDGET_ALLOWED_ORIGINS, else (outside
        production) the console's own, which serves the demo page, by either local name."""
        if self.widget_allowed_origins:
            return self.widget_allowed_origins
        own = origin_of(self.console_url)
        local = (f"http://127.0.0.1:{self.console_port}", f"http://localhost:{self.console_port}")
        return tuple(dict.fromkeys(o for o in (own, *local) if o))

    def check(self) -> None:
        """Raise ConfigError when the settings are unsafe for the environment."""
        if self.env not in ("development", "test", "production"):
            raise ConfigError(f"IOP_ENV must be development, test or production, not {self.env!r}")
        self._check_sms()
        self._check_sms_channel()
        self._check_console()
        self._check_doors()
        self._check_paging_limits()
        if not self.production:
            return
        if self.events_queue and self.rabbitmq_password == "guest":
            raise ConfigError(
                "RABBITMQ_PASSWORD must be set to the password of a RabbitMQ account of its own in "
                "production (EVENTS_QUEUE is set)"
            )
        if self.rasa_auth_token == DEV_RASA_TOKEN or len(self.rasa_auth_token) < MIN_SECRET:
            raise ConfigError("RASA_AUTH_TOKEN must be set to a long random secret in production")
        self._check_tokens()
        if not self.sms_configured:
            raise ConfigError(
                "escalation SMS must be configured in production: set TWILIO_ACCOUNT_SID, "
                "TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER"
            )
        if not self.on_call_numbers or not self.backup_number:
            raise ConfigError("ESCALATION_ON_CALL_NUMBERS and ESCALATION_BACKUP_NUMBER must be set in production")
        if not self.twilio_api_url.startswith("https://"):
            raise ConfigError("TWILIO_API_URL must be an https:// address in production")
        self._check_sms_secrets()
        if not self.widget_allowed_origins:
            raise ConfigError(
                "WIDGET_ALLOWED_ORIGINS must list the https:// origins of the pages that embed the "
                "widget in production, like https://www.example.org"
            )
        if any(not origin.startswith("https://") for origin in self.widget_allowed_origins):
            raise ConfigError("WIDGET_ALLOWED_ORIGINS must be https:// origins in production")
        if not self.console_public_url.startswith("https://"):
            raise ConfigError(
                "CONSOLE_PUBLIC_URL must be the console's public https:// address in production "
                "(booking confirmations link to calendar files there)"
            )

    @property
    def sms_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)

    @property
    def sms_channel_configured(self) -> bool:
        """Whether the SMS channel answers Twilio's webhook (it replies through the Twilio settings)."""
        return bool(self.sms_public_url)

    def _check_sms_channel(self) -> None:
        if not self.sms_public_url:
            return
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", self.sms_public_url):
            raise ConfigError(
                "SMS_PUBLIC_URL should be the channel's public address, like "
                "https://intake.example.org/webhooks/sms (no query string)"
            )
        if not self.sms_configured:
            raise ConfigError(
                "the SMS channel (SMS_PUBLIC_URL) replies through Twilio: set TWILIO_ACCOUNT_SID, "
                "TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER"
            )
        self._check_number_key()

    def _check_number_key(self) -> None:
        try:
            valid_key = len(base64.urlsafe_b64decode(self.sms_number_key.encode("ascii"))) == 32
        except (binascii.Error, ValueError):
            valid_key = False
        if not valid_key:
            raise ConfigError(
                "SMS_NUMBER_KEY should be a Fernet key (32 bytes in URL-safe base64): "
                "python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            )

    def _check_sms_secrets(self) -> None:
        """Whatever the SMS channel's setting: phone numbers typed in the widget or over REST are encrypted
        with SMS_NUMBER_KEY and become pseudonymous contacts under SMS_ID_KEY."""
        if self.sms_channel_configured and not self.sms_public_url.startswith("https://"):
            raise ConfigError("SMS_PUBLIC_URL must be an https:// address in production")
        if self.sms_id_key == DEV_SMS_ID_KEY or len(self.sms_id_key) < 32:
            raise ConfigError("SMS_ID_KEY must be set to a long random secret (32+ characters) in production")
        if self.sms_number_key == DEV_SMS_NUMBER_KEY:
            raise ConfigError("SMS_NUMBER_KEY must be set to a new Fernet key in production")
        self._check_number_key()

    def _check_tokens(self) -> None:
        """Production: every bearer token long, random-looking and used for one door only."""
        if self.action_server_token == DEV_ACTION_TOKEN or len(self.action_server_token) < MIN_SECRET:
            raise ConfigError("ACTION_SERVER_TOKEN must be set to a long random secret in production")
        doors = {
            "ACTION_SERVER_TOKEN": self.action_server_token,
            "STAFF_API_TOKEN": self.staff_api_token,
            "REST_CHANNEL_TOKEN": self.rest_channel_token,
        }
        for name, token in doors.items():
            if token and len(token) < MIN_SECRET:
                raise ConfigError(f"{name} must be a long random secret ({MIN_SECRET}+ characters) in production")
        seen = {"RASA_AUTH_TOKEN": self.rasa_auth_token}
        for name, token in doors.items():
            reused = [other for other, value in seen.items() if token and token == value]
            if reused:
                raise ConfigError(
                    f"{name} must be set to its own long random secret in production (it is the same as {reused[0]})"
                )
            seen[name] = token

    def _check_doors(self) -> None:
        for name, value in (
            ("RATE_LIMIT_PER_CONVERSATION", self.rate_limit_per_conversation),
            ("RATE_LIMIT_PER_ADDRESS", self.rate_limit_per_address),
        ):
            if value < 1:
                raise ConfigError(f"{name} should be at least 1 (messages a minute)")
        if self.rasa_proxies < 0:
            raise ConfigError("RASA_PROXIES_COUNT should be 0 or more")
        if self.tracker_cache_conversations < 0:
            raise ConfigError("TRACKER_CACHE_CONVERSATIONS should be 0 or more")
        if not self.actions_interface:
            raise ConfigError("ACTIONS_INTERFACE should be an address to listen on, like 127.0.0.1")

    def _check_console(self) -> None:
        for name, value in (
            ("CONSOLE_LOCKOUT_AFTER", self.console_lockout_after),
            ("CONSOLE_LOCKOUT_MINUTES", self.console_lockout_minutes),
            ("CONSOLE_SESSION_HOURS", self.console_session_hours),
            ("CONSOLE_IDLE_MINUTES", self.console_idle_minutes),
        ):
            if value < 1:
                raise ConfigError(f"{name} should be at least 1")
        if self.console_proxies < 0:
            raise ConfigError("CONSOLE_PROXIES_COUNT should be 0 or more")

    def _check_paging_limits(self) -> None:
        for name, value in (
            ("ESCALATION_PAGES_PER_MINUTE", self.pages_per_minute),
            ("ESCALATION_PAGES_PER_SOURCE_HOUR", self.pages_per_source_hour),
        ):
            if value < 1:
                raise ConfigError(f"{name} should be at least 1")

    def _check_sms(self) -> None:
        # Messages name the variable and the position, never the number: they end up in logs.
        twilio = {
            "TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "TWILIO_FROM_NUMBER": self.twilio_from_number,
        }
        missing = [name for name, value in twilio.items() if not value]
        if missing and len(missing) < len(twilio):
            raise ConfigError(f"set {', '.join(twilio)} together (missing: {', '.join(missing)})")
        if self.twilio_account_sid and not _ACCOUNT_SID.fullmatch(self.twilio_account_sid):
            raise ConfigError("TWILIO_ACCOUNT_SID should be AC followed by 32 hexadecimal characters")
        given = {
            "TWILIO_FROM_NUMBER": (self.twilio_from_number,),
            "ESCALATION_ON_CALL_NUMBERS": self.on_call_numbers,
            "ESCALATION_BACKUP_NUMBER": (self.backup_number,),
        }
        for name, numbers in given.items():
            for i, number in enumerate(numbers, 1):
                if number and not _E164.fullmatch(number):
                    where = f"number {i} in {name}" if len(numbers) > 1 else name
                    raise ConfigError(f"{where} should be in E.164 form, like +15555550123")
        if not re.match(r"https?://[^\s/]+$", self.twilio_api_url):
            raise ConfigError(
                "TWILIO_API_URL should be a base address like https://api.twilio.com "
                "(http:// only for a mock, outside production)"
            )
        for name, minutes in (
            ("ESCALATION_RENOTIFY_MINUTES", self.renotify_minutes),
            ("ESCALATION_MODERATE_RENOTIFY_MINUTES", self.moderate_renotify_minutes),
        ):
            if minutes < 1:
                raise ConfigError(f"{name} should be at least 1")


def _number(text: str) -> str:
    """'+1 555-555-0101' -> '+15555550101': the spaces, dashes and brackets people type are dropped."""
    return re.sub(r"[\s().-]", "", text)


def _numbers(text: str) -> tuple[str, ...]:
    """A comma-separated list of numbers."""
    return tuple(_number(part) for part in text.split(",") if part.strip())


def _whole(name: str, default: int, unit: str = "") -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        of = f" of {unit}" if unit else ""
        raise ConfigError(f"{name} should be a whole number{of}, not {value!r}") from None


def origin_of(url: str) -> str:
    """A browser's Origin for a URL, as browsers send it ('' when it is not an http(s) URL with a host):
    'HTTPS://Intake.Example.org:443/path' -> 'https://intake.example.org'."""
    match = _ORIGIN.match(url.strip().lower())
    if not match:
        return ""
    scheme, host, port = match.groups()
    default = {"http": "80", "https": "443"}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def _origins(name: str, text: str) -> tuple[str, ...]:
    """A comma-separated list of origins (scheme, host and port; no path)."""
    origins = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not _ORIGIN.fullmatch(part.lower().rstrip("/")):
            raise ConfigError(
                f"{name} should list origins like https://www.example.org (scheme, host and port only), not {part!r}"
            )
        origins.append(origin_of(part))
    return tuple(dict.fromkeys(origins))


def _minutes(name: str, default: int) -> int:
    return _whole(name, default, "minutes")


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"{name} should be a port number, not {value!r}")
    return int(value)


def settings() -> Settings:
    env = os.environ.get
    return Settings(
        env=env("IOP_ENV", "development"),
        database_url=env("DATABASE_URL") or _sqlite_url("app.db"),
        tracker_store_url=env("TRACKER_STORE_URL") or _sqlite_url("tracker.db"),
        program_file=Path(env("IOP_PROGRAM_FILE") or ROOT / "program.yml"),
        rasa_auth_token=env("RASA_AUTH_TOKEN") or DEV_RASA_TOKEN,
        rasa_url=(env("RASA_URL") or f"http://127.0.0.1:{env('RASA_PORT') or 5005}").strip().rstrip("/"),
        staff_api_token=(env("STAFF_API_TOKEN") or "").strip(),
        action_server_token=(env("ACTION_SERVER_TOKEN") or "").strip() or DEV_ACTION_TOKEN,
        actions_interface=(env("ACTIONS_INTERFACE") or "127.0.0.1").strip(),
        actions_port=_port("ACTIONS_PORT", 5055),
        rest_channel_token=(env("REST_CHANNEL_TOKEN") or "").strip(),
        widget_allowed_origins=_origins("WIDGET_ALLOWED_ORIGINS", env("WIDGET_ALLOWED_ORIGINS") or ""),
        tracker_cache_conversations=_whole("TRACKER_CACHE_CONVERSATIONS", 200),
        rate_limit_per_conversation=_whole("RATE_LIMIT_PER_CONVERSATION", 20),
        rate_limit_per_address=_whole("RATE_LIMIT_PER_ADDRESS", 60),
        rasa_proxies=_whole("RASA_PROXIES_COUNT", 0),
        twilio_account_sid=(env("TWILIO_ACCOUNT_SID") or "").strip(),
        twilio_auth_token=(env("TWILIO_AUTH_TOKEN") or "").strip(),
        twilio_from_number=_number(env("TWILIO_FROM_NUMBER") or ""),
        twilio_api_url=(env("TWILIO_API_URL") or TWILIO_API_URL).strip().rstrip("/"),
        on_call_numbers=_numbers(env("ESCALATION_ON_CALL_NUMBERS") or ""),
        backup_number=_number(env("ESCALATION_BACKUP_NUMBER") or ""),
        renotify_minutes=_minutes("ESCALATION_RENOTIFY_MINUTES", 10),
        moderate_renotify_minutes=_minutes("ESCALATION_MODERATE_RENOTIFY_MINUTES", 60),
        pages_per_minute=_whole("ESCALATION_PAGES_PER_MINUTE", 6),
        pages_per_source_hour=_whole("ESCALATION_PAGES_PER_SOURCE_HOUR", 3),
        sms_public_url=(env("SMS_PUBLIC_URL") or "").strip().rstrip("/"),
        sms_id_key=(env("SMS_ID_KEY") or "").strip() or DEV_SMS_ID_KEY,
        sms_number_key=(env("SMS_NUMBER_KEY") or "").strip() or DEV_SMS_NUMBER_KEY,
        console_interface=(env("RASA_INTERFACE") or "127.0.0.1").strip(),
        console_port=_port("CONSOLE_PORT", 8000),
        widget_bot_url=(env("WIDGET_BOT_URL") or "").strip().rstrip("/"),
        console_lockout_after=_whole("CONSOLE_LOCKOUT_AFTER", 10),
        console_lockout_minutes=_minutes("CONSOLE_LOCKOUT_MINUTES", 15),
        console_session_hours=_whole("CONSOLE_SESSION_HOURS", 12),
        console_idle_minutes=_minutes("CONSOLE_IDLE_MINUTES", 30),
        console_proxies=_whole("CONSOLE_PROXIES_COUNT", 0),
        console_public_url=(env("CONSOLE_PUBLIC_URL") or "").strip().rstrip("/"),
        events_queue=(env("EVENTS_QUEUE") or "").strip(),
        events_exchange=(env("EVENTS_EXCHANGE") or "").strip() or "rasa-exchange",
        rabbitmq_host=(env("RABBITMQ_HOST") or "").strip() or "127.0.0.1",
        rabbitmq_port=_port("RABBITMQ_PORT", 5672),
        rabbitmq_username=(env("RABBITMQ_USERNAME") or "").strip() or "guest",
        rabbitmq_password=(env("RABBITMQ_PASSWORD") or "").strip() or "guest",
        widget_redis_url=(env("WIDGET_REDIS_URL") or "").strip(),
    )
