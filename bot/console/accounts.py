"""Staff accounts (admins only): add one, disable or enable it, lift its lock-outs (each is for one client
address), set a new password. The same as `iop-intake staff`; every change is in the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

from sanic import Sanic, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console import passwords
from bot.console.auth import Handler, Staff, allow
from bot.console.web import Console, blocking, form
from bot.store import staff as store
from bot.store.db import session_scope
from bot.store.models import utcnow


def register(app: Sanic) -> None:
    async def page(request: Request, *, error: str = "", status: int = 200) -> HTTPResponse:
        console: Console = request.app.ctx.console

        def load() -> tuple[list[store.StaffAccount], dict[str, int]]:
            config = console.settings
            with session_scope(console.db_url) as session:
                locked = store.locked_accounts(
                    session,
                    now=utcnow(),
                    lock_after=config.console_lockout_after,
                    lock_window=timedelta(minutes=config.console_lockout_minutes),
                )
                return store.list_staff(session), locked

        accounts, locked = await blocking(load)
        return console.render(
            request,
            "accounts.html",
            title="Staff accounts",
            nav="staff",
            accounts=accounts,
            locked=locked,
            roles=("intake", "clinician", "admin"),
            error=error,
            status=status,
        )

    @app.get("/staff")
    @allow("admin")
    async def accounts(request: Request) -> HTTPResponse:
        return await page(request)

    @app.post("/staff")
    @allow("admin")
    async def add(request: Request) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff
        name, role = form(request, "name", 101), form(request, "role", 16)
        password = form(request, "password", passwords.MAX_LENGTH + 1)

        def create() -> None:
            if password != form(request, "again", passwords.MAX_LENGTH + 1):
                raise ValueError("The two passwords differ.")
            hashed = passwords.hash_password(password)
            with session_scope(console.db_url) as session:
                account = store.add_staff(session, name=name, role=role, password_hash=hashed)
                staff.audit(session, "add_staff", "staff", account.id, detail=role)

        try:
            await blocking(create)
        except ValueError as error:
            return await page(request, error=str(error)[:1].upper() + str(error)[1:], status=422)
        return response.redirect("/staff", status=303)

    def change(action: str, work: Callable[..., object]) -> Handler:
        async def handler(request: Request, staff_id: int) -> HTTPResponse:
            console: Console = request.app.ctx.console
            staff: Staff = request.ctx.staff
            if staff_id == staff.id and action == "disable_staff":
                return await page(request, error="You cannot disable your own account.", status=422)

            def apply() -> None:
                extra = (
                    {"password_hash": passwords.hash_password(form(request, "password", 300))}
                    if action == "set_password"
                    else {}
                )
                with session_scope(console.db_url) as session:
                    try:
                        work(session, staff_id=staff_id, **extra)
                    except LookupError:
                        raise NotFound("no such account") from None
                    staff.audit(session, action, "staff", staff_id)

            try:
                await blocking(apply)
            except passwords.WeakPassword as error:
                return await page(request, error=str(error)[:1].upper() + str(error)[1:], status=422)
            return response.redirect("/staff", status=303)

        return handler

    routes: dict[str, tuple[str, Callable[..., object]]] = {
        "disable": (
            "disable_staff",
            lambda session, staff_id: store.set_active(session, staff_id=staff_id, active=False),
        ),
        "enable": ("enable_staff", lambda session, staff_id: store.set_active(session, staff_id=staff_id, active=True)),
        "unlock": ("unlock_staff", store.unlock),
        "password": ("set_password", store.set_password),
    }
    for path, (action, work) in routes.items():
        app.add_route(
            allow("admin")(change(action, work)),
            f"/staff/<staff_id:int>/{path}",
            methods=["POST"],
            name=f"staff_{path}",
        )
