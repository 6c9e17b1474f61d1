"""The decision-boundary demo's own commands (validated at the edge; see docs/protocol.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from models.command import Command
from models.data.datasets2d import DATASETS, EXTENT, MAX_CLASSES, MAX_POINTS, PointSet
from models.data.features import NAMES
from models.demos.boundary.config import MAX_LAYERS, MAX_WIDTH
from models.demos.boundary.net import OUTPUTS
from models.nn.activations import ACTIVATIONS

Coordinate = Annotated[float, Field(ge=-EXTENT, le=EXTENT, allow_inf_nan=False)]
Width = Annotated[int, Field(ge=1, le=MAX_WIDTH)]  # neurons in one hidden layer


class AddPoint(Command):
    """A point of class `label` (0 = A, 1 = B, ...) at (x, y) in plane units; a training point unless `test`."""

    type: Literal["add_point"] = "add_point"
    x: Coordinate
    y: Coordinate
    label: int = Field(ge=0, lt=MAX_CLASSES)
    test: bool = False


class RemovePoint(Command):
    """Remove point `index`, or the point nearest (x, y) within `radius`."""

    type: Literal["remove_point"] = "remove_point"
    index: int | None = Field(default=None, ge=0, lt=MAX_POINTS)
    x: Coordinate | None = None
    y: Coordinate | None = None
    radius: float = Field(default=0.5, gt=0, le=2 * EXTENT, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_way(self) -> RemovePoint:
        if (self.index is None) == (self.x is None or self.y is None):
            raise ValueError("give either index, or both x and y")
        return self

    def which(self, points: PointSet) -> int:
        """The index of the point this removes from `points`; ValueError when there is none."""
        if self.index is not None:
            if self.index >= len(points):
                raise ValueError(f"no point {self.index}: there are {len(points)} points")
            return self.index
        assert self.x is not None and self.y is not None, "validated: a position or an index"
        i = points.nearest(self.x, self.y, self.radius)
        if i is None:
            raise ValueError(f"no point within {self.radius:g} of ({self.x:g}, {self.y:g})")
        return i


class ClearPoints(Command):
    type: Literal["clear"] = "clear"


class LoadDataset(Command):
    """Replace every point by a generated dataset (seed: the session's seed when left out)."""

    type: Literal["load_dataset"] = "load_dataset"
    name: Literal[DATASETS]  # type: ignore[valid-type]
    noise: float = Field(default=0.0, ge=0.0, le=0.5, allow_inf_nan=False)
    n: int = Field(default=400, ge=4, le=MAX_POINTS)
    test_ratio: float = Field(default=0.5, ge=0.0, le=0.9, allow_inf_nan=False)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)


class ImportCSV(Command):
    """Replace every point by the rows of a CSV file: x1,x2,label[,split]."""

    type: Literal["import_csv"] = "import_csv"
    text: str = Field(max_length=1_000_000)


class Configure(Command):
    """Change the network or its training; fields left out stay as they are."""

    type: Literal["configure"] = "configure"
    hidden: list[Width] | None = Field(default=None, max_length=MAX_LAYERS)
    activation: Literal[tuple(ACTIVATIONS)] | None = None  # type: ignore[valid-type]
    output: Literal[OUTPUTS] | None = None  # type: ignore[valid-type]
    features: list[Literal[NAMES]] | None = Field(default=None, min_length=1, max_length=len(NAMES))  # type: ignore[valid-type]
    batch: int | None = Field(default=None, ge=1, le=MAX_POINTS)
    l1: float | None = Field(default=None, ge=0.0, le=10.0, allow_inf_nan=False)
    l2: float | None = Field(default=None, ge=0.0, le=10.0, allow_inf_nan=False)
