"""Rooms: what a room is, and where rooms live (`RoomBackend`: in this process, or shared through Redis)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from server.store import Store

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector and typed on a phone
# 31^6: 887 million codes. At NNP_ROOM_MISSES_PER_MIN (30) wrong codes a minute, one client needs 28 years on
# average to hit one open room (5 letters, 28 million codes, took 11 months).
CODE_LENGTH = 6

# What travels between processes about a room (the RoomBackend's publish kinds):
FRAME = "frame"  # the lecturer's frame, for followers
PUSH = "push"  # the lecturer's Session.state(), for every student sandbox of the room
CLOSED = "closed"  # the room is gone
LECTURE = "room"  # the room's lecture state changed (demo, step, pause, spotlight): its public view, as JSON

Listener = Callable[[str, str, str | bytes], None]  # (code, kind, text; a FRAME's is bytes)


class RoomError(Exception):
    """A room request that cannot be served; `status` is its HTTP status, the message goes to the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Room:
    """A room is the whole lecture: one code, and the lecturer's current demo, step and pace. A change is a new
    Room (`moved`), stored by the backend and announced to every process as LECTURE."""

    code: str  # the join code students type
    demo: str  # the lecturer's current demo: followers show it, students are offered a sandbox of it
    lecturer: str  # the lecturer's current session id: never sent to students (it would let them drive it)
    key_hash: str  # sha256 of the lecturer key; the key itself is only ever in the lecturer's browser
    created: float
    step: int = 0  # the lecturer's lesson step in this demo (0: none); follower pages show it
    follow_step: bool = False  # "follow my step": students' own sandboxes go to the lecturer's step with it
    paused: bool = False  # "pause class": student sandboxes of the room cannot train
    spotlight: str = ""  # a student's session id shown to every follower instead of the lecturer's; "" = none
    spotlight_demo: str = ""  # that student's demo (a spotlight may show another demo than the lecturer's)
    anonymous: bool = True  # the dashboard shows seat labels only, not the names students gave
    version: int = 0  # bumped on every change: a page ignores an older announcement

    def allows(self, key: str | None) -> bool:
        return key is not None and hmac.compare_digest(hash_key(key), self.key_hash)

    @property
    def shown(self) -> str:
        """The session every follower watches: the spotlighted student's, else the lecturer's."""
        return self.spotlight or self.lecturer

    @property
    def shown_demo(self) -> str:
        return self.spotlight_demo if self.spotlight else self.demo

    def moved(self, **changes: Any) -> Room:
        return replace(self, version=self.version + 1, **changes)

    def public(self) -> dict[str, Any]:
        """What students may know of the room (no session ids, no key)."""
        return {"code": self.code, "demo": self.demo, "step": self.step, "follow_step": self.follow_step,
                "paused": self.paused,
                "spotlight": seat(self.spotlight) if self.spotlight else None, "shown_demo": self.shown_demo,
                "anonymous": self.anonymous, "version": self.version}

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def loads(cls, text: str) -> Room:
        known = {f.name for f in fields(cls)}  # a room saved by an older version lacks the newer fields
        return cls(**{k: v for k, v in json.loads(text).items() if k in known})


def seat(session_id: str) -> str:
    """A student's label in the gallery and on their page: stable, short, and no use for opening their session."""
    return "#" + hashlib.sha256(session_id.encode()).hexdigest()[:4]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_room(demo: str, lecturer: str) -> tuple[Room, str]:
    """A room with a fresh code and its lecturer key."""
    key = secrets.token_urlsafe(18)
    return Room(new_code(), demo, lecturer, hash_key(key), time.time()), key


def normalise(code: str) -> str:
    """Codes are typed by people: case and stray spaces do not matter."""
    return code.strip().upper()


