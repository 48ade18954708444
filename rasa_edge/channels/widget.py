"""The website widget's channel: Rasa's socket.io channel with session persistence, made safe and able to
show a returning visitor their conversation, for a while.

Rasa's own handlers trust whatever `session_id` a browser names, so a page could post into (and listen to)
any conversation whose id it knows, SMS ones included. Here the server hands out the ids ("web-" and 32 hex
characters), a socket may only send as the session it asked for, and text is read as plain text (no
"/intent" commands, see text.py). On a `session_request` for an id that already has a conversation, the
socket gets a `history` event with that conversation's messages: the browser keeps only the id (local
storage), never the answers, and the id is the same secret that already lets it continue the conversation.

Computers are shared: a conversation with no message for program.yml's `widget_idle_minutes` is over. Asked
for it again, the server issues a new id and shows nothing of the old one, which stays for staff (the
widget also forgets it after that long, and on "End chat"). Only pages from WIDGET_ALLOWED_ORIGINS may open
a socket (python-socketio checks the Origin header; Rasa's `cors_allowed_origins=[]` turned that check
off), and messages have the size and rate limits of every participant channel (limits.py).
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.channels.access import client_address
from bot.channels.limits import REQUEST_MAX_BYTES, cap_request_size, refusal, shared_limits
from bot.channels.text import participant_text
from bot.messages import EMPTY_MESSAGE
from bot.program import load_program
from bot.safety.escalation import CLIENT_REF
from bot.settings import settings
from bot.store.refs import keyed_ref
from rasa_edge import speedups

SESSION_ID = re.compile(r"web-[0-9a-f]{32}")
HISTORY_LIMIT = 60  # messages re-shown on reload: the recent part of the conversation
REDIS_CHANNEL = "iop-intake-widget"  # the pub/sub channel the servers share (WIDGET_REDIS_URL)


def new_session_id() -> str:
    return f"web-{uuid.uuid4().hex}"


def widget_message(message: Dict[Text, Any]) -> Dict[Text, Any]:
    """A bot message as the widget renders it: text, reply buttons, and who speaks (the crisis reply is
    marked by the action or the event broker with `assistant: crisis`; staff replies carry `staff`)."""
    shown: Dict[Text, Any] = {"text": message.get("text") or ""}
    buttons = message.get("buttons") or message.get("quick_replies") or []
    if buttons:
        shown["quick_replies"] = [{"title": b.get("title", ""), "payload": b.get("payload", "")} for b in buttons]
    if message.get("assistant") == "crisis":
        shown["crisis"] = True
    if message.get("staff"):
        shown["staff"] = str(message["staff"])
    return shown


def last_activity(events: List[Dict[Text, Any]]) -> Optional[float]:
    """When the person or the bot (or staff through it) last said something (epoch seconds); None for a
    conversation with no messages yet."""
    said = [event.get("timestamp") or 0.0 for event in events if event.get("event") in ("user", "bot")]
    return max(said) if said else None


def idle_expired(last: Optional[float], now: float, idle_minutes: int) -> bool:
    """Whether a conversation last active at `last` is over: nobody has written for `idle_minutes`."""
    return last is not None and now - last >= idle_minutes * 60


def history(events: List[Dict[Text, Any]], limit: int = HISTORY_LIMIT) -> List[Dict[Text, Any]]:
    """The conversation's user and bot messages (texts only), oldest first."""
    shown: List[Dict[Text, Any]] = []
    titles: Dict[Text, Text] = {}  # a button's payload -> its title, shown as the person saw their answer
    for event in events:
        if event.get("event") == "user" and event.get("text"):
            shown.append({"sender": "user", "text": titles.get(event["text"], event["text"])})
        elif event.get("event") == "bot" and event.get("text"):
            message = {**(event.get("data") or {}), **(event.get("metadata") or {}), "text": event["text"]}
            shown.append({"sender": "bot", **widget_message(message)})
            titles = {b["payload"]: b["title"] for b in shown[-1].get("quick_replies", [])}
    return shown[-limit:]


