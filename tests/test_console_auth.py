"""The staff console's gate: accounts and argon2id passwords, signing in and out, server-side sessions (idle
and absolute ends, disabled accounts), CSRF on every form, slow-down then lock-out after failed sign-ins, roles
on every route (a walk over the app's routes, signed out and as each role), security headers, the append-only
audit log, the console settings and `iop-intake staff`.

The app runs in process over ASGI (httpx), with its lifespan started as a server would; `Console` is the
harness the other console tests use too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from datetime import timedelta
from typing import Any, Optional

import httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sanic import Sanic

from bot import cli
from bot.console import auth, passwords
from bot.console.app import create_app
from bot.handoff import RasaApi
from bot.safety.escalation import Severity, Source, Trigger
from bot.settings import ConfigError, Settings, settings
from bot.store import crud, db
from bot.store import staff as store
from bot.store.models import utcnow

PASSWORD = "correct horse battery staple"
ROLES = ("admin", "intake", "clinician")
CONVERSATION = "web-5b1e0c44d2aa"
pytestmark = pytest.mark.usefixtures("cheap_hashes")  # many sign-ins: cheap argon2id (tests/conftest.py)


class Console:
    """The console app in process: ASGI over httpx, cookies kept, lifespan started, calls made synchronous."""

    def __init__(
        self, config: Settings, *, rasa: Optional[RasaApi] = None, https: bool = False, address: str = "127.0.0.1"
    ) -> None:
        Sanic.test_mode = True  # several apps in one process
        self.app = create_app(config, name=f"console_{uuid.uuid4().hex}", rasa=rasa)
        self.delays: list[float] = []

        async def record(seconds: float) -> None:
            self.delays.append(seconds)

        self.app.ctx.console.sleep = record
        self.loop = asyncio.new_event_loop()
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.lifespan = self.loop.create_task(
            self.app({"type": "lifespan", "asgi": {"version": "3.0"}}, self.inbox.get, self.outbox.put)
        )
        self._lifespan("startup")
        # `address`: the peer the console sees, as if the request came from another computer.
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=(address, 50123)),
            base_url="https://console.test" if https else "http://console.test",
        )
        self.csrf = ""

    def _lifespan(self, step: str) -> None:
        self.loop.run_until_complete(self.inbox.put({"type": f"lifespan.{step}"}))
        message = self.loop.run_until_complete(asyncio.wait_for(self.outbox.get(), 10))
        assert message["type"] == f"lifespan.{step}.complete", message

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.http.get(path, **kwargs))

    def post(
        self, path: str, data: Optional[dict] = None, *, csrf: Optional[str] = None, **kwargs: Any
    ) -> httpx.Response:
        """A form post with this session's CSRF token (or `csrf`, '' for none)."""
        token = self.csrf if csrf is None else csrf
        fields = {**(data or {}), **({"csrf": token} if token else {})}
        return self.loop.run_until_complete(self.http.post(path, data=fields, **kwargs))

    def sign_in(self, name: str, password: str = PASSWORD, *, next_: str = "/") -> httpx.Response:
        form = self.get("/sign-in")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        reply = self.post("/sign-in", {"name": name, "password": password, "next": next_}, csrf=token)
        if reply.status_code == 303:
            page = self.get("/")
            self.csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        return reply

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self._lifespan("shutdown")
        self.lifespan.cancel()
        self.loop.close()


def add_account(url: str, name: str, role: str, password: str = PASSWORD) -> int:
    with db.session_scope(url) as session:
        return store.add_staff(session, name=name, role=role, password_hash=passwords.hash_password(password)).id


def audit_rows(url: str, action: Optional[str] = None) -> list[store.AuditEvent]:
    with db.session_scope(url) as session:
        return list(reversed(store.audit_log(session, action=action, limit=1000)))


@pytest.fixture
def console(config: Settings):
    running = Console(config)
    yield running
    running.close()


# ---------------------------------------------------------------------------------------------------
# Every route, signed out and as every role


def guarded_routes(app: Sanic) -> list[tuple[str, str, str]]:
    """(method, concrete path, permission) for every staff route; ids that name nothing."""
    found = []
    for route in app.router.routes:
        permission = getattr(route.handler, "permission", None)
        if permission is None:
            continue
        path = "/" + re.sub(r"<\w+:int>", "999999", re.sub(r"<\w+(:str)?>", "web-00000000", route.path))
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path, permission))
    return sorted(found, key=lambda r: (r[1] == "/sign-out", r))  # signing out last


