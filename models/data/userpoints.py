"""Points a user clicked in: checked against the plotted box and capped in number before anything changes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch


@dataclass
class UserPoints:
    """(x, y) pairs in insertion order; `version` moves on every change so views can cache what they derive."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    cap: int
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    version: int = 0

    def __len__(self) -> int:
        return len(self.xs)

    def _check(self, x: float, y: float) -> None:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        if not (math.isfinite(x) and x0 <= x <= x1):
            raise ValueError(f"x must be a number in [{x0:.4g}, {x1:.4g}], got {x}")
        if not (math.isfinite(y) and y0 <= y <= y1):
            raise ValueError(f"y must be a number in [{y0:.4g}, {y1:.4g}], got {y}")

    def _index(self, i: int) -> None:
        if not 0 <= i < len(self.xs):
            raise ValueError(f"no point {i}: there are {len(self.xs)} (indices 0..{len(self.xs) - 1})")

    def add(self, x: float, y: float) -> None:
        if len(self.xs) >= self.cap:
            raise ValueError(f"at most {self.cap} points; remove some first")
        self._check(x, y)
        self.xs.append(float(x))
        self.ys.append(float(y))
        self.version += 1

    def remove(self, i: int) -> None:
        self._index(i)
        del self.xs[i], self.ys[i]
        self.version += 1

    def move(self, i: int, x: float, y: float | None = None) -> None:
        """Move point i to x (and y; None keeps it)."""
        self._index(i)
        y = self.ys[i] if y is None else y
        self._check(x, y)
        self.xs[i], self.ys[i] = float(x), float(y)
        self.version += 1

    def clear(self) -> None:
        self.xs.clear()
        self.ys.clear()
        self.version += 1

    def tensors(self, dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
        """(x, y), each (N,)."""
        return torch.tensor(self.xs, dtype=dtype), torch.tensor(self.ys, dtype=dtype)

    def state(self) -> dict[str, list[float]]:
        return {"xs": list(self.xs), "ys": list(self.ys)}

    def load(self, state: dict[str, list[float]]) -> None:
        assert len(state["xs"]) == len(state["ys"]) <= self.cap, "saved points do not fit this view"
        self.xs, self.ys = [float(v) for v in state["xs"]], [float(v) for v in state["ys"]]
        self.version += 1
