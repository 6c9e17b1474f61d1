"""`nn-playground loadtest`: a simulated classroom against a server subprocess; prints frame rates, latency, memory."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from server import progress
from server.tools.harness import FLAT_OUT, ServerProcess, free_port, http
from server.tools.loadtest_report import report, switch_delays, table
from server.tools.pages import Client, Window, connect, follower, guarded, lecture_page, student

MAX_STUDENTS = 1000  # bounded: at most this many students and as many followers
MAX_SECONDS = 600.0
WARMUP_S = 3.0  # after everyone has connected, before counting
LECTURE = ["autoencoder", "knockout", "boundary", "sigmoid"]  # the demos a lecture moves through, in order


# ---------------------------------------------------------------- the servers
def server(students: int, fps: float | None, redis_url: str = "") -> ServerProcess:
    # Every simulated page comes from 127.0.0.1: one address, as a class behind one NAT would be, so no per-client cap
    env = {"NNP_MAX_SESSIONS": str(2 * students + 50), "NNP_DEVICE": "cpu", "NNP_REDIS_URL": redis_url,
           "NNP_MAX_PAGES_PER_CLIENT": "0"}
    if fps:
        env["NNP_FPS"] = str(fps)
    return ServerProcess(env)


def start_redis(port: int) -> subprocess.Popen[bytes]:
    """A throwaway redis-server for a several-process run (Debian's redis-server package)."""
    import shutil

    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(exe).exists():
        raise SystemExit("--processes above 1 needs redis-server (Debian package redis-server)")
    return subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def classroom(students: int, followers: int, seconds: float, demo: str, fps: float | None,
                    processes: int = 1, switches: int = 0) -> dict[str, Any]:
    """Start the server (or `processes` of them sharing rooms through a fresh redis-server, each client kept on
    one of them as a sticky load balancer would), run the class, stop everything."""
    redis: subprocess.Popen[bytes] | None = None
    servers: list[ServerProcess] = []
    try:
        redis_url = ""
        if processes > 1:
            redis_port = free_port()
            redis = start_redis(redis_port)
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
        servers = [server(students, fps, redis_url).start() for _ in range(processes)]
        for srv in servers:
            await asyncio.to_thread(srv.wait_up)
        return await _run(servers, students, followers, seconds, demo, switches)
    finally:
        for srv in servers:
            srv.stop()
        if redis is not None:
            redis.terminate()
            redis.wait(30)


def tree_status(servers: list[ServerProcess]) -> dict[str, int]:
    total: dict[str, int] = {}
    for srv in servers:
        for k, v in srv.status().items():
            total[k] = total.get(k, 0) + v
    return total


async def _run(servers: list[ServerProcess], students: int, followers: int, seconds: float, demo: str,
               switches: int = 0) -> dict[str, Any]:
    window, stop = Window(), asyncio.Event()
    bases = [srv.base for srv in servers]
    lecturer = Client("lecturer")
    # The lecturer's pages: this demo, then the next ones of the lecture for each switch (all open at once, as
    # tabs; the room moves from one to the next during the run)
    order = [demo] + [d for d in LECTURE if d != demo]
    tabs = [order[i % len(order)] for i in range(switches + 1)]
    async with contextlib.AsyncExitStack() as stack:
        lwss = [await stack.enter_async_context(connect(f"ws://{bases[0]}/ws/{d}")) for d in tabs]
        sids = [json.loads(await lws.recv())["session"] for lws in lwss]
        room = await asyncio.to_thread(http, "POST", f"http://{bases[0]}/api/rooms", {"session": sids[0]})
        code, key = room["code"], room["key"]
        for lws in lwss:
            await lws.send(FLAT_OUT)
            await lws.send(json.dumps({"type": "play"}))
        clients = [Client("student") for _ in range(students)] + [Client("follower") for _ in range(followers)]
        pages = [Client("lecture page") for _ in range(students if switches else 0)]
        tasks = []
        for i, c in enumerate(clients):  # a class arrives over a few seconds, not in one instant
            base = bases[i % len(bases)]
            if c.role == "student":
                coro = student(f"ws://{base}/ws/{demo}?join={code}", c, window, stop, i)
            else:
                coro = follower(base, code, demo, c, window, stop)
            tasks.append(asyncio.create_task(guarded(coro, c)))
            if i < len(pages):  # each student's page has its lecture socket too
                tasks.append(asyncio.create_task(guarded(lecture_page(f"ws://{base}/ws/rooms/{code}", pages[i],
                                                                      stop), pages[i])))
            await asyncio.sleep(0.01)
        drains = [asyncio.create_task(_drain(lws)) for lws in lwss]
        window.start = time.monotonic() + WARMUP_S
        window.end = window.start + seconds
        shown = progress.bar(f"{students} students, {followers} followers", round(WARMUP_S + seconds), "s")
        await asyncio.sleep(WARMUP_S)
        shown.update(WARMUP_S)
        before, cpu0, t0 = tree_status(servers), resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
        pacing = []  # the servers' own view, sampled through the run: the frame rate they pace pages at
        ticks = max(1, int(seconds))
        at = {ticks * (j + 1) // (switches + 1): j + 1 for j in range(switches)}  # tick -> tab to move to
        moves: dict[int, float] = {}  # room version -> when the lecturer asked for it
        for tick in range(ticks):
            if tick in at:
                sent = time.monotonic()
                try:
                    r = await asyncio.to_thread(http, "POST", f"http://{bases[0]}/api/rooms/{code}/move",
                                                {"session": sids[at[tick]]}, key)
                    moves[r["version"]] = sent
                except OSError as e:
                    lecturer.errors.append(f"moving the room failed: {e}")
            await asyncio.sleep(seconds / ticks)
            shown.update(seconds / ticks)
            for base in bases:
                try:
                    h = await asyncio.to_thread(http, "GET", f"http://{base}/healthz")
                except OSError as e:  # a server too busy to answer is a finding, not the end of the test
                    lecturer.errors.append(f"/healthz of {base} did not answer: {e}")
                    continue
                pacing.append((h.get("fps", 0.0), h.get("training_duty", 1.0)))
        after, cpu1, t1 = tree_status(servers), resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
        health = [await asyncio.to_thread(http, "GET", f"http://{base}/healthz") for base in bases]
        shown.close()
        stop.set()
        await asyncio.gather(*tasks)
        for drain in drains:
            drain.cancel()
    hz = os.sysconf("SC_CLK_TCK")
    return report(clients + pages + [lecturer], seconds, demo, {
        "switches": switch_delays(moves, pages + [c for c in clients if c.role == "follower"]),
        "processes": len(servers),
        "rss_mb": after["VmRSS"] / 1024, "peak_rss_mb": after["VmHWM"] / 1024,
        "cpu_percent": 100 * (after["ticks"] - before["ticks"]) / hz / (t1 - t0),
        "client_cpu_percent": 100 * (cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime) / (t1 - t0),
        "sessions": sum(h["sessions"] for h in health), "running": sum(h["running"] for h in health),
        "paced_fps_median": statistics.median(p[0] for p in pacing) if pacing else float("nan"),
        "training_duty_median": statistics.median(p[1] for p in pacing) if pacing else float("nan"),
        "load_average": os.getloadavg()[0],  # the machine's own business, besides this run
    })


async def _drain(ws: Any) -> None:
    async for _ in ws:
        pass



def run_loop(coro: Any) -> Any:
    """The simulated class on uvloop where it is installed (uvicorn[standard] brings it, not on Windows): its
    C transports cost the clients about a fifth less CPU per frame than asyncio's, CPU the servers measured on the
    same cores get instead (docs/performance.md, "Classroom load")."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def main(students: int, followers: int | None, seconds: float, demo: str = "autoencoder", fps: float | None = None,
         as_json: bool = False, processes: int = 1, switches: int = 0) -> dict[str, Any]:
    if not (1 <= students <= MAX_STUDENTS) or not (0 < seconds <= MAX_SECONDS):
        raise SystemExit(f"--students must be in 1..{MAX_STUDENTS} and --seconds in (0, {MAX_SECONDS:g}]")
    followers = students if followers is None else followers
    if not 0 <= followers <= MAX_STUDENTS:
        raise SystemExit(f"--followers must be in 0..{MAX_STUDENTS}")
    if not 1 <= processes <= 8:
        raise SystemExit("--processes must be in 1..8")
    if not 0 <= switches <= 10:
        raise SystemExit("--switches must be in 0..10")
    # the whole run is bounded: connecting, warming up, measuring, and closing
    limit = seconds + WARMUP_S + 0.05 * (students + followers) + 180
    coro = asyncio.wait_for(classroom(students, followers, seconds, demo, fps, processes, switches), limit)
    result = run_loop(coro)
    print(json.dumps(result) if as_json else table(result), flush=True)
    return result
