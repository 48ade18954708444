"""The console's web app (Sanic), built by `create_app`: nothing is created at import time.

It serves the intake staff's pages (sign-in, the queue at `/`, screenings, transcripts, escalations, live
handoffs, appointments, the funnel, the audit log and staff accounts: bot/console/auth.py guards them), and,
to anyone, the widget (`/widget.js`, its CSS, and the socket.io client from the npm package, so no visitor's
browser fetches anything from a third party) and `/demo`, a landing page for the program with the widget
embedded by its one script tag. Every response carries the security headers (bot/console/web.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import MethodNotSupported, NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.booking.desk import Desk
from bot.console import accounts, appointments, audit, auth, escalations, forget, funnel, handoffs, queue, screenings
from bot.console.auth import public
from bot.console.calendar import calendar_routes
from bot.console.transcript import Transcripts
from bot.console.web import Console, security_headers
from bot.faq import faq_answer
from bot.handoff import RasaApi
from bot.program import Program, load_program
from bot.safety.resources import EMERGENCY, LIFELINE
from bot.settings import ROOT, Settings

HERE = Path(__file__).resolve().parent
SOCKET_IO_CLIENT = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MODALITIES = {"in_person": "in person", "telehealth": "telehealth", "both": "in person or telehealth"}
# The crisis lines the widget and the demo page show: bot/safety/resources.py's, which the bot's replies use.
CRISIS_LINES = {"lifeline": LIFELINE, "emergency": EMERGENCY}
WIDGET_MARK = "__CRISIS_LINES__"  # where widget.js takes them


def widget_script() -> str:
    """widget.js as served, with the crisis lines written in (the page embedding it may allow no inline
    script, and a lookup after load would leave the crisis bar empty when the network fails)."""
    source = (HERE / "static" / "widget.js").read_text(encoding="utf-8")
    if source.count(WIDGET_MARK) != 1:
        raise ValueError(f"widget.js should hold {WIDGET_MARK} once")
    return source.replace(WIDGET_MARK, json.dumps(CRISIS_LINES))


def demo_facts(program: Program) -> dict[str, Any]:
    """What the demo page says, all from program.yml."""
    return {
        "program": program,
        "what_is_iop": faq_answer("what_is_iop", program),
        "tracks": [
            {
                "name": track.name,
                "days": ", ".join(WEEKDAYS[day] for day in track.days),
                "hours": f"{track.start:%H:%M}-{track.end:%H:%M}",
                "modality": MODALITIES.get(track.modality, track.modality),
                "ages": str(track.ages),
            }
            for track in program.tracks
        ],
        "tel": "".join(ch for ch in program.phone if ch.isdigit()),
        "crisis": CRISIS_LINES,
    }


def create_app(current: Settings, *, name: str = "iop_console", rasa: Optional[RasaApi] = None) -> Sanic:
    """The console for `current`; `rasa` replaces the Rasa server's API (tests)."""
    program = load_program(current.program_file)
    bot_url = current.widget_bot_url or current.rasa_url
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    app = Sanic(name)
    app.config.PROXIES_COUNT = current.console_proxies  # X-Forwarded-Proto says whether cookies must be Secure
    app.ctx.console = Console(
        current,
        program,
        rasa or RasaApi(current.rasa_url, current.rasa_auth_token),
        Transcripts(current.tracker_store_url),
    )
    app.blueprint(calendar_routes(Desk(program, current.database_url)))  # /calendar/<token>.ics (bookings)

    app.static("/widget.css", HERE / "static" / "widget.css", content_type="text/css; charset=utf-8")
    app.static("/static/console.css", HERE / "static" / "console.css", content_type="text/css; charset=utf-8")
    app.static("/static/console.js", HERE / "static" / "console.js", content_type="text/javascript; charset=utf-8")

    widget = widget_script()

    @app.get("/widget.js")
    @public
    async def widget_js(_: Request) -> HTTPResponse:
        return response.text(widget, content_type="text/javascript; charset=utf-8")

    @app.get("/vendor/socket.io.min.js")
    @public
    async def socket_io_client(_: Request) -> HTTPResponse:
        if not SOCKET_IO_CLIENT.exists():  # `make run` installs it; a bare checkout may not have yet
            return response.text("socket.io client missing: run `npm ci` in the project", status=503)
        return await response.file(SOCKET_IO_CLIENT, mime_type="text/javascript; charset=utf-8")

    @app.get("/demo")
    @public
    async def demo(_: Request) -> HTTPResponse:
        page = templates.get_template("demo.html").render(bot_url=bot_url, **demo_facts(program))
        return response.html(page)

    for pages in (auth, queue, screenings, escalations, handoffs, appointments, funnel, audit, accounts, forget):
        pages.register(app)

    @app.exception(NotFound, MethodNotSupported)  # type: ignore[untyped-decorator, no-untyped-call]  # untyped in Sanic 21.12
    async def not_found(request: Request, error: Exception) -> HTTPResponse:
        status = getattr(error, "status_code", 404)
        console: Console = app.ctx.console
        return console.render(
            request,
            "message.html",
            title="Not found" if status == 404 else "Error",
            status=status,
            message="There is nothing here." if status == 404 else "This address does not take that kind of request.",
        )

    @app.middleware("response")  # type: ignore[untyped-decorator, no-untyped-call]  # untyped in Sanic 21.12
    async def headers(request: Request, reply: HTTPResponse) -> None:
        security_headers(request, reply)

    return app
