"""`nn-playground bench --tfp DIR`: TensorFlow Playground's own engine timed interleaved with ours, as a ratio."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from pathlib import Path
from typing import Any

from server.tools import workloads

BUILD = "bash ../shared/reference/tfp-engine/build.sh DIR"
CPU_CLOCK = Path(__file__).with_name("bench_tfp_clock.js")  # preloaded: bench.js then times CPU, not wall


class HarnessMissing(RuntimeError):
    """No Node, or DIR is not a build of the harness: the message says what to do."""


def harness(tfp_dir: str | Path) -> Path:
    """The harness's bench.js in DIR, after checking that Node and the build are there."""
    if shutil.which("node") is None:
        raise HarnessMissing("--tfp needs Node (apt-get install -y nodejs npm), which is not on the PATH")
    d = Path(tfp_dir)
    script = d / "bench.js"
    if not script.is_file() or not (d / "nn.js").is_file():
        raise HarnessMissing(f"{d} holds no build of TensorFlow Playground's engine (bench.js and nn.js); "
                             f"build it with: {BUILD}")
    return script


def tfp_epochs_per_s(script: Path, workload: str, seconds: float, runs: int = 5, clock: str = "wall") -> float:
    """TFP's oneStep() epochs per second on one workload: the median of `runs` timed runs, in a Node process."""
    pre = ["-r", str(CPU_CLOCK)] if clock == "cpu" else []
    out = subprocess.run(["node", *pre, str(script), f"{seconds:g}", str(runs), workload], capture_output=True,
                         text=True, timeout=120 + 10 * seconds * runs, check=False)
    if out.returncode != 0:
        raise HarnessMissing(f"node {script} failed ({out.returncode}): {out.stderr.strip()[-400:]}")
    rates = json.loads(out.stdout.strip().splitlines()[-1])
    if workload not in rates:
        raise HarnessMissing(f"{script} knows no workload {workload!r} (it printed {sorted(rates)})")
    return float(rates[workload])


def side_by_side(tfp_dir: str | Path, seconds: float, rounds: int = 3, names: list[str] | None = None,
                 clock: str = "wall") -> dict[str, dict[str, Any]]:
    """Per workload, `rounds` rounds of TFP then ours back to back; the ratio is the median of the rounds' ratios,
    so a minute when the shared machine is busy slows both sides of the same round. `clock` "cpu": both sides
    count their process's CPU time instead (on a machine shared with other work, the wall clock mostly measures
    the others)."""
    script = harness(tfp_dir)
    out: dict[str, dict[str, Any]] = {}
    for w in workloads.WORKLOADS:
        if names and w.name not in names:
            continue
        tfp, ours = [], []
        for r in range(rounds):  # who goes first alternates: neither side always gets the fresher minute
            for side in ("tfp", "ours") if r % 2 == 0 else ("ours", "tfp"):
                if side == "tfp":  # 5 runs of seconds/4 to seconds/2 each, as long as ours
                    tfp.append(tfp_epochs_per_s(script, w.name, seconds / 4, clock=clock))
                else:
                    ours.append(workloads.epochs_per_s(w, fused=True, seconds=seconds, clock=clock))
        out[w.name] = {"tfp_epochs_per_s": statistics.median(tfp), "epochs_per_s": statistics.median(ours),
                       "ratio": statistics.median(o / t for o, t in zip(ours, tfp, strict=True)),
                       "ratios": [o / t for o, t in zip(ours, tfp, strict=True)], "what": w.what}
    return out


def table(rows: dict[str, dict[str, Any]], rounds: int) -> str:
    lines = [f"| workload | TF Playground epochs/s (Node, this run) | ours epochs/s | x TF Playground, median of "
             f"{rounds} rounds (each round's) |", "|---|---:|---:|---:|"]
    for name, r in rows.items():
        each = " / ".join(f"{x:.1f}" for x in r["ratios"])
        lines.append(f"| {name} ({r['what']}) | {r['tfp_epochs_per_s']:,.0f} | {r['epochs_per_s']:,.0f} | "
                     f"{r['ratio']:.1f} ({each}) |")
    return "\n".join(lines)
