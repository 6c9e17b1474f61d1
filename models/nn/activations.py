"""Activations and losses, each defined once with its derivative: every implementation of the MLP reads these.

As TensorFlow Playground's nn.ts keeps `TANH = {output, der}`, an activation here is one object holding its
function (torch and numpy forms, the same numbers) and its derivative. The compiled kernel
(models/nn/fused_kernel.py) branches on each entry's `code`, its position in the table, written out there (numba's
disk cache sees that file only) and asserted equal; tests/test_models_activations.py checks every derivative
against autograd and runs every entry through the kernel, so a new activation fails there until the kernel has
its branch. Append new entries, never reorder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch


def _np_sigmoid(z: np.ndarray) -> np.ndarray:
    # the tanh form never overflows, however large |z| grows (a diverging run), and costs two ufuncs
    return 0.5 + 0.5 * np.tanh(0.5 * z)


@dataclass(frozen=True)
class Activation:
    name: str
    torch: Callable[[torch.Tensor], torch.Tensor]  # h = f(z), elementwise
    numpy: Callable[[np.ndarray], np.ndarray]  # the same f on float64 arrays (frames, without torch)
    der: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # f'(z) from z and h = f(z)
    label: str = ""  # what a page's menu shows; the name if empty
    code: int = -1  # the compiled kernel's branch code: the entry's position in ACTIVATIONS (set below)


_TABLE = (
    Activation("sigmoid", torch.sigmoid, _np_sigmoid, lambda z, h: h * (1 - h)),
    Activation("tanh", torch.tanh, np.tanh, lambda z, h: 1 - h * h),
    # relu'(0) = 0, as torch's autograd has it
    Activation("relu", torch.relu, lambda z: np.maximum(z, 0.0), lambda z, h: (z > 0).to(z.dtype), "ReLU"),
    Activation("linear", lambda z: z, lambda z: z, lambda z, h: torch.ones_like(z)),
)
ACTIVATIONS: dict[str, Activation] = {
    a.name: Activation(a.name, a.torch, a.numpy, a.der, a.label or a.name, code) for code, a in enumerate(_TABLE)
}
# The output layer of the "ce" loss; not a hidden layer's choice, so not in ACTIVATIONS. A fixed code, not the
# next position: a new activation must not move it under a kernel compiled (and cached) before.
SOFTMAX_CODE = -1


@dataclass(frozen=True)
class Loss:
    name: str
    output: str | None  # the output layer's activation it implies ("softmax", "sigmoid"), None: the spec's own
    per_sample: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (B, out) outputs, targets -> (B,)
    code: int = -1  # the compiled kernel's branch code, its position in LOSSES


def _log(p: torch.Tensor) -> torch.Tensor:
    return torch.log(p.clamp_min(1e-12))  # the kernel's CLAMP: below it the gradient is zero


_LOSSES = (
    # mse: 0.5 * squared error (Winston's performance function)
    Loss("mse", None, lambda o, y: 0.5 * ((o - y) ** 2).sum(dim=1)),
    # ce: softmax + cross-entropy
    Loss("ce", "softmax", lambda o, y: -(y * _log(o)).sum(dim=1)),
    # bce: sigmoid + binary cross-entropy
    Loss("bce", "sigmoid", lambda o, y: -(y * _log(o) + (1 - y) * _log(1 - o)).sum(dim=1)),
)
LOSSES: dict[str, Loss] = {x.name: Loss(x.name, x.output, x.per_sample, code) for code, x in enumerate(_LOSSES)}


def output_torch(loss: str, activation: str, z: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """The output layer's activation: the loss's own (softmax over `dim`, sigmoid) or else the spec's."""
    out = LOSSES[loss].output
    if out == "softmax":
        return torch.softmax(z, dim=dim)
    return ACTIVATIONS[out or activation].torch(z)


def output_numpy(loss: str, activation: str, z: np.ndarray) -> np.ndarray:
    """`output_torch` on numpy, softmax over the last axis."""
    out = LOSSES[loss].output
    if out == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    return ACTIVATIONS[out or activation].numpy(z)

