"""A local stand-in for Twilio: its REST API for sending messages (what the SMS channel and the pager post
to) and for listing them (what the outbox asks after a crash), and the signing of webhook requests as Twilio
does it. Loopback only, never the network."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, Optional
from urllib.parse import parse_qs, urlsplit

import requests
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "e2e" + "f" * 29
FROM_NUMBER = "+15035550100"


@dataclass(frozen=True)
class Sent:
    to: str
    body: str
    from_: str
    status_callback: Optional[str]
    sid: str
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


def _refusal(path: str, auth: str) -> Optional[tuple[int, dict]]:
    """Twilio's answer to a call on another path (404) or without the account's credentials (401)."""
    if path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
        return 404, {"code": 20404, "message": "not found"}
    if auth != "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode():
        return 401, {"code": 20003, "message": "Authenticate"}
    return None


class FakeTwilio:
    """POST /2010-04-01/Accounts/{sid}/Messages.json: 201 with a new SM sid, after `fail_first` 500s.
    GET on the same path: the messages accepted, newest first, filtered by To and From, in Twilio's list
    format (`listed` counts those requests)."""

    def __init__(self, fail_first: int = 0) -> None:
        self.sent: list[Sent] = []
        self.counts: dict[str, int] = {}
        self.failures_left = fail_first
        self.requests = 0
        self.listed = 0
        self._lock = threading.Lock()
        self.server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def to(self, number: str) -> list[str]:
        with self._lock:
            return [sent.body for sent in self.sent if sent.to == number]

    def _handle(self, path: str, auth: str, form: dict[str, str]) -> tuple[int, dict]:
        with self._lock:
            self.requests += 1
            if (refused := _refusal(path, auth)) is not None:
                return refused
            if self.failures_left > 0:
                self.failures_left -= 1
                return 500, {"code": 20500, "message": "Internal Server Error"}
            if not form.get("To") or not form.get("Body"):
                return 400, {"code": 21602, "message": "Message body is required."}
            sid = "SM" + uuid.uuid4().hex
            self.sent.append(Sent(form["To"], form["Body"], form.get("From", ""), form.get("StatusCallback"), sid))
            self.counts[form["To"]] = self.counts.get(form["To"], 0) + 1
            return 201, {"sid": sid, "status": "queued"}

    def _list(self, path: str, auth: str, query: dict[str, str]) -> tuple[int, dict]:
        with self._lock:
            self.listed += 1
            if (refused := _refusal(path, auth)) is not None:
                return refused
            found = [
                sent
                for sent in reversed(self.sent)
                if query.get("To") in (None, sent.to) and query.get("From") in (None, sent.from_)
            ][: int(query.get("PageSize") or 50)]
            return 200, {
                "messages": [
                    {
                        "sid": sent.sid,
                        "to": sent.to,
                        "from": sent.from_,
                        "body": sent.body,
                        "direction": "outbound-api",
                        "status": "sent",
                        "date_created": format_datetime(sent.created, usegmt=True),
                    }
                    for sent in found
                ],
                "page": 0,
                "page_size": len(found),
                "next_page_uri": None,
            }

    @contextmanager
    def serving(self) -> Iterator[FakeTwilio]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}
                self._answer(*fake._handle(self.path, self.headers.get("Authorization") or "", form))

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                self._answer(*fake._list(url.path, self.headers.get("Authorization") or "", query))

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:  # quiet: the bodies are test data anyway
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
            thread.join(timeout=5)


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature for a POST of `params` to `url`, computed as Twilio does."""
    return RequestValidator(token).compute_signature(url, params)


def inbound(number: str, body: str, *, sid: Optional[str] = None, media: int = 0) -> dict[str, str]:
    """The form fields Twilio posts for an incoming SMS (the ones that matter here, and a few that don't)."""
    sid = sid or "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": number,
        "To": FROM_NUMBER,
        "Body": body,
        "NumMedia": str(media),
        "NumSegments": "1",
        "FromCountry": "US",
        "FromState": "OR",
        "ApiVersion": "2010-04-01",
    }


def post_signed(
    session: requests.Session, server_url: str, public_url: str, form: dict[str, str], timeout: float = 30
) -> requests.Response:
    """POST a form to our server, signed for the public URL Twilio would have used."""
    return session.post(server_url, data=form, headers={"X-Twilio-Signature": sign(public_url, form)}, timeout=timeout)
