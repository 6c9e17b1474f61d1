"""The websocket: a receive loop that validates and applies commands, and a latest-wins send loop."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from server import protocol
from server.sessions import LimitReached, Registry

router = APIRouter()


class RateLimit:
    """Token bucket: `rate` commands per second sustained, `burst` at once."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.t = float(burst), time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Connection:
    """One page: sends are serialised through `send`, frames go out at most `fps` times a second and only
    the newest state is ever sent (a slow client skips frames, the server never queues them)."""

    def __init__(self, ws: WebSocket, registry: Registry) -> None:
        self.ws = ws
        self.registry = registry
        self.settings = registry.settings
        self.changed = asyncio.Event()
        self.send_lock = asyncio.Lock()
        self.since = -1  # last iteration whose losses this page has

    async def send(self, message: dict[str, Any] | str) -> None:
        text = message if isinstance(message, str) else protocol.encode(message)
        async with self.send_lock:
            await self.ws.send_text(text)

    async def frames(self, session) -> None:  # noqa: ANN001 - Session, avoided for the import cycle
        interval = 1.0 / self.settings.fps
        sent_version, last = -1, 0.0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=interval)
            self.changed.clear()
            wait = interval - (time.monotonic() - last)
            if wait > 0:
                await asyncio.sleep(wait)
            if session.version == sent_version:
                continue
            sent_version = session.version
            text, self.since = await asyncio.to_thread(session.frame, self.since)
            last = time.monotonic()
            await self.send(text)


@router.websocket("/ws/{demo}")
async def websocket(ws: WebSocket, demo: str, session: str | None = None) -> None:
    registry: Registry = ws.app.state.registry
    settings = registry.settings
    await ws.accept()
    conn = Connection(ws, registry)
    try:
        s = registry.open(demo, session)
    except (KeyError, LimitReached) as e:
        await conn.send(protocol.error(str(e.args[0])))
        await ws.close(code=1008)
        return
    s.watchers += 1
    cls = type(s.demo)
    await conn.send({"type": "hello", "session": s.id, "demo": cls.name, "presets": list(cls.presets),
                     "commands": protocol.command_types(cls), "max_lr": cls.max_lr})
    sender = asyncio.create_task(conn.frames(s))
    limit = RateLimit(settings.max_commands_per_s, settings.command_burst)
    try:
        while True:
            msg = await ws.receive()
            if msg["type"] == "websocket.disconnect":
                break
            raw = msg.get("text") if msg.get("text") is not None else msg.get("bytes") or b""
            if len(raw) > settings.max_message_bytes:
                await conn.send(protocol.error(f"message too large ({len(raw)} bytes, limit "
                                               f"{settings.max_message_bytes})"))
                continue
            if not limit.allow():
                await conn.send(protocol.error(f"too many commands: at most {settings.max_commands_per_s:g} per "
                                               "second; this one was ignored"))
                continue
            try:
                cmd = protocol.parse(cls, raw)
                await asyncio.to_thread(s.apply, cmd)
            except protocol.BadCommand as e:
                await conn.send(protocol.error(str(e)))
                continue
            except ValueError as e:
                await conn.send(protocol.error(str(e), getattr(cmd, "type", None)))
                continue
            cls = type(s.demo)
            registry.engine.wake()
            conn.changed.set()
    except WebSocketDisconnect:
        pass
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
        s.watchers -= 1
        s.last_seen = time.monotonic()
