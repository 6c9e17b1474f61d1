"""`nn-playground run`: play a demo's lesson script without a browser, through the same session and engine."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from pydantic import BaseModel

from models.demo import Train
from models.registry import DEMOS
from server import progress, protocol
from server.engine import Engine
from server.progress import lines_between_bars
from server.session import Session


def emit(out: TextIO, obj: dict[str, Any]) -> None:
    with lines_between_bars():
        out.write(protocol.encode(obj) + "\n")
        out.flush()


def run_train(engine: Engine, session: Session, phase: Train, report: Callable[[], None],
              on_slice: Callable[[int], object] = lambda n: None) -> None:
    """Train one phase through the engine's slices; `until` is checked after every slice, `on_slice` is told the
    iterations each slice trained (a progress bar)."""
    target = session.demo.iteration + phase.steps
    session.pending_steps = phase.steps
    every = max(1, phase.steps // 20)
    next_report = session.demo.iteration + every
    while session.demo.iteration < target:
        cap = min(target - session.demo.iteration, next_report - session.demo.iteration)
        if phase.check_every > 0:
            cap = min(cap, phase.check_every)
        before = session.demo.iteration
        session.train_slice(engine.slice_s, cap=cap)
        on_slice(session.demo.iteration - before)
        if session.status:
            break
        if session.demo.iteration >= next_report:
            report()
            next_report += every
        if phase.until is not None and phase.until():
            break
    session.pending_steps = 0


def run(demo: str, preset: str, steps: int | None, seed: int, seeds: int = 1, device: str = "cpu",
        out: TextIO = sys.stdout, dropout: float | None = None, curves: bool = False) -> dict[str, Any]:
    """Run the preset's script for seeds seed..seed+seeds-1; prints progress lines and returns the final one.

    `dropout`: the demo's own dropout command is sent first, as the page's toggle would. `curves`: the final
    dict returned (not the line printed) also carries every seed's loss curve as the chart keeps it, for --plot.
    """
    if demo not in DEMOS:
        raise SystemExit(f"no demo {demo!r}; there are {', '.join(DEMOS)}")
    cls = DEMOS[demo]
    if preset not in cls.presets:
        raise SystemExit(f"{demo} has no preset {preset!r}; it has {', '.join(cls.presets)}")
    if dropout is not None and "dropout" not in protocol.command_types(cls):
        have = [n for n, c in DEMOS.items() if "dropout" in protocol.command_types(c)]
        raise SystemExit(f"{demo} has no dropout; {', '.join(have)} have")
    engine = Engine(slice_s=0.05)
    results, lines = [], []
    t0 = time.perf_counter()
    # the bar's total grows as the script reaches each training phase (a phase may stop early: `until`)
    shown = progress.bar(f"{demo} {preset}", 0, "it")
    for s in range(seed, seed + seeds):
        session = Session(cls(seed=s, device=device, preset=preset))
        if dropout is not None:
            session.apply(protocol.parse(cls, protocol.encode({"type": "dropout", "on": True, "p": dropout})))
        for item in session.demo.script(steps):
            match item:
                case Train():

                    def report(session: Session = session, label: str = item.label) -> None:
                        emit(out, {"seed": session.demo.seed, "phase": label, "step": session.demo.iteration,
                                   "loss": session.loss_log[-1][1] if session.loss_log else None})

                    shown.total += item.steps
                    run_train(engine, session, item, report, shown.update)
                    report()
                case BaseModel():
                    session.apply(item)
                case _:
                    raise AssertionError(f"a script yields commands or Train, got {item!r}")
        results.append(session.demo.results() | {"step": session.demo.iteration, "status": session.status})
        if curves:
            lines.append({"seed": s, "loss": list(session.loss_log), "result": results[-1]})
    shown.close()
    final = results[0] if seeds == 1 else cls.aggregate(results)
    final = {"final": True, "demo": demo, "preset": preset, "seed": seed, **final,
             "wall_s": round(time.perf_counter() - t0, 3)}
    if dropout is not None:
        final["dropout"] = dropout
    emit(out, final)
    if curves:  # returned, not printed: thousands of points per seed
        final["curves"] = lines
    return final


def run_lesson(demo: str, k: int, device: str = "cpu", out: TextIO = sys.stdout) -> dict[str, Any]:
    """Build step k of the demo's lesson exactly as the page does and train it to its end; prints progress lines
    and a final line with the demo's results and where the step paused."""
    from server import lesson

    if demo not in DEMOS:
        raise SystemExit(f"no demo {demo!r}; there are {', '.join(DEMOS)}")
    cls = DEMOS[demo]
    t0 = time.perf_counter()
    try:
        step = lesson.check_step(cls, k)
    except ValueError as e:
        raise SystemExit(str(e)) from None

    def report() -> None:
        emit(out, {"lesson_step": k, "step": session.demo.iteration,
                   "loss": session.loss_log[-1][1] if session.loss_log else None})

    session = lesson.build(cls, k, device, progress=report)
    lesson.finish(session, report)
    final = {"final": True, "demo": demo, "lesson_step": k, "title": step.title, "expect": step.expect,
             **session.demo.results(), "step": session.demo.iteration, "solved": session.demo.solved(),
             "status": session.status, "wall_s": round(time.perf_counter() - t0, 3)}
    emit(out, final)
    return final
