"""Frame delivery: one clock per process wakes the pages whose session changed, at most NNP_FPS times a second.

A page's connection (server.connections) sleeps until the pump (or a command) wakes it, builds the newest frame
and sends it; while a send is in flight nothing queues behind it, so a slow client skips frames (latest wins) and
the server never buffers them. One task per process ticks, however many pages are open.

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

from server.engine import Engine
from server.pacing import LATE, ON_TIME, ROUND_SHARE

T = TypeVar("T")
# Frames whose session the engine is training right now are built here, waiting for the slice to end. One
# thread, not asyncio's pool: every extra thread that wants the GIL takes turns with the event loop, and with
# six of them a busy server's loop got a fraction of the GIL (pages starved, /healthz unanswered for seconds).
_FRAME_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nnp-frames")


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_FRAME_THREAD, fn, *args)


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


async def stop(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
