"""Signing staff in and out, sessions, CSRF, roles, and the guard every staff route wears.

- Sessions live in the database (bot.store.staff); the cookie holds a random token whose SHA-256 is the key,
  HttpOnly and SameSite=Lax, Secure over HTTPS and always in production. A session ends at sign-out, after
  `console_idle_minutes` without a click (automatic refreshes do not count), after `console_session_hours`
  in any case, and when the account is disabled or its password changed.
- CSRF: each session has its own token, which every form posts back (`csrf`); the sign-in form, before any
  session, posts back the value of a short-lived cookie set with it.
- Failed sign-ins are counted per account (or typed name) and client address: from the SLOW_AFTER-th the
  answer comes later each time, and the `console_lockout_after`-th locks that account from that address for
  `console_lockout_minutes` (an admin can unlock it), so failures from anywhere else cannot lock a clinician
  out during a crisis. They are also counted per client address, whatever the names: ADDRESS_LIMIT in
  ADDRESS_WINDOW, and that address waits, except for a right password from an address someone has signed
  in from before. The client address is the peer's, or behind CONSOLE_PROXIES_COUNT trusted proxies the
  entry of X-Forwarded-For the outermost of them added. An unknown (or disabled) name goes through the same
  steps and the same argon2 work as a known one, so neither the answer nor its timing tells them apart.
- `allow(permission)` marks and guards a route: signed out, a page redirects to sign-in and a form post gets
  401; a role without the permission gets 403. `public` marks the routes anyone may fetch. A test walks
  every route of the app and checks that each wears one of the two.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from functools import wraps
from typing import Any, Callable, Coroutine, Optional
from urllib.parse import quote

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.access import client_address
from bot.console import passwords
from bot.console.web import Console, blocking, form, refreshing
from bot.store import staff as store
from bot.store.db import session_scope
from bot.store.models import utcnow
from bot.store.refs import keyed_ref

SESSION_COOKIE = "iop_console_session"
SIGN_IN_COOKIE = "iop_console_sign_in"  # the sign-in form's CSRF token, before there is a session
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SLOW_AFTER = 3  # failed attempts in a row before each answer is delayed
MAX_DELAY = 8.0  # seconds
TOUCH_EVERY = timedelta(minutes=1)  # write last_seen_at at most this often
ADDRESS_LIMIT = 30  # failed sign-ins from one client address...
ADDRESS_WINDOW = timedelta(minutes=15)  # ...within this long, then it waits
UNKNOWN_NAME = "(unknown or disabled name)"  # what the audit log says for a name with no active account

ALL = frozenset({"admin", "intake", "clinician"})
# Clinicians read and act on screenings, escalations and conversations and record who came to an
# assessment; intake staff also run the schedule and the reports; only admins see the audit log and
# manage accounts.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": ALL,
    "act": ALL,
    "schedule": frozenset({"admin", "intake"}),
    "report": frozenset({"admin", "intake"}),
    "admin": frozenset({"admin"}),
}

Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]  # what Sanic's route decorators take


@dataclass(frozen=True)
class Staff:
    """The signed-in member of staff, for one request."""

    id: int
    name: str
    role: str
    csrf: str

    def can(self, permission: str) -> bool:
        return can(self.role, permission)

    def audit(
        self,
        session: Any,
        action: str,
        subject_kind: Optional[str] = None,
        subject_id: object = None,
        detail: Optional[str] = None,
    ) -> None:
        """An audit row for what this member of staff did, in the same transaction as the act itself."""
        store.audit(
            session,
            staff_name=self.name,
            staff_id=self.id,
            action=action,
            subject_kind=subject_kind,
            subject_id=subject_id,
            detail=detail,
        )


def can(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def public(handler: Handler) -> Handler:
    """Mark a route anyone may fetch (the widget, the demo page, sign-in)."""
    handler.public = True  # type: ignore[attr-defined]
    return handler


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def secure(request: Request, console: Console) -> bool:
    return request.scheme == "https" or console.settings.production


def _set_cookie(
    reply: HTTPResponse,
    name: str,
    value: str,
    *,
    secure_: bool,
    path: str = "/",
    samesite: str = "Lax",
    max_age: Optional[int] = None,
) -> None:
    reply.cookies[name] = value
    cookie = reply.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = samesite
    cookie["path"] = path
    if secure_:
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def _forget_cookie(reply: HTTPResponse, name: str, *, path: str = "/") -> None:
    _set_cookie(reply, name, "", secure_=False, path=path, max_age=0)


def same(given: str, expected: str) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _current(console: Console, token: str, touch: bool) -> Optional[Staff]:
    now = utcnow()
    idle = timedelta(minutes=console.settings.console_idle_minutes)
    with session_scope(console.db_url) as session:
        row = store.find_session(session, token_hash=token_hash(token), now=now, idle=idle)
        if row is None:
            return None
        if touch and now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
        return Staff(row.staff.id, row.staff.name, row.staff.role, row.csrf_token)


def current_staff(request: Request, console: Console) -> Optional[Staff]:
    token = request.cookies.get(SESSION_COOKIE) or ""
    if not token or len(token) > 100:
        return None
    return _current(console, token, touch=not refreshing(request))


def _page(console: Console, request: Request, status: int, message: str) -> HTTPResponse:
    titles = {401: "Signed out", 403: "Not allowed"}
    return console.render(request, "message.html", title=titles.get(status, "Error"), status=status, message=message)


def allow(permission: str) -> Callable[[Handler], Handler]:
    """Guard a staff route: signed in, the role has `permission`, and a form post carries the CSRF token."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def mark(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            console: Console = request.app.ctx.console
            staff = await blocking(lambda: current_staff(request, console))
            request.ctx.staff = staff
            if staff is None:
                if request.method in SAFE_METHODS:
                    return response.redirect(f"/sign-in?next={quote(request.path, safe='/')}")
                return _page(console, request, 401, "You are signed out. Sign in again, then repeat what you did.")
            if not staff.can(permission):
                return _page(console, request, 403, "Your role does not allow this page.")
            if request.method not in SAFE_METHODS and not same(form(request, "csrf", 100), staff.csrf):
                return _page(console, request, 403, "This form has expired. Go back, reload the page and try again.")
            reply = await handler(request, *args, **kwargs)
            reply.headers["Cache-Control"] = "no-store"
            return reply

        guarded.permission = permission  # type: ignore[attr-defined]
        return guarded

    return mark


