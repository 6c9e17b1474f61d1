"""The sigmoid demo's first view: one neuron as a probability, its examples, and the likelihood over (w, t)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from models.data.userpoints import UserPoints
from models.demos.sigmoid.neuron import DTYPE, Neuron, log_likelihood


@dataclass
class NeuronConfig:
    x_range: tuple[float, float] = (-5.0, 5.0)  # the 1-D axis examples live on
    lr: float = 0.02  # gradient ascent on the summed log-likelihood; at 1000 it/s the climb takes about a second
    steps: int = 2000  # `nn-playground run` default
    init_scale: float = 1.0  # w and t start uniform in [-1, 1]: an ordinary, gentle sigmoid
    max_points: int = 200
    curve_points: int = 201  # z sampled across the axis for drawing
    grid: int = 64  # heatmap cells per side
    box: tuple[float, float, float, float] = (-5.0, 5.0, -5.0, 5.0)  # heatmap (w0, w1, t0, t1) before the path grows it
    box_step: float = 2.5  # the box grows in steps this big, so it does not creep every frame
    path_max: int = 1500  # path points kept; older ones are thinned beyond this
    solved_p: float = 0.9  # solved: every example at least this probable under its own label (a confident fit)


# Negative examples on the left, positive on the right: separable, so the fitted curve steepens without end.
NEGATIVES = (-3.5, -2.5, -1.5, -0.5)
POSITIVES = (1.0, 2.0, 3.0, 4.0)
NOISE_POINT = -2.0  # one positive among the negatives (lecture: "that's probably a noise point")


def preset_points(preset: str) -> list[tuple[float, int]]:
    pts = [(x, 0) for x in NEGATIVES] + [(x, 1) for x in POSITIVES]
    if preset == "noise-point":
        pts.append((NOISE_POINT, 1))
    return pts


def _grow(lo: float, hi: float, values: list[float], step: float) -> tuple[float, float]:
    """The smallest [lo, hi] on multiples of `step` that contains the base interval and every value, with margin."""
    if values:
        lo = min(lo, math.floor((min(values) - step / 4) / step) * step)
        hi = max(hi, math.ceil((max(values) + step / 4) / step) * step)
    return lo, hi


class NeuronView:
    name = "neuron"

    def __init__(self, seed: int, points: list[tuple[float, int]], cfg: NeuronConfig | None = None) -> None:
        self.cfg = cfg or NeuronConfig()
        self.default_lr, self.default_steps = self.cfg.lr, self.cfg.steps
        self.points = UserPoints(self.cfg.x_range, (0.0, 1.0), self.cfg.max_points)
        for x, label in points:
            self.points.add(x, label)
        self._data: tuple[int, torch.Tensor, torch.Tensor] | None = None
        self._heat: tuple[Any, dict[str, Any] | None] | None = None
        self.reset(seed)

    def reset(self, seed: int) -> None:
        self.neuron = Neuron.create(seed, self.cfg.init_scale)
        self.path: list[tuple[float, float]] = [self.wt()]

    def wt(self) -> tuple[float, float]:
        return float(self.neuron.w), float(self.neuron.t)

    # ------------------------------------------------------------------ points
    def add(self, x: float, y: float | None, label: int | None) -> None:
        if label is None or y is not None:
            raise ValueError("in the neuron view a point is an example: give x and label (1 positive, 0 negative), "
                             "no y")
        self.points.add(x, label)

    def move(self, i: int, x: float, y: float | None) -> None:
        if y is not None:
            raise ValueError("in the neuron view a point moves along x only; its label stays")
        self.points.move(i, x)

    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Examples as tensors (x, label), rebuilt only when the points change."""
        if self._data is None or self._data[0] != self.points.version:
            self._data = (self.points.version, *self.points.tensors(DTYPE))
        return self._data[1], self._data[2]

    # ------------------------------------------------------------------ training
    def train(self, n: int, lr: float) -> torch.Tensor:
        """n steps of gradient ascent; returns -log L after each (the chart plots what is minimised)."""
        x, y = self.data()
        lls, traj = self.neuron.ascend(x, y, n, lr)
        self._extend_path(traj)
        return -lls

    def _extend_path(self, traj: torch.Tensor) -> None:
        """Keep the path light: sample the trajectory, then drop points too close to the last one kept."""
        if traj.shape[0] == 0:
            return
        stride = max(1, traj.shape[0] // 64)
        cand = torch.cat([traj[stride - 1 :: stride], traj[-1:]]).tolist()
        w0, w1, t0, t1 = self.box()
        eps = 0.004 * max(w1 - w0, t1 - t0)
        lw, lt = self.path[-1]
        for w, t in cand:
            if not (math.isfinite(w) and math.isfinite(t)):
                continue
            if abs(w - lw) + abs(t - lt) >= eps:
                self.path.append((w, t))
                lw, lt = w, t
        if len(self.path) > self.cfg.path_max:
            half = len(self.path) // 2
            self.path = self.path[:half:2] + self.path[half:]

    # ------------------------------------------------------------------ numbers
    def log_likelihood(self) -> float:
        return self.neuron.log_likelihood(*self.data())

    def accuracy(self) -> float | None:
        return self.neuron.accuracy(*self.data())

    @torch.no_grad()
    def solved(self) -> bool:
        """Every example on its side of z = 1/2 and at least `solved_p` probable under its own label: the separable
        presets get there within about 600 iterations; with a noise point (no line separates them) never."""
        x, y = self.data()
        if x.numel() == 0:
            return False
        z = self.neuron.probability(x)
        return bool((torch.where(y > 0.5, z, 1 - z) >= self.cfg.solved_p).all())

    def results(self) -> dict[str, Any]:
        w, t = self.wt()
        return {"view": self.name, "w": w, "t": t, "log_likelihood": self.log_likelihood(),
                "accuracy": self.accuracy(), "points": len(self.points)}

    # ------------------------------------------------------------------ drawing
    def box(self) -> tuple[float, float, float, float]:
        """The heatmap's (w0, w1, t0, t1): the base box grown to hold the whole path and the current point."""
        b = self.cfg.box
        ws = [p[0] for p in self.path if math.isfinite(p[0])]
        ts = [p[1] for p in self.path if math.isfinite(p[1])]
        return (*_grow(b[0], b[1], ws, self.cfg.box_step), *_grow(b[2], b[3], ts, self.cfg.box_step))

    @torch.no_grad()
    def heatmap(self) -> dict[str, Any] | None:
        """Per-example likelihood exp(log L / N) over a grid of (w, t), one batched pass; cached per data and box.

        The geometric mean probability rather than L itself: L is a product that spans hundreds of orders of
        magnitude over the box, its N-th root stays in (0, 1] and reads as "how probable is a typical example".
        """
        box = self.box()
        key = (self.points.version, box)
        if self._heat is not None and self._heat[0] == key:
            return self._heat[1]
        x, y = self.data()
        out = None
        if x.numel():
            n, (w0, w1, t0, t1) = self.cfg.grid, box
            ws = w0 + (torch.arange(n, dtype=DTYPE) + 0.5) * (w1 - w0) / n  # cell centres
            ts = t0 + (torch.arange(n, dtype=DTYPE) + 0.5) * (t1 - t0) / n
            ll = log_likelihood(ws.reshape(1, n), ts.reshape(n, 1), x, y)  # (n t-rows, n w-columns)
            per = torch.exp(ll / x.numel())
            out = {"w": [w0, w1], "t": [t0, t1], "n": n, "values": per.flatten().numpy().astype(np.float32)}
        self._heat = (key, out)
        return out

    @torch.no_grad()
    def snapshot(self, selected: int) -> dict[str, Any]:
        x, y = self.data()
        w, t = self.wt()
        z = self.neuron.probability(x)
        probs = torch.where(y > 0.5, z, 1 - z)
        x0, x1 = self.cfg.x_range
        xs = torch.linspace(x0, x1, self.cfg.curve_points, dtype=DTYPE)
        net: dict[str, Any] = {"sizes": [1, 1], "weights": [[[w]]], "biases": [[-t]], "alive": [[1.0]],
                               "frozen": [False]}
        if x.numel():
            i = min(max(selected, 0), x.numel() - 1)
            net["values"] = [[float(x[i])], [float(z[i])]]
        # the curve, the heatmap and the path as float32 blocks (server/codec.py): the page only draws them, and
        # float32's seven digits are far below a pixel; w, t and the examples' numbers stay exact in the JSON part
        part = {
            "range": [x0, x1],
            "w": w,
            "t": t,
            "log_likelihood": self.log_likelihood(),
            "accuracy": self.accuracy(),
            "points": [{"x": px, "label": int(py), "p": round(pp, 4)}
                       for px, py, pp in zip(x.tolist(), y.tolist(), probs.tolist(), strict=True)],
            "curve": self.neuron.probability(xs).numpy().astype(np.float32),
            "heatmap": self.heatmap(),
            "path": np.array(self.path + ([] if self.path[-1] == (w, t) else [(w, t)]), dtype=np.float32),
            "max_points": self.cfg.max_points,
        }
        return {"net": net, "neuron": part}

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        return {"points": self.points.state(), "w": float(self.neuron.w), "t": float(self.neuron.t),
                "path": [list(p) for p in self.path]}

    def load(self, state: dict[str, Any]) -> None:
        self.points.load(state["points"])
        self.neuron = Neuron(torch.tensor(state["w"], dtype=DTYPE), torch.tensor(state["t"], dtype=DTYPE))
        self.path = [(float(a), float(b)) for a, b in state["path"]]
