"""`nn-playground loadtest`: a simulated classroom against a server subprocess; prints frame rates, latency, memory."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server import progress
from server.tools.lean_ws import LeanSocket

# Measured flat out, as docs/performance.md reports: a demo's own default speed is for watching
FLAT_OUT = json.dumps({"type": "set", "speed": 0})

MAX_STUDENTS = 1000  # bounded: at most this many students and as many followers
MAX_SECONDS = 600.0
WARMUP_S = 3.0  # after everyone has connected, before counting
COMMAND_EVERY_S = 1.0  # each student clicks about this often (select a sample, or change the learning rate)
LECTURE = ["autoencoder", "knockout", "boundary", "sigmoid"]  # the demos a lecture moves through, in order
ROOT = Path(__file__).resolve().parents[2]


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


def head(text: str) -> dict[str, Any]:
    """The scalar fields of a frame, without decoding its (much longer) losses and network."""
    cut = text.find(',"restart"')
    return json.loads(text[:cut] + "}") if cut > 0 else json.loads(text)


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q / 100 * (len(xs) - 1))))]


# ---------------------------------------------------------------- the server
def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, db: str, students: int, fps: float | None, redis_url: str = "") -> subprocess.Popen[bytes]:
    # Every simulated page comes from 127.0.0.1: one address, as a class behind one NAT would be, so no per-client cap
    env = {**os.environ, "NNP_DB_PATH": db, "NNP_MAX_SESSIONS": str(2 * students + 50), "NNP_DEVICE": "cpu",
           "NNP_REDIS_URL": redis_url, "NNP_MAX_PAGES_PER_CLIENT": "0"}
    if fps:
        env["NNP_FPS"] = str(fps)
    return subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_redis(port: int) -> subprocess.Popen[bytes]:
    """A throwaway redis-server for a several-process run (Debian's redis-server package)."""
    import shutil

    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(exe).exists():
        raise SystemExit("--processes above 1 needs redis-server (Debian package redis-server)")
    return subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def http(method: str, url: str, body: dict[str, Any] | None = None, key: str | None = None) -> dict[str, Any]:
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json", **({"X-Room-Key": key} if key else {})})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


async def wait_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            await asyncio.to_thread(http, "GET", f"{base}/healthz")
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise SystemExit("the server did not come up")


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM in kB and CPU ticks of a process, from /proc."""
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    out["ticks"] = int(fields[11]) + int(fields[12])  # utime + stime
    return out


# ---------------------------------------------------------------- the clients
async def student(url: str, c: Client, window: Window, stop: asyncio.Event, seed: int) -> None:
    rng = random.Random(seed)
    pending: dict[tuple[str, str], tuple[float, float]] = {}  # (field, its JSON text in a frame) -> (value, sent)
    last_text = ""
    async with _connect(url) as ws:
        hello = json.loads(await ws.recv())
        if hello["type"] != "hello":
            c.errors.append(hello.get("message", str(hello)))
            return
        await ws.send(FLAT_OUT)
        await ws.send(json.dumps({"type": "play"}))
        n_samples = 1

        async def clicks() -> None:
            k = 0
            await asyncio.sleep(rng.uniform(0, COMMAND_EVERY_S))
            while not stop.is_set():
                k += 1
                if k % 2:  # a learning rate nobody else has: the frame that carries it answers this command
                    lr = round(0.5 + seed * 1e-3 + k * 1e-7, 10)
                    pending[("lr", f'"lr":{json.dumps(lr)},')] = (lr, time.monotonic())
                    await ws.send(json.dumps({"type": "set", "lr": lr}))
                else:  # clicking through the samples, as a student does (not timed: a sample may repeat)
                    await ws.send(json.dumps({"type": "select", "sample": (k // 2) % n_samples}))
                await asyncio.sleep(rng.uniform(0.5, 1.5) * COMMAND_EVERY_S)

        clicker = asyncio.create_task(clicks())
        closer = asyncio.create_task(_close_on(stop, ws))
        try:
            async for text in ws:
                now = time.monotonic()
                if not text.startswith('{"type":"frame"'):
                    msg = json.loads(text)
                    if msg["type"] == "error":
                        c.errors.append(msg["message"])
                    continue
                # The client must not eat the cores the server is measured on: a frame is decoded only when it
                # matters (first and last in the window, the first one showing a command), else matched as text.
                if n_samples == 1 and '"samples":' in text:
                    n_samples = max(1, len(json.loads(text[text.index(',"demo":') + 8 : -1]).get("samples", [])))
                if window.inside(now):
                    c.frames += 1
                    if c.first_it is None:
                        c.first_it = head(text)["iteration"]
                    last_text = text
                top = text[:400]
                for key in [k for k in pending if k[1] in top]:
                    if window.inside(pending[key][1]):
                        c.latencies.append(now - pending[key][1])
                    del pending[key]
        finally:
            clicker.cancel()
            closer.cancel()
            if last_text:
                c.last_it = head(last_text)["iteration"]


async def follower(base: str, code: str, demo: str, c: Client, window: Window, stop: asyncio.Event) -> None:
    """A follower page: when the room shows another demo, it opens that demo's follower view (as the lecture
    page's frame does)."""
    while not stop.is_set():
        async with _connect(f"ws://{base}/ws/{demo}?follow={code}") as ws:
            closer = asyncio.create_task(_close_on(stop, ws))
            async for text in ws:
                if text.startswith('{"type":"frame"'):
                    if window.inside(time.monotonic()):
                        c.frames += 1
                elif '"type":"room"' in text:
                    msg = json.loads(text)
                    c.room_seen.setdefault(msg["version"], time.monotonic())
                    if msg["shown_demo"] != demo:
                        demo = msg["shown_demo"]
                        break
                elif '"type":"error"' in text:
                    c.errors.append(json.loads(text)["message"])
            closer.cancel()


async def lecture_page(url: str, c: Client, stop: asyncio.Event) -> None:
    """A student's lecture page (/join/CODE): it hears of every room change on /ws/rooms/CODE."""
    async with _connect(url) as ws:
        closer = asyncio.create_task(_close_on(stop, ws))
        async for text in ws:
            msg = json.loads(text)
            if msg["type"] == "room":
                c.room_seen.setdefault(msg["version"], time.monotonic())
            elif msg["type"] == "error":
                c.errors.append(msg["message"])
        closer.cancel()


@contextlib.asynccontextmanager
async def _connect(url: str) -> AsyncIterator[LeanSocket]:
    ws = await LeanSocket.connect(url)
    try:
        yield ws
    finally:
        await ws.close()


async def _close_on(stop: asyncio.Event, ws: Any) -> None:
    """Ends a client's `async for` over its messages: the run is over, not the connection's fault."""
    await stop.wait()
    await ws.close()


async def guarded(coro: Any, c: Client) -> None:
    try:
        await coro
    except Exception as e:  # noqa: BLE001 - a dropped connection is a result to report, not a crash
        c.errors.append(f"{type(e).__name__}: {e}")


async def classroom(students: int, followers: int, seconds: float, demo: str, fps: float | None,
                    processes: int = 1, switches: int = 0) -> dict[str, Any]:
    """Start the server (or `processes` of them sharing rooms through a fresh redis-server, each client kept on
    one of them as a sticky load balancer would), run the class, stop everything."""
    ports = [free_port() for _ in range(processes)]
    bases = [f"127.0.0.1:{p}" for p in ports]
    helpers: list[subprocess.Popen[bytes]] = []
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            redis_url = ""
            if processes > 1:
                redis_port = free_port()
                helpers.append(start_redis(redis_port))
                redis_url = f"redis://127.0.0.1:{redis_port}/0"
            for i, port in enumerate(ports):
                procs.append(start_server(port, f"{tmp}/load{i}.sqlite3", students, fps, redis_url))
            for base, proc in zip(bases, procs, strict=True):
                await wait_up(f"http://{base}", proc)
            return await _run(procs, bases, students, followers, seconds, demo, switches)
        finally:
            for proc in procs + helpers:
                proc.terminate()
            for proc in procs + helpers:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
                if proc.stderr is not None:
                    proc.stderr.close()


def tree_status(procs: list[subprocess.Popen[bytes]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for proc in procs:
        for k, v in proc_status(proc.pid).items():
            total[k] = total.get(k, 0) + v
    return total


async def _run(procs: list[subprocess.Popen[bytes]], bases: list[str], students: int, followers: int,
               seconds: float, demo: str, switches: int = 0) -> dict[str, Any]:
    window, stop = Window(), asyncio.Event()
    lecturer = Client("lecturer")
    # The lecturer's pages: this demo, then the next ones of the lecture for each switch (all open at once, as
    # tabs; the room moves from one to the next during the run)
    order = [demo] + [d for d in LECTURE if d != demo]
    tabs = [order[i % len(order)] for i in range(switches + 1)]
    async with contextlib.AsyncExitStack() as stack:
        lwss = [await stack.enter_async_context(_connect(f"ws://{bases[0]}/ws/{d}")) for d in tabs]
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
        before, cpu0, t0 = tree_status(procs), resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
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
        after, cpu1, t1 = tree_status(procs), resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
        health = [await asyncio.to_thread(http, "GET", f"http://{base}/healthz") for base in bases]
        shown.close()
        stop.set()
        await asyncio.gather(*tasks)
        for drain in drains:
            drain.cancel()
    hz = os.sysconf("SC_CLK_TCK")
    return report(clients + pages + [lecturer], seconds, demo, {
        "switches": switch_delays(moves, pages + [c for c in clients if c.role == "follower"]),
        "processes": len(procs),
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


def switch_delays(moves: dict[int, float], pages: list[Client]) -> dict[str, Any]:
    """How long each page took to hear of each move of the room (from the lecturer's request); a page that never
    heard of one counts as missed."""
    delays = [c.room_seen[v] - t for v, t in moves.items() for c in pages if v in c.room_seen]
    missed = sum(1 for v in moves for c in pages if v not in c.room_seen)
    ms = [d * 1000 for d in delays]
    return {"moves": len(moves), "pages": len(pages), "seen": len(ms), "missed": missed,
            "median_ms": statistics.median(ms) if ms else None, "p95_ms": percentile(ms, 95) if ms else None,
            "max_ms": max(ms) if ms else None}


def report(clients: list[Client], seconds: float, demo: str, server: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"demo": demo, "seconds": seconds}
    for role in ("student", "follower"):
        rates = [c.frames / seconds for c in clients if c.role == role]
        out[role + "s"] = {"clients": len(rates), "fps_median": statistics.median(rates) if rates else None,
                           "fps_p5": percentile(rates, 5), "fps_min": min(rates) if rates else None}
    lat = [x * 1000 for c in clients for x in c.latencies]
    out["latency_ms"] = {"commands": len(lat), "median": statistics.median(lat) if lat else None,
                         "p95": percentile(lat, 95)}
    out["switches"] = server.pop("switches")
    its = [(c.last_it - c.first_it) / seconds for c in clients if c.role == "student" and c.first_it is not None]
    out["student_its_per_s"] = {"median": statistics.median(its) if its else None, "min": min(its) if its else None}
    errors = [e for c in clients for e in c.errors] + ["a page missed a switch"] * out["switches"]["missed"]
    out["errors"] = len(errors)
    out["error_examples"] = sorted(set(errors))[:5]
    out["server"] = server
    return out


def table(r: dict[str, Any]) -> str:
    s, f, lat, srv = r["students"], r["followers"], r["latency_ms"], r["server"]
    rows = [
        f"nn-playground load test: {s['clients']} students + {f['clients']} followers + 1 lecturer, "
        f"{r['seconds']:g} s, demo {r['demo']}, {srv['processes']} server process"
        + ("es sharing rooms through Redis" if srv["processes"] > 1 else ""),
        "",
        f"{'':10} {'clients':>8} {'frames/s median':>16} {'p5':>7} {'min':>7}",
    ]
    for name, g in (("students", s), ("followers", f)):
        if g["clients"]:
            rows.append(f"{name:10} {g['clients']:>8} {g['fps_median']:>16.1f} {g['fps_p5']:>7.1f} "
                        f"{g['fps_min']:>7.1f}")
    if lat["commands"]:
        rows.append(f"command -> frame latency: median {lat['median']:.0f} ms, p95 {lat['p95']:.0f} ms "
                    f"({lat['commands']} commands)")
    sw = r["switches"]
    if sw["moves"]:
        rows.append(f"demo switches: {sw['moves']}, seen by {sw['seen']} of {sw['moves'] * sw['pages']} page "
                    f"deliveries: median {sw['median_ms']:.0f} ms, p95 {sw['p95_ms']:.0f} ms, max {sw['max_ms']:.0f} "
                    f"ms after the lecturer's move" + (f"; {sw['missed']} missed" if sw["missed"] else ""))
    its = r["student_its_per_s"]
    if its["median"] is not None:
        rows.append(f"training per student: median {its['median']:,.0f} it/s, min {its['min']:,.0f} it/s")
    rows.append(f"errors: {r['errors']}" + (f" (e.g. {r['error_examples'][0]})" if r["errors"] else ""))
    rows.append(f"server: RSS {srv['rss_mb']:.0f} MB (peak {srv['peak_rss_mb']:.0f} MB), CPU {srv['cpu_percent']:.0f}% "
                f"of one core, {srv['sessions']} sessions ({srv['running']} training); "
                f"load-test clients: CPU {srv['client_cpu_percent']:.0f}%; machine load average "
                f"{srv['load_average']:.2f}")
    rows.append(f"server pacing (median over the run): frames at {srv['paced_fps_median']:g}/s (NNP_FPS at most, "
                f"NNP_MIN_FPS at least), training {100 * srv['training_duty_median']:.0f}% of each round")
    return "\n".join(rows)


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
    result = asyncio.run(asyncio.wait_for(classroom(students, followers, seconds, demo, fps, processes, switches),
                                                limit))
    print(json.dumps(result) if as_json else table(result), flush=True)
    return result
