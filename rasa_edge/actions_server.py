"""The action server (`iop-intake actions`): rasa-sdk's app for `actions/`, answering the Rasa server only.

`rasa run actions` listens on every interface with CORS `*` and asks nothing of its callers, so a hand-made
tracker POSTed to /webhook ran any action on anyone's conversation (hand-backs, bookings, verification
texts, the crisis action). Here it listens on ACTIONS_INTERFACE (127.0.0.1 unless the action server runs
on its own host), sends no CORS headers, and refuses every call but the health check without
ACTION_SERVER_TOKEN as a bearer token (endpoints.yml has Rasa send it as a header, which stays out of access
logs), compared in constant time and checked before the request's body is read. An action's failure is
answered without echoing the tracker back (rasa-sdk's answer includes the request's body).
"""

from __future__ import annotations

import logging

from rasa_sdk.endpoint import create_app as create_sdk_app
from sanic import Sanic, response
from sanic.exceptions import Unauthorized
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.access import bearer_matches
from bot.settings import Settings

log = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health"})  # `iop-intake wait-ready` and monitoring


def create_app(token: str, actions: str = "actions") -> Sanic:
    app = create_sdk_app(actions, cors_origins="")

    @app.signal("http.routing.after")
    async def check_token(request: Request, **_: object) -> None:
        if request.path not in OPEN_PATHS and not bearer_matches(request.headers.get("Authorization"), token):
            raise Unauthorized("a valid bearer token is required", scheme="Bearer")

    @app.exception(Unauthorized)
    async def refused(request: Request, error: Unauthorized) -> HTTPResponse:
        log.warning("action server: refused a call to %s without the token from %s", request.path, request.ip)
        return response.json(
            {"error": "a valid bearer token is required"}, status=401, headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception(Exception)
    async def failed(request: Request, error: Exception) -> HTTPResponse:
        log.error("action server: %s failed: %s", request.path, type(error).__name__, exc_info=error)
        return response.json({"error": type(error).__name__}, status=getattr(error, "status_code", 500))

    return app


def serve(current: Settings) -> None:
    """Run the action server until stopped (ConfigError first when the settings are unsafe)."""
    current.check()
    create_app(current.action_server_token).run(
        host=current.actions_interface, port=current.actions_port, access_log=False, workers=1
    )