# --- signing in and out -----------------------------------------------------------------------------------


class Gate(Enum):
    CHECK = "check"  # check the password
    NAME_LOCKED = "name_locked"  # this account (or name) from this address: too many failures in a row
    ADDRESS_WAITS = "address_waits"  # this address: too many failures, whatever the names


@dataclass(frozen=True)
class Attempt:
    staff: Optional[Staff] = None
    token: str = ""
    failures: int = 0  # failed attempts in a row for this name from this address, this one included
    gate: Gate = Gate.CHECK


def delay_after(failures: int) -> float:
    """Seconds to wait before answering a failed attempt: none for the first few, then doubling."""
    if failures < SLOW_AFTER:
        return 0.0
    return min(2.0 ** (failures - SLOW_AFTER), MAX_DELAY)


def gate(counted: store.Counted, *, lock_after: int, address_limit: int = ADDRESS_LIMIT) -> Gate:
    """What to do with an attempt, counted (as a failure, until proven right) with the ones before it. Past
    the address's limit a known address still gets its password checked: a right one signs in, so a flood of
    guesses from a shared network cannot keep a clinician out."""
    if counted.in_a_row > lock_after:
        return Gate.NAME_LOCKED
    if counted.from_address > address_limit and not counted.known_address:
        return Gate.ADDRESS_WAITS
    return Gate.CHECK


def request_address(request: Request, console: Console) -> str:
    """The client address the limits see (CONSOLE_PROXIES_COUNT decides whether X-Forwarded-For counts)."""
    forwarded = ",".join(request.headers.getall("x-forwarded-for", []))
    return client_address(request.ip or "unknown", forwarded, console.settings.console_proxies)


