"""Sending the channel's texts: one at a time and in order within a conversation, through Twilio's REST API
with retries and backoff (bot.sms.twilio_rest), never to a number that has opted out, each text recorded with
what became of it.

Texts are written to the database first and sent by a task per conversation, so the webhook never waits
for Twilio and a reply that finally fails stays on record as failed. Sends run on worker threads: the
retries sleep, and Rasa's event loop must not.

A text is marked sending (one conditional UPDATE: one process takes it) before the POST, and sent with
Twilio's SID after it. A process that dies in between leaves it sending; `recover` (the channel's `resume`, on
start and every half minute; each pass of the worker that sends reminders) takes over texts sending for longer
than any live send lasts. Twilio's Messages API has no idempotency key, so the safe reading is checked with
Twilio itself: its latest messages to that number are listed (GET Messages.json?To=&From=) and a text with the
same body created since the send began counts as sent (its SID is recorded). Not found, it is sent again; when
Twilio cannot be asked, also sent again: a reply twice is better than a crisis reply never.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Mapping, Optional, Protocol

import requests

from bot.sms import store
from bot.sms.identity import NumberCipher
from bot.sms.twilio_rest import HttpClient, HttpReply, Retry, TwilioConfig, TwilioSms, twilio_code
from bot.store.db import session_scope
from bot.store.models import utcnow

log = logging.getLogger(__name__)

OPTED_OUT_CODE = 21610  # Twilio: "Attempt to send to unsubscribed recipient" (Twilio's own STOP handling)
ALWAYS_SENT = frozenset({"opt_out"})  # the one confirmation of a STOP goes to a number that just opted out
SENDERS = 4  # threads sending at once; their own, so retries during a Twilio outage never hold up Rasa's


@dataclass(frozen=True)
class Attempt:
    ok: bool
    attempts: int  # HTTP requests made, retries included
    sid: Optional[str] = None
    error_code: Optional[int] = None  # Twilio's numeric code, when it gave one
    http_status: Optional[int] = None


# Longer than the slowest live send (3 requests of at most 10 s, waits of at most 30 s between them): a text
# sending for longer was left by a process that died.
SEND_LEASE = timedelta(seconds=120)
LOOKUP_MARGIN = timedelta(seconds=60)  # clocks differ: Twilio's date_created against our own sending stamp
LOOKUP_PAGE = 20  # Twilio's latest messages to the number looked at; more than a conversation sends in a lease


class LookupFailed(RuntimeError):
    """Twilio could not be asked which messages it has."""


Transport = Callable[[str, str], Attempt]  # (E.164 number, body) -> what came of it


class FindSent(Protocol):
    """What a transport that can list Twilio's messages (TwilioTransport) offers besides sending."""

    def __call__(self, to: str, body: str, since: datetime) -> Optional[str]:
        """The SID of a message with this body Twilio accepted for `to` since `since`; None when it has none;
        LookupFailed when it cannot be asked."""


def _error_code(reply: Optional[HttpReply]) -> Optional[int]:
    if reply is None or 200 <= reply.status_code <= 299:
        return None
    return twilio_code(reply)


class _WithStatusCallback:
    """The HTTP client for one send: asks Twilio to report delivery to the channel's status URL, and keeps
    Twilio's last reply so its numeric error code can be stored."""

    def __init__(self, http: HttpClient, status_callback: Optional[str]) -> None:
        self.http = http
        self.status_callback = status_callback
        self.last: Optional[HttpReply] = None

    def post(self, url: str, *, data: Mapping[str, str], auth: tuple[str, str], timeout: float) -> HttpReply:
        form = {**data, "StatusCallback": self.status_callback} if self.status_callback else data
        self.last = None
        self.last = self.http.post(url, data=form, auth=auth, timeout=timeout)
        return self.last


class TwilioTransport:
    def __init__(
        self,
        config: TwilioConfig,
        *,
        status_callback: Optional[str],
        http: Optional[HttpClient] = None,
        sleep: Callable[[float], None] = time.sleep,
        retry: Retry = Retry(),
    ) -> None:
        self.config = config
        self.status_callback = status_callback
        self.http: HttpClient = http or requests.Session()
        self.sleep = sleep
        self.retry = retry

    def __call__(self, to: str, body: str) -> Attempt:
        http = _WithStatusCallback(self.http, self.status_callback)
        result = TwilioSms(self.config, http=http, sleep=self.sleep, retry=self.retry).send(to, body)
        return Attempt(result.ok, result.attempts, result.sid, _error_code(http.last), result.status)

    def find_sent(self, to: str, body: str, since: datetime) -> Optional[str]:
        """GET Messages.json filtered by To and From (newest first): the SID of the one with `body` created
        since `since`, if any."""
        get: Any = getattr(self.http, "get", None)
        if get is None:
            raise LookupFailed("the HTTP client cannot list messages")
        try:
            reply = get(
                self.config.messages_url,
                params={"To": to, "From": self.config.from_number, "PageSize": str(LOOKUP_PAGE)},
                auth=(self.config.account_sid, self.config.auth_token),
                timeout=10.0,
            )
            if not 200 <= reply.status_code <= 299:
                raise LookupFailed(f"Twilio answered {reply.status_code}")
            messages = reply.json().get("messages") or []
        except (requests.RequestException, ValueError, AttributeError) as error:
            raise LookupFailed(type(error).__name__) from None
        for message in messages:
            try:
                created = parsedate_to_datetime(message.get("date_created") or "")
            except (TypeError, ValueError):
                continue
            if message.get("body") == body and created >= since and isinstance(message.get("sid"), str):
                return str(message["sid"])
        return None


