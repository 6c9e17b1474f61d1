"""Demo 4, decision boundaries: points in the plane, a network's output over it, perceptron lines and XOR."""

from __future__ import annotations

import copy
import functools
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import torch
from pydantic import BaseModel

from models import boundary_net as bn
from models import datasets2d, features, perceptron
from models.boundary_commands import AddPoint, ClearPoints, Configure, ImportCSV, LoadDataset, RemovePoint
from models.demo import Demo, FitJob, Script, Train
from models.mlp import MLP
from models.plane import encode_columns, encode_signed, encode_unsigned, grid, signed

HEATMAP = 100  # the output heatmap is HEATMAP x HEATMAP cells, like TensorFlow Playground's
THUMB = 20  # every neuron's own heatmap, drawn inside it in the network picture
MAX_LAYERS = 8  # hidden layers
MAX_WIDTH = 16  # neurons per hidden layer
MAX_HIDDEN = 96  # hidden neurons in all: keeps one frame's heatmaps small and the grid pass fast


@dataclass
class BoundaryConfig:
    dataset: str = "circle"  # what a fresh session loads
    n: int = 400  # points in that dataset
    noise: float = 0.0  # 0..0.5
    test_ratio: float = 0.5  # share of the points held out for testing
    hidden: list[int] = field(default_factory=lambda: [4, 2])  # neurons per hidden layer; [] = perceptron
    activation: str = "tanh"  # of every hidden layer: sigmoid, tanh, relu, linear
    output: str = "sigmoid"  # step, sigmoid, sigmoid-mse, softmax (boundary_net.OUTPUTS)
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])
    lr: float = 0.03
    batch: int = 10  # points per update; one iteration is one pass over the training points
    l1: float = 0.0
    l2: float = 0.0
    steps: int = 500  # iterations (epochs) that `nn-playground run` trains when --steps is not given


PRESETS: dict[str, BoundaryConfig] = {
    "default": BoundaryConfig(),
    # Separable data, a perceptron with a step output, Rosenblatt's rule one point at a time.
    "perceptron-linear": BoundaryConfig(dataset="linear", hidden=[], output="step", lr=0.1, batch=1, steps=100),
    # The same perceptron on XOR: no line separates it, the rule keeps cycling.
    "perceptron-xor": BoundaryConfig(dataset="xor", hidden=[], output="step", lr=0.1, batch=1, steps=100),
    # Two hidden neurons are enough for XOR: two lines, and the output keeps the band between them.
    "xor": BoundaryConfig(dataset="xor", hidden=[2], lr=0.1, batch=10, steps=500),
    "circle": BoundaryConfig(dataset="circle", hidden=[4, 2], lr=0.1, batch=10, steps=500),
    # Every feature, six layers of eight ReLUs (TensorFlow Playground's largest net).
    "spiral": BoundaryConfig(dataset="spiral", hidden=[8] * 6, activation="relu", features=list(features.NAMES),
                             lr=0.03, batch=10, steps=2000),
}