def attempt_sign_in(console: Console, name: str, password: str, address: str = "unknown") -> Attempt:
    """Check a name and password from a client address (blocking: argon2 and the database)."""
    config = console.settings
    now = utcnow()
    address_ref = keyed_ref("address", address, config.sms_id_key)
    with session_scope(console.db_url) as session:
        account = store.staff_by_name(session, name=name)
        known = account if account is not None and account.active else None
        # An unknown name is counted under a keyed pseudonym of what was typed (never the text: it may be a
        # password typed in the wrong field), so it slows down and locks exactly like a known one.
        key = known.failure_key if known else keyed_ref("name", " ".join(name.lower().split()), config.sms_id_key)
        staff_id, staff_name = (known.id, known.name) if known else (None, UNKNOWN_NAME)
        password_hash = known.password_hash if known else None
        counted = store.count_attempt(
            session,
            account_key=key,
            address_ref=address_ref,
            now=now,
            lock_window=timedelta(minutes=config.console_lockout_minutes),
            address_window=ADDRESS_WINDOW,
        )
        verdict = gate(counted, lock_after=config.console_lockout_after)
        if verdict is not Gate.CHECK:
            store.audit(
                session,
                staff_name=staff_name,
                staff_id=staff_id,
                action="sign_in_failed",
                detail="locked" if verdict is Gate.NAME_LOCKED else "address waits",
            )
            return Attempt(failures=counted.in_a_row, gate=verdict)
    # The count is committed before the slow check, so parallel guesses cannot pass the limit, and nothing
    # else waits on the database meanwhile.
    right = passwords.verify(password_hash, password) if password_hash else passwords.verify_nobody(password)
    if not right:
        with session_scope(console.db_url) as session:
            store.audit(
                session,
                staff_name=staff_name,
                staff_id=staff_id,
                action="sign_in_failed",
                detail=f"attempt {counted.in_a_row}",
            )
        locked = counted.in_a_row >= config.console_lockout_after
        return Attempt(failures=counted.in_a_row, gate=Gate.NAME_LOCKED if locked else Gate.CHECK)
    assert staff_id is not None  # a right password: only a known account has a hash to match
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with session_scope(console.db_url) as session:
        account = store.sign_in_succeeded(session, staff_id=staff_id, address_ref=address_ref, now=now)
        if passwords.needs_rehash(account.password_hash):
            account.password_hash = passwords.HASHER.hash(password)
        store.open_session(
            session,
            staff_id=staff_id,
            token_hash=token_hash(token),
            csrf_token=csrf,
            now=now,
            expires_at=now + timedelta(hours=config.console_session_hours),
        )
        store.audit(session, staff_name=staff_name, staff_id=staff_id, action="sign_in")
        return Attempt(Staff(staff_id, staff_name, account.role, csrf), token)


def _next(value: str) -> str:
    """Where to go after signing in: a path of this site only."""
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


def sign_in_page(console: Console, request: Request, *, error: str = "", status: int = 200) -> HTTPResponse:
    token = secrets.token_urlsafe(32)
    page = console.render(
        request,
        "sign_in.html",
        title="Sign in",
        status=status,
        error=error,
        csrf=token,
        next=_next(request.args.get("next") or form(request, "next", 500) or "/"),
    )
    _set_cookie(
        page, SIGN_IN_COOKIE, token, secure_=secure(request, console), path="/sign-in", samesite="Strict", max_age=3600
    )
    page.headers["Cache-Control"] = "no-store"
    return page


def register(app: Sanic) -> None:
    @app.get("/sign-in")
    @public
    async def sign_in_form(request: Request) -> HTTPResponse:
        return sign_in_page(request.app.ctx.console, request)

    # The decoy hash for unknown names is made now, not on the first one (which would take twice as long).
    passwords.verify_nobody("")

    @app.post("/sign-in")
    @public
    async def sign_in(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        if not same(form(request, "csrf", 100), request.cookies.get(SIGN_IN_COOKIE) or ""):
            return sign_in_page(console, request, status=403, error="The sign-in form had expired. Please try again.")
        address = request_address(request, console)
        name, password = form(request, "name", 100), form(request, "password", passwords.MAX_LENGTH + 1)
        attempt = await blocking(lambda: attempt_sign_in(console, name, password, address))
        if attempt.staff is None:
            await console.sleep(delay_after(attempt.failures))
            errors = {
                Gate.CHECK: "That name and password do not match.",
                Gate.NAME_LOCKED: "Too many failed attempts: this account is locked for a while from here. "
                "Try again later, or ask an administrator to unlock it.",
                Gate.ADDRESS_WAITS: "Too many failed sign-ins from this network. Please wait a few minutes "
                "and try again.",
            }
            return sign_in_page(
                console, request, error=errors[attempt.gate], status=401 if attempt.gate is Gate.CHECK else 429
            )
        reply = response.redirect(_next(form(request, "next", 500)), status=303)
        _set_cookie(reply, SESSION_COOKIE, attempt.token, secure_=secure(request, console))
        _forget_cookie(reply, SIGN_IN_COOKIE, path="/sign-in")
        return reply

    @app.post("/sign-out")
    @allow("read")
    async def sign_out(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff
        token = request.cookies.get(SESSION_COOKIE) or ""

        def end() -> None:
            with session_scope(console.db_url) as session:
                store.end_session(session, token_hash=token_hash(token))
                staff.audit(session, "sign_out")

        await blocking(end)
        reply = response.redirect("/sign-in", status=303)
        _forget_cookie(reply, SESSION_COOKIE)
        return reply
