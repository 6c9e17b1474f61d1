"""The websocket: a receive loop that validates and applies commands, and a latest-wins frame loop."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.datastructures import State

from server import protocol
from server.frames import FollowConnection, SessionConnection, stop
from server.rooms import RoomError, seat
from server.session import Session
from server.sessions import LimitReached

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


@router.websocket("/ws/{demo}")
async def websocket(ws: WebSocket, demo: str, session: str | None = None, fork: str | None = None,
                    follow: str | None = None, join: str | None = None) -> None:
    """`?session=ID` reopens a session, `?fork=ID` opens a copy of one, `?follow=CODE` watches a room's lecturer
    read-only, `?join=CODE` opens a copy of the room's lecturer network as a student sandbox; none: a new one."""
    state: State = ws.app.state
    await ws.accept()
    try:
        if follow:
            await _follow(ws, state, demo, follow)
            return
        if join:
            s = await state.rooms.join(demo, join)
        elif fork:
            s = await state.registry.fork(demo, fork)
        else:
            s = await state.registry.open(demo, session)
    except (KeyError, LimitReached, RoomError) as e:
        await ws.send_text(protocol.encode(protocol.error(str(e.args[0]))))
        await ws.close(code=1008)
        return
    await _sandbox(ws, state, s)


async def _sandbox(ws: WebSocket, state: State, s: Session) -> None:
    registry, settings = state.registry, state.settings
    conn = SessionConnection(ws, s, settings.fps)
    s.watchers += 1
    registry.connections.setdefault(s.id, set()).add(conn)
    cls = type(s.demo)
    await state.rooms.attach(s)  # a student sandbox keeps to its room's pace (pause class)
    await conn.send({"type": "hello", "mode": "sandbox", "session": s.id, "demo": cls.name,
                     "presets": list(cls.presets), "commands": protocol.command_types(cls), "max_lr": cls.max_lr,
                     "room": s.room, "seat": seat(s.id) if s.room else None,
                     "leads": await state.rooms.led_by(s.id), "hold": s.hold})
    if s.notice:
        notice, s.notice = s.notice, None
        await conn.send({"type": "info", "message": notice})
    sender = asyncio.create_task(conn.frames())
    conn.wake.set()
    state.pump.members.add(conn)
    limit = RateLimit(settings.max_commands_per_s, settings.command_burst)
    try:
        while True:
            raw = await _receive(ws, conn, settings.max_message_bytes)
            if raw is None:
                break
            if raw == "" or not limit.allow():
                if raw != "":
                    await conn.send(protocol.error(f"too many commands: at most {settings.max_commands_per_s:g} "
                                                   "per second; this one was ignored"))
                continue
            cmd = None
            try:
                cmd = protocol.parse(type(s.demo), raw)
                await _apply(s, cmd)
            except protocol.BadCommand as e:
                await conn.send(protocol.error(str(e)))
                continue
            except ValueError as e:
                await conn.send(protocol.error(str(e), getattr(cmd, "type", None)))
                continue
            registry.engine.wake()
            for c in registry.connections.get(s.id, ()):
                c.wake.set()  # every page of this session shows the change at once, not at the next tick
    except WebSocketDisconnect:
        pass
    finally:
        state.pump.members.discard(conn)
        registry.connections.get(s.id, set()).discard(conn)
        await stop(sender)
        s.watchers -= 1
        s.last_seen = time.monotonic()


CHEAP = (protocol.Play, protocol.Pause, protocol.Step, protocol.SetParams, protocol.Select)


async def _apply(s: Session, cmd: object) -> None:
    # The clock commands take microseconds: apply them inline when the engine is not in the middle of this
    # session's slice (a thread hop would cost more than the command). The rest may rebuild a network.
    if isinstance(cmd, CHEAP) and s.lock.acquire(blocking=False):
        try:
            s.apply(cmd)  # type: ignore[arg-type]
        finally:
            s.lock.release()
    else:
        await asyncio.to_thread(s.apply, cmd)  # type: ignore[arg-type]


async def _receive(ws: WebSocket, conn: SessionConnection | FollowConnection, max_bytes: int) -> str | bytes | None:
    """The next message; None when the page has gone, "" for one refused as too large (the page is told)."""
    msg = await ws.receive()
    if msg["type"] == "websocket.disconnect":
        return None
    raw = msg.get("text") if msg.get("text") is not None else msg.get("bytes") or b""
    if len(raw) > max_bytes:
        await conn.send(protocol.error(f"message too large ({len(raw)} bytes, limit {max_bytes}, "
                                       "NNP_MAX_MESSAGE_BYTES)"))
        return ""
    return raw


async def _follow(ws: WebSocket, state: State, demo: str, code: str) -> None:
    """Watch a room's lecturer: frames only; every command is answered with an error that says what to do."""
    conn = FollowConnection(ws)
    room = await state.rooms.follow(code, demo, conn)  # raises RoomError before anything is sent
    cls = state.registry.demo_class(room.demo)
    try:
        await conn.send({"type": "hello", "mode": "follow", "room": room.code, "demo": cls.name,
                         "presets": list(cls.presets), "commands": [], "max_lr": cls.max_lr})
        sender = asyncio.create_task(conn.frames())
        await state.rooms.first_frame(room, conn)
        try:
            while True:
                raw = await _receive(ws, conn, state.settings.max_message_bytes)
                if raw is None:
                    break
                if raw != "":
                    await conn.send(protocol.error(
                        f"read-only: this is the lecturer's network in room {room.code}. Fork it into your "
                        "sandbox to train your own copy."))
        except WebSocketDisconnect:
            pass
        finally:
            await stop(sender)
    finally:
        state.rooms.unfollow(room.code, conn)
