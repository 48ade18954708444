"""Outbound SMS through Twilio's REST API: POST {api_url}/2010-04-01/Accounts/{sid}/Messages.json.

Plain `requests` rather than the twilio helper library: the base URL has to be configurable (tests and
staging point it at a local mock served from Twilio's own OpenAPI description), and retrying is ours
either way. The HTTP client is injected, so tests never reach the network.

No phone number, message body or Twilio error text reaches a log line or an error string. Twilio's error
messages repeat the number ("The 'To' number +1... is not a valid phone number"), so only the HTTP status
and Twilio's numeric error code are kept.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Protocol

import requests

from bot.settings import TWILIO_API_URL, Settings

log = logging.getLogger(__name__)

_E164 = re.compile(r"\+[1-9]\d{7,14}")


class HttpReply(Protocol):
    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...

    def json(self) -> Any: ...


class HttpClient(Protocol):
    """The part of `requests.Session` used here; tests pass a fake."""

    def post(self, url: str, *, data: Mapping[str, str], auth: tuple[str, str], timeout: float) -> HttpReply: ...


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str = field(repr=False)
    from_number: str = field(repr=False)
    api_url: str = TWILIO_API_URL

    @property
    def messages_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    @classmethod
    def from_settings(cls, current: Settings) -> Optional[TwilioConfig]:
        """None when escalation SMS is not configured (development, tests)."""
        if not current.sms_configured:
            return None
        return cls(
            current.twilio_account_sid, current.twilio_auth_token, current.twilio_from_number, current.twilio_api_url
        )


@dataclass(frozen=True)
class Retry:
    """Bounded exponential backoff: waits of 1, 2, 4... seconds between `attempts` requests, or longer
    when a 429 says so in Retry-After, never more than `max_delay`."""

    attempts: int = 3
    first_delay: float = 1.0
    max_delay: float = 30.0

    def delay(self, retry: int, retry_after: Optional[float] = None) -> float:
        """Seconds to wait before retry number `retry` (1 for the first retry)."""
        backoff = self.first_delay * 2 ** (retry - 1)
        return float(min(self.max_delay, max(backoff, retry_after or 0.0)))


@dataclass(frozen=True)
class SendResult:
    ok: bool
    attempts: int  # HTTP requests made
    status: Optional[int] = None  # Twilio's last HTTP status; None when it never answered
    sid: Optional[str] = None  # the message's SID, once Twilio accepted it
    error: Optional[str] = None  # why it was not sent, without the number or Twilio's text


def _retryable(status: int) -> bool:
    # 429: Twilio's rate limit; 5xx: its side. Any other 4xx will fail the same way again.
    return status == 429 or 500 <= status <= 599


def _retry_after(reply: HttpReply) -> Optional[float]:
    try:
        return float(reply.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _reply_field(reply: HttpReply, name: str, kind: type) -> Any:
    """One field of Twilio's JSON reply, or None when the reply is not JSON or the field is of another type."""
    try:
        value = reply.json().get(name)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, kind) else None


def twilio_code(reply: HttpReply) -> Optional[int]:
    """Twilio's numeric error code (never its message, which repeats the number)."""
    code: Optional[int] = _reply_field(reply, "code", int)
    return code


class TwilioSms:
    def __init__(
        self,
        config: TwilioConfig,
        *,
        http: Optional[HttpClient] = None,
        sleep: Callable[[float], None] = time.sleep,
        retry: Retry = Retry(),
        timeout: float = 10.0,
    ) -> None:
        self.config = config
        self.http: HttpClient = http or requests.Session()
        self.sleep = sleep
        self.retry = retry
        self.timeout = timeout

    def send(self, to: str, body: str) -> SendResult:
        """Send one SMS, retrying on 429, 5xx and connection failures. Never raises for a failed send."""
        if not _E164.fullmatch(to):
            raise ValueError("the recipient is not an E.164 phone number")
        form = {"To": to, "From": self.config.from_number, "Body": body}
        auth = (self.config.account_sid, self.config.auth_token)
        status: Optional[int] = None
        error = ""
        for attempt in range(1, self.retry.attempts + 1):
            retry_after = None
            try:
                reply = self.http.post(self.config.messages_url, data=form, auth=auth, timeout=self.timeout)
            except requests.RequestException as exc:
                # A request that timed out may still have been accepted: retrying can page someone twice,
                # which is better than not at all.
                status, error = None, f"no answer from Twilio ({type(exc).__name__})"
            else:
                status = reply.status_code
                if 200 <= status <= 299:
                    sid = _reply_field(reply, "sid", str)
                    log.info("SMS %s accepted by Twilio (attempt %d)", sid or "(no sid)", attempt)
                    return SendResult(True, attempt, status, sid)
                code = twilio_code(reply)
                error = f"Twilio answered {status}" + (f" (error {code})" if code else "")
                if not _retryable(status):
                    log.warning("SMS refused, not retried: %s", error)
                    return SendResult(False, attempt, status, error=error)
                retry_after = _retry_after(reply)
            log.warning("SMS attempt %d of %d failed: %s", attempt, self.retry.attempts, error)
            if attempt < self.retry.attempts:
                self.sleep(self.retry.delay(attempt, retry_after))
        tries = self.retry.attempts
        return SendResult(False, tries, status, error=f"{error}; gave up after {tries} tries")