def test_every_route_is_either_public_or_guarded(console: Console) -> None:
    unmarked = [
        route.path
        for route in console.app.router.routes
        if not route.name.endswith(".static")
        and not getattr(route.handler, "public", False)
        and not hasattr(route.handler, "permission")
    ]
    assert unmarked == []
    public = {route.path for route in console.app.router.routes if getattr(route.handler, "public", False)}
    # The booking's calendar link is public by design: its unguessable token is the key.
    assert public == {"widget.js", "vendor/socket.io.min.js", "demo", "sign-in", "calendar/<token:str>"}
    assert len(guarded_routes(console.app)) >= 25


def test_signed_out_every_staff_page_redirects_to_sign_in_and_every_form_gets_401(
    console: Console, config: Settings
) -> None:
    for method, path, _ in guarded_routes(console.app):
        reply = console.get(path) if method == "GET" else console.post(path, {"text": "x"}, csrf="forged")
        if method == "GET":
            assert reply.status_code == 302, path
            assert reply.headers["location"] == f"/sign-in?next={path}"
        else:
            assert reply.status_code == 401, path
            assert "signed out" in reply.text
    assert audit_rows(config.database_url) == []  # nothing was done or seen


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_routes_its_permissions_allow(
    console: Console, config: Settings, role: str
) -> None:
    add_account(config.database_url, f"Casey {role}", role)
    assert console.sign_in(f"Casey {role}").status_code == 303
    for method, path, permission in guarded_routes(console.app):
        reply = console.get(path) if method == "GET" else console.post(path)
        allowed = auth.can(role, permission)
        assert (reply.status_code == 403) != allowed, (role, method, path, reply.status_code)
        assert reply.status_code not in (401, 500), (role, method, path)
    assert auth.can("clinician", "act") and not auth.can("clinician", "report")
    assert not auth.can("intake", "admin") and auth.can("intake", "schedule")