class RoomBackend(ABC):
    """Where rooms live. `shared` backends reach other server processes; the hub then also keeps the data they
    need (the lecturer's newest full frame and state, the students' thumbnails) in the backend."""

    shared = False

    async def start(self, listener: Listener) -> None:
        """Deliver every message published on any room to `listener` (code, kind, text), from now on."""
        self.listener = listener

    async def close(self) -> None:  # noqa: B027 - optional hook
        pass

    @abstractmethod
    async def create(self, room: Room) -> bool:
        """Store a new room; False if its code or its lecturer session already has one."""

    @abstractmethod
    async def get(self, code: str) -> Room | None: ...

    @abstractmethod
    async def led_by(self, session_id: str) -> str | None:
        """The code of the room this session leads, if any."""

    @abstractmethod
    async def update(self, old: Room, new: Room) -> None:
        """Store a changed room (same code); its lecturer session may have changed (the lecturer moved on)."""

    @abstractmethod
    async def delete(self, code: str) -> None: ...

    @abstractmethod
    async def codes(self) -> list[str]:
        """Every open room's code (the expiry sweep walks them)."""

    @abstractmethod
    async def publish(self, code: str, kind: str, text: str | bytes) -> None: ...

    # Shared data: only used by shared backends (one process has all of it at hand in memory).
    async def put(self, code: str, what: str, text: str | bytes, ttl_s: float) -> None:  # noqa: B027
        pass

    async def fetch(self, code: str, what: str) -> str | None:
        return None

    async def fetch_bytes(self, code: str, what: str) -> bytes | None:
        """What `put` stored as bytes (a frame)."""
        return None

    async def put_students(self, code: str, entries: dict[str, str]) -> None:  # noqa: B027
        pass

    async def students(self, code: str) -> list[dict[str, Any]]:
        return []


class MemoryRooms(RoomBackend):
    """Rooms of one server process; with a store they also outlive a restart."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store
        self.rooms: dict[str, Room] = {}
        self.lecturers: dict[str, str] = {}
        self._saving: asyncio.Task[None] | None = None  # the newest room change being written

    async def start(self, listener: Listener) -> None:
        await super().start(listener)
        if self.store is not None:
            for text in await asyncio.to_thread(self.store.rooms):
                room = Room.loads(text)
                self.rooms[room.code] = room
                self.lecturers[room.lecturer] = room.code

    async def create(self, room: Room) -> bool:
        if room.code in self.rooms or room.lecturer in self.lecturers:
            return False
        self.rooms[room.code] = room
        self.lecturers[room.lecturer] = room.code
        if self.store is not None:
            await asyncio.to_thread(self.store.save_room, room.code, room.dumps())
        return True

    async def get(self, code: str) -> Room | None:
        return self.rooms.get(code)

    async def led_by(self, session_id: str) -> str | None:
        return self.lecturers.get(session_id)

    async def update(self, old: Room, new: Room) -> None:
        self.rooms[new.code] = new
        if old.lecturer != new.lecturer:
            self.lecturers.pop(old.lecturer, None)
            self.lecturers[new.lecturer] = new.code
        if self.store is not None:
            # Written behind the announcement, in order: the store may be busy saving a whole class's sessions
            # for a second or more, and the class must not wait for it to switch.
            self._saving = asyncio.get_running_loop().create_task(self._save(new, self._saving))

    async def close(self) -> None:
        if self._saving is not None:  # the last change is on disk before the store closes
            await asyncio.wait([self._saving])

    async def _save(self, room: Room, before: asyncio.Task[None] | None) -> None:
        if before is not None:
            await asyncio.wait([before])
        assert self.store is not None
        await asyncio.to_thread(self.store.save_room, room.code, room.dumps())

    async def delete(self, code: str) -> None:
        room = self.rooms.pop(code, None)
        if room is not None:
            self.lecturers.pop(room.lecturer, None)
            if self.store is not None:
                await asyncio.to_thread(self.store.delete_room, code)

    async def codes(self) -> list[str]:
        return list(self.rooms)

    async def publish(self, code: str, kind: str, text: str | bytes) -> None:
        self.listener(code, kind, text)
