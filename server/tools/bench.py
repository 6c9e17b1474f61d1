"""`nn-playground bench`: training speed per workload, sessions at once, frames and latency, memory."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import torch

from models.nn.mlp import MLP
from server.tools.workloads import TF_PLAYGROUND, TF_PLAYGROUND_ON, WORKLOADS, epochs_per_s


def knockout_cliff_s() -> float:
    """Wall-clock seconds for the knockout lecture's 160,000 full-batch iterations of the wide net."""
    from models.registry import DEMOS

    if "knockout" in DEMOS:
        demo = DEMOS["knockout"](seed=0)
        demo.train(10)
        t0 = time.perf_counter()
        demo.train(160_000)
        return time.perf_counter() - t0
    w = WORKLOADS[1]
    net = MLP.create(w.spec, 0)
    x, y = w.data()
    net.fit(x, y, 10, 0.1)
    t0 = time.perf_counter()
    net.fit(x, y, 160_000, 0.1)
    return time.perf_counter() - t0


def sessions_at_once(counts: tuple[int, ...], seconds: float) -> dict[str, float]:
    """Iterations per second summed over N autoencoder sessions stepped fairly by one engine."""
    from models.demos.autoencoder.demo import AutoencoderDemo
    from server.engine import Engine
    from server.session import Session

    out = {}
    for n in counts:
        engine = Engine()
        sessions = [Session(AutoencoderDemo(seed=i)) for i in range(n)]
        for s in sessions:
            s.running, s.speed = True, 0.0
            engine.add(s)
        engine.tick()  # warm up
        start = sum(s.demo.iteration for s in sessions)
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            engine.tick()
        rate = (sum(s.demo.iteration for s in sessions) - start) / (time.perf_counter() - t0)
        least = min(s.demo.iteration for s in sessions)
        out[str(n)] = rate
        out[f"{n}_fairness"] = least / max(1, max(s.demo.iteration for s in sessions))
    return out


def batched_sessions(n: int, seconds: float, device: str = "cpu") -> float:
    """Iterations per second summed over n autoencoder sessions stepped as ONE batched computation (the GPU
    path, models/nn/batched.py) on `device`: each session still trains on its own data and weights."""
    from models.nn.batched import BatchedMLP

    w = WORKLOADS[2]
    nets = [MLP.create(w.spec, i) for i in range(n)]
    x, y = w.data()
    xs, ys = x.expand(n, *x.shape).clone(), y.expand(n, *y.shape).clone()
    batched = BatchedMLP(nets, device)
    batched.fit(xs, ys, 2, w.lr, 0, errors=False)
    epochs, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        batched.fit(xs, ys, 50, w.lr, 0, errors=False)
        epochs += 50
    if device != "cpu":
        torch.cuda.synchronize()
    return n * epochs / (time.perf_counter() - t0)


def training_speed(seconds: float, tfp_dir: str | None = None,
                   clock: str = "wall") -> tuple[dict[str, dict[str, Any]], str]:
    """Per workload: ours, eager torch and TensorFlow Playground's engine, and where TFP's figure comes from:
    with `tfp_dir` (a build of ../shared/reference/tfp-engine) timed in this run, interleaved with ours."""
    from server.tools import bench_tfp

    side = bench_tfp.side_by_side(tfp_dir, seconds, clock=clock) if tfp_dir else None
    workloads = {}
    for w in WORKLOADS:
        if side:
            fused, tfp, ratio = side[w.name]["epochs_per_s"], side[w.name]["tfp_epochs_per_s"], side[w.name]["ratio"]
        else:
            fused, tfp = epochs_per_s(w, fused=True, seconds=seconds, clock=clock), TF_PLAYGROUND[w.name]
            ratio = fused / tfp
        eager = epochs_per_s(w, fused=False, seconds=seconds / 4, clock=clock)
        workloads[w.name] = {"epochs_per_s": fused, "us_per_epoch": 1e6 / fused, "eager_torch_epochs_per_s": eager,
                             "tf_playground_epochs_per_s": tfp, "vs_tf_playground": ratio, "what": w.what}
        if side:
            workloads[w.name]["vs_tf_playground_rounds"] = side[w.name]["ratios"]
    source = (f"measured in this run, interleaved with ours, {clock} clock" if side
              else f"recorded on {TF_PLAYGROUND_ON}, not measured now")
    return workloads, source