def test_the_menu_shows_each_role_only_its_pages(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Robin Clinician", "clinician")
    console.sign_in("Robin Clinician")
    menu = console.get("/").text.split("</nav>")[0]
    assert 'href="/appointments"' in menu and 'href="/funnel"' not in menu and 'href="/audit"' not in menu


# ---------------------------------------------------------------------------------------------------
# Signing in and out, sessions


def test_signing_in_opens_a_session_with_an_httponly_samesite_cookie_and_goes_where_asked(
    console: Console, config: Settings
) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    reply = console.sign_in("  dana   EXAMPLE ", next_="/appointments")  # names match loosely
    assert reply.status_code == 303 and reply.headers["location"] == "/appointments"
    cookie = reply.headers["set-cookie"]
    assert cookie.startswith(f"{auth.SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on a developer's machine
    token = console.http.cookies[auth.SESSION_COOKIE]
    with db.session_scope(config.database_url) as session:  # only the token's hash is stored
        assert session.execute(sa.select(store.StaffSession.token_hash)).scalar_one() == auth.token_hash(token)
    assert "Dana Example" in console.get("/").text
    assert [row.staff_name for row in audit_rows(config.database_url, "sign_in")] == ["Dana Example"]


@pytest.mark.parametrize("https, env", [(True, "test"), (False, "production")])
def test_the_session_cookie_is_secure_over_https_and_always_in_production(
    config: Settings, https: bool, env: str
) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    running = Console(dataclasses.replace(config, env=env), https=https)
    try:
        reply = running.sign_in("Dana Example")
        assert "Secure" in reply.headers["set-cookie"] and "HttpOnly" in reply.headers["set-cookie"]
        assert ("strict-transport-security" in reply.headers) is https
    finally:
        running.close()


def test_a_proxy_is_trusted_for_https_only_when_configured(config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    for proxies, secure in ((0, False), (1, True)):
        running = Console(dataclasses.replace(config, console_proxies=proxies))
        try:
            running.http.headers.update({"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
            assert ("Secure" in running.sign_in("Dana Example").headers["set-cookie"]) is secure
        finally:
            running.close()


def test_after_signing_in_only_paths_of_this_site_are_followed(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        console.http.cookies.clear()
        assert console.sign_in("Dana Example", next_=evil).headers["location"] == "/"


def test_signing_out_ends_the_session_on_the_server(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    console.sign_in("Dana Example")
    token = console.http.cookies[auth.SESSION_COOKIE]
    reply = console.post("/sign-out")
    assert reply.status_code == 303 and reply.headers["location"] == "/sign-in"
    console.http.cookies.set(auth.SESSION_COOKIE, token)  # a copy of the old cookie is worth nothing
    assert console.get("/").status_code == 302
    assert [row.action for row in audit_rows(config.database_url)] == ["sign_in", "sign_out"]


def test_sessions_end_when_idle_and_automatic_refreshes_are_not_activity(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    console.sign_in("Dana Example")

    def last_seen(ago: Optional[timedelta] = None):
        with db.session_scope(config.database_url) as session:
            row = session.execute(sa.select(store.StaffSession)).scalar_one()
            if ago is not None:
                row.last_seen_at = utcnow() - ago
            return row.last_seen_at

    before = last_seen(timedelta(minutes=10))
    assert console.get("/", headers={"X-Console-Refresh": "1"}).status_code == 200
    assert last_seen() == before
    assert console.get("/").status_code == 200
    assert last_seen() > before
    last_seen(timedelta(minutes=config.console_idle_minutes + 1))
    assert console.get("/").status_code == 302


def test_a_session_ends_after_its_hours_however_active(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    console.sign_in("Dana Example")
    with db.session_scope(config.database_url) as session:
        row = session.execute(sa.select(store.StaffSession)).scalar_one()
        assert row.expires_at - row.created_at == timedelta(hours=config.console_session_hours)
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert console.get("/").status_code == 302


def test_disabling_an_account_or_changing_its_password_signs_it_out_everywhere(
    console: Console, config: Settings
) -> None:
    staff_id = add_account(config.database_url, "Dana Example", "intake")
    console.sign_in("Dana Example")
    with db.session_scope(config.database_url) as session:
        store.set_active(session, staff_id=staff_id, active=False)
    assert console.get("/").status_code == 302
    assert console.sign_in("Dana Example").status_code == 401  # and a disabled account cannot sign in
    with db.session_scope(config.database_url) as session:
        store.set_active(session, staff_id=staff_id, active=True)
    console.sign_in("Dana Example")
    with db.session_scope(config.database_url) as session:
        store.set_password(session, staff_id=staff_id, password_hash=passwords.hash_password("a whole new phrase"))
    assert console.get("/").status_code == 302
    assert console.sign_in("Dana Example", "a whole new phrase").status_code == 303


def test_a_hash_made_with_older_parameters_is_replaced_at_sign_in(
    console: Console, config: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1))
    assert console.sign_in("Dana Example").status_code == 303
    with db.session_scope(config.database_url) as session:
        assert ",t=2," in store.staff_by_name(session, name="Dana Example").password_hash


# ---------------------------------------------------------------------------------------------------
# Failed sign-ins


def _age_failures(url: str, by: timedelta) -> None:
    with db.session_scope(url) as session:
        for row in session.execute(sa.select(store.SignInFailure)).scalars():
            row.at -= by


def test_failed_sign_ins_slow_down_then_lock_the_account_from_that_address_for_a_while(
    console: Console, config: Settings
) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    statuses = [console.sign_in("Dana Example", f"wrong guess {i}").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]  # the 5th failure locks (CONSOLE_LOCKOUT_AFTER=5 here)
    assert console.delays == [0, 0, 1, 2, 4]  # from the 3rd, each answer waits twice as long
    assert "locked" in console.sign_in("Dana Example").text  # even the right password, while locked
    assert console.sign_in("Dana Example").status_code == 429
    _age_failures(config.database_url, timedelta(minutes=15))  # the lock runs out
    assert console.sign_in("Dana Example").status_code == 303
    with db.session_scope(config.database_url) as session:  # a success clears the count
        assert session.execute(sa.select(sa.func.count()).select_from(store.SignInFailure)).scalar_one() == 0
    failed = audit_rows(config.database_url, "sign_in_failed")
    assert [row.detail for row in failed] == [f"attempt {n}" for n in range(1, 6)] + ["locked", "locked"]


def test_failures_from_anywhere_cannot_lock_a_clinician_out_from_their_own_computer(config: Settings) -> None:
    """The attack: ten wrong passwords for a clinician's name (the review's default limit) from one network used
    to lock the account for everyone for 15 minutes, in the middle of a crisis."""
    add_account(config.database_url, "Robin Clinician", "clinician")
    attacker = Console(dataclasses.replace(config, console_lockout_after=10), address="198.51.100.66")
    clinician = Console(config, address="203.0.113.20")
    try:
        assert [attacker.sign_in("Robin Clinician", f"guess {i}").status_code for i in range(12)][-3:] == [429] * 3
        assert clinician.sign_in("Robin Clinician").status_code == 303
        assert "Robin Clinician" in clinician.get("/").text
        assert attacker.sign_in("Robin Clinician").status_code == 429  # the attacker's address stays locked
    finally:
        attacker.close()
        clinician.close()


def test_an_address_that_signed_in_before_gets_past_the_address_limit_with_a_right_password(config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    clinic, cafe = Console(config, address="203.0.113.20"), Console(config, address="198.51.100.9")
    try:
        assert clinic.sign_in("Dana Example").status_code == 303  # the clinic's network is known from now on
        clinic.http.cookies.clear()
        for running in (clinic, cafe):  # someone guesses names from both networks
            assert {
                running.sign_in(f"guess {i}", "wrong password 1").status_code for i in range(auth.ADDRESS_LIMIT)
            } == {401}
        assert clinic.sign_in("Dana Example", "still wrong").status_code == 401  # checked, and wrong
        assert clinic.sign_in("Dana Example").status_code == 303
        refused = cafe.sign_in("Dana Example")
        assert refused.status_code == 429 and "Too many failed sign-ins from this network" in refused.text
    finally:
        clinic.close()
        cafe.close()


@pytest.mark.parametrize("proxies, seen", [(0, "peer"), (1, "forwarded")])
def test_the_limits_see_x_forwarded_for_only_behind_configured_proxies(
    config: Settings, proxies: int, seen: str
) -> None:
    """Without a trusted proxy, a made-up X-Forwarded-For on each guess must not dodge the lock; behind one,
    the address the proxy saw is the one limited (not the proxy's own, which every clinician shares)."""
    add_account(config.database_url, "Dana Example", "intake")
    running = Console(dataclasses.replace(config, console_proxies=proxies), address="10.0.0.2")
    try:
        for i in range(5):
            running.http.headers["X-Forwarded-For"] = f"192.0.2.{i}, 198.51.100.66"
            running.sign_in("Dana Example", f"wrong {i}")
        running.http.headers["X-Forwarded-For"] = "203.0.113.20"  # the clinician, through the same proxy
        assert running.sign_in("Dana Example").status_code == (429 if seen == "peer" else 303)
    finally:
        running.close()


def test_a_right_password_before_the_limit_resets_the_count(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    for _ in range(2):
        for i in range(4):
            assert console.sign_in("Dana Example", f"wrong {i}").status_code == 401
        assert console.sign_in("Dana Example").status_code == 303
        console.http.cookies.clear()


WINDOWS = dict(lock_window=timedelta(minutes=15), address_window=timedelta(minutes=15))


def test_the_limit_holds_for_guesses_counted_at_the_same_time(migrated_db_url: str) -> None:
    """Each attempt is written down before its password is checked (SQLite and PostgreSQL), so guesses sent
    together each see the others."""
    now = utcnow()
    counted = []
    for _ in range(7):
        with db.session_scope(migrated_db_url) as session:
            counted.append(store.count_attempt(session, account_key="staff-1", address_ref="a1", now=now, **WINDOWS))
    assert [c.in_a_row for c in counted] == [1, 2, 3, 4, 5, 6, 7]
    assert [auth.gate(c, lock_after=5) for c in counted] == [auth.Gate.CHECK] * 5 + [auth.Gate.NAME_LOCKED] * 2
    with db.session_scope(migrated_db_url) as session:  # another address, another count
        assert store.count_attempt(session, account_key="staff-1", address_ref="a2", now=now, **WINDOWS).in_a_row == 1
    later = now + timedelta(minutes=16)
    with db.session_scope(migrated_db_url) as session:  # after the lock the count starts again
        assert store.count_attempt(
            session, account_key="staff-1", address_ref="a1", now=later, **WINDOWS
        ) == store.Counted(in_a_row=1, from_address=1, known_address=False)


@pytest.mark.parametrize(
    "in_a_row, from_address, known, gate",
    [
        (5, 5, False, auth.Gate.CHECK),
        (6, 6, True, auth.Gate.NAME_LOCKED),  # a known address does not lift the lock on a name
        (1, 30, False, auth.Gate.CHECK),
        (1, 31, False, auth.Gate.ADDRESS_WAITS),
        (1, 31, True, auth.Gate.CHECK),  # signed in from here before: the password is checked
    ],
)
def test_what_an_attempt_may_do(in_a_row: int, from_address: int, known: bool, gate: auth.Gate) -> None:
    assert auth.gate(store.Counted(in_a_row, from_address, known), lock_after=5) is gate


def test_the_failed_sign_in_table_is_bounded(migrated_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "MAX_FAILURE_ROWS", 50)
    now = utcnow()
    with db.session_scope(migrated_db_url) as session:
        store.count_attempt(session, account_key="staff-1", address_ref="old", now=now - timedelta(hours=1), **WINDOWS)
    for i in range(80):  # a spray from many addresses
        with db.session_scope(migrated_db_url) as session:
            store.count_attempt(session, account_key=f"name-{i}", address_ref=f"a{i}", now=now, **WINDOWS)
    with db.session_scope(migrated_db_url) as session:
        refs = set(session.execute(sa.select(store.SignInFailure.address_ref)).scalars())
    assert len(refs) == 50 and "old" not in refs and "a79" in refs  # the newest are kept


def test_unknown_names_get_the_same_answer_and_are_not_written_down(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    unknown = console.sign_in("my password is hunter2", PASSWORD)
    wrong = console.sign_in("Dana Example", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    mismatch = "That name and password do not match."
    assert mismatch in unknown.text and mismatch in wrong.text
    names = [row.staff_name for row in audit_rows(config.database_url, "sign_in_failed")]
    assert names == ["(unknown or disabled name)", "Dana Example"]
    with db.session_scope(config.database_url) as session:  # counted under a keyed pseudonym, never the text
        keys = set(session.execute(sa.select(store.SignInFailure.account_key)).scalars())
    assert not any("hunter2" in key for key in keys)


def test_unknown_and_known_names_take_the_same_time_and_work(config: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The attack: from the 3rd failure a known name's answer came 1, 2, 4 s later and an unknown name's at once,
    so timing named the accounts. Now both wait alike, lock alike, and run one argon2 check each."""
    add_account(config.database_url, "Dana Example", "intake")
    checks: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hashed: str, password: str) -> bool:  # type: ignore[override]
            checks.append(password)
            return super().verify(hashed, password)

    monkeypatch.setattr(passwords, "HASHER", Counting(time_cost=1, memory_cost=1024, parallelism=1))
    answers = {}
    for name in ("Dana Example", "Nobody Here"):
        running = Console(config, address="198.51.100.7")
        try:
            checks.clear()
            replies = [running.sign_in(name, f"wrong {i}") for i in range(6)]
            answers[name] = (
                [r.status_code for r in replies],
                running.delays,
                len(checks),
                [re.search(r'role="alert">([^<]*)<', r.text).group(1) for r in replies],
            )
        finally:
            running.close()
    assert answers["Dana Example"] == answers["Nobody Here"]
    assert answers["Nobody Here"][:3] == ([401, 401, 401, 401, 429, 429], [0, 0, 1, 2, 4, 8], 5)


# ---------------------------------------------------------------------------------------------------
# CSRF


def open_escalation(url: str) -> int:
    with db.session_scope(url) as session:
        return crud.create_escalation(
            session,
            conversation_id=CONVERSATION,
            trigger_text="I can't go on",
            trigger=Trigger(Severity.HIGH, "suicidal_ideation", Source.MESSAGE),
        ).id


def acknowledged_by(url: str, escalation_id: int) -> Optional[str]:
    with db.session_scope(url) as session:
        return crud.get_escalation(session, escalation_id=escalation_id).acknowledged_by


def test_a_form_without_this_sessions_csrf_token_is_refused_and_changes_nothing(
    console: Console, config: Settings
) -> None:
    escalation_id = open_escalation(config.database_url)
    add_account(config.database_url, "Dana Example", "intake")
    add_account(config.database_url, "Sam Sample", "intake")
    other = Console(config)
    try:
        other.sign_in("Sam Sample")
        console.sign_in("Dana Example")
        path = f"/escalations/{escalation_id}/acknowledge"
        for token in ("", "forged", other.csrf):
            reply = console.post(path, csrf=token)
            assert reply.status_code == 403 and "expired" in reply.text
        assert acknowledged_by(config.database_url, escalation_id) is None
        assert console.post(path).status_code == 303
        assert acknowledged_by(config.database_url, escalation_id) == "Dana Example"
    finally:
        other.close()


def test_the_sign_in_form_needs_its_own_token_too(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    reply = console.post("/sign-in", {"name": "Dana Example", "password": PASSWORD}, csrf="made-up")
    assert reply.status_code == 403 and auth.SESSION_COOKIE not in reply.headers.get("set-cookie", "")
    console.get("/sign-in")
    reply = console.post("/sign-in", {"name": "Dana Example", "password": PASSWORD}, csrf="made-up")
    assert reply.status_code == 403  # the cookie is there, but the form's token is not its value


# ---------------------------------------------------------------------------------------------------
# Headers


def test_staff_pages_carry_a_strict_policy_and_are_not_cached(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    console.sign_in("Dana Example")
    for path in ("/", "/sign-in", "/appointments", "/no-such-page"):
        headers = console.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
        assert "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
    assert console.get("/").headers["cache-control"] == "no-store"
    assert "<title>Queue · " in console.get("/").text


def test_the_widget_and_demo_stay_public_and_working(console: Console) -> None:
    script = console.get("/widget.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert script.headers["x-content-type-options"] == "nosniff"
    assert console.get("/widget.css").status_code == 200
    demo = console.get("/demo")
    assert demo.status_code == 200 and "/widget.js" in demo.text
    assert "content-security-policy" not in demo.headers  # the program's own site sets its policy
    assert console.get("/static/console.js").status_code == 200
    assert console.get("/static/console.css").headers["content-type"].startswith("text/css")


# ---------------------------------------------------------------------------------------------------
# Audit log, passwords, settings, command line


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET staff_name = 'nobody'", "DELETE FROM audit_log"])
def test_the_database_refuses_to_change_or_delete_audit_rows(migrated_db_url: str, statement: str) -> None:
    with db.session_scope(migrated_db_url) as session:
        store.audit(session, staff_name="Dana", action="view_screening", subject_kind="screening", subject_id=1)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with db.session_scope(migrated_db_url) as session:
            session.execute(sa.text(statement))
    assert [row.staff_name for row in audit_rows(migrated_db_url)] == ["Dana"]


def test_passwords_are_argon2id_and_short_or_trivial_ones_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher())  # the real parameters
    hashed = passwords.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert passwords.verify(hashed, PASSWORD) and not passwords.verify(hashed, PASSWORD.upper())
    assert not passwords.verify("not a hash", PASSWORD)
    for weak in ("short", "aaaaaaaaaaaaaaaa", "x" * 300):
        with pytest.raises(passwords.WeakPassword):
            passwords.hash_password(weak)


def test_console_settings_have_safe_defaults_and_refuse_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CONSOLE_LOCKOUT_AFTER",
        "CONSOLE_LOCKOUT_MINUTES",
        "CONSOLE_SESSION_HOURS",
        "CONSOLE_IDLE_MINUTES",
        "CONSOLE_PROXIES_COUNT",
    ):
        monkeypatch.delenv(name, raising=False)
    defaults = settings()
    assert (
        defaults.console_lockout_after,
        defaults.console_lockout_minutes,
        defaults.console_session_hours,
        defaults.console_idle_minutes,
        defaults.console_proxies,
    ) == (10, 15, 12, 30, 0)
    monkeypatch.setenv("CONSOLE_IDLE_MINUTES", "45")
    monkeypatch.setenv("CONSOLE_PROXIES_COUNT", "1")
    assert (settings().console_idle_minutes, settings().console_proxies) == (45, 1)
    monkeypatch.setenv("CONSOLE_LOCKOUT_AFTER", "ten")
    with pytest.raises(ConfigError, match="CONSOLE_LOCKOUT_AFTER should be a whole number"):
        settings()
    for field, name in (
        ("console_lockout_after", "CONSOLE_LOCKOUT_AFTER"),
        ("console_session_hours", "CONSOLE_SESSION_HOURS"),
        ("console_proxies", "CONSOLE_PROXIES_COUNT"),
    ):
        with pytest.raises(ConfigError, match=name):
            dataclasses.replace(defaults, **{field: -1}).check()


def test_the_staff_command_adds_lists_resets_disables_and_enables_accounts(
    database: str, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli.STAFF_PASSWORD_ENV, PASSWORD)
    assert cli.main(["staff", "add", "Dana Example", "--role", "admin"]) == 0
    assert cli.main(["staff", "add", "dana example", "--role", "intake"]) == 1
    assert "already a staff account" in capsys.readouterr().err
    monkeypatch.setenv(cli.STAFF_PASSWORD_ENV, "short")
    assert cli.main(["staff", "add", "Sam Sample", "--role", "clinician"]) == 1
    assert "at least 12 characters" in capsys.readouterr().err
    monkeypatch.setenv(cli.STAFF_PASSWORD_ENV, "another long passphrase")
    assert cli.main(["staff", "password", "Dana Example"]) == 0
    assert cli.main(["staff", "disable", "Dana Example"]) == 0
    assert cli.main(["staff", "disable", "Nobody"]) == 1
    capsys.readouterr()
    assert cli.main(["staff", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Dana Example" in listing and "admin" in listing and "disabled" in listing
    assert "another long passphrase" not in listing
    with db.session_scope(database) as session:
        account = store.staff_by_name(session, name="Dana Example")
        assert passwords.verify(account.password_hash, "another long passphrase")
        assert account.password_hash.startswith("$argon2id$")
    assert cli.main(["staff", "enable", "dana  EXAMPLE"]) == 0  # a disabled account can sign in again
    assert "enabled Dana Example" in capsys.readouterr().out
    assert cli.main(["staff", "enable", "Nobody"]) == 1 and "no staff account" in capsys.readouterr().err
    with db.session_scope(database) as session:
        assert store.staff_by_name(session, name="Dana Example").active
    assert cli.main(["staff", "list"]) == 0 and "disabled" not in capsys.readouterr().out
    assert [row.action for row in audit_rows(database)] == [
        "add_staff",
        "set_password",
        "disable_staff",
        "enable_staff",
    ]
    assert {row.staff_name for row in audit_rows(database)} == {"command line"}


def test_many_failed_sign_ins_from_one_address_across_names_are_cut_off(console: Console, config: Settings) -> None:
    add_account(config.database_url, "Dana Example", "intake")
    statuses = [console.sign_in(f"guess {i}", "wrong password 1").status_code for i in range(auth.ADDRESS_LIMIT)]
    assert set(statuses) == {401}  # unknown names: no account lock sees these
    refused = console.sign_in("Dana Example")  # even the right password, from this address, for now
    assert refused.status_code == 429 and "Too many failed sign-ins from this network" in refused.text


def test_the_address_limit_forgets_failures_after_its_window(migrated_db_url: str) -> None:
    now = utcnow()
    for i in range(3):
        with db.session_scope(migrated_db_url) as session:
            store.count_attempt(session, account_key=f"name-{i}", address_ref="10.0.0.5", now=now, **WINDOWS)
    with db.session_scope(migrated_db_url) as session:
        assert (
            store.count_attempt(session, account_key="name-9", address_ref="10.0.0.5", now=now, **WINDOWS).from_address
            == 4
        )
        assert (
            store.count_attempt(session, account_key="name-9", address_ref="10.0.0.6", now=now, **WINDOWS).from_address
            == 1
        )
        assert (
            store.count_attempt(
                session, account_key="name-9", address_ref="10.0.0.5", now=now + timedelta(minutes=16), **WINDOWS
            ).from_address
            == 1
        )
