"""`nn-playground bench`'s live figures: a server subprocess, frames and latency over a websocket, memory."""

from __future__ import annotations

import asyncio
import json
import statistics
import time

from server import codec
from server.tools.harness import FLAT_OUT, ServerProcess


async def _frames_and_latency(url: str, demo: str, seconds: float) -> dict[str, float]:
    import websockets

    async with websockets.connect(f"{url}/ws/{demo}", max_size=None) as ws:
        await ws.recv()  # hello
        await ws.send(FLAT_OUT)
        await ws.send(json.dumps({"type": "play"}))
        # Frames per second while training runs flat out.
        t0, frames, first_it, last_it = time.perf_counter(), 0, None, 0
        while time.perf_counter() - t0 < seconds:
            msg = codec.read(await ws.recv())
            if msg["type"] == codec.TYPE:
                frames += 1
                first_it = msg["iteration"] if first_it is None else first_it
                last_it = msg["iteration"]
        fps = frames / (time.perf_counter() - t0)
        its = (last_it - (first_it or 0)) / (time.perf_counter() - t0)
        # Command to first frame that shows it (training still running).
        latencies = []
        for i in range(40):
            lr = 0.05 + i * 1e-3
            sent = time.perf_counter()
            await ws.send(json.dumps({"type": "set", "lr": lr}))
            while True:
                text = await ws.recv()
                if codec.is_frame(text) and abs(codec.read_head(text)["lr"] - lr) < 1e-12:
                    latencies.append((time.perf_counter() - sent) * 1000)
                    break
            await asyncio.sleep(0.02)
        return {"frames_per_s": fps, "trained_its_per_s": its, "command_latency_ms": statistics.median(latencies),
                "command_latency_p95_ms": sorted(latencies)[int(0.95 * len(latencies)) - 1]}


async def _session_memory(srv: ServerProcess, demo: str, n: int) -> dict[str, float]:
    import websockets

    url = srv.url

    def rss_kib() -> int:
        return srv.status()["VmRSS"]

    base = rss_kib()
    conns = [await websockets.connect(f"{url}/ws/{demo}", max_size=None) for _ in range(n)]
    for c in conns:
        await c.recv()
    await asyncio.sleep(1.0)
    idle = (rss_kib() - base) / n
    for c in conns:
        await c.send(FLAT_OUT)
        await c.send(json.dumps({"type": "play"}))
    await asyncio.sleep(3.0)
    training = (rss_kib() - base) / n
    for c in conns:
        await c.close()
    return {"idle_session_kib": idle, "training_session_kib": training, "server_rss_mib": rss_kib() / 1024}


def live_figures(seconds: float) -> dict[str, float]:
    from models.registry import DEMOS

    demo = "knockout" if "knockout" in DEMOS else "autoencoder"
    with ServerProcess() as srv:
        out = asyncio.run(_frames_and_latency(srv.url, demo, seconds))
        out["live_demo"] = demo  # type: ignore[assignment]
    # The default NNP_FPS (30) caps what a page gets; at 60 (a display's rate) the same page shows what the
    # server can deliver while training flat out.
    with ServerProcess({"NNP_FPS": "60"}) as srv:
        fast = asyncio.run(_frames_and_latency(srv.url, demo, seconds))
        out["frames_per_s_at_fps_60"] = fast["frames_per_s"]
        out["command_latency_ms_at_fps_60"] = fast["command_latency_ms"]
    with ServerProcess() as srv:
        out.update(asyncio.run(_session_memory(srv, "autoencoder", 20)))
    return out
