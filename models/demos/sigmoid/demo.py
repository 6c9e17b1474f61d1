"""Demo 2, sigmoid fitting: one neuron as a probability, and a sum of sigmoids approximating a function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import torch
from pydantic import BaseModel, Field

from models.command import Command
from models.demo import Demo, FitJob, Script, Train
from models.demos.sigmoid import notation
from models.demos.sigmoid.lesson import LESSON
from models.demos.sigmoid.neuron_view import NeuronConfig, NeuronView, preset_points
from models.demos.sigmoid.notation import MAX_TEXT
from models.demos.sigmoid.sum_view import SLIDE_MODELS, SumView

Finite = Annotated[float, Field(allow_inf_nan=False, ge=-1e6, le=1e6)]  # the view checks its own, tighter box


class SetView(Command):
    """Switch between the two views; the newly shown one starts training over (its points are kept)."""

    type: Literal["view"] = "view"
    view: Literal["neuron", "function"]


class AddPoint(Command):
    """Neuron view: an example at x with label 1 (positive) or 0 (negative). Function view: a point (x, y)."""

    type: Literal["add_point"] = "add_point"
    x: Finite
    y: Finite | None = None
    label: int | None = Field(default=None, ge=0, le=1)


class RemovePoint(Command):
    type: Literal["remove_point"] = "remove_point"
    index: int = Field(ge=0, le=100_000)


class MovePoint(Command):
    """Drag a point: the neuron view moves it along x (its label stays), the function view to (x, y)."""

    type: Literal["move_point"] = "move_point"
    index: int = Field(ge=0, le=100_000)
    x: Finite
    y: Finite | None = None


class ClearPoints(Command):
    type: Literal["clear_points"] = "clear_points"


class SetModel(Command):
    """Function view: a new network in the slides' notation, e.g. [20,tanh:3,tanh:1,linear]."""

    type: Literal["model"] = "model"
    spec: str = Field(min_length=1, max_length=MAX_TEXT)


class SetTarget(Command):
    """Function view: the function to fit on [-pi, pi] ("none": only the clicked points)."""

    type: Literal["target"] = "target"
    name: str = Field(max_length=32)


@dataclass(frozen=True)
class PresetSpec:
    view: str
    model: str = SLIDE_MODELS[0]
    target: str = "sin"


PRESETS: dict[str, PresetSpec] = {
    "default": PresetSpec("neuron"),
    "neuron": PresetSpec("neuron"),
    "noise-point": PresetSpec("neuron"),
    "sin-2": PresetSpec("function", SLIDE_MODELS[0]),
    "sin-20-3": PresetSpec("function", SLIDE_MODELS[1]),
    "sin-20-5": PresetSpec("function", SLIDE_MODELS[2]),
    "sin-30": PresetSpec("function", SLIDE_MODELS[3]),
}


class SigmoidDemo(Demo):
    name = "sigmoid"
    title = "Sigmoid fitting"
    blurb = "One neuron as a probability, and sums of sigmoids approximating a function."
    order = 2
    default_lr = NeuronConfig.lr
    lesson = LESSON
    default_speed = 1000.0  # slow enough to watch the curve climb; the speed menu goes to "max"
    max_lr = 10.0
    solve_every = 10  # "pause when solved" checks every 10 iterations (a check is a pass over the points)
    presets: ClassVar[tuple[str, ...]] = tuple(PRESETS)
    commands: ClassVar[tuple[type[BaseModel], ...]] = (SetView, AddPoint, RemovePoint, MovePoint, ClearPoints,
                                                        SetModel, SetTarget)

    def build(self) -> None:
        p = PRESETS[self.preset]
        self.neuron = NeuronView(self.seed, preset_points(self.preset))
        self.function = SumView(self.seed, p.model, p.target)
        self.view = p.view
        self.lr = self.active.default_lr

    @property
    def active(self) -> NeuronView | SumView:
        return self.neuron if self.view == "neuron" else self.function

    def reset(self, seed: int | None = None) -> None:
        """New random init of the view on show; its points, model and target are kept."""
        if seed is not None:
            self.seed = seed
        self.iteration = 0
        self.active.reset(self.seed)

    # ------------------------------------------------------------------ commands
    def apply(self, command: BaseModel) -> bool:
        """Returns True where training starts over (another view or network): the session then restarts its
        clock and chart, as on reset."""
        v = self.active
        if isinstance(command, SetView):
            if command.view == self.view:
                return False
            self.view = command.view
            self.lr = self.active.default_lr
            self.reset()
            return True
        match command:
            case AddPoint():
                self.check_points(len(self.neuron.points) + len(self.function.points) + 1)
                v.add(command.x, command.y, command.label)
            case RemovePoint():
                v.points.remove(command.index)
            case MovePoint():
                v.move(command.index, command.x, command.y)
            case ClearPoints():
                v.points.clear()
            case SetModel() | SetTarget():
                if self.view != "function":
                    raise ValueError(f"{command.type!r} applies to the function view; switch to it first")
                if isinstance(command, SetTarget):
                    self.function.set_target(command.name)
                    return False
                self.check_neurons(notation.parse(command.spec).sizes)
                self.function.set_model(command.spec, self.seed)
                self.iteration = 0
                return True
            case _:
                return bool(super().apply(command))
        return False

    # ------------------------------------------------------------------ training and views
    def fit_job(self) -> FitJob | None:
        """The function view's fit (the sum of sigmoids is an MLP); the neuron view trains alone."""
        if self.view != "function":
            return None
        x, y = self.function.data()
        return FitJob(self.function.net, x, y, self.lr, 0, self.trained) if x.shape[0] else None

    def train(self, n: int) -> torch.Tensor:
        losses = self.active.train(n, self.lr)
        self.iteration += n
        return losses

    def snapshot(self, selected: int) -> dict[str, Any]:
        return {"view": self.view, "presets": list(self.presets), **self.active.snapshot(selected)}

    def solved(self) -> bool:
        """The view on show's own criterion (NeuronView.solved, SumView.solved)."""
        return self.active.solved()

    def results(self) -> dict[str, Any]:
        return self.active.results()

    def script(self, steps: int | None) -> Script:
        yield Train(steps if steps is not None else self.active.default_steps, label=self.view)

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        return {**super().state(), "view": self.view, "neuron": self.neuron.state(), "function": self.function.state()}

    def load(self, state: dict[str, Any]) -> None:
        super().load(state)
        self.view = state["view"]
        self.neuron.load(state["neuron"])
        self.function.load(state["function"], self.seed)
        self.lr = state["lr"]
