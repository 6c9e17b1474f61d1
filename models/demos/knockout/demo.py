"""Demo 3, neuron knockout: a 10 -> 5x10 -> 3 sigmoid net sits on a plateau, falls off a cliff, survives knockouts;
a narrow net trained from scratch gets stuck."""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from pydantic import BaseModel

from models.data import shadows
from models.demo import Demo, FitJob, Script, Train
from models.demos.knockout.commands import AutoPrune, KeepGoing, Knock, KnockOnePerColumn, Narrow, RunSeeds
from models.demos.knockout.config import LECTURE_SOLVE, KnockoutConfig
from models.demos.knockout.lesson import LESSON
from models.demos.knockout.net import TrackedNet
from models.demos.knockout.seeds import Batch
from models.fixed import Fixed
from models.nn.dropout import Dropout
from models.nn.mlp import MLP, MLPSpec


class KnockoutDemo(Demo):
    name = "knockout"
    title = "Neuron knockout"
    blurb = "Why wide nets train: the plateau, the cliff, knockouts and dropout."
    order = 3
    default_lr = KnockoutConfig.lr
    presets: ClassVar[tuple[str, ...]] = ("default", "wide", "narrow", "prune")  # default = wide
    commands: ClassVar[tuple[type[BaseModel], ...]] = (Knock, KnockOnePerColumn, AutoPrune, Narrow, Dropout, RunSeeds,
                                                       KeepGoing)
    lesson = LESSON
    solve_every = 0  # TrackedNet times every solve exactly and can stop training right there
    default_speed = 20_000.0  # the plateau lasts seconds, not a blink; "max" is one click away

    def __init__(self, seed: int = 0, device: str = "cpu", preset: str = "default") -> None:
        # What survives a reset (a new init of the same architecture): width, knockouts, dropout, the batch.
        self.cfg = KnockoutConfig()
        self.width = self.cfg.narrow_width if preset == "narrow" else self.cfg.width
        self.knocked: list[tuple[int, int]] = []
        self.dropout_on, self.dropout_p = False, self.cfg.dropout_p
        self.batch: Batch | None = None
        self.budget: int | None = None  # set by `script`: the most iterations `nn-playground run` trains
        super().__init__(seed, device, preset)

    def build(self) -> None:
        self.train_set, self.test_set = shadows.training_set(), shadows.test_set()
        self.x, self.y = shadows.tensors(self.train_set)
        self.test_x, _ = shadows.tensors(self.test_set)
        self.samples_view = Fixed(shadows.frame_view(self.test_set))  # the frame's fixed part, built once
        sizes = [shadows.LEVELS] + [self.width] * self.cfg.columns + [len(shadows.ANIMALS)]
        spec = MLPSpec(sizes, ["sigmoid"] * (len(sizes) - 1), loss="mse", reduction="sum",
                       init_scale=self.cfg.init_scale)
        net = MLP.create(spec, self.seed, self.device)
        for layer, unit in self.knocked:
            net.masks[layer - 1][unit] = 0.0
        net.dropout = self.dropout_p if self.dropout_on else 0.0
        self.tracked = TrackedNet(net, self.x, self.y, self.cfg.tol, dropout_seed=self.seed)
        if self.preset == "prune":
            self.tracked.set_prune(self.cfg.prune_to, 0)

    @property
    def net(self) -> MLP:
        return self.tracked.net

    def reset(self, seed: int | None = None) -> None:
        self.knocked = self.tracked.knocked()  # pruning may have knocked neurons out since the last command
        super().reset(seed)

    # ------------------------------------------------------------------ commands
    def apply(self, command: BaseModel) -> bool | None:
        """Every check comes before any change: a refused command leaves the demo as it was. True: a fresh net
        (the session restarts its clock and chart)."""
        match command:
            case Knock():
                if command.layer > self.cfg.columns or command.unit >= self.width:
                    raise ValueError(f"no hidden neuron {command.layer}.{command.unit}: columns 1..{self.cfg.columns}, "
                                     f"neurons 0..{self.width - 1}")
                self.tracked.knock(command.layer, command.unit, self.iteration)
            case KnockOnePerColumn():
                self.tracked.knock_one_per_column(self.iteration)
            case AutoPrune():
                if command.to >= self.width:
                    raise ValueError(f"prune to fewer than the {self.width} neurons per column there are, "
                                     f"got {command.to}")
                self.tracked.set_prune(command.to or None, self.iteration)
            case Narrow():
                self.width, self.knocked, self.iteration = command.width, [], 0
                self.build()
                return True
            case Dropout():
                self.dropout_on = command.on
                self.dropout_p = command.p if command.p is not None else self.dropout_p
                self.net.dropout = self.dropout_p if self.dropout_on else 0.0
                self.tracked.dropped = None
            case RunSeeds():
                if command.on:
                    self.batch = Batch(self._make, self.seed, command.seeds, command.steps, command.dropout)
                elif self.batch is not None:
                    self.batch.cancel()
            case KeepGoing():
                if self.batch is None:
                    raise ValueError("no many-seeds batch to keep going: run one first")
                self.batch.keep_going(command.steps or max(self.cfg.keep_going_budget, self.batch.steps * 5))
            case _:
                super().apply(command)
        self.knocked = self.tracked.knocked()
        return None

    @staticmethod
    def _make(seed: int, preset: str) -> KnockoutDemo:
        return KnockoutDemo(seed=seed, preset=preset)  # the batch trains on the CPU, on the fused loop

    # ------------------------------------------------------------------ training
    def fit_job(self) -> FitJob | None:
        """Plain full-batch SGD, unless dropout is on or a many-seeds batch trains along. While a solve is still
        to be timed, a batched slice counts only if it solved nothing; else the session replays it alone (exact)."""
        t = self.tracked
        if self.net.dropout > 0 or (self.batch is not None and self.batch.active):
            return None
        accept = (lambda errors: not bool(t.may_be_solved(errors).any())) if t.watching else None
        return FitJob(self.net, t.x, t.y, self.lr, 0, self.trained, accept)

    def train(self, n: int) -> torch.Tensor:
        errors = self.tracked.train(n, self.lr, self.iteration, halt=self.halt_on_solve)
        n = len(errors)  # fewer where it stopped at the solve
        self.iteration += n
        if self.batch is not None and self.batch.active:
            self.batch.advance(self.cfg.batch_share * n)
        return errors

    def solved(self) -> bool:
        """Every training output within tol of its target, and nothing left to prune (exact, see TrackedNet)."""
        return not self.tracked.watching and (self.tracked.prune_to is None or self.tracked.prune_done())

    # ------------------------------------------------------------------ views
    def snapshot(self, selected: int) -> dict[str, Any]:  # no torch.no_grad: its enter and exit cost more than
        # this numpy-side snapshot, and no parameter tracks gradients (MLP.gradient works on a detached copy)
        selected = min(max(selected, 0), len(self.test_set) - 1)
        t = self.tracked
        return {
            "net": self.net_snapshot(self.net, self.test_x[selected]),
            "samples": self.samples_view,
            "training": [s.name for s in self.train_set],
            "classes": list(shadows.ANIMALS),
            "selected": selected,
            "train_outputs": t.outputs().tolist(),  # (3 training shadows, 3 classes); targets are one-hot
            "tol": t.tol,
            "solved": t.solved_now(),
            "solved_at": t.solved_at,
            "width": self.width,
            "alive": t.alive_per_column(),
            "changes": [vars(c) for c in t.changes[-12:]],
            "prune_to": t.prune_to,
            "dropout": {"on": self.dropout_on, "p": self.dropout_p},
            "dropped": t.dropped if self.dropout_on else None,
            "batch": self.batch.summary() if self.batch is not None else None,
            # the stated budgets (KnockoutConfig) and the lecture's own number, for the page to say beside ours
            "budgets": {"wide_slowest": self.cfg.wide_slowest_solve, "stuck": self.cfg.stuck_budget,
                        "keep_going": self.cfg.keep_going_budget},
            "lecture_solve": LECTURE_SOLVE,
        }

    # ------------------------------------------------------------------ lesson
    def results(self) -> dict[str, Any]:
        t = self.tracked
        out: dict[str, Any] = {"solved_at": t.solved_at, "solved": t.solved_now(), "per_column": t.alive_per_column(),
                               "error": self.net.error(self.x, self.y)}
        if self.preset == "prune" or t.changes:
            out["retrain_steps"] = t.retrain_steps()
            out["knocked_at"] = [c.at for c in t.changes]
        if self.budget is not None:
            goal = t.prune_done() if self.preset == "prune" else t.solved_at is not None
            out |= {"budget": self.budget, "stopped": "solved" if goal else "budget"}
        if self.dropout_on:
            out["dropout"] = self.dropout_p
        return out

    def script(self, steps: int | None) -> Script:
        """wide / narrow: train from scratch until solved; prune: the same, knocking out one per column on every
        solve, until solved at `prune_to` per column. Each for at most `steps` (the budget), then it stops."""
        self.budget = steps if steps is not None else (
            self.cfg.stuck_budget if self.preset == "narrow" else self.cfg.wide_steps)
        t = self.tracked
        done = t.prune_done if self.preset == "prune" else (lambda: t.solved_at is not None)
        yield Train(self.budget, until=done, label=self.preset)

    @classmethod
    def aggregate(cls, results: list[dict[str, Any]]) -> dict[str, Any]:
        out = super().aggregate(results)
        out["solved_fraction"] = sum(r["solved_at"] is not None for r in results) / len(results) if results else 0.0
        budgets = {r.get("budget") for r in results}
        if len(budgets) == 1 and None not in budgets:
            out["budget"] = budgets.pop()
            out["note"] = budget_note(results, out["budget"], KnockoutConfig())
        return out

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        return super().state() | {
            "width": self.width, "knocked": self.tracked.knocked(),
            "dropout_on": self.dropout_on, "dropout_p": self.dropout_p,
            "net": self.net.state(), "tracked": self.tracked.state(),
            "batch": self.batch.state() if self.batch is not None else None,
        }

    def load(self, state: dict[str, Any]) -> None:
        self.width, self.knocked = state["width"], [tuple(k) for k in state["knocked"]]
        self.dropout_on, self.dropout_p = state["dropout_on"], state["dropout_p"]
        super().load(state)  # rebuilds from the seed with the width and knockouts above
        self.net.load(state["net"])
        # Dropout draws go on where they were (the tracked state has the generator's); a save from before that
        # draws on from a stream of its own
        self.tracked.gen.manual_seed(self.seed * 1_000_003 + self.iteration)
        self.tracked.load(state["tracked"])
        self.batch = Batch.from_state(self._make, state["batch"]) if state["batch"] is not None else None


def budget_note(results: list[dict[str, Any]], budget: int, cfg: KnockoutConfig) -> str:
    """What a run that stops at its budget may and may not claim, with its numbers."""
    stopped = sum(r.get("stopped") == "budget" for r in results)
    rule = (f"{cfg.stuck_factor} x the wide net's slowest solve, {cfg.wide_slowest_solve:,}"
            if budget == cfg.stuck_budget else f"{budget / cfg.wide_slowest_solve:.1f} x the wide net's slowest "
            f"solve, {cfg.wide_slowest_solve:,}")
    head = f"budget {budget:,} iterations ({rule}): {len(results) - stopped} of {len(results)} reached the goal"
    if not stopped:
        return head + "."
    return (head + f"; {stopped} stopped there unsolved. Stuck at this budget only: a larger --budget shows "
            "whether they escape (a long plateau is not a wall)")
