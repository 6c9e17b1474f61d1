"""`nn-playground bench`'s frames: Python time and bytes of one student frame per demo (binary, server/codec.py)."""

from __future__ import annotations

import statistics
import time
from typing import Any

from server.session import Session

# (row, demo, command applied first or None): every demo as it opens, the sigmoid's other view (the slides' 30
# sigmoids: the most curves), and the decision-boundary network that draws the most (96 hidden neurons, each with
# its heatmap, on 7 features)
CASES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("autoencoder", "autoencoder", None),
    ("sigmoid", "sigmoid", None),
    ("sigmoid, function view, 30 sigmoids", "sigmoid", {"type": "preset", "name": "sin-30"}),
    ("knockout", "knockout", None),
    ("convolution", "convolution", None),
    ("boundary", "boundary", None),
    ("boundary, 6 x 16 hidden, 7 features", "boundary",
     {"type": "configure", "hidden": [16] * 6, "activation": "tanh",
      "features": ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2"]}),
]


def frame_cost(demo: str, command: dict[str, Any] | None, frames: int) -> dict[str, float]:
    """A student's frame after every training slice, as the frame pump asks for it (a fresh snapshot, its binary
    frame and the watcher's loss points): Python time per frame (median and p90, this thread's CPU time: what a
    frame costs the one GIL, however busy the machine) and its size in bytes. Training between frames is not
    timed."""
    import json

    from models.registry import DEMOS
    from server import protocol

    cls = DEMOS[demo]
    s = Session(cls(seed=0))
    if command is not None:
        s.apply(protocol.parse(cls, json.dumps(command)))
    s.running, s.speed = True, 0.0  # flat out: every slice trains, so every frame is new
    since, epoch, times, sizes = -1, 0, [], []
    for _ in range(frames + 3):  # the first frames build caches (heatmap grids, views): not counted
        s.train_slice(0.0005)
        t0 = time.thread_time()
        data, since, epoch, _ = s.frame(since, epoch)
        times.append(time.thread_time() - t0)
        sizes.append(len(data))
    times, sizes = times[3:], sizes[3:]
    return {"us_per_frame": statistics.median(times) * 1e6,
            "us_per_frame_p90": sorted(times)[int(0.9 * len(times))] * 1e6,
            "bytes_per_frame": statistics.median(sizes)}


def session_memory(demo: str, command: dict[str, Any] | None, n: int = 10,
                   train_s: float = 0.05) -> dict[str, float]:
    """Memory per session of this demo: what `n` sessions hold (tracemalloc: Python objects and numpy arrays; not
    torch's own tensor storage, which for these networks and data sets is a few KiB) once idle (built, one frame
    drawn, as a page that just opened it) and once trained `train_s` seconds flat out (loss history, the frame's
    caches)."""
    import gc
    import json
    import tracemalloc

    from models.registry import DEMOS
    from server import protocol

    def train(s: Session) -> None:
        s.running, s.speed = True, 0.0
        end = time.perf_counter() + train_s
        while time.perf_counter() < end:
            s.train_slice(0.005)
        s.frame(-1, -1)

    cls = DEMOS[demo]
    warm = Session(cls(seed=0))
    warm.frame(-1, -1)
    train(warm)  # imports, compiled kernels, grids and caches every session shares: not counted
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        sessions = []
        for seed in range(n):
            s = Session(cls(seed=seed))
            if command is not None:
                s.apply(protocol.parse(cls, json.dumps(command)))
            s.frame(-1, -1)
            sessions.append(s)
        gc.collect()
        idle = (tracemalloc.get_traced_memory()[0] - base) / n / 1024
        for s in sessions:
            train(s)
        gc.collect()
        training = (tracemalloc.get_traced_memory()[0] - base) / n / 1024
    finally:
        tracemalloc.stop()
    return {"idle_session_kib": idle, "training_session_kib": training}


def run(frames: int = 200, memory: bool = True) -> dict[str, dict[str, float]]:
    rows = {name: frame_cost(demo, cmd, frames if "16" not in name else max(10, frames // 10))
            for name, demo, cmd in CASES}
    for name, demo, cmd in CASES if memory else ():
        rows[name].update(session_memory(demo, cmd, 10 if "16" not in name else 3))
    return rows


def table(rows: dict[str, dict[str, float]]) -> str:
    lines = ["| student frame (binary, as sent now) | Python us/frame, median / p90 | bytes/frame | "
             "memory per idle / training session (tracemalloc, KiB) |", "|---|---:|---:|---:|"]
    for name, r in rows.items():
        memory = (f"{r['idle_session_kib']:,.0f} / {r['training_session_kib']:,.0f}"
                  if "idle_session_kib" in r else "not measured")
        lines.append(f"| {name} | {r['us_per_frame']:,.0f} / {r['us_per_frame_p90']:,.0f} | "
                     f"{r['bytes_per_frame']:,.0f} | {memory} |")
    return "\n".join(lines)
