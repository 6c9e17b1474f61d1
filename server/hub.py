"""The rooms as this process serves them: feeds, followers, student sandboxes, push, the dashboard, room messages.
What other processes need of them (a shared backend) is written by server.replication."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from server.config import Settings
from server.connections import FollowConnection
from server.feed import Feed
from server.frames import FramePump, stop
from server.lecture import PAUSED, REFRESH_S, LectureMixin
from server.pacing import reuse_s
from server.replication import ALIVE_TTL_S, Replication
from server.rooms import CLOSED, FRAME, LECTURE, PUSH, Room, RoomBackend, RoomError, new_room, normalise, seat
from server.session import Session
from server.sessions import Registry

log = logging.getLogger("nnp.rooms")


class RoomHub(LectureMixin, Replication):
    def __init__(self, backend: RoomBackend, registry: Registry, pump: FramePump, settings: Settings) -> None:
        self.backend, self.registry, self.pump, self.settings = backend, registry, pump, settings
        self.max_age = reuse_s(settings.fps)
        self.feeds: dict[str, Feed] = {}
        self._remote_watched: set[str] = set()  # rooms with followers on other processes (shared backends)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loop_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.backend.start(self._on_message)
        self._loop_task = asyncio.create_task(self._refresh_loop())

    async def close(self) -> None:
        if self._loop_task is not None:
            await stop(self._loop_task)
        for feed in list(self.feeds.values()):
            self._stop_feed(feed.room.code)
        await self.backend.close()

    # ---------------------------------------------------------------- the lecturer
    async def open(self, session_id: str) -> tuple[Room, str]:
        """Open a room led by this session; returns the room and the lecturer key (shown once, never stored)."""
        s = await self.registry.find(session_id)
        if s is None:
            raise RoomError("no such session: open the demo page first", 404)
        if (code := await self.backend.led_by(s.id)) is not None:
            raise RoomError(f"this session already leads room {code}; close it to open another", 409)
        for _ in range(20):
            room, key = new_room(s.demo.name, s.id)
            if await self.backend.create(room):
                break
        else:
            raise RoomError("no free room code; try again", 503)
        self.registry.keep(s)  # a room's lecturer must outlive a restart even if the network is still the default
        self._ensure_feed(room, s)
        if self.backend.shared:  # students on other processes may join at once: they fork this state
            await self._share(room.code, self.feeds[room.code])
        return room, key

    async def room(self, code: str) -> Room:
        room = await self.backend.get(normalise(code))
        if room is None:
            raise RoomError(f"no room {normalise(code)}: check the code (the lecturer may have closed it)", 404)
        return room

    async def authorize(self, code: str, key: str | None) -> Room:
        room = await self.room(code)
        if not room.allows(key):
            raise RoomError(f"only the lecturer's key can change room {room.code}", 403)
        return room

    async def close_room(self, code: str, key: str | None) -> None:
        room = await self.authorize(code, key)
        await self.backend.delete(room.code)
        await self.backend.publish(room.code, CLOSED, "")

    async def push(self, code: str, key: str | None) -> int:
        """Copy the lecturer's network into every open student sandbox of the room; returns how many (known)."""
        room = await self.authorize(code, key)
        state = await self.lecturer_state(room)
        await self.backend.publish(room.code, PUSH, json.dumps(state))
        return len(await self.gallery(room.code, key))

    async def gallery(self, code: str, key: str | None) -> list[dict[str, Any]]:
        """Thumbnails of the room's student sandboxes (all processes), ordered by seat."""
        room = await self.authorize(code, key)
        hide = {"name"} if room.anonymous else set()  # anonymized: seat labels only (the projector shows this)
        return [{k: v for k, v in e.items() if not k.startswith("_") and k not in hide}
                for e in await self.students_of(room)]

    async def students_of(self, room: Room) -> list[dict[str, Any]]:
        """Every student sandbox of the room (all processes), with its session id as "_sid" (not for pages)."""
        if not self.backend.shared:
            return sorted(self._local_summaries(room), key=lambda e: e["seat"])
        await self.backend.put(room.code, "gallery", "1", ALIVE_TTL_S)  # asks every process for thumbnails
        return sorted(await self.backend.students(room.code), key=lambda e: e["seat"])

    async def led_by(self, session_id: str) -> str | None:
        """The room this session leads; a lecturer reconnecting to this process takes its room's feed along."""
        code = await self.backend.led_by(session_id)
        if code is not None and code not in self.feeds and session_id in self.registry.sessions:
            room = await self.backend.get(code)
            if room is not None and room.shown == session_id:
                self._ensure_feed(room, self.registry.sessions[session_id])
        return code

    async def lecturer_state(self, room: Room) -> dict[str, Any]:
        s = self.registry.sessions.get(room.lecturer)
        if s is None and not room.spotlight:
            s = await self._shown(room)
        elif s is None and not self.backend.shared:
            s = await self.registry.find(room.lecturer)
        if s is not None:
            return await asyncio.to_thread(s.state)
        for _ in range(int(2 * ALIVE_TTL_S / REFRESH_S)):  # the lecturer's process writes it every REFRESH_S
            text = await self.backend.fetch(room.code, "state")
            if text is not None:
                return json.loads(text)
            await asyncio.sleep(REFRESH_S / 2)
        raise RoomError(f"the lecturer's network of room {room.code} is not available right now", 503)

    async def _shown(self, room: Room) -> Session | None:
        """The session followers watch (the lecturer's, or a spotlighted student's) if this process has it or
        should take it over (no live feed anywhere); its feed runs here then."""
        s = self.registry.sessions.get(room.shown)
        if s is None:
            if self.backend.shared and await self.backend.fetch(room.code, "alive") is not None:
                return None  # live in another process: restoring a second copy here would fork it silently
            s = await self.registry.find(room.shown)
        if s is not None:
            self._ensure_feed(room, s)
        return s

    def _ensure_feed(self, room: Room, s: Session) -> None:
        feed = self.feeds.get(room.code)
        if feed is not None and feed.session is not s:  # the room moved on (another demo, a spotlight)
            self._stop_feed(room.code)
        if room.code not in self.feeds:
            self.feeds[room.code] = feed = Feed(self, room, s)
            self.pump.members.add(feed)
        self.feeds[room.code].room = room

    def _stop_feed(self, code: str) -> None:
        feed = self.feeds.pop(code, None)
        if feed is not None:
            self.pump.members.discard(feed)
            feed.stop()

    # ---------------------------------------------------------------- students
    async def join(self, demo: str, code: str) -> Session:
        """A new student sandbox: a copy of the lecturer's network, in the room (pushes reach it)."""
        room = await self._room_of(demo, code)
        state = await self.lecturer_state(room)
        s = await self.registry.fork(demo, room.lecturer, state)
        s.room = room.code
        if room.paused:
            s.hold_training(PAUSED)
        return s

    async def follow(self, code: str, demo: str, conn: FollowConnection) -> Room:
        room = await self.room(code)
        if room.shown_demo != demo:
            raise RoomError(f"room {room.code} shows the {room.shown_demo} demo now, not {demo}", 409)
        # starts the feed here when this process has (or takes over) the shown session
        if await self._shown(room) is None and not self.backend.shared:
            raise RoomError(f"the lecturer's network of room {room.code} is not available right now", 503)
        conn.demo = demo
        self.registry.connections.follow(room.code, conn)
        return room

    def unfollow(self, code: str, conn: FollowConnection) -> None:
        self.registry.connections.unfollow(code, conn)

    async def first_frame(self, room: Room, conn: FollowConnection) -> None:
        """A new follower's first frame carries the whole chart (the feed only sends what is new)."""
        feed = self.feeds.get(room.code)
        s = feed.session if feed is not None and feed.session.id == room.shown else None
        if s is not None:
            text = (await asyncio.to_thread(s.frame, -1, -1))[0]
        else:
            text = await self.backend.fetch_bytes(room.code, "full")
        if text is not None:
            await conn.send(text)

    async def _room_of(self, demo: str, code: str) -> Room:
        room = await self.room(code)
        if room.demo != demo:
            raise RoomError(f"room {room.code} is for the {room.demo} demo, not {demo}", 409)
        return room

    def watched(self, code: str) -> bool:
        return bool(self.registry.connections.followers(code)) or code in self._remote_watched

    def deliver(self, code: str, text: bytes, demo: str) -> None:
        for conn in self.registry.connections.followers(code):
            if conn.demo == demo:  # a page of the demo the room left must not draw another demo's frame
                conn.offer(text)

    def _students(self, code: str, lecturer: str) -> list[Session]:
        # With a shared backend only open sandboxes count: an idle copy left behind in this process after its
        # page moved to another one must not be pushed to (and saved over the live one).
        return [s for s in list(self.registry.sessions.values())
                if s.room == code and s.id != lecturer and (self.registry.watched(s) or not self.backend.shared)]

    def _local_summaries(self, room: Room) -> list[dict[str, Any]]:
        return [{"seat": seat(s.id), "_sid": s.id, "demo": s.demo.name, "online": self.registry.watched(s),
                 "at": time.time(), **s.summary()}
                for s in self._students(room.code, room.lecturer)]

    # ---------------------------------------------------------------- messages from the backend
    def _on_message(self, code: str, kind: str, text: str | bytes) -> None:
        if isinstance(text, bytes):  # a FRAME (binary): the demo's name, a newline, the frame
            assert kind == FRAME, f"only frames travel as bytes, not {kind}"
            demo, _, frame = text.partition(b"\n")
            self.deliver(code, frame, demo.decode())
        elif kind == LECTURE:
            self.spawn(self._lecture_changed(Room.loads(text)))
        elif kind == PUSH:
            self.spawn(self._apply_push(code, text))
        elif kind == CLOSED:
            self.spawn(self._closed(code))

    def spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _apply_push(self, code: str, text: str) -> None:
        state = json.loads(text)
        lecturer = state.get("id", "")
        for s in self._students(code, lecturer):
            if s.demo.name != state["demo"]:
                continue
            await asyncio.to_thread(s.adopt, state)
            self.registry.engine.wake()
            await self._tell(s, f"The lecturer pushed their network (iteration {s.demo.iteration:,}) to your "
                                "sandbox")

    async def _tell(self, s: Session, message: str, **extra: Any) -> None:
        for conn in self.registry.connections.pages(s.id):
            conn.wake.set()
            with contextlib.suppress(Exception):
                await conn.send({"type": "info", "message": message, **extra})

    async def _closed(self, code: str) -> None:
        self._stop_feed(code)
        for s in [s for s in self.registry.sessions.values() if s.room == code]:
            s.room, s.saved_version = None, -1  # saved without the room at the next round
            await self._tell(s, f"The lecturer closed room {code}; your sandbox stays yours")
        for conn in self.registry.connections.drop_followers(code):
            with contextlib.suppress(Exception):
                await conn.send({"type": "info", "message": f"The lecturer closed room {code}", "closed": True})
                await conn.ws.close(code=1000)