class BoundaryDemo(Demo):
    name = "boundary"
    title = "Decision boundaries"
    blurb = "Click points in the plane; perceptron lines, hidden layers and XOR."
    default_lr = 0.03
    max_lr = 10.0
    presets: ClassVar[tuple[str, ...]] = tuple(PRESETS)
    commands: ClassVar[tuple[type[BaseModel], ...]] = (AddPoint, RemovePoint, ClearPoints, LoadDataset, ImportCSV,
                                                       Configure)

    def build(self) -> None:
        if not hasattr(self, "cfg"):  # a fresh demo: the preset's data; later builds (reset) keep the points
            self.cfg = copy.deepcopy(PRESETS[self.preset])
            self.points = datasets2d.generate(self.cfg.dataset, self.cfg.n, self.cfg.noise, self.cfg.test_ratio,
                                              self.seed)
            self.lr = self.cfg.lr
        self.cfg.output = self._fitting_output(self.cfg.output, self.cfg.hidden, self.points.classes)
        self.net = self._new_net(self.cfg)
        self._data: tuple[torch.Tensor, torch.Tensor] | None = None

    # ------------------------------------------------------------------ the network
    @staticmethod
    def _fitting_output(output: str, hidden: list[int], classes: int) -> str:
        """The output follows the data and the layers: a third class needs softmax, a hidden layer a gradient."""
        if classes > 2:
            return "softmax"
        if output == "step" and hidden:
            return "sigmoid"
        return output

    def _new_net(self, cfg: BoundaryConfig) -> MLP:
        spec = bn.spec_for(len(cfg.features), cfg.hidden, cfg.activation, cfg.output, self.points.classes)
        net = MLP.create(spec, self.seed, self.device)
        net.l1, net.l2 = cfg.l1, cfg.l2
        return net

    def _reshape(self, cfg: BoundaryConfig) -> None:
        """Switch to `cfg`, carrying the weights over where the hidden layers stay the same."""
        cfg.output = self._fitting_output(cfg.output, cfg.hidden, self.points.classes)
        net = self._new_net(cfg)
        bn.carry(self.net, self.cfg.features, self.cfg.output, net, cfg.features, cfg.output)
        self.cfg, self.net, self._data = cfg, net, None

    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Training inputs (features) and targets, in a fixed shuffled order (clicked points come in runs)."""
        if self._data is None:
            xy, label = self.points.subset(test=False)
            order = torch.randperm(len(label), generator=torch.Generator().manual_seed(self.seed))
            x = features.transform(xy[order], self.cfg.features).to(self.device)
            y = bn.targets(label[order], self.cfg.output, self.points.classes).to(self.device)
            self._data = (x, y)
        return self._data

    def _points_changed(self) -> None:
        if self.net.spec.sizes[-1] != (self.points.classes if self.cfg.output == "softmax" else 1) or (
                self.points.classes > 2 and self.cfg.output != "softmax"):
            self._reshape(copy.deepcopy(self.cfg))
        self._data = None

    # ------------------------------------------------------------------ commands
    def apply(self, command: BaseModel) -> None:
        """Every check runs before anything changes: a refused command leaves the session as it was."""
        if isinstance(command, AddPoint):
            self.check_points(len(self.points) + 1)
            self.points.add(command.x, command.y, command.label, command.test)
        elif isinstance(command, RemovePoint):
            self.points.remove(self._which(command))
        elif isinstance(command, ClearPoints):
            self.points = datasets2d.PointSet.empty()
        elif isinstance(command, LoadDataset):
            seed = self.seed if command.seed is None else command.seed
            self.check_points(command.n)
            self.points = datasets2d.generate(command.name, command.n, command.noise, command.test_ratio, seed)
            self.cfg.dataset, self.cfg.n, self.cfg.noise = command.name, command.n, command.noise
            self.cfg.test_ratio = command.test_ratio
        elif isinstance(command, ImportCSV):
            points = datasets2d.from_csv(command.text)
            self.check_points(len(points))
            self.points = points
        elif isinstance(command, Configure):
            self._configure(command)
            return
        else:
            super().apply(command)
            return
        self._points_changed()

    def _which(self, cmd: RemovePoint) -> int:
        if cmd.index is not None:
            if cmd.index >= len(self.points):
                raise ValueError(f"no point {cmd.index}: there are {len(self.points)} points")
            return cmd.index
        assert cmd.x is not None and cmd.y is not None, "validated: a position or an index"
        i = self.points.nearest(cmd.x, cmd.y, cmd.radius)
        if i is None:
            raise ValueError(f"no point within {cmd.radius:g} of ({cmd.x:g}, {cmd.y:g})")
        return i

    def _configure(self, cmd: Configure) -> None:
        cfg = copy.deepcopy(self.cfg)
        if cmd.features is not None:
            cfg.features = features.ordered(cmd.features)
        if cmd.hidden is not None:
            if sum(cmd.hidden) > MAX_HIDDEN:
                raise ValueError(f"{sum(cmd.hidden)} hidden neurons; at most {MAX_HIDDEN} in all")
            self.check_neurons([0, *cmd.hidden, 0])
            cfg.hidden = list(cmd.hidden)
        for name in ("activation", "batch", "l1", "l2"):
            if getattr(cmd, name) is not None:
                setattr(cfg, name, getattr(cmd, name))
        if cmd.output is not None:
            if cmd.output == "step" and cfg.hidden:
                raise ValueError("the step output trains by the perceptron rule, which needs no hidden layer: "
                                 "remove the hidden layers first, or pick sigmoid")
            if cmd.output != "softmax" and self.points.classes > 2:
                raise ValueError(f"{self.points.classes} classes need one output each: only softmax fits")
            cfg.output = cmd.output
        if (cfg.hidden, cfg.activation, cfg.output, cfg.features) != (
                self.cfg.hidden, self.cfg.activation, self.cfg.output, self.cfg.features):
            self._reshape(cfg)
        else:
            self.cfg = cfg
        self.net.l1, self.net.l2 = self.cfg.l1, self.cfg.l2

    # ------------------------------------------------------------------ training
    def train(self, n: int) -> torch.Tensor:
        x, y = self.data()
        self.iteration += n
        if x.shape[0] == 0:  # nothing to learn from yet
            return torch.zeros(n, dtype=torch.float64)
        if self.cfg.output == "step":
            return perceptron.rule_fit(self.net, x, y[:, 0], n, self.lr, self.cfg.batch)
        return self.net.fit(x, y, n, self.lr, batch=self.cfg.batch, errors=self.errors())

    def errors(self) -> str:
        """The chart's loss is the training pass's own (free; the evaluation pass after every epoch was a third of
        the work), except under dropout, whose training pass is noisier than the network it trains."""
        return "after" if self.net.dropout > 0 else "during"

    def fit_job(self) -> FitJob | None:
        if self.cfg.output == "step":
            return None
        x, y = self.data()
        if x.shape[0] == 0:
            return None
        return FitJob(self.net, x, y, self.lr, self.cfg.batch, self.trained, errors=self.errors())

    @torch.no_grad()
    def metrics(self) -> dict[str, Any]:
        """Loss (mean squared error of the output, the number on the chart) and accuracy, training and test."""
        out: dict[str, Any] = {}
        for split, test in (("train", False), ("test", True)):
            xy, label = self.points.subset(test)
            out[f"n_{split}"] = len(label)
            if not len(label):
                out[f"{split}_loss"] = out[f"{split}_accuracy"] = None
                continue
            last = bn.layers(self.net, self.cfg.output, features.transform(xy, self.cfg.features).to(self.device))[-1]
            y = bn.targets(label, self.cfg.output, self.points.classes).to(self.device)
            out[f"{split}_loss"] = float(((last - y) ** 2).mean())
            out[f"{split}_accuracy"] = float((bn.predicted_class(last, self.cfg.output).cpu() == label).double().mean())
        return out

    def line(self) -> dict[str, Any] | None:
        """The perceptron's boundary line, when the network is one (no hidden layer, inputs x1 and x2)."""
        if self.cfg.hidden or not features.is_plain(self.cfg.features):
            return None
        wb = bn.binary_boundary(self.net, self.cfg.output)
        if wb is None:
            return None
        w, b = wb
        ln = perceptron.line(float(w[0]), float(w[1]), b)
        return ln if ln is None else ln | {"equation": equation(ln)}

    # ------------------------------------------------------------------ views
    @torch.no_grad()
    def heatmaps(self) -> dict[str, Any]:
        """One forward pass over both grids: the output at HEATMAP^2 cells and every neuron (inputs included) at
        THUMB^2 cells, each quantised to a byte per cell (see docs/protocol.md)."""
        # float32: every value ends up as one byte, and the 10,400-point pass of a big net is most of a frame
        outs = bn.layers(self.net, self.cfg.output, _grid_inputs(tuple(self.cfg.features)).to(self.device),
                         torch.float32)
        cut = HEATMAP * HEATMAP
        last = outs[-1][:cut]
        classes = last.shape[1]
        if classes <= 2:  # P(A): one signed channel (A green, B red)
            output = {"channels": 1, "data": encode_signed(2 * last[:, 0] - 1)}
        else:  # P(class k): one unsigned channel per class, class-major
            output = {"channels": classes, "data": encode_unsigned(last.T.contiguous())}
        kinds = ["free"] + [{"sigmoid": "prob", "tanh": "tanh"}.get(self.cfg.activation, "free")] * len(
            self.cfg.hidden) + ["prob"]
        neurons, scales = [], []
        for v, kind in zip(outs, kinds, strict=True):
            d, scale = signed(v[cut:], kind)
            neurons.append(encode_columns(d))
            scales.append([round(float(s), 4) for s in scale])
        return {"size": HEATMAP, "thumb": THUMB, "extent": datasets2d.EXTENT, "output": output,
                "neurons": neurons, "scales": scales}

    def snapshot(self, selected: int) -> dict[str, Any]:
        p = self.points
        return {
            "net": self.net_snapshot(self.net, None),
            "config": asdict(self.cfg) | {"classes": p.classes},
            "inputs": list(self.cfg.features),
            "points": {"x": [round(v, 4) for v in p.xy[:, 0].tolist()], "y": [round(v, 4) for v in p.xy[:, 1].tolist()],
                       "label": p.label.tolist(), "test": [int(t) for t in p.test.tolist()]},
            "plane": self.heatmaps(),
            "line": self.line(),
            "metrics": self.metrics(),
            "limits": {"points": datasets2d.MAX_POINTS, "layers": MAX_LAYERS, "width": MAX_WIDTH,
                       "hidden": MAX_HIDDEN},
        }

    def download(self, filename: str) -> tuple[str, str]:
        if filename != "points.csv":
            raise KeyError(f"{self.name} offers points.csv, not {filename!r}")
        return "text/csv", datasets2d.to_csv(self.points)

    # ------------------------------------------------------------------ lesson
    def results(self) -> dict[str, Any]:
        m = self.metrics()
        out = {"loss": m["train_loss"], "accuracy": m["train_accuracy"], "test_loss": m["test_loss"],
               "test_accuracy": m["test_accuracy"], "dataset": self.cfg.dataset, "hidden": self.cfg.hidden,
               "output": self.cfg.output}
        ln = self.line()
        if ln is not None:
            out["line"] = equation(ln)
        return out

    def script(self, steps: int | None) -> Script:
        yield Train(steps if steps is not None else self.cfg.steps)

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        return super().state() | {"config": asdict(self.cfg), "points": self.points.state(), "net": self.net.state()}

    def load(self, state: dict[str, Any]) -> None:
        self.cfg = BoundaryConfig(**state["config"])
        self.points = datasets2d.PointSet.from_state(state["points"])
        super().load(state)  # rebuilds the net for cfg, keeping the points
        self.net.load(state["net"])


@functools.cache
def _grids() -> torch.Tensor:
    return torch.cat([grid(HEATMAP), grid(THUMB)])


@functools.lru_cache(maxsize=32)
def _grid_inputs(names: tuple[str, ...]) -> torch.Tensor:
    """The network's inputs at every grid cell, float32, per feature set (the sines need not run every frame)."""
    return features.transform(_grids(), list(names)).to(torch.float32)


def equation(ln: dict[str, Any]) -> str:
    """The line as the slides write it, e.g. "I1 = -0.50 I0 + 1.20"; "I0 = 2.00" when it is vertical."""
    if ln["vertical"]:
        return f"I0 = {ln['x0']:.2f}"
    sign = "-" if ln["intercept"] < 0 else "+"
    return f"I1 = {ln['slope']:.2f} I0 {sign} {abs(ln['intercept']):.2f}"