def run_bench(quick: bool = False, tfp_dir: str | None = None, clock: str = "wall") -> dict[str, Any]:
    seconds = 0.5 if quick else 2.0
    workloads, source = training_speed(seconds, tfp_dir, clock)
    result: dict[str, Any] = {"workloads": workloads, "tf_playground_source": source,
                              "knockout_cliff_s": knockout_cliff_s()}
    result["sessions_its_per_s"] = sessions_at_once((1, 10, 100), 1.0 if quick else 3.0)
    result["batched_100_its_per_s"] = batched_sessions(100, 1.0 if quick else 3.0)
    if torch.cuda.is_available():
        for n in (100, 1000):
            result[f"batched_{n}_cuda_its_per_s"] = batched_sessions(n, 1.0 if quick else 3.0, "cuda")
    from server.tools import bench_frames

    result["frames"] = bench_frames.run(50 if quick else 200)
    from server.tools.bench_live import live_figures

    result.update(live_figures(2.0 if quick else 5.0))
    result["machine"] = {"cpus": os.cpu_count(), "torch": torch.__version__,
                         "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
                         "fused": os.environ.get("NNP_FUSED", "1") != "0"}
    return result


def table(r: dict[str, Any]) -> str:
    lines = ["| workload | epochs/s | us/epoch | eager torch epochs/s | TF Playground epochs/s "
             f"({r['tf_playground_source']}) | x TF Playground |", "|---|---:|---:|---:|---:|---:|"]
    for name, w in r["workloads"].items():
        rounds = w.get("vs_tf_playground_rounds")
        each = f" (rounds: {' / '.join(f'{x:.1f}' for x in rounds)})" if rounds else ""
        lines.append(f"| {name} ({w['what']}) | {w['epochs_per_s']:,.0f} | {w['us_per_epoch']:.2f} | "
                     f"{w['eager_torch_epochs_per_s']:,.0f} | {w['tf_playground_epochs_per_s']:,.0f} | "
                     f"{w['vs_tf_playground']:.1f}{each} |")
    s = r["sessions_its_per_s"]
    lines += ["", "| measure | value |", "|---|---:|",
              f"| knockout cliff: 160,000 iterations, wide net | {r['knockout_cliff_s']:.2f} s |",
              *(f"| iterations/s summed over {n} sessions (slowest/fastest {s[n + '_fairness']:.2f}) | {s[n]:,.0f} |"
                for n in ("1", "10", "100")),
              f"| iterations/s summed over 100 sessions as one batched computation (full batch, CPU) | "
              f"{r['batched_100_its_per_s']:,.0f} |",
              *(f"| iterations/s summed over {n} sessions as one batched computation on the GPU | "
                f"{r[f'batched_{n}_cuda_its_per_s']:,.0f} |"
                for n in (100, 1000) if f"batched_{n}_cuda_its_per_s" in r),
              f"| frames/s to one websocket client while training ({r['live_demo']}; NNP_FPS 30, the default) | "
              f"{r['frames_per_s']:.1f} |",
              f"| the same with NNP_FPS 60; its command to frame latency, median | {r['frames_per_s_at_fps_60']:.1f}; "
              f"{r['command_latency_ms_at_fps_60']:.1f} ms |",
              f"| iterations/s of that session while it is watched | {r['trained_its_per_s']:,.0f} |",
              f"| command to frame latency, median / p95 | {r['command_latency_ms']:.1f} / "
              f"{r['command_latency_p95_ms']:.1f} ms |",
              f"| memory of one idle / one training session | {r['idle_session_kib']:.0f} / "
              f"{r['training_session_kib']:.0f} KiB |",
              f"| server RSS with 20 sessions | {r['server_rss_mib']:.0f} MiB |"]
    if "frames" in r:
        from server.tools import bench_frames

        lines += ["", bench_frames.table(r["frames"])]
    return "\n".join(lines)


def main(as_json: bool, quick: bool, page: bool = False, tfp_dir: str | None = None, clock: str = "wall") -> None:
    from server.config import Settings
    from server.tools import bench_tfp

    if tfp_dir:
        try:  # before minutes of measuring, not after
            bench_tfp.harness(tfp_dir)
        except bench_tfp.HarnessMissing as e:
            sys.exit(f"nn-playground bench: {e}")
    torch.set_num_threads(Settings.from_env().torch_threads)  # as `serve` and `run` do
    r = run_bench(quick, tfp_dir, clock)
    if page:
        from server.tools import bench_page

        r["pages"] = bench_page.run(2.0 if quick else 5.0)
    print(json.dumps(r) if as_json else table(r) + ("\n\n" + bench_page.table(r["pages"]) if page else ""))