class WidgetOutput(SocketIOOutput):
    """One socket.io event per bot message, with its buttons and marks (Rasa's splits texts and sends
    custom JSON as emit arguments)."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        if message.get("text"):
            await self._send_message(recipient_id, widget_message(message))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, widget_message({**kwargs, "text": text}))


class _Blueprint(SocketBlueprint):
    """Keeps the Sanic app, whose agent holds the tracker store the history is read from."""

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        self.ctx.app = app
        cap_request_size(app.config)
        super().register(app, options)


class WidgetChannel(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"  # staff replies go out "latest" channel by this name

    def get_output_channel(self) -> Optional[WidgetOutput]:
        return WidgetOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        speedups.apply()  # server start: this channel's routes are being registered
        current = settings()
        idle_minutes = load_program(current.program_file).widget_idle_minutes
        limits = shared_limits(current)
        # Behind a load balancer a message may be sent through another server than the one holding the socket:
        # with Redis, every server's emits reach every server's sockets.
        shared = (
            AsyncRedisManager(current.widget_redis_url, channel=REDIS_CHANNEL) if current.widget_redis_url else None
        )
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=list(current.widget_origins),
            max_http_buffer_size=REQUEST_MAX_BYTES,
            client_manager=shared,
        )
        blueprint = _Blueprint(sio, self.socketio_path, "widget_socketio", __name__)
        self.sio = sio
        namespace = self.namespace

        def address(sid: Text) -> str:
            environ = sio.get_environ(sid, namespace=namespace) or {}
            request = environ.get("sanic.request")
            return client_address(
                request.ip if request is not None else "", environ.get("HTTP_X_FORWARDED_FOR"), current.rasa_proxies
            )

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            asked = (data or {}).get("session_id") if isinstance(data, dict) else None
            events, now, last = None, time.time(), None
            if isinstance(asked, str) and SESSION_ID.fullmatch(asked):
                events = await self._events(blueprint.ctx.app, asked)
                last = last_activity(events)
                if idle_expired(last, now, idle_minutes):
                    events, last = None, None  # over: the next person at this computer starts afresh
            session_id = asked if events is not None else new_session_id()
            for room in sio.rooms(sid, namespace=namespace):
                if room != sid:  # one conversation per socket
                    await sio.leave_room(sid, room, namespace=namespace)
            await sio.enter_room(sid, session_id, namespace=namespace)
            # A second argument, for the widget's own idle timer: clients that read only the first (the id)
            # work as with Rasa's channel.
            idle = {"idle_minutes": idle_minutes, "quiet_for": int(now - last) if last else 0}
            await sio.emit("session_confirm", (session_id, idle), room=sid, namespace=namespace)
            if events is not None:
                await sio.emit(
                    "history", {"session_id": session_id, "messages": history(events)}, room=sid, namespace=namespace
                )

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not (
                isinstance(session_id, str)
                and session_id in sio.rooms(sid, namespace=namespace)
                and SESSION_ID.fullmatch(session_id)
            ):
                await sio.emit("session_expired", {}, room=sid, namespace=namespace)
                return
            output = WidgetOutput(sio, self.bot_message_evt)
            text = participant_text(str(data.get("message") or ""))
            client = address(sid)
            verdict = limits.verdict(session_id, client)
            kind = await refusal(verdict, text, getattr(blueprint.ctx.app.ctx, "agent", None))
            if kind is not None or not text.strip():
                await output.send_text_message(session_id, kind or EMPTY_MESSAGE)
                return
            # The only metadata: the channel's own record of where it came from (a pseudonym), for the paging limits.
            ref = keyed_ref("address", client, settings().sms_id_key)
            await on_new_message(
                UserMessage(text, output, session_id, input_channel=self.name(), metadata={CLIENT_REF: ref})
            )

        return blueprint

    @staticmethod
    async def _events(app: Sanic, session_id: str) -> List[Dict[Text, Any]]:
        tracker = await app.ctx.agent.tracker_store.retrieve(session_id)
        return [event.as_dict() for event in tracker.events] if tracker is not None else []
