"""Input features computed from a point (x1, x2): the toggles TensorFlow Playground offers."""

from __future__ import annotations

from collections.abc import Callable

import torch

# name -> function of the (N, 2) points; the order here is the order of the network's inputs.
FEATURES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1^2": lambda p: p[:, 0] ** 2,
    "x2^2": lambda p: p[:, 1] ** 2,
    "x1*x2": lambda p: p[:, 0] * p[:, 1],
    "sin x1": lambda p: torch.sin(p[:, 0]),
    "sin x2": lambda p: torch.sin(p[:, 1]),
}
NAMES = tuple(FEATURES)


def ordered(names: list[str] | tuple[str, ...]) -> list[str]:
    """The chosen features in canonical order, without repeats; refuses unknown names and an empty choice."""
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature {unknown[0]!r}; expected some of {', '.join(NAMES)}")
    chosen = [n for n in NAMES if n in names]
    if not chosen:
        raise ValueError("the network needs at least one input feature")
    return chosen


def transform(points: torch.Tensor, names: list[str]) -> torch.Tensor:
    """(N, 2) points -> (N, len(names)) network inputs; differentiable, so autograd can check a pipeline."""
    assert points.ndim == 2 and points.shape[1] == 2, f"points must be (N, 2), got {tuple(points.shape)}"
    return torch.stack([FEATURES[n](points) for n in names], dim=1)


def is_plain(names: list[str]) -> bool:
    """Inputs are exactly (x1, x2): the network sees the plane itself, so a perceptron's boundary is a line."""
    return list(names) == ["x1", "x2"]
