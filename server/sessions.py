"""The session registry: create, find, restore and fork sessions, keep memory to the session cap (evicting saved
sessions nobody has open), save, reap idle ones, and turn a damaged store into a message instead of a crash."""

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
from server.connections import Connections
from server.engine import Engine
from server.saving import Saving, problem_of
from server.session import Session
from server.store import Store

log = logging.getLogger("nnp.sessions")
SHARE_PREFIX = "shr_"  # ids of frozen copies made by "share": they are only ever forked, never opened


class LimitReached(RuntimeError):
    """Raised when a new session would exceed a configured limit; the message goes to the client."""


class StoreError(RuntimeError):
    """The store could not read or write a session (a damaged file, a full disk); the message goes to the page."""


class Registry(Saving):
    def __init__(self, settings: Settings, engine: Engine, device: str, store: Store | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.device = device
        self.store = store
        self.limits = Limits(max_neurons=settings.max_neurons, max_points=settings.max_points)
        self.sessions: dict[str, Session] = {}
        self.connections = Connections()  # every page of this process, and so who watches which session
        self._restoring: dict[str, asyncio.Future[Session | None]] = {}
        # New sessions nobody has changed yet: the demo's defaults, nothing to save, and dropped when their last
        # page closes (opening and closing pages must not fill the server).
        self.untouched: set[str] = set()

    def demo_class(self, name: str) -> type[Demo]:
        if name not in DEMOS:
            raise KeyError(f"no demo {name!r}; there are {', '.join(DEMOS)}")
        return DEMOS[name]

    # ---------------------------------------------------------------- open
    async def open(self, demo: str, session_id: str | None) -> Session:
        """The session with this id if it is of this demo (from memory, else restored from the store), else a new
        one. A share snapshot's id opens a fresh copy of it. A session the store cannot read gives a new one that
        says why (`problem`); the stored row is left as it is, for whoever looks into it."""
        cls = self.demo_class(demo)
        if session_id and session_id.startswith(SHARE_PREFIX):
            return await self.fork(demo, session_id)
        problem = None
        try:
            s = await self.find(session_id) if session_id else None
        except StoreError as e:
            s, problem = None, str(e)
        if s is None or s.demo.name != demo:
            s = await self.new(cls)
            s.problem = problem
        s.last_seen = time.monotonic()
        return s

    async def new(self, cls: type[Demo]) -> Session:
        await self.make_room()
        s = self.add(Session(self._new_demo(cls), limits=self.limits))
        self.untouched.add(s.id)
        s.saved_version = s.version  # the demo's defaults: nothing worth writing until someone changes it
        return s

    async def find(self, session_id: str) -> Session | None:
        """A live session, or one restored from the store (concurrent openers of one id share one restore).
        StoreError if the store has the id but cannot give it back."""
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
                except Exception as e:  # noqa: BLE001 - a state this version cannot read: the page starts afresh
                    log.warning("session %s could not be restored (%s); its row is kept as it is", session_id,
                                problem_of(e))
                    raise StoreError(f"your saved session could not be restored ({problem_of(e)}); this is a new "
                                     "one, the old one is kept on the server as it was") from None
            if s is not None:
                await self.make_room()
                if session_id in self.sessions:  # restored meanwhile by a page that did not wait for this one
                    s = self.sessions[session_id]
                else:
                    s.saved_version = s.version  # just read: nothing to write back yet
                    self.add(s)
            fut.set_result(s)
            return s
        except BaseException as e:
            fut.set_exception(e)
            fut.exception()  # retrieved: nobody else may be waiting for this restore
            raise
        finally:
            del self._restoring[session_id]

    async def load_state(self, session_id: str) -> dict[str, Any] | None:
        """Session.state() of a live session or a saved one (a share snapshot included), or None; StoreError if
        the store has trouble with it."""
        if session_id in self.sessions:
            return await asyncio.to_thread(self.sessions[session_id].state)
        if self.store is None:
            return None
        try:
            row = await asyncio.to_thread(self.store.load, session_id)
        except Exception as e:  # noqa: BLE001 - a damaged page, an unreadable row: the page hears of it
            log.warning("session %s could not be read from %s (%s); its row is kept as it is", session_id,
                        self.store.path, problem_of(e))
            raise StoreError(f"the server's store could not read your saved session ({problem_of(e)}); this is a "
                             "new one, the old one is kept on the server as it was") from None
        return row[1] if row is not None else None

    async def fork(self, demo: str, source_id: str, state: dict[str, Any] | None = None) -> Session:
        """A new session copying another's state (a share link, a student joining a room); a fresh session if
        the source is unknown or of another demo, or cannot be read (it says why)."""
        cls = self.demo_class(demo)
        problem = None
        if state is None:
            try:
                state = await self.load_state(source_id)
            except StoreError as e:
                problem = str(e).replace("your saved session", "the session you opened a copy of")
        if state is None or state["demo"] != demo:
            s = await self.new(cls)
            s.problem = problem
            return s
        await self.make_room()
        s = await asyncio.to_thread(Session.restore, cls, state, self.device, secrets.token_urlsafe(9), self.limits)
        return self.add(s)

    async def share(self, session_id: str) -> str:
        """Freeze a copy of a session under a new id that can only be forked; returns that id."""
        state = await self.load_state(session_id)
        if state is None or self.store is None:
            raise KeyError("no such session" if state is None else "sharing needs persistence (NNP_DB_PATH)")
        sid = SHARE_PREFIX + secrets.token_urlsafe(9)
        state = {**state, "id": sid, "room": None}
        try:
            await asyncio.to_thread(self.store.save, [(sid, state["demo"], json.dumps(state))])
        except Exception as e:  # noqa: BLE001 - a damaged or full store: the page is told, the server carries on
            log.warning("a share of session %s could not be saved to %s (%s)", session_id, self.store.path,
                        problem_of(e))
            raise StoreError(f"the server's store could not save the copy ({problem_of(e)})") from None
        return sid

    def add(self, s: Session) -> Session:
        self.sessions[s.id] = s
        self.engine.add(s)
        return s

    def _new_demo(self, cls: type[Demo]) -> Demo:
        demo = cls(seed=0, device=self.device)
        demo.limits = self.limits
        return demo

    def remove(self, session_id: str) -> None:
        self.engine.remove(session_id)
        self.sessions.pop(session_id, None)
        self.untouched.discard(session_id)

    def watched(self, s: Session) -> bool:
        """A page of this process shows it, or a room's feed does."""
        return self.connections.watchers(s.id) > 0

    def keep(self, s: Session) -> None:
        """Something beyond its pages depends on this session (it leads a room): save it, even unchanged."""
        if s.id in self.untouched:
            self.untouched.discard(s.id)
            s.saved_version = -1

    def closed(self, s: Session) -> None:
        """Its last page has gone: a session nobody ever changed leaves at once (there is nothing to keep)."""
        if s.id in self.untouched and not self.watched(s) and s.version == 0 and s.room is None:
            self.remove(s.id)

    async def make_room(self) -> None:
        """Room in memory for one more session: sessions are a cache of the store, so at the cap the least recently
        watched one nobody has open is saved and leaves memory (its page gets it back from the store). Refused
        only when every session in memory has an open page, or has changes that cannot be saved."""
        cap = self.settings.max_sessions
        if len(self.sessions) < cap:
            return
        self.reap()
        tried: set[str] = set()
        while len(self.sessions) >= cap:
            idle = [s for s in self.sessions.values() if not self.watched(s) and s.id not in tried
                    and (self.store is not None or s.version == s.saved_version)]
            if not idle:
                open_pages = sum(1 for s in self.sessions.values() if self.watched(s))
                raise LimitReached(f"the server is full ({open_pages} of {cap} sessions have a page open, "
                                   "NNP_MAX_SESSIONS); try again later")
            victim = min(idle, key=lambda s: s.last_seen)
            tried.add(victim.id)
            if victim.version != victim.saved_version and await self._write([victim]) == 0:
                continue  # not saved: it must stay in memory
            if not self.watched(victim) and victim.version == victim.saved_version and victim.id in self.sessions:
                self.remove(victim.id)
