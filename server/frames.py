"""Frame delivery: one clock per process wakes the pages whose session changed, at most NNP_FPS times a second.

A page's connection sleeps until the pump (or a command) wakes it, builds the newest frame and sends it; while
a send is in flight nothing queues behind it, so a slow client skips frames (latest wins) and the server never
buffers them. One task per process ticks, however many pages are open.

When the event loop cannot keep up (the pump wakes late), the pump slows down towards NNP_MIN_FPS, evenly for
every page, and speeds up again once it is on time. The engine's training round lasts one pump interval (a
running session's frame changes once a round); the engine keeps its rounds to that length itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from fastapi import WebSocket, WebSocketDisconnect

from server import protocol
from server.engine import Engine
from server.session import Session

T = TypeVar("T")
# Frames whose session the engine is training right now are built here, waiting for the slice to end. One
# thread, not asyncio's pool: every extra thread that wants the GIL takes turns with the event loop, and with
# six of them a busy server's loop got a fraction of the GIL (pages starved, /healthz unanswered for seconds).
_FRAME_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nnp-frames")


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_FRAME_THREAD, fn, *args)


# A training round lasts this share of a frame interval: a little shorter, so that every tick finds each running
# session changed (rounds as long as the interval drift against the ticks and a tick in a few finds nothing new).
ROUND_SHARE = 0.8
LATE = 0.25  # a tick later than this fraction of the interval (smoothed) means the loop is behind
ON_TIME = 0.05  # ...earlier than this, that it has room to spare


class Tickable(Protocol):
    def tick(self) -> None: ...


class FramePump:
    def __init__(self, fps: float, min_fps: float | None = None, engine: Engine | None = None) -> None:
        self.fastest = 1.0 / fps
        self.slowest = 1.0 / min(fps, min_fps or fps)
        self.interval = self.fastest
        self.engine = engine  # its round is kept under one frame interval: a running session changes once a round
        self.lag = 0.0  # smoothed lateness of the ticks, seconds
        self.members: set[Tickable] = set()

    def adapt(self, lateness: float) -> None:
        """Slow the frames down (to NNP_MIN_FPS at most) while ticks come late; speed up when they are on time.
        The engine's round follows: shorter rounds would only pay more per-slice overhead for frames never sent."""
        self.lag = 0.9 * self.lag + 0.1 * lateness
        if self.lag > LATE * self.interval:
            self.interval = min(self.slowest, self.interval * 1.05)
        elif self.lag < ON_TIME * self.interval:
            self.interval = max(self.fastest, self.interval * 0.98)
        if self.engine is not None:
            self.engine.round_s = ROUND_SHARE * self.interval

    async def run(self) -> None:
        nxt = time.monotonic()
        while True:
            nxt += self.interval
            now = time.monotonic()
            delay = nxt - now
            if delay < 0:  # overloaded: skip the missed ticks rather than burst
                nxt, delay = now, 0.0
            await asyncio.sleep(delay)
            self.adapt(max(0.0, time.monotonic() - nxt))
            for m in list(self.members):
                m.tick()


class Connection:
    """One websocket: sends are serialised; `wake` asks the frame loop for the newest frame."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.wake = asyncio.Event()
        self.send_lock = asyncio.Lock()
        self.sending = False
        self.missed = False  # a tick came while a frame was being sent: send the next one as soon as that is done

    async def send(self, message: dict[str, Any] | str) -> None:
        text = message if isinstance(message, str) else protocol.encode(message)
        async with self.send_lock:
            try:
                await self.ws.send_text(text)
            except RuntimeError as e:
                # uvicorn's websockets-sansio, once its keepalive ping went unanswered and it closed the socket,
                # refuses sends with a RuntimeError instead of a disconnect: the page has gone all the same.
                raise WebSocketDisconnect(1006) from e

    async def next_frame(self) -> str | None:
        raise NotImplementedError

    async def frames(self) -> None:
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
        self.max_age = 0.8 / fps  # below the pump's interval: a lone watcher always gets a fresh snapshot
        self.since, self.epoch, self.sent_version = -1, -1, -1

    def tick(self) -> None:
        if self.sending:
            self.missed = True  # not skipped: a frame that took long to send costs one tick, not two
        elif self.session.version != self.sent_version:
            self.wake.set()

    async def next_frame(self) -> str | None:
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
        self.latest: str | None = None
        self.demo = ""  # the demo its page shows: frames of another demo (the room moved on) are not for it

    def offer(self, text: str) -> None:
        self.latest = text
        self.wake.set()

    async def next_frame(self) -> str | None:
        text, self.latest = self.latest, None
        return text


async def stop(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
