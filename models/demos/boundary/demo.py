"""Demo 4, decision boundaries: points in the plane, a network's output over it, perceptron lines and XOR."""

from __future__ import annotations

import copy
from dataclasses import asdict
from typing import Any, ClassVar

import torch
from pydantic import BaseModel

from models.data import datasets2d, features
from models.demo import Demo, FitJob, Script, Train
from models.demos.boundary import net as bn
from models.demos.boundary import overfit, perceptron
from models.demos.boundary.commands import AddPoint, ClearPoints, Configure, ImportCSV, LoadDataset, RemovePoint
from models.demos.boundary.config import MAX_HIDDEN, MAX_LAYERS, MAX_WIDTH, PRESETS, BoundaryConfig, preset_changed
from models.demos.boundary.lesson import LESSON
from models.demos.boundary.perceptron import equation
from models.demos.boundary.view import HEATMAP, THUMB, heatmaps, metrics
from models.nn.activations import ACTIVATIONS
from models.nn.dropout import Dropout, dropped
from models.nn.mlp import MLP

__all__ = ["HEATMAP", "THUMB", "BoundaryDemo", "equation"]  # HEATMAP, THUMB: the frame's grid sizes, for readers

class BoundaryDemo(Demo):
    name = "boundary"
    title = "Decision boundaries"
    blurb = "Click points in the plane; perceptron lines, hidden layers and XOR."
    order = 4
    activations = ACTIVATIONS  # the page's activation menu: every entry of the one table
    default_lr = 0.03
    max_lr = 10.0
    presets: ClassVar[tuple[str, ...]] = tuple(PRESETS)
    commands: ClassVar[tuple[type[BaseModel], ...]] = (AddPoint, RemovePoint, ClearPoints, LoadDataset, ImportCSV,
                                                       Configure, Dropout)
    lesson = LESSON
    solve_every = 1  # "pause when solved" checks the training accuracy after every epoch (a pass over the points)
    default_speed = 20.0  # epochs per second: the boundary visibly moves; "max" is one click away

    def build(self) -> None:
        if not hasattr(self, "cfg"):  # a fresh demo: the preset's data; later builds (reset) keep the points
            self.cfg = copy.deepcopy(PRESETS[self.preset])
            self.points = datasets2d.generate(self.cfg.dataset, self.cfg.n, self.cfg.noise, self.cfg.test_ratio,
                                              self.seed)
            self.lr = self.cfg.lr
        self.cfg.output = self._fitting_output(self.cfg.output, self.cfg.hidden, self.points.classes)
        self.net = self._new_net(self.cfg)
        self._data: tuple[torch.Tensor, torch.Tensor] | None = None
        self.test_curve: list[tuple[int, float, float]] = []  # (iteration, train loss, test loss) the script saw

        self.gen = torch.Generator()
        self.dropped: list[list[bool]] | None = None

    def _draws(self, it0: int, epochs: int, updates: int) -> torch.Tensor:
        """Dropout draws for epochs it0..it0+epochs-1, (epochs * updates, hidden neurons): each epoch's from a
        generator seeded by the seed and the epoch, so neither the slicing nor a restore changes them."""
        hidden = sum(self.net.spec.sizes[1:-1])
        return torch.cat([torch.rand((updates, hidden), generator=self.gen.manual_seed(self.seed * 1_000_003 + e),
                                     dtype=self.net.spec.dtype) for e in range(it0, it0 + epochs)])

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
        net.dropout = cfg.dropout_p if cfg.dropout_on else 0.0
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
        match command:
            case AddPoint():
                self.check_points(len(self.points) + 1)
                self.points.add(command.x, command.y, command.label, command.test)
            case RemovePoint():
                self.points.remove(command.which(self.points))
            case ClearPoints():
                self.points = datasets2d.PointSet.empty()
                self.cfg.dataset, self.cfg.n = "none", 0  # the page's dataset label must not name what went
            case LoadDataset():
                seed = self.seed if command.seed is None else command.seed
                self.check_points(command.n)
                self.points = datasets2d.generate(command.name, command.n, command.noise, command.test_ratio, seed)
                self.cfg.dataset, self.cfg.n, self.cfg.noise = command.name, command.n, command.noise
                self.cfg.test_ratio = command.test_ratio
            case ImportCSV():
                points = datasets2d.from_csv(command.text)
                self.check_points(len(points))
                self.points = points
                self.cfg.dataset, self.cfg.n = "csv", len(points)
            case Configure():
                self._configure(command)
                return
            case Dropout():
                self.cfg.dropout_on = command.on
                self.cfg.dropout_p = command.p if command.p is not None else self.cfg.dropout_p
                self.net.dropout = self.cfg.dropout_p if self.cfg.dropout_on else 0.0
                self.dropped = None
                return
            case _:
                super().apply(command)
                return
        self._points_changed()

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
        if self.dropping:  # one draw per update, on the fused kernel as the knockout demo's dropout
            draws = self._draws(self.iteration - n, n, self.net.updates_per_epoch(x.shape[0], self.cfg.batch))
            errors = self.net.fit(x, y, n, self.lr, batch=self.cfg.batch, draws=draws)
            self.dropped = dropped(self.net, draws[-1])
            return errors
        return self.net.fit(x, y, n, self.lr, batch=self.cfg.batch, errors=self.errors())

    def errors(self) -> str:
        """The chart's loss is the training pass's own (free; the evaluation pass after every epoch was a third of
        the work), except under dropout, whose training pass is noisier than the network it trains."""
        return "after" if self.net.dropout > 0 else "during"

    @property
    def dropping(self) -> bool:
        """Whether training drops neurons now: dropout on, and hidden neurons to drop (a perceptron has none)."""
        return self.net.dropout > 0 and bool(self.cfg.hidden)

    def fit_job(self) -> FitJob | None:
        if self.cfg.output == "step" or self.dropping:  # dropout trains alone, with its own draws
            return None
        x, y = self.data()
        if x.shape[0] == 0:
            return None
        return FitJob(self.net, x, y, self.lr, self.cfg.batch, self.trained, errors=self.errors())

    def metrics(self) -> dict[str, Any]:
        """Loss (mean squared error of the output, the number on the chart) and accuracy, training and test."""
        return metrics(self.net, self.cfg, self.points, self.device)

    @torch.no_grad()
    def solved(self) -> bool:
        """Every training point on its side of the boundary (on the cached training tensors: checked every epoch)."""
        x, y = self.data()
        if not len(y):
            return False
        truth = y.argmax(dim=1) if self.cfg.output == "softmax" else torch.where(y[:, 0] > 0.5, 0, 1)
        return bool((bn.predicted_class(bn.layers(self.net, self.cfg.output, x)[-1], self.cfg.output) == truth).all())

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
    def heatmaps(self) -> dict[str, Any]:
        return heatmaps(self.net, self.cfg)

    def snapshot(self, selected: int) -> dict[str, Any]:
        p = self.points
        return {
            "net": self.net_snapshot(self.net, None),
            "config": asdict(self.cfg) | {"classes": p.classes,
                                          "changed": preset_changed(self.cfg, self.preset, len(p))},
            "inputs": list(self.cfg.features),
            "points": p.arrays(),  # blocks: printing 400 points took a frame about 0.5 ms of Python
            "plane": self.heatmaps(),
            "line": self.line(),
            "metrics": self.metrics(),
            "dropout": {"on": self.cfg.dropout_on, "p": self.cfg.dropout_p},
            "dropped": self.dropped if self.dropping else None,
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
        if self.test_curve:
            out["test_curve"] = [list(p) for p in self.test_curve]
            out["best_test_loss"] = min(p[2] for p in self.test_curve)
        return out

    def script(self, steps: int | None) -> Script:
        """Train; the overfit preset also records train and test loss as it goes (its lesson is their gap)."""
        total = steps if steps is not None else self.cfg.steps
        if self.preset != "overfit":
            yield Train(total)
            return
        for at in overfit.checkpoints(total):
            if at > self.iteration:
                yield Train(at - self.iteration)
            m = self.metrics()
            self.test_curve.append((self.iteration, m["train_loss"], m["test_loss"]))

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        return super().state() | {"config": asdict(self.cfg), "points": self.points.state(), "net": self.net.state()}

    def load(self, state: dict[str, Any]) -> None:
        self.cfg = BoundaryConfig(**state["config"])
        self.points = datasets2d.PointSet.from_state(state["points"])
        super().load(state)  # rebuilds the net for cfg, keeping the points
        self.net.load(state["net"])

