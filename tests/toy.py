"""A tiny demo for server tests: user points, a resizable hidden layer, and a preset that diverges."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import torch
from pydantic import BaseModel, Field

from models.command import Command
from models.demo import Demo
from models.nn.mlp import MLP, MLPSpec


class AddPoint(Command):
    type: Literal["add"] = "add"
    x: float = Field(ge=-10, le=10)
    y: float = Field(ge=-10, le=10)
    label: int = Field(ge=0, le=1)


class Resize(Command):
    type: Literal["resize"] = "resize"
    hidden: int = Field(ge=1, le=1_000_000)


class ToyDemo(Demo):
    """2 -> hidden -> 1 sigmoid net on points the user adds; the "diverge" preset's loss becomes NaN at 50."""

    name = "toy"
    title = "Toy"
    blurb = "for tests"
    default_lr = 0.5
    presets: ClassVar[tuple[str, ...]] = ("default", "diverge")
    commands: ClassVar[tuple[type[BaseModel], ...]] = (AddPoint, Resize)

    def build(self) -> None:
        if not hasattr(self, "points"):
            self.points: list[tuple[float, float, int]] = [(0.0, 0.0, 0), (1.0, 1.0, 1)]
            self.hidden = 3
        self.net = MLP.create(MLPSpec([2, self.hidden, 1], ["sigmoid", "sigmoid"]), self.seed, self.device)

    def apply(self, command: BaseModel) -> None:
        if isinstance(command, AddPoint):
            self.check_points(len(self.points) + 1)
            self.points.append((command.x, command.y, command.label))
        elif isinstance(command, Resize):
            self.check_neurons([2, command.hidden, 1])
            self.hidden = command.hidden
            self.build()
        else:
            super().apply(command)

    def train(self, n: int) -> torch.Tensor:
        x = torch.tensor([p[:2] for p in self.points], dtype=torch.float64)
        y = torch.tensor([[float(p[2])] for p in self.points], dtype=torch.float64)
        losses = self.net.fit(x, y, n, self.lr)
        if self.preset == "diverge":
            losses = torch.tensor([math.nan if self.iteration + i + 1 >= 50 else float(v)
                                   for i, v in enumerate(losses.tolist())], dtype=torch.float64)
        self.iteration += n
        return losses

    def snapshot(self, selected: int) -> dict[str, Any]:
        x = torch.tensor(self.points[min(selected, len(self.points) - 1)][:2], dtype=torch.float64)
        return {"net": self.net_snapshot(self.net, x), "points": [list(p) for p in self.points]}

    def state(self) -> dict[str, Any]:
        return {**super().state(), "points": [list(p) for p in self.points], "hidden": self.hidden,
                "net": self.net.state()}

    def load(self, state: dict[str, Any]) -> None:
        self.points = [(p[0], p[1], int(p[2])) for p in state["points"]]
        self.hidden = state["hidden"]
        super().load(state)
        self.net.load(state["net"])
