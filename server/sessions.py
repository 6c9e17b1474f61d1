"""The session registry: create, find, restore and fork sessions, enforce the session limit, save, reap idle ones."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from typing import Any

from models.demo import Demo, Limits
from models.registry import DEMOS
from server.config import Settings
from server.engine import Engine
from server.session import Session
from server.store import Store

log = logging.getLogger("nnp.sessions")
SHARE_PREFIX = "shr_"  # ids of frozen copies made by "share": they are only ever forked, never opened


class LimitReached(RuntimeError):
    """Raised when a new session would exceed a configured limit; the message goes to the client."""


class Registry:
    def __init__(self, settings: Settings, engine: Engine, device: str, store: Store | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.device = device
        self.store = store
        self.limits = Limits(max_neurons=settings.max_neurons, max_points=settings.max_points)
        self.sessions: dict[str, Session] = {}
        self.connections: dict[str, set[Any]] = {}  # session id -> its pages' connections (server.frames)
        self._restoring: dict[str, asyncio.Future[Session | None]] = {}

    def demo_class(self, name: str) -> type[Demo]:
        if name not in DEMOS:
            raise KeyError(f"no demo {name!r}; there are {', '.join(DEMOS)}")
        return DEMOS[name]

    # ---------------------------------------------------------------- open
    async def open(self, demo: str, session_id: str | None) -> Session:
        """The session with this id if it is of this demo (from memory, else restored from the store), else a new
        one. A share snapshot's id opens a fresh copy of it."""
        cls = self.demo_class(demo)
        if session_id and session_id.startswith(SHARE_PREFIX):
            return await self.fork(demo, session_id)
        s = await self.find(session_id) if session_id else None
        if s is None or s.demo.name != demo:
            s = self.add(Session(self._new_demo(cls), limits=self.limits))
        s.last_seen = time.monotonic()
        return s

    async def find(self, session_id: str) -> Session | None:
        """A live session, or one restored from the store (concurrent openers of one id share one restore)."""
        if session_id in self.sessions:
            return self.sessions[session_id]
        if self.store is None or session_id.startswith(SHARE_PREFIX):
            return None
        if session_id in self._restoring:
            return await asyncio.shield(self._restoring[session_id])
        fut: asyncio.Future[Session | None] = asyncio.get_running_loop().create_future()
        self._restoring[session_id] = fut
        try:
            state = await self.load_state(session_id)
            s = None
            if state is not None:
                try:
                    cls = self.demo_class(state["demo"])
                    s = await asyncio.to_thread(Session.restore, cls, state, self.device, None, self.limits)
                except Exception:  # noqa: BLE001 - a state this version cannot read: the page starts afresh
                    log.exception("session %s could not be restored", session_id)
                    s = None
            if s is not None:
                s.saved_version = s.version  # just read: nothing to write back yet
                self.add(s)
            fut.set_result(s)
            return s
        except BaseException as e:
            fut.set_exception(e)
            raise
        finally:
            del self._restoring[session_id]

    async def load_state(self, session_id: str) -> dict[str, Any] | None:
        """Session.state() of a live session or a saved one (a share snapshot included), or None."""
        if session_id in self.sessions:
            return await asyncio.to_thread(self.sessions[session_id].state)
        if self.store is None:
            return None
        row = await asyncio.to_thread(self.store.load, session_id)
        return row[1] if row is not None else None

    async def fork(self, demo: str, source_id: str, state: dict[str, Any] | None = None) -> Session:
        """A new session copying another's state (a share link, a student joining a room); a fresh session if
        the source is unknown or of another demo."""
        cls = self.demo_class(demo)
        state = state if state is not None else await self.load_state(source_id)
        if state is None or state["demo"] != demo:
            return self.add(Session(self._new_demo(cls), limits=self.limits))
        self._check_room()
        s = await asyncio.to_thread(Session.restore, cls, state, self.device, secrets.token_urlsafe(9), self.limits)
        return self.add(s)

    async def share(self, session_id: str) -> str:
        """Freeze a copy of a session under a new id that can only be forked; returns that id."""
        state = await self.load_state(session_id)
        if state is None or self.store is None:
            raise KeyError("no such session" if state is None else "sharing needs persistence (NNP_DB_PATH)")
        sid = SHARE_PREFIX + secrets.token_urlsafe(9)
        state = {**state, "id": sid, "room": None}
        await asyncio.to_thread(self.store.save, [(sid, state["demo"], json.dumps(state))])
        return sid

    def add(self, s: Session) -> Session:
        self._check_room()
        self.sessions[s.id] = s
        self.engine.add(s)
        return s

    def _new_demo(self, cls: type[Demo]) -> Demo:
        demo = cls(seed=0, device=self.device)
        demo.limits = self.limits
        return demo

    def _check_room(self) -> None:
        if len(self.sessions) >= self.settings.max_sessions:
            self.reap()
        if len(self.sessions) >= self.settings.max_sessions:
            raise LimitReached(f"the server is full ({self.settings.max_sessions} sessions, NNP_MAX_SESSIONS); "
                               "try again later")

    # ---------------------------------------------------------------- save and reap
    async def save(self, everything: bool = False) -> int:
        """Write the sessions that changed since their last save (all of them: `everything`); off the loop."""
        if self.store is None:
            return 0
        changed = [s for s in list(self.sessions.values()) if everything or s.version != s.saved_version]
        return await asyncio.to_thread(self._save, changed) if changed else 0

    def _save(self, sessions: list[Session]) -> int:
        assert self.store is not None, "saving needs a store"
        rows, versions = [], []
        for s in sessions:
            with s.lock:  # one consistent state, and the version it is the state of
                versions.append(s.version)
                rows.append((s.id, s.demo.name, s.dumps()))
        self.store.save(rows)
        for s, v in zip(sessions, versions, strict=True):
            s.saved_version = v
        return len(rows)

    def pause_unwatched(self) -> int:
        """Pause the running sessions no page has shown for `unwatched_pause_s`; returns how many. A room's
        lecturer is watched by the room's feed, so a projected network keeps training for its followers."""
        after = self.settings.unwatched_pause_s
        if after <= 0:
            return 0
        now = time.monotonic()
        idle = [s for s in list(self.sessions.values())
                if s.runnable and s.watchers == 0 and now - s.last_seen > after]
        for s in idle:
            s.pause_unwatched(after)
        return len(idle)

    def reap(self) -> int:
        """Drop from memory the sessions nobody has watched for `idle_expiry_s`; with a store, only saved ones (the
        save loop writes them first), so a reaped session is restored as it was when its page comes back."""
        now = time.monotonic()
        dead = [k for k, s in self.sessions.items()
                if s.watchers == 0 and now - s.last_seen > self.settings.idle_expiry_s
                and (self.store is None or s.version == s.saved_version)]
        for k in dead:
            self.engine.remove(k)
            del self.sessions[k]
        return len(dead)

    async def autosave(self) -> None:
        """Every `save_every_s`: write what changed, pause what nobody watches, then let idle sessions go."""
        while True:
            await asyncio.sleep(self.settings.save_every_s)
            try:
                await self.save()
            except Exception:  # noqa: BLE001 - a full disk must not stop the server; the next round retries
                log.exception("saving sessions failed")
            self.pause_unwatched()
            self.reap()