class Outbox:
    def __init__(self, database_url: str, transport: Transport, cipher: NumberCipher) -> None:
        self.database_url = database_url
        self.transport = transport
        self.cipher = cipher
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._woken: dict[str, bool] = {}
        self._threads = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="sms-send")

    def wake(self, conversation_id: str) -> None:
        """Send what is queued for the conversation (call on the event loop, after the rows are committed)."""
        self._woken[conversation_id] = True
        if conversation_id not in self._tasks:
            self._tasks[conversation_id] = asyncio.get_running_loop().create_task(self._drain(conversation_id))

    async def resume(self, lease: timedelta = SEND_LEASE) -> None:
        """After a restart (and now and then, for processes that died): settle texts left sending, then send
        what is queued and was never sent."""

        def settle() -> list[str]:
            self.recover(lease)
            with session_scope(self.database_url) as session:
                return store.conversations_with_queued(session)

        for conversation_id in await asyncio.get_running_loop().run_in_executor(self._threads, settle):
            self.wake(conversation_id)

    def recover(self, lease: timedelta = SEND_LEASE, now: Optional[datetime] = None) -> int:
        """Texts sending for longer than `lease`: sent when Twilio's SID is stored or Twilio lists it, queued
        again otherwise. The number settled (sent or requeued)."""
        now = now or utcnow()
        with session_scope(self.database_url) as session:
            stale = [
                (row.id, row.updated_at, row.twilio_sid, row.conversation_id, row.body)
                for row in store.stale_sending(session, older_than=now - lease)
            ]
        settled = 0
        for outbound_id, seen, sid, conversation_id, body in stale:
            with session_scope(self.database_url) as session:
                if not store.claim_stale(session, outbound_id=outbound_id, seen=seen, now=now):
                    continue  # another process has it
                contact = store.contact(session, conversation_id=conversation_id)
                token = contact.number_encrypted if contact else None
            found = sid or self._find(token, body, since=seen - LOOKUP_MARGIN)
            with session_scope(self.database_url) as session:
                if found:
                    store.mark_sent(session, outbound_id=outbound_id, sid=found)
                    log.warning(
                        "SMS %d to %s was sent before its process stopped: not sent again", outbound_id, conversation_id
                    )
                else:
                    store.requeue(session, outbound_id=outbound_id)
                    log.warning(
                        "SMS %d to %s was left unsent by a stopped process: sending it", outbound_id, conversation_id
                    )
            settled += 1
        return settled

    def _find(self, token: Optional[str], body: str, *, since: datetime) -> Optional[str]:
        """Twilio's SID for the text when Twilio has it; None (send it) when it has not or cannot say."""
        find: Optional[FindSent] = getattr(self.transport, "find_sent", None)
        if token is None or find is None:
            return None
        try:
            return find(self.cipher.decrypt(token), body, since)
        except (LookupFailed, ValueError) as error:
            log.warning("SMS: could not ask Twilio whether a text went out (%s); sending it", error)
            return None

    async def idle(self) -> None:
        """Wait until nothing is being sent (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def _drain(self, conversation_id: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            # A wake-up while the last query ran means a row may have been missed: look once more.
            while self._woken.get(conversation_id):
                self._woken[conversation_id] = False
                while await loop.run_in_executor(self._threads, self.deliver_next, conversation_id):
                    pass
        except Exception as error:  # the rows stay queued: the next message or a restart sends them
            log.error("SMS to %s stopped sending: %s", conversation_id, type(error).__name__)
        finally:
            self._tasks.pop(conversation_id, None)
            self._woken.pop(conversation_id, None)

    def deliver_next(self, conversation_id: str) -> bool:
        """Send (or withhold) the oldest queued text of the conversation; False when none is left."""
        with session_scope(self.database_url) as session:
            row = store.claim_next(session, conversation_id=conversation_id)
            if row is None:
                return False
            contact = store.contact(session, conversation_id=conversation_id)
            if contact is None or (contact.opted_out and row.kind not in ALWAYS_SENT):
                row.status = "suppressed"
                log.info("SMS %d to %s withheld: %s", row.id, conversation_id, "opted out" if contact else "no contact")
                return True
            outbound_id, body, token = row.id, row.body, contact.number_encrypted
        attempt = self._send(token, body)
        with session_scope(self.database_url) as session:
            store.record_attempt(
                session,
                outbound_id=outbound_id,
                ok=attempt.ok,
                attempts=attempt.attempts,
                sid=attempt.sid,
                error_code=attempt.error_code,
                http_status=attempt.http_status,
            )
            if attempt.error_code == OPTED_OUT_CODE:
                opted = store.contact(session, conversation_id=conversation_id)
                if opted is not None:
                    store.opt_out(session, contact=opted)
        if attempt.ok:
            log.info("SMS %d to %s accepted by Twilio", outbound_id, conversation_id)
        else:
            log.warning(
                "SMS %d to %s failed after %d attempt(s): HTTP %s, Twilio error %s",
                outbound_id,
                conversation_id,
                attempt.attempts,
                attempt.http_status,
                attempt.error_code,
            )
        return True

    def _send(self, token: str, body: str) -> Attempt:
        return send_encrypted(self.transport, self.cipher, token, body)


def send_encrypted(transport: Transport, cipher: NumberCipher, token: str, body: str) -> Attempt:
    """Send `body` to the number encrypted in `token`; never raises, so a failed send is always recorded."""
    try:
        number = cipher.decrypt(token)
    except ValueError:
        log.error("SMS: a stored number does not decrypt with SMS_NUMBER_KEY (was the key changed?)")
        return Attempt(False, 0)
    try:
        return transport(number, body)
    except Exception as error:  # a failed send is recorded, never lost with the worker thread
        log.error("SMS transport error: %s", type(error).__name__)
        return Attempt(False, 0)
