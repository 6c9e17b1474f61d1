"""The connections of this process's pages, and the one registry of them: a session's own pages, a room's
followers and its lecture pages. How many watch a session is counted here, from the connections themselves."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from server import protocol
from server.frames import off_loop
from server.pacing import reuse_s
from server.session import Session

log = logging.getLogger("nnp.ws")


class Connection:
    """One websocket: sends are serialised; `wake` asks the frame loop for the newest frame."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.wake = asyncio.Event()
        self.send_lock = asyncio.Lock()
        self.sending = False
        self.missed = False  # a tick came while a frame was being sent: send the next one as soon as that is done

    async def send(self, message: dict[str, Any] | str | bytes) -> None:
        """A frame (bytes) as a binary message, anything else as JSON text."""
        text = message if isinstance(message, str | bytes) else protocol.encode(message)
        async with self.send_lock:
            try:
                if isinstance(text, bytes):
                    await self.ws.send_bytes(text)
                else:
                    await self.ws.send_text(text)
            except RuntimeError as e:
                # uvicorn's websockets-sansio, once its keepalive ping went unanswered and it closed the socket,
                # refuses sends with a RuntimeError instead of a disconnect: the page has gone all the same.
                raise WebSocketDisconnect(1006) from e

    async def next_frame(self) -> bytes | None:
        raise NotImplementedError

    async def frames(self) -> None:
        """Send the newest frame whenever woken. A frame that cannot be built (a bug) is not swallowed: it is
        logged, the page is told, and its connection closes (1011), so the page reconnects instead of waiting."""
        try:
            await self._frames()
        except (asyncio.CancelledError, WebSocketDisconnect):
            raise
        except Exception as e:  # noqa: BLE001 - one broken frame ends this page's connection, not the server
            log.exception("a frame for this page could not be built")
            with contextlib.suppress(Exception):
                await self.send({"type": "error", "message": f"the server could not build a frame: {e}"})
                await self.ws.close(1011)

    async def _frames(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            text = await self.next_frame()
            if text is not None:
                self.sending = True
                try:
                    await self.send(text)
                finally:
                    self.sending = False
                if self.missed:
                    self.missed = False
                    self.wake.set()


class SessionConnection(Connection):
    """A page watching its own session (a sandbox, or the lecturer's own page)."""

    def __init__(self, ws: WebSocket, session: Session, fps: float) -> None:
        super().__init__(ws)
        self.session = session
        self.max_age = reuse_s(fps)  # under the pump's interval: a lone page always gets a fresh snapshot
        self.since, self.epoch, self.sent_version = -1, -1, -1

    def tick(self) -> None:
        if self.sending:
            self.missed = True  # not skipped: a frame that took long to send costs one tick, not two
        elif self.session.version != self.sent_version:
            self.wake.set()

    async def next_frame(self) -> bytes | None:
        s = self.session
        if s.version == self.sent_version:
            return None
        # Building inline is cheaper than a thread hop; the lock is only busy while the engine trains this very
        # session, and then the thread waits for the slice to end instead of the event loop.
        if s.lock.acquire(blocking=False):
            try:
                text, self.since, self.epoch, self.sent_version = s.frame(self.since, self.epoch, self.max_age)
            finally:
                s.lock.release()
        else:
            text, self.since, self.epoch, self.sent_version = await off_loop(
                s.frame, self.since, self.epoch, self.max_age)
        return text


class FollowConnection(Connection):
    """A page following a room's lecturer: frames are offered to it, the newest replaces an unsent one."""

    def __init__(self, ws: WebSocket) -> None:
        super().__init__(ws)
        self.latest: bytes | None = None
        self.demo = ""  # the demo its page shows: frames of another demo (the room moved on) are not for it

    def offer(self, text: bytes) -> None:
        self.latest = text
        self.wake.set()

    async def next_frame(self) -> bytes | None:
        text, self.latest = self.latest, None
        return text


class Connections:
    """Every open connection of this process, by what it watches. A room's feed (server.feed) counts as a watcher
    of the session the room shows: an open room keeps that session in memory and training."""

    def __init__(self) -> None:
        self._pages: dict[str, set[SessionConnection]] = {}  # session id -> its pages
        self._feeds: Counter[str] = Counter()  # session id -> room feeds showing it
        self._followers: dict[str, set[FollowConnection]] = {}  # room code -> pages following what it shows
        self._lobbies: dict[str, set[Connection]] = {}  # room code -> its lecture pages (room messages only)

    # ---------------------------------------------------------------- a session's watchers
    def add_page(self, conn: SessionConnection) -> None:
        self._pages.setdefault(conn.session.id, set()).add(conn)

    def remove_page(self, conn: SessionConnection) -> None:
        pages = self._pages.get(conn.session.id, set())
        pages.discard(conn)
        if not pages:
            self._pages.pop(conn.session.id, None)

    def pages(self, session_id: str) -> list[SessionConnection]:
        return list(self._pages.get(session_id, ()))

    def add_feed(self, session_id: str) -> None:
        self._feeds[session_id] += 1

    def remove_feed(self, session_id: str) -> None:
        assert self._feeds[session_id] > 0, f"no feed of session {session_id} to remove"
        self._feeds[session_id] -= 1
        if not self._feeds[session_id]:
            del self._feeds[session_id]

    def watchers(self, session_id: str) -> int:
        """Its open pages and the room feeds showing it."""
        return len(self._pages.get(session_id, ())) + self._feeds[session_id]

    # ---------------------------------------------------------------- a room's pages
    def follow(self, code: str, conn: FollowConnection) -> None:
        self._followers.setdefault(code, set()).add(conn)

    def unfollow(self, code: str, conn: FollowConnection) -> None:
        self._followers.get(code, set()).discard(conn)

    def followers(self, code: str) -> list[FollowConnection]:
        return list(self._followers.get(code, ()))

    def followed(self) -> list[str]:
        """The rooms with followers here."""
        return [code for code, conns in self._followers.items() if conns]

    def drop_followers(self, code: str) -> list[FollowConnection]:
        """The room has closed: its followers, forgotten here (their sockets are closed by the caller)."""
        return list(self._followers.pop(code, ()))

    def add_lobby(self, code: str, conn: Connection) -> None:
        self._lobbies.setdefault(code, set()).add(conn)

    def remove_lobby(self, code: str, conn: Connection) -> None:
        self._lobbies.get(code, set()).discard(conn)

    def lobby(self, code: str) -> list[Connection]:
        return list(self._lobbies.get(code, ()))
