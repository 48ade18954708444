"""What every staff page shares: the console's context, rendering, times in the program's zone, the
security headers, and running blocking work (database, Rasa's API, password checks) off the event loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional, TypeVar
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console.transcript import Transcripts
from bot.handoff import RasaApi
from bot.program import Program
from bot.settings import Settings

HERE = Path(__file__).resolve().parent
T = TypeVar("T")

# Staff pages run only the console's own script and style sheet; nothing may frame them or send forms elsewhere.
STAFF_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The demo page stands in for the program's own website (its styles, the widget talking to Rasa): it keeps
# the headers every response gets, and the program's site sets its own policy.
HOST_PAGES = frozenset({"/demo"})
REFRESH_HEADER = "X-Console-Refresh"  # set by console.js on automatic refreshes: not a sign of activity


def words(value: Any) -> str:
    """'likely_fit' -> 'Likely fit' (stored codes as staff read them)."""
    text = str(value if value is not None else "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def url_part(value: Any) -> str:
    """A value made safe for one part of a URL: a path segment or a query value. Every character that is not
    a letter, digit or one of `_.-~` is %-encoded, '/' too (Jinja's own `urlencode` keeps '/', which would
    split a client-chosen conversation id into two path segments)."""
    return quote(str(value), safe="")


CHANNELS = {"socketio": "Website chat", "sms": "SMS", "rest": "REST"}


def channel_name(code: Optional[str]) -> str:
    return CHANNELS.get(code or "", code or "")


def category(code: str) -> str:
    """An escalation's category: 'cssrs_moderate' -> 'C-SSRS answers: moderate risk'."""
    if code.startswith("cssrs_"):
        return f"C-SSRS answers: {code.removeprefix('cssrs_')} risk"
    return words(code)


def duration(delta: timedelta) -> str:
    """How long, roughly: '45 s', '12 min', '3 h 05 min', '2 d 4 h'."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


@dataclass
class Console:
    """The console's settings and connections, one per app (`app.ctx.console`)."""

    settings: Settings
    program: Program
    rasa: RasaApi
    transcripts: Transcripts
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # sign-in slow-down; tests record it instead
    templates: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates" / "staff"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
        )
        self.templates.filters.update(
            local=self.local,
            day=self.day,
            words=words,
            duration=duration,
            channel=channel_name,
            category=category,
            urlencode=url_part,
        )

    @property
    def db_url(self) -> str:
        return self.settings.database_url

    def local(self, at: Optional[datetime], fmt: str = "%a %d %b %Y, %H:%M") -> str:
        return at.astimezone(self.program.tz).strftime(fmt) if at else ""

    def day(self, at: Optional[datetime]) -> date:
        return at.astimezone(self.program.tz).date() if at else date.min

    def render(self, request: Request, template: str, *, title: str, status: int = 200, **context: Any) -> HTTPResponse:
        """A page. `title` goes in the browser tab and history: opaque ids only, never health details."""
        context.setdefault("nav", "")
        context.setdefault("refresh", 0)
        staff = getattr(request.ctx, "staff", None)
        page = self.templates.get_template(template).render(
            request=request, staff=staff, title=title, program=self.program, console=self, **context
        )
        return response.html(page, status=status)


async def blocking(work: Callable[[], T]) -> T:
    """Run `work` on a worker thread (it may wait on the database, Rasa or argon2)."""
    return await asyncio.get_running_loop().run_in_executor(None, work)


def security_headers(request: Request, reply: HTTPResponse) -> None:
    reply.headers.setdefault("X-Content-Type-Options", "nosniff")
    reply.headers.setdefault("Referrer-Policy", "no-referrer")
    reply.headers.setdefault("X-Frame-Options", "DENY")
    if request.path not in HOST_PAGES:
        reply.headers.setdefault("Content-Security-Policy", STAFF_CSP)
    if request.scheme == "https":
        reply.headers.setdefault("Strict-Transport-Security", "max-age=31536000")


def refreshing(request: Request) -> bool:
    return request.headers.get(REFRESH_HEADER) == "1"


def form(request: Request, name: str, limit: int = 1000) -> str:
    """A form field as text, cut to `limit` characters ('' when missing)."""
    return (request.form.get(name) or "")[:limit] if request.form else ""


def int_or_none(value: Optional[str]) -> Optional[int]:
    try:
        return int(value) if value is not None and value.strip() else None
    except ValueError:
        return None
