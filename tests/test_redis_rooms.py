"""Rooms across two server processes through a real redis-server: follow, fork, push, gallery, close."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, wait_http
from tests.live import Client

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def two_servers(redis_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two uvicorn processes sharing Redis (each with its own session database, as on two hosts)."""
    procs, urls = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            env = {**os.environ, "NNP_REDIS_URL": redis_url, "NNP_DB_PATH": str(tmp_path / f"{name}.sqlite3"),
                   "NNP_DEVICE": "cpu"}
            procs.append(subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
                                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        for url, proc in zip(urls, procs, strict=True):
            wait_http(f"{url}/healthz", proc, url)
        yield urls[0], urls[1]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)
            if proc.stdout is not None:
                proc.stdout.close()


def test_a_room_is_shared_by_two_server_processes(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    with Client(f"{a}/ws/autoencoder") as lecturer:
        sid = lecturer.next_of("hello")["session"]
        lecturer.send({"type": "step", "n": 60})
        lecturer.frame_where(lambda f: f["iteration"] == 60)
        r = httpx.post(f"{a}/api/rooms", json={"session": sid})
        assert r.status_code == 201, r.text
        code, key = r.json()["code"], r.json()["key"]
        assert httpx.get(f"{b}/api/rooms/{code}").status_code == 200, "the other process knows the room"
        assert httpx.get(f"{b}/join/{code}").status_code == 200

        # a follower on B sees A's lecturer live
        with Client(f"{b}/ws/autoencoder?follow={code}") as follower:
            assert follower.next_of("hello")["mode"] == "follow"
            first = follower.next_of("frame", timeout=20)
            assert first["iteration"] >= 60
            lecturer.send({"type": "play"})
            assert follower.frame_where(lambda f: f["iteration"] > 600, timeout=30)["running"]
            lecturer.send({"type": "pause"})
            paused = lecturer.frame_where(lambda f: not f["running"])
            follower.send({"type": "play"})
            assert "read-only" in follower.next_of("error")["message"]

            # a student on B forks A's lecturer (its state reaches B within a refresh or two)
            with Client(f"{b}/ws/autoencoder?join={code}") as student:
                hello = student.next_of("hello")
                assert hello["room"] == code and hello["session"] != sid
                forked = student.next_of("frame")
                assert 60 <= forked["iteration"] <= paused["iteration"]
                student.send({"type": "step", "n": 10})
                student.frame_where(lambda f: f["iteration"] == forked["iteration"] + 10)

                # the gallery on A lists B's student; only the key may see it
                assert httpx.get(f"{b}/api/rooms/{code}/gallery", headers={"X-Room-Key": "x"}).status_code == 403
                deadline = time.monotonic() + 20
                while True:
                    g = httpx.get(f"{a}/api/rooms/{code}/gallery", headers={"X-Room-Key": key}).json()["students"]
                    if g and g[0]["iteration"] == forked["iteration"] + 10:
                        break
                    assert time.monotonic() < deadline, f"B's student never reached A's gallery: {g}"
                    time.sleep(0.3)
                assert g[0]["seat"] == hello["seat"] and g[0]["net"]["sizes"] == [10, 3, 10]

                # a push from A reaches the sandbox on B; a student cannot push
                assert httpx.post(f"{b}/api/rooms/{code}/push", headers={"X-Room-Key": "nope"}).status_code == 403
                assert httpx.post(f"{a}/api/rooms/{code}/push", headers={"X-Room-Key": key}).status_code == 200
                assert "pushed" in student.next_of("info", timeout=20)["message"]
                pushed = student.frame_where(lambda f: f["iteration"] == paused["iteration"], timeout=20)
                assert pushed["demo"]["net"]["weights"] == paused["demo"]["net"]["weights"]

                # closing on B with the key tells the follower on B and ends the room everywhere
                assert httpx.delete(f"{b}/api/rooms/{code}", headers={"X-Room-Key": key}).status_code == 200
                assert follower.next_of("info", timeout=20)["closed"]
                assert httpx.get(f"{a}/api/rooms/{code}").status_code == 404


def test_rooms_expire_across_processes_only_when_no_process_used_them(redis_url: str) -> None:
    """Two processes' expiry sweeps on one Redis: a room used in one is kept by the other; one nobody used goes."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    from server.config import Settings
    from server.connections import Connections
    from server.guard import Lookups
    from server.redis_rooms import RedisRooms
    from server.room_expiry import RoomExpiry
    from server.rooms import new_room

    async def scenario() -> tuple[str, list[str], list[str], bool, bool]:
        a, b = RedisRooms(redis_url), RedisRooms(redis_url)
        closed: list[str] = []
        await a.start(lambda code, kind, text: None)
        await b.start(lambda code, kind, text: closed.append(code) if kind == "closed" else None)
        long_ago = time.time() - 100
        used, unused = new_room("toy", "lecturer-1")[0], new_room("toy", "lecturer-2")[0]
        for room in (used, unused):
            assert await a.create(type(room)(room.code, room.demo, room.lecturer, room.key_hash, long_ago))

        def sweeper(backend: RedisRooms) -> RoomExpiry:
            hub = SimpleNamespace(backend=backend, watched=lambda code: False,
                                  registry=SimpleNamespace(connections=Connections()))
            expiry = RoomExpiry(hub, Lookups(30), Settings(room_expiry_s=10.0))  # type: ignore[arg-type]
            expiry.started = long_ago
            return expiry

        in_a, in_b = sweeper(a), sweeper(b)
        in_a.lookups.seen(used.code)  # someone followed the room's code on process A
        first = await in_a.sweep()  # A expires the unused one and says the used one is in use
        second = await in_b.sweep()  # B knows of no use itself, but A's word keeps the room
        kept, gone = await b.get(used.code) is not None, await b.get(unused.code) is None
        for backend in (a, b):
            await backend.close()
        return unused.code, first, second, kept, gone

    with ThreadPoolExecutor(1) as pool:  # a loop of its own: another test's may still be running on this thread
        unused, first, second, kept, gone = pool.submit(asyncio.run, scenario()).result(60)
    assert first == [unused] and second == [] and kept and gone


def test_a_lecture_across_two_server_processes(two_servers: tuple[str, str]) -> None:
    """The lecturer on one process, every student and follower on the other: moves, pause, spotlight."""
    from tests.test_lecture import lecture

    lecture(*two_servers)
