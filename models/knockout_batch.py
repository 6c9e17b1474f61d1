"""Many seeds at once: wide-then-pruned versus narrow-from-scratch, run inside the demo's training slices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("pruned", "narrow")  # the two experiments, each the CLI preset of the same name ("prune", "narrow")
PRESET = {"pruned": "prune", "narrow": "narrow"}


@dataclass
class BatchRun:
    kind: str  # "pruned": wide from scratch, then one knockout per column down to two; "narrow": two from scratch
    seed: int
    status: str = "queued"  # queued | running | solved | stuck
    iteration: int = 0
    solved_at: int | None = None  # first solve from scratch
    retrain_steps: list[int | None] = field(default_factory=list)  # "pruned" only

    @property
    def finished(self) -> bool:
        return self.status in ("solved", "stuck")


class Batch:
    """Runs the `prune` and `narrow` presets for seeds seed0..seed0+seeds-1, one run at a time, each for at most
    `steps` iterations. A run is solved when its preset's goal is met (pruned: solved again at two per column;
    narrow: solved), stuck when its budget runs out first. The same seeds give the same numbers as
    `nn-playground run knockout --preset prune|narrow --seeds K --steps S`."""

    def __init__(self, make: Callable[[int, str], Any], seed0: int, seeds: int, steps: int) -> None:
        self.make, self.seed0, self.seeds, self.steps = make, seed0, seeds, steps
        self.runs = [BatchRun(kind, s) for s in range(seed0, seed0 + seeds) for kind in KINDS]
        self.cancelled = False
        self._demo: Any = None  # the KnockoutDemo of the run in progress

    @property
    def active(self) -> bool:
        return not self.cancelled and any(not r.finished for r in self.runs)

    def cancel(self) -> None:
        self.cancelled, self._demo = True, None
        for r in self.runs:
            if r.status == "running":
                r.status, r.iteration = "queued", 0

    def advance(self, n: int) -> None:
        """Spend up to n training iterations on the runs still to do."""
        while n > 0 and self.active:
            run = next(r for r in self.runs if not r.finished)
            if self._demo is None:
                self._demo = self.make(run.seed, PRESET[run.kind])
                run.status = "running"
            k = min(n, self.steps - self._demo.iteration)
            self._demo.train(k)
            n -= k
            self._update(run)

    def _update(self, run: BatchRun) -> None:
        demo = self._demo
        run.iteration, run.solved_at = demo.iteration, demo.tracked.solved_at
        run.retrain_steps = demo.tracked.retrain_steps() if run.kind == "pruned" else []
        goal = demo.tracked.prune_done() if run.kind == "pruned" else demo.tracked.solved_at is not None
        if goal or demo.iteration >= self.steps:
            run.status = "solved" if goal else "stuck"
            self._demo = None

    def summary(self) -> dict[str, Any]:
        counts = {k: {s: sum(r.kind == k and r.status == s for r in self.runs) for s in ("solved", "stuck")}
                  for k in KINDS}
        return {"seeds": self.seeds, "seed0": self.seed0, "steps": self.steps, "active": self.active,
                "cancelled": self.cancelled, "done": sum(r.finished for r in self.runs), "total": len(self.runs),
                "counts": counts, "runs": [asdict(r) for r in self.runs]}

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        """Finished runs are kept; a run in progress starts again after a restore (same seed, same result)."""
        runs = [asdict(r) if r.finished else asdict(BatchRun(r.kind, r.seed)) for r in self.runs]
        return {"seed0": self.seed0, "seeds": self.seeds, "steps": self.steps, "cancelled": self.cancelled,
                "runs": runs}

    @classmethod
    def from_state(cls, make: Callable[[int, str], Any], state: dict[str, Any]) -> Batch:
        b = cls(make, state["seed0"], state["seeds"], state["steps"])
        b.runs = [BatchRun(**r) for r in state["runs"]]
        b.cancelled = state["cancelled"]
        return b
