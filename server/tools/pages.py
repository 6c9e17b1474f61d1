"""The load test's simulated pages: a student's sandbox (training, clicking), a follower of the room, a student's
lecture page; each counts what it receives inside the measuring window. Frames are read through server.codec."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from server import codec
from server.tools.harness import FLAT_OUT
from server.tools.lean_ws import LeanSocket

COMMAND_EVERY_S = 1.0  # each student clicks about this often (select a sample, or change the learning rate)


@dataclass
class Client:
    role: str  # "student" | "follower" | "lecturer"
    frames: int = 0  # frames received inside the measuring window
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds from a command to the first frame showing it
    first_it: int | None = None  # iteration of the first and last frames inside the window: training speed
    last_it: int = 0
    room_seen: dict[int, float] = field(default_factory=dict)  # room version -> when this page heard of it


@dataclass
class Window:
    start: float = 0.0
    end: float = 0.0

    def inside(self, t: float) -> bool:
        return self.start <= t < self.end



async def student(url: str, c: Client, window: Window, stop: asyncio.Event, seed: int) -> None:
    rng = random.Random(seed)
    pending: dict[float, float] = {}  # a learning rate asked for -> when
    async with connect(url) as ws:
        hello = json.loads(await ws.recv())
        if hello["type"] != "hello":
            c.errors.append(hello.get("message", str(hello)))
            return
        await ws.send(FLAT_OUT)
        await ws.send(json.dumps({"type": "play"}))
        n_samples = 0  # until the first frame says

        async def clicks() -> None:
            k = 0
            await asyncio.sleep(rng.uniform(0, COMMAND_EVERY_S))
            while not stop.is_set():
                k += 1
                if k % 2:  # a learning rate nobody else has: the frame that carries it answers this command
                    lr = round(0.5 + seed * 1e-3 + k * 1e-7, 10)
                    pending[lr] = time.monotonic()
                    await ws.send(json.dumps({"type": "set", "lr": lr}))
                else:  # clicking through the samples, as a student does (not timed: a sample may repeat)
                    await ws.send(json.dumps({"type": "select", "sample": (k // 2) % max(1, n_samples)}))
                await asyncio.sleep(rng.uniform(0.5, 1.5) * COMMAND_EVERY_S)

        clicker = asyncio.create_task(clicks())
        closer = asyncio.create_task(close_on(stop, ws))
        try:
            async for text in ws:
                now = time.monotonic()
                if not codec.is_frame(text):
                    msg = codec.read(text)
                    if msg["type"] == "error":
                        c.errors.append(msg["message"])
                    continue
                # The client must not eat the cores the server is measured on: of a frame only its head is read (the
                # clock: iteration, learning rate), and its demo part once, for the number of samples to click.
                if not n_samples:
                    n_samples = max(1, len(codec.read_demo(text).get("samples", [])))
                head = codec.read_head(text)
                if window.inside(now):
                    c.frames += 1
                    if c.first_it is None:
                        c.first_it = head["iteration"]
                    c.last_it = head["iteration"]
                sent = pending.pop(head["lr"], None)  # the first frame that shows this command's learning rate
                if sent is not None and window.inside(sent):
                    c.latencies.append(now - sent)
        finally:
            clicker.cancel()
            closer.cancel()


async def follower(base: str, code: str, demo: str, c: Client, window: Window, stop: asyncio.Event) -> None:
    """A follower page: when the room shows another demo, it opens that demo's follower view (as the lecture
    page's frame does)."""
    while not stop.is_set():
        async with connect(f"ws://{base}/ws/{demo}?follow={code}") as ws:
            closer = asyncio.create_task(close_on(stop, ws))
            async for text in ws:
                if codec.is_frame(text):
                    if window.inside(time.monotonic()):
                        c.frames += 1
                    continue
                msg = codec.read(text)
                if msg["type"] == "room":
                    c.room_seen.setdefault(msg["version"], time.monotonic())
                    if msg["shown_demo"] != demo:
                        demo = msg["shown_demo"]
                        break
                elif msg["type"] == "error":
                    c.errors.append(msg["message"])
            closer.cancel()


async def lecture_page(url: str, c: Client, stop: asyncio.Event) -> None:
    """A student's lecture page (/join/CODE): it hears of every room change on /ws/rooms/CODE."""
    async with connect(url) as ws:
        closer = asyncio.create_task(close_on(stop, ws))
        async for text in ws:
            msg = codec.read(text)
            if msg["type"] == "room":
                c.room_seen.setdefault(msg["version"], time.monotonic())
            elif msg["type"] == "error":
                c.errors.append(msg["message"])
        closer.cancel()


@contextlib.asynccontextmanager
async def connect(url: str) -> AsyncIterator[LeanSocket]:
    ws = await LeanSocket.connect(url)
    try:
        yield ws
    finally:
        await ws.close()


async def close_on(stop: asyncio.Event, ws: Any) -> None:
    """Ends a client's `async for` over its messages: the run is over, not the connection's fault."""
    await stop.wait()
    await ws.close()


async def guarded(coro: Any, c: Client) -> None:
    try:
        await coro
    except Exception as e:  # noqa: BLE001 - a dropped connection is a result to report, not a crash
        c.errors.append(f"{type(e).__name__}: {e}")

