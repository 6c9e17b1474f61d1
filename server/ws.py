"""The websocket: a receive loop that validates and applies commands, and a latest-wins frame loop."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.datastructures import State

from server import lesson, protocol
from server.connections import FollowConnection, SessionConnection
from server.frames import stop
from server.guard import ErrorThrottle, client_of
from server.rooms import RoomError, seat
from server.session import Session
from server.sessions import LimitReached, StoreError

router = APIRouter()
log = logging.getLogger("nnp.ws")
T = TypeVar("T")


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
    client = client_of(ws.scope, state.settings)
    await ws.accept()
    code = follow or join
    if code and (wait := state.lookups.retry_after(client)):
        await _refuse(ws, protocol.error(state.lookups.refusal(wait)) | {"retry_after": math.ceil(wait)})
        return
    if follow:
        await _guarded(_follow(ws, state, demo, follow), ws, state, client, code)
        return
    if (why := state.pages.acquire(client)) is not None:
        await _refuse(ws, protocol.error(why))
        return
    try:
        s = await _guarded(_open(state, demo, session, fork, join), ws, state, client, code)
        if s is not None:
            await _sandbox(ws, state, s)
    finally:
        state.pages.release(client)


async def _open(state: State, demo: str, session: str | None, fork: str | None, join: str | None) -> Session:
    if join:
        return await state.rooms.join(demo, join)
    if fork:
        return await state.registry.fork(demo, fork)
    return await state.registry.open(demo, session)


async def _guarded(work: Awaitable[T], ws: WebSocket, state: State, client: str, code: str | None) -> T | None:
    """What opening the connection raised, as an error frame and close 1008; a wrong room code counts against the
    client's budget of lookups."""
    try:
        result = await work
        if code:
            state.lookups.seen(code)
        return result
    except (KeyError, LimitReached, RoomError, StoreError) as e:
        if isinstance(e, RoomError) and e.status == 404 and code:
            state.lookups.missed(client)
        await _refuse(ws, protocol.error(str(e.args[0])))
        return None


async def _refuse(ws: WebSocket, message: dict[str, Any]) -> None:
    await ws.send_text(protocol.encode(message))
    await ws.close(code=1008)


async def _sandbox(ws: WebSocket, state: State, s: Session) -> None:
    registry, settings = state.registry, state.settings
    conn = SessionConnection(ws, s, settings.fps)
    registry.connections.add_page(conn)
    cls = type(s.demo)
    sender: asyncio.Task[None] | None = None
    try:
        await state.rooms.attach(s)  # a student sandbox keeps to its room's pace (pause class)
        await conn.send({"type": "hello", "mode": "sandbox", "session": s.id, "demo": cls.name,
                         "presets": list(cls.presets), "commands": protocol.command_types(cls), "max_lr": cls.max_lr,
                         "room": s.room, "seat": seat(s.id) if s.room else None,
                         "leads": await state.rooms.led_by(s.id), "max_message_bytes": settings.max_message_bytes,
                         "hold": s.hold})
        if s.problem:
            problem, s.problem = s.problem, None
            await conn.send(protocol.error(problem))
        if s.notice:
            notice, s.notice = s.notice, None
            await conn.send({"type": "info", "message": notice})
        sender = asyncio.create_task(conn.frames())
        conn.wake.set()
        state.pump.members.add(conn)
        await _commands(ws, conn, state, s)
    except WebSocketDisconnect:
        pass
    finally:
        state.pump.members.discard(conn)
        s.last_seen = time.monotonic()  # before it counts as unwatched: an idle sweep must not take it meanwhile
        registry.connections.remove_page(conn)
        if sender is not None:
            await stop(sender)
        registry.closed(s)


async def _commands(ws: WebSocket, conn: SessionConnection, state: State, s: Session) -> None:
    """Read, check and apply commands until the page goes. Nothing one message does ends the connection: whatever
    goes wrong is an error frame for it (at most one a second in a flood) and one line in the log."""
    errors = ErrorThrottle(conn.send)
    try:
        await _command_loop(ws, state, s, errors)
    finally:
        errors.close()


async def _command_loop(ws: WebSocket, state: State, s: Session, errors: ErrorThrottle) -> None:
    registry, settings = state.registry, state.settings
    limit = RateLimit(settings.max_commands_per_s, settings.command_burst)
    while True:
        raw = await _receive(ws, settings.max_message_bytes)
        if raw is None:
            return
        cmd = None
        try:
            if not limit.allow():
                raise protocol.BadCommand(f"too many commands: at most {settings.max_commands_per_s:g} per second")
            if isinstance(raw, Refused):
                raise protocol.BadCommand(raw.why)
            cmd = protocol.parse(type(s.demo), raw)
            await _apply(s, cmd)
            if isinstance(cmd, protocol.Lesson):  # a lecturer's step is the room's step
                await state.rooms.lecturer_step(s, cmd.step)
        except (protocol.BadCommand, ValueError) as e:
            await errors.say(str(e), getattr(cmd, "type", None))
            continue
        except Exception as e:  # noqa: BLE001 - a bug met by one command must not take the page's connection
            log.warning("session %s: %s failed: %s: %s", s.id, getattr(cmd, "type", "a command"),
                        type(e).__name__, e)
            await errors.say(f"the server could not carry this out ({type(e).__name__}); nothing changed",
                             getattr(cmd, "type", None))
            continue
        registry.engine.wake()
        for c in registry.connections.pages(s.id):
            c.wake.set()  # every page of this session shows the change at once, not at the next tick


CHEAP = (protocol.Play, protocol.Pause, protocol.Step, protocol.SetParams, protocol.Select)


async def _apply(s: Session, cmd: object) -> None:
    # The clock commands take microseconds: apply them inline when the engine is not in the middle of this
    # session's slice (a thread hop would cost more than the command). The rest may rebuild a network.
    if isinstance(cmd, protocol.Lesson):
        await asyncio.to_thread(lesson.go_to, s, cmd.step)  # may replay earlier steps: seconds of training
    elif isinstance(cmd, CHEAP) and s.lock.acquire(blocking=False):
        try:
            s.apply(cmd)  # type: ignore[arg-type]
        finally:
            s.lock.release()
    else:
        await asyncio.to_thread(s.apply, cmd)  # type: ignore[arg-type]


class Refused:
    """A message read but not taken: why (a binary frame, or one over the size limit)."""

    def __init__(self, why: str) -> None:
        self.why = why


async def _receive(ws: WebSocket, max_bytes: int) -> str | Refused | None:
    """The next text message; None when the page has gone. The server's websocket limit (uvicorn's ws_max_size,
    the same setting) closes a larger one with 1009 before it is read; this check holds under other servers."""
    msg = await ws.receive()
    if msg["type"] == "websocket.disconnect":
        return None
    text = msg.get("text")
    if text is None:
        return Refused("binary frames are not commands: send each command as a text frame of JSON")
    size = len(text) if len(text) * 4 <= max_bytes else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        return Refused(f"message too large ({size:,} bytes, limit {max_bytes:,}, NNP_MAX_MESSAGE_BYTES)")
    return text


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
        errors = ErrorThrottle(conn.send)
        try:
            while True:
                raw = await _receive(ws, state.settings.max_message_bytes)
                if raw is None:
                    break
                await errors.say(raw.why if isinstance(raw, Refused) else (
                    f"read-only: this is the lecturer's network in room {room.code}. Fork it into your sandbox to "
                    "train your own copy."))
        except WebSocketDisconnect:
            pass
        finally:
            errors.close()
            await stop(sender)
    finally:
        state.rooms.unfollow(room.code, conn)
