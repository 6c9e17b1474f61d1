"""The sigmoid demo's second view: a sum of sigmoids (tanh units) fits y = f(x), and fails outside its range."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from models.data.userpoints import UserPoints
from models.demos.sigmoid import notation
from models.nn import view
from models.nn.mlp import MLP, MLPSpec

PI = math.pi
# The slides' four models (Choe, y = sin(x)), in the order they were shown.
SLIDE_MODELS = ("[2,tanh:1,linear]", "[20,tanh:3,tanh:1,linear]", "[20,tanh:5,tanh:1,linear]", "[30,tanh:1,linear]")

# name -> (label for the page, f). Each stays within [-1, 1] on the training range, like sin.
TARGETS: dict[str, tuple[str, Callable[[torch.Tensor], torch.Tensor]]] = {
    "sin": ("sin(x)", torch.sin),
    "cos": ("cos(x)", torch.cos),
    "sin2x": ("sin(2x)", lambda x: torch.sin(2 * x)),
    "bump": ("exp(-x\u00b2)", lambda x: torch.exp(-x * x)),
    "step": ("step at 0", lambda x: torch.where(x < 0, -0.8, 0.8).to(x.dtype)),
    "abs": ("2|x|/\u03c0 - 1", lambda x: 2 * x.abs() / PI - 1),
    "none": ("none: only my points", lambda x: torch.full_like(x, math.nan)),
}


@dataclass
class SumConfig:
    train_range: tuple[float, float] = (-PI, PI)  # where the target is sampled (slides: [-pi, pi])
    plot_range: tuple[float, float] = (-2 * PI, 2 * PI)  # the plots reach beyond it: extrapolation fails there
    y_range: tuple[float, float] = (-1.5, 1.5)  # where clicked points may go
    samples: int = 64  # target samples, evenly spaced over the training range
    outside: int = 64  # evaluation points on each side for extrapolation_error
    # Plain full-batch gradient descent on the MEAN squared error: the step size then does not depend on how many
    # points there are (clicked points come and go). 0.1 brings [30,tanh:1,linear] below 0.001 within ~1000 steps.
    lr: float = 0.1
    first_slope: float = 2.0  # first-layer weights start uniform in [-2, 2]: visible sigmoids, not near-lines
    steps: int = 2000  # `nn-playground run` default
    max_points: int = 200
    curve_budget: int = 8000  # numbers per frame for the curves: fewer x samples when the last layer is wide
    curve_points: int = 161  # x samples per curve at most (every 4 pi / 160)
    solved_tol: float = 0.1  # solved: the curve within this of every training value (target samples and points)


class SumView:
    name = "function"

    def __init__(self, seed: int, model: str, target: str, cfg: SumConfig | None = None) -> None:
        self.cfg = cfg or SumConfig()
        self.default_lr, self.default_steps = self.cfg.lr, self.cfg.steps
        self.points = UserPoints(self.cfg.plot_range, self.cfg.y_range, self.cfg.max_points)
        assert target in TARGETS, f"unknown target {target!r}; expected one of {', '.join(TARGETS)}"
        self.target = target
        self.model = notation.parse(model)
        self._data: tuple[tuple[int, str], torch.Tensor, torch.Tensor] | None = None
        self.reset(seed)

    def reset(self, seed: int) -> None:
        """Same seed, same start. Deeper layers are Xavier-initialised; the first hidden layer is spread out."""
        spec = MLPSpec(self.model.sizes, self.model.activations, loss="mse", reduction="mean")
        self.net = MLP.create(spec, seed)
        if self.model.hidden:
            # Each first-layer unit starts as a sigmoid centred somewhere in the training range, slope up to
            # `first_slope`: a sum of sigmoids at different places, as in the slides' bottom plots. Zero biases
            # would centre every unit at x = 0, and for an odd target like sin keep them all there (the biases'
            # gradient is zero by symmetry). A stream of its own: the MLP's draws for the next layer stay as they are.
            gen = torch.Generator().manual_seed(seed + 1_000_003)
            n, (lo, hi), s = self.model.sizes[1], self.cfg.train_range, self.cfg.first_slope
            w = (torch.rand(n, generator=gen, dtype=spec.dtype) * 2 - 1) * s
            c = lo + torch.rand(n, generator=gen, dtype=spec.dtype) * (hi - lo)
            self.net.weights[0].copy_(w.reshape(n, 1))
            self.net.biases[0].copy_(-w * c)

    def set_model(self, text: str, seed: int) -> None:
        """A new network from the notation (parsed first: a bad model changes nothing)."""
        self.model = notation.parse(text)
        self.reset(seed)

    def set_target(self, name: str) -> None:
        if name not in TARGETS:
            raise ValueError(f"unknown target {name!r}; expected one of {', '.join(TARGETS)}")
        self.target = name

    # ------------------------------------------------------------------ data
    def add(self, x: float, y: float | None, label: int | None) -> None:
        if y is None or label is not None:
            raise ValueError("in the function view a point is (x, y): give x and y, no label")
        self.points.add(x, y)

    def move(self, i: int, x: float, y: float | None) -> None:
        self.points.move(i, x, y)

    def f(self, x: torch.Tensor) -> torch.Tensor:
        return TARGETS[self.target][1](x)

    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Training data (N, 1) each: the target sampled on the training range, then the clicked points."""
        key = (self.points.version, self.target)
        if self._data is None or self._data[0] != key:
            x0, x1 = self.cfg.train_range
            xs = torch.empty(0, dtype=self.net.spec.dtype)
            if self.target != "none":
                xs = torch.linspace(x0, x1, self.cfg.samples, dtype=self.net.spec.dtype)
            px, py = self.points.tensors(self.net.spec.dtype)
            x = torch.cat([xs, px]).reshape(-1, 1)
            y = torch.cat([self.f(xs), py]).reshape(-1, 1)
            self._data = (key, x, y)
        return self._data[1], self._data[2]

    # ------------------------------------------------------------------ training
    def train(self, n: int, lr: float) -> torch.Tensor:
        """n full-batch steps; returns the mean squared error on the training data after each."""
        x, y = self.data()
        if x.shape[0] == 0:  # nothing to fit: no step moves anything, and there is no error to speak of
            return torch.zeros(n, dtype=self.net.spec.dtype)
        return self.net.fit(x, y, n, lr)

    @torch.no_grad()
    def loss(self) -> float | None:
        """Mean squared error on the training data (the target's samples on [-pi, pi] and the clicked points)."""
        x, y = self.data()
        return self.net.error(x, y) if x.shape[0] else None

    @torch.no_grad()
    def solved(self) -> bool:
        """The curve within `solved_tol` of every training value (the target's samples and the clicked points):
        20 or 30 sigmoids get there within about 1,500 iterations, two never do (sin is out of their reach)."""
        x, y = self.data()
        if x.shape[0] == 0:
            return False
        out = self.net.predict(x)
        return bool(((out - y.to(out.device)).abs() <= self.cfg.solved_tol).all())

    @torch.no_grad()
    def extrapolation_error(self) -> float | None:
        """The same error outside the training range, on [-2 pi, -pi] and [pi, 2 pi], against the target."""
        if self.target == "none":
            return None
        (a, b), (lo, hi) = self.cfg.train_range, self.cfg.plot_range
        k, dt = self.cfg.outside, self.net.spec.dtype
        x = torch.cat([torch.linspace(lo, a, k, dtype=dt), torch.linspace(b, hi, k, dtype=dt)]).reshape(-1, 1)
        return self.net.error(x, self.f(x))

    def results(self) -> dict[str, Any]:
        return {"view": self.name, "model": self.model.text(), "target": self.target, "loss": self.loss(),
                "extrapolation_error": self.extrapolation_error(), "points": len(self.points)}

    # ------------------------------------------------------------------ drawing
    def grid(self) -> torch.Tensor:
        """x samples for the curves, (G,): as many as the frame budget allows for this many hidden curves."""
        units = self.model.sizes[-2] if len(self.model.sizes) > 2 else 0
        g = max(61, min(self.cfg.curve_points, self.cfg.curve_budget // (units + 2)))
        return torch.linspace(*self.cfg.plot_range, g, dtype=self.net.spec.dtype)

    @torch.no_grad()
    def snapshot(self, selected: int) -> dict[str, Any]:
        xs = self.grid()
        outs = [o.cpu().numpy() for o in self.net.forward(xs.reshape(-1, 1))]  # every layer, (G, units) each
        probe = min(max(selected, 0), xs.numel() - 1)
        net = view.packed(self.net, xs[probe : probe + 1])  # one block, values at the probe, as in every demo
        # The curves as float32 blocks (server/codec.py): the page only draws them, and float32's seven digits are
        # far below a pixel. `x` stays float64: it is the probe's input, net.values[0], to the bit.
        f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
        hidden = outs[-2].T if len(outs) > 2 else np.empty((0, xs.numel()))  # the last hidden layer, a row per unit
        target = self.f(xs) if self.target != "none" else None
        part = {
            "model": self.model.text(),
            "models": list(SLIDE_MODELS),
            "target": self.target,
            "targets": [{"name": k, "label": v[0]} for k, v in TARGETS.items()],
            "train_range": list(self.cfg.train_range),
            "x_range": list(self.cfg.plot_range),
            "y_range": list(self.cfg.y_range),
            "points": [{"x": x, "y": y} for x, y in zip(self.points.xs, self.points.ys, strict=True)],
            "samples": self.cfg.samples if self.target != "none" else 0,
            "x": xs.numpy(),
            "target_curve": f32(target.numpy()) if target is not None else None,
            "output": f32(outs[-1][:, 0]),
            "hidden": f32(hidden),
            "hidden_activation": self.model.hidden[-1][1] if self.model.hidden else None,
            "probe": probe,
            "loss": self.loss(),
            "extrapolation_error": self.extrapolation_error(),
            "max_points": self.cfg.max_points,
        }
        return {"net": net, "function": part}

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        return {"model": self.model.text(), "target": self.target, "points": self.points.state(),
                "net": self.net.state()}

    def load(self, state: dict[str, Any], seed: int) -> None:
        self.set_model(state["model"], seed)
        self.set_target(state["target"])
        self.points.load(state["points"])
        self.net.load(state["net"])
