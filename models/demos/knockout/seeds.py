"""Many seeds at once: wide-then-pruned versus narrow-from-scratch, run inside the demo's training slices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from models.nn.dropout import Dropout

KINDS = ("pruned", "narrow")  # the two experiments, each the CLI preset of the same name ("prune", "narrow")
# "dropout", when the batch has a rate: the wide net from scratch with dropout, against the pruned runs' wide solve
PRESET = {"pruned": "prune", "narrow": "narrow", "dropout": "wide"}


@dataclass
class BatchRun:
    kind: str  # "pruned": wide from scratch, then one knockout per column down to two; "narrow": two from scratch;
    # "dropout": wide from scratch with dropout
    seed: int
    status: str = "queued"  # queued | running | solved | stuck
    iteration: int = 0
    solved_at: int | None = None  # first solve from scratch
    retrain_steps: list[int | None] = field(default_factory=list)  # "pruned" only
    stuck_at: int | None = None  # the first budget it ran out of, if any (then "keep going" gave it more)

    @property
    def finished(self) -> bool:
        return self.status in ("solved", "stuck")


class Batch:
    """Runs the `prune` and `narrow` presets (and, with a dropout rate, `wide` with dropout) for seeds
    seed0..seed0+seeds-1, one run at a time, each for at most `steps` iterations. A run is solved when its preset's
    goal is met (pruned: solved again at two per column; the others: solved), stuck when its budget runs out
    first. The same seeds give the same numbers as `nn-playground run knockout --preset prune|narrow --seeds K
    --budget S` (and `--preset wide --dropout P`)."""

    def __init__(self, make: Callable[[int, str], Any], seed0: int, seeds: int, steps: int,
                 dropout: float = 0.0) -> None:
        self.make, self.seed0, self.seeds, self.steps, self.dropout = make, seed0, seeds, steps, dropout
        self.first_steps = steps  # the stated budget; `steps` grows when the user asks to keep going
        self.kinds = KINDS + (("dropout",) if dropout > 0 else ())
        self.runs = [BatchRun(kind, s) for s in range(seed0, seed0 + seeds) for kind in self.kinds]
        self.cancelled = False
        self._demo: Any = None  # the KnockoutDemo of the run in progress
        # Demos of runs that hit the budget, kept so that "keep going" resumes them where they stopped (in memory
        # only: after a restore a resumed run starts again from scratch, same seed, same result).
        self._parked: dict[tuple[str, int], Any] = {}

    def keep_going(self, steps: int) -> None:
        """Give every run that got stuck a larger budget, `steps`; they resume where they stopped."""
        if steps <= self.steps:
            raise ValueError(f"keep going needs a budget above the current {self.steps:,}, got {steps:,}")
        if not any(r.status == "stuck" for r in self.runs):
            raise ValueError("no run is stuck: there is nothing to keep going")
        self.steps, self.cancelled = steps, False
        for r in self.runs:
            if r.status == "stuck":
                r.status = "queued"

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
                self._demo = self._parked.pop((run.kind, run.seed), None) or self._start(run)
                run.status = "running"
            k = min(n, self.steps - self._demo.iteration)
            self._demo.train(k)
            n -= k
            self._update(run)

    def _start(self, run: BatchRun) -> Any:
        demo = self.make(run.seed, PRESET[run.kind])
        if run.kind == "dropout":
            demo.apply(Dropout(on=True, p=self.dropout))
        return demo

    def _update(self, run: BatchRun) -> None:
        demo = self._demo
        run.iteration, run.solved_at = demo.iteration, demo.tracked.solved_at
        run.retrain_steps = demo.tracked.retrain_steps() if run.kind == "pruned" else []
        goal = demo.tracked.prune_done() if run.kind == "pruned" else demo.tracked.solved_at is not None
        if goal or demo.iteration >= self.steps:
            run.status = "solved" if goal else "stuck"
            if not goal:
                run.stuck_at = run.stuck_at or self.steps
                self._parked[(run.kind, run.seed)] = demo
            self._demo = None

    def summary(self) -> dict[str, Any]:
        counts = {k: {s: sum(r.kind == k and r.status == s for r in self.runs) for s in ("solved", "stuck")}
                  | {"escaped": sum(r.kind == k and r.status == "solved" and r.stuck_at is not None
                                    for r in self.runs)} for k in self.kinds}
        return {"seeds": self.seeds, "seed0": self.seed0, "steps": self.steps, "first_steps": self.first_steps,
                "dropout": self.dropout, "kinds": list(self.kinds), "active": self.active,
                "cancelled": self.cancelled, "done": sum(r.finished for r in self.runs), "total": len(self.runs),
                "counts": counts, "runs": [asdict(r) for r in self.runs]}

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        """Finished runs are kept; a run in progress starts again after a restore (same seed, same result)."""
        runs = [asdict(r) if r.finished else asdict(BatchRun(r.kind, r.seed, stuck_at=r.stuck_at)) for r in self.runs]
        return {"seed0": self.seed0, "seeds": self.seeds, "steps": self.steps, "cancelled": self.cancelled,
                "runs": runs, "first_steps": self.first_steps, "dropout": self.dropout}

    @classmethod
    def from_state(cls, make: Callable[[int, str], Any], state: dict[str, Any]) -> Batch:
        b = cls(make, state["seed0"], state["seeds"], state["steps"], state.get("dropout", 0.0))
        b.first_steps = state.get("first_steps", state["steps"])  # sessions saved before "keep going" existed
        b.runs = [BatchRun(**r) for r in state["runs"]]
        b.cancelled = state["cancelled"]
        return b
