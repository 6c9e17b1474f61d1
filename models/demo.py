"""What every demo is: data + a network + a lesson, driven by commands and drawn from snapshots."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from pydantic import BaseModel

from models.command import Command
from models.lesson import LessonStep
from models.nn import view
from models.nn.mlp import MLP


@dataclass(frozen=True)
class Limits:
    """Caps a server hands its demos (NNP_MAX_NEURONS, NNP_MAX_POINTS). A demo that lets users grow a network or
    add data checks them in `apply` before it changes anything; the defaults are generous, for the CLI and tests."""

    max_neurons: int = 100_000  # hidden neurons in one network
    max_points: int = 1_000_000  # data points one session may hold after a user adds, loads or imports some


@dataclass
class Train:
    """A phase of a scripted lesson: train `steps` iterations, or stop early once `until()` holds."""

    steps: int
    until: Callable[[], bool] | None = None
    label: str = "train"
    check_every: int = 0  # > 0: slices are capped so `until` is checked at least this often (exact step counts)


@dataclass
class FitJob:
    """The training a demo is about to do, when it is plain SGD of one MLP on fixed data (no dropout, no extra
    bookkeeping between updates). Sessions whose jobs have equal `key`s may train as one batched computation
    (a class doing one exercise, on a GPU); `done(n)` then does what `Demo.train(n)` does besides fitting."""

    net: MLP
    x: torch.Tensor  # (n, in)
    y: torch.Tensor  # (n, out)
    lr: float
    batch: int  # an update every `batch` samples, 0 = full batch (as MLP.fit)
    done: Callable[[int], None]
    # Given the error after each batched update, (n,): whether that result stands. False: the session trains
    # the slice alone instead (its own bookkeeping between updates), from where it was. None: it always stands.
    accept: Callable[[torch.Tensor], bool] | None = None
    errors: str = "after"  # the error of each iteration MLP.fit returns: "after" it, or "during" (layout.ERRORS)

    @property
    def key(self) -> tuple[Any, ...]:
        sp = self.net.spec
        return (tuple(sp.sizes), tuple(sp.activations), sp.loss, sp.reduction, sp.dtype, tuple(self.net.frozen),
                tuple(self.x.shape), tuple(self.y.shape), self.batch, self.errors)


# A lesson script yields commands (applied as if a user sent them) and Train phases.
Script = Iterator["BaseModel | Train"]


class Demo(ABC):
    """One lecture demo. Subclasses own their data and network; the session owns the clock and the socket.

    Every method is called with the session lock held, never concurrently.
    """

    name: ClassVar[str]  # URL slug: /demos/<name>
    title: ClassVar[str]
    blurb: ClassVar[str]  # one line for the index page
    order: ClassVar[int] = 100  # place on the index page (the lecture's order); ties go by name
    default_lr: ClassVar[float] = 0.1
    max_lr: ClassVar[float] = 100.0
    default_speed: ClassVar[float] = 0.0  # iterations per second a new session starts at; 0 = as fast as possible
    presets: ClassVar[tuple[str, ...]] = ("default",)
    commands: ClassVar[tuple[type[Command], ...]] = ()  # demo-specific commands (models/command.py), by "type"
    lesson: ClassVar[tuple[LessonStep, ...]] = ()  # the demo's lecture, step by step (models/lesson.py)
    # "Pause when solved" checks `solved()` after the iterations that are multiples of this (1: every one). 0: the
    # demo times its own solve exactly: while `halt_on_solve` is set, `train(n)` stops right after the iteration
    # that solved it and returns fewer than n losses.
    solve_every: ClassVar[int] = 1
    halt_on_solve: bool = False
    limits: Limits = Limits()  # the server sets its own caps on each instance after construction

    def __init__(self, seed: int = 0, device: str = "cpu", preset: str = "default") -> None:
        assert preset in self.presets, f"unknown preset {preset!r}; expected one of {self.presets}"
        self.seed = seed
        self.device = device
        self.preset = preset
        self.lr = self.default_lr
        self.iteration = 0
        self.build()

    # ------------------------------------------------------------------ to implement
    @abstractmethod
    def build(self) -> None:
        """(Re)create data and network from self.seed and self.preset; keep user-added data where it makes sense."""

    @abstractmethod
    def train(self, n: int) -> torch.Tensor:
        """Run n iterations; return the loss after each one, (n,) (fewer: see `solve_every`)."""

    @abstractmethod
    def snapshot(self, selected: int) -> dict[str, Any]:
        """Everything the page draws: {"net": MLP.drawing() + "values", ...demo extras}: JSON types and numpy
        arrays (the frame sends those as typed blocks; `server.codec.plain` makes lists of them)."""

    def solved(self) -> bool:
        """Whether the demo's task counts as solved now (a lesson step that trains "until solved" stops here)."""
        return False

    def fit_job(self) -> FitJob | None:
        """What `train` would do next as a FitJob, when it is one; None (the default): train alone."""
        return None

    def trained(self, n: int) -> None:
        """A FitJob's `done` for demos whose training only moves the iteration count."""
        self.iteration += n

    def apply(self, command: Command) -> bool | None:
        """Carry out a demo command, or raise ValueError before changing anything. Return True where training
        starts over (a new network): the session then clears its clock and loss chart, as on reset."""
        raise ValueError(f"{self.name} has no command {getattr(command, 'type', command)!r}")

    def download(self, filename: str) -> tuple[str, str]:
        """A file the page offers for download, as (media type, text); KeyError when there is none by that name."""
        raise KeyError(f"{self.name} offers no file {filename!r}")

    def results(self) -> dict[str, Any]:
        """The demo's own numbers for the final line of `nn-playground run`."""
        return {}

    def script(self, steps: int | None) -> Script:
        """The lesson a preset plays without a browser; by default, just train."""
        yield Train(steps if steps is not None else 1000)

    @classmethod
    def aggregate(cls, results: list[dict[str, Any]]) -> dict[str, Any]:
        """Combine the results of several seeds run at once: every key becomes a list."""
        return {k: [r.get(k) for r in results] for k in results[0]} if results else {}

    def state(self) -> dict[str, Any]:
        return {"seed": self.seed, "preset": self.preset, "lr": self.lr, "iteration": self.iteration}

    def load(self, state: dict[str, Any]) -> None:
        self.seed, self.preset = state["seed"], state["preset"]
        self.build()
        self.lr, self.iteration = state["lr"], state["iteration"]

    # ------------------------------------------------------------------ shared
    def reset(self, seed: int | None = None) -> None:
        """New random init (same seed, same init); the data a user added survives."""
        if seed is not None:
            self.seed = seed
        self.iteration = 0
        self.build()

    def check_neurons(self, sizes: list[int]) -> None:
        """Raise ValueError (before any change) if a network of these layer sizes would be over the cap."""
        hidden = sum(sizes[1:-1])
        if hidden > self.limits.max_neurons:
            raise ValueError(f"a network with {hidden} hidden neurons is too large: this server allows at most "
                             f"{self.limits.max_neurons} (NNP_MAX_NEURONS)")

    def check_points(self, n: int) -> None:
        """Raise ValueError (before any change) if the session would then hold more than the cap of user points."""
        if n > self.limits.max_points:
            raise ValueError(f"too many points: this server allows at most {self.limits.max_points} per session "
                             "(NNP_MAX_POINTS)")

    def set_lr(self, lr: float) -> None:
        if not (math.isfinite(lr) and 0 < lr <= self.max_lr):
            raise ValueError(f"learning rate must be a finite number in (0, {self.max_lr}], got {lr}")
        self.lr = lr

    @staticmethod
    def net_snapshot(net: MLP, x: torch.Tensor | np.ndarray | None) -> Mapping[str, Any]:
        """The network drawing plus every neuron's value for one input x (in,), or none: one compiled call into
        one array on the CPU (models/nn/packed.py; a frame is drawn up to NNP_FPS times a second per session)."""
        return view.packed(net, x)
