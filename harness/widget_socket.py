"""A browser tab's socket to the widget's channel, for tests that talk to real Rasa servers."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import AsyncIterator, Optional

import websockets


class Tab:
    """One browser tab's socket to the widget's channel, as widget.js uses it: socket.io over a websocket,
    spoken here directly (Engine.IO 4 frames) so that a test can send what a browser would not."""

    def __init__(self, ws: websockets.WebSocketClientProtocol) -> None:
        self.ws = ws
        self.events: dict[str, asyncio.Queue] = {}
        self.reader = asyncio.get_running_loop().create_task(self._read())

    def queue(self, event: str) -> asyncio.Queue:
        return self.events.setdefault(event, asyncio.Queue())

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame == "2":  # the server's ping
                await self.ws.send("3")
            elif frame.startswith("42"):
                event, *args = json.loads(frame[2:])
                self.queue(event).put_nowait(args)

    @property
    def connected(self) -> bool:
        return self.ws.open

    async def emit(self, event: str, data: object) -> None:
        await self.ws.send("42" + json.dumps([event, data]))

    async def next(self, event: str, timeout: float = 60) -> list:
        return await asyncio.wait_for(self.queue(event).get(), timeout)

    async def session(self, asked: Optional[str] = None) -> tuple[str, dict]:
        await self.emit("session_request", {"session_id": asked})
        session_id, options = await self.next("session_confirm", 30)
        return session_id, options

    async def say(self, session_id: str, text: str) -> dict:
        await self.emit("user_uttered", {"message": text, "session_id": session_id})
        return (await self.next("bot_uttered"))[0]

    async def quiet(self, seconds: float = 1.0) -> None:
        """Let the bot finish answering; drop what it said."""
        await asyncio.sleep(seconds)
        while not self.queue("bot_uttered").empty():
            self.queue("bot_uttered").get_nowait()


@asynccontextmanager
async def open_tab(
    rasa_url: str, *, origin: Optional[str] = None, client: str = "", cookie: str = ""
) -> AsyncIterator[Tab]:
    """A socket.io connection over a websocket to `rasa_url`, from client address `client` (X-Forwarded-For),
    sending `cookie` (HAProxy's stickiness cookie, as a browser would after its first request)."""
    url = rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    headers = {"X-Forwarded-For": client} if client else {}
    if cookie:
        headers["Cookie"] = cookie
    async with websockets.connect(url, origin=origin, extra_headers=headers, max_size=None) as ws:
        assert (await ws.recv()).startswith("0")  # Engine.IO open
        await ws.send("40")  # Socket.IO connect, default namespace
        assert (await ws.recv()).startswith("40")
        opened = Tab(ws)
        try:
            yield opened
        finally:
            opened.reader.cancel()
