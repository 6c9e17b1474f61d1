"""The decision-boundary demo's configuration: every knob a session has, and the presets the lessons start from."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.data import features

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
    dropout_on: bool = False  # inverted dropout of every hidden neuron on every update (the overfit lesson)
    dropout_p: float = 0.5  # the probability a hidden neuron is dropped while dropout is on
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
    # A circle whose labels noise blurs, 30 training points and 120 held out, three tanh layers of 16: the net learns
    # the noise of its few points (models/boundary_overfit.py: the lesson, with and without dropout).
    "overfit": BoundaryConfig(dataset="circle", n=150, noise=0.5, test_ratio=0.8, hidden=[16, 16, 16],
                              activation="tanh", lr=0.1, batch=10, steps=2000),
}


# What a set-up is made of (not lr, which `set` changes, nor the steps `run` trains): the page's "lesson" label
# says "(changed)" once any of it differs from the preset the session started from.
SETUP = ("dataset", "n", "noise", "test_ratio", "hidden", "activation", "output", "features", "batch", "l1", "l2",
         "dropout_on")


def preset_changed(cfg: BoundaryConfig, preset: str, n_points: int) -> bool:
    """Whether the session is no longer its preset's set-up: configured, other data, points clicked in or out."""
    ref = PRESETS[preset]
    return n_points != cfg.n or any(getattr(cfg, k) != getattr(ref, k) for k in SETUP)
