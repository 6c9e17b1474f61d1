"""Cheap plain-array views of an MLP for frames: numpy on the CPU instead of a chain of small torch ops."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import torch

from models.mlp import MLP


def _cpu_flat(net: MLP) -> np.ndarray | None:
    """A numpy view of the parameters (no copy) when they are float64 on the CPU, else None."""
    flat = net.flat
    if flat.device.type != "cpu" or flat.dtype != torch.float64:
        return None
    return (flat.detach() if flat.requires_grad else flat).numpy()


@cache
def _layout(sizes: tuple[int, ...]) -> tuple[tuple[int, int, int, int], ...]:
    """(weight offset, fan in, fan out, bias offset) per layer, as `MLPSpec.layout()`, computed once per shape."""
    out, off = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        out.append((off, n_in, n_out, off + n_in * n_out))
        off += n_in * n_out + n_out
    return tuple(out)


def drawing(net: MLP) -> dict[str, Any]:
    """What `MLP.drawing()` returns, built from one numpy view (a frame draws it up to 30 times a second)."""
    flat = _cpu_flat(net)
    if flat is None:
        return net.drawing()
    weights, biases = [], []
    for w_off, n_in, n_out, b_off in _layout(tuple(net.spec.sizes)):
        weights.append(flat[w_off : b_off].reshape(n_out, n_in).tolist())
        biases.append(flat[b_off : b_off + n_out].tolist())
    return {
        "sizes": list(net.spec.sizes),
        "weights": weights,
        "biases": biases,
        "alive": [m.cpu().tolist() for m in net.masks],
        "frozen": list(net.frozen),
    }


def values(net: MLP, x: torch.Tensor) -> list[list[float]]:
    """Every layer's output for one input x (in,), input first: `MLP.forward` (masks included, no dropout)."""
    flat = _cpu_flat(net)
    if flat is None or x.device.type != "cpu":
        return [v[0].detach().cpu().tolist() for v in net.forward(x.reshape(1, -1).to(net.device))]
    h = x.detach().to(torch.float64).reshape(-1).numpy()
    outs = [h.tolist()]
    last = net.spec.n_layers - 1
    for i, (w_off, n_in, n_out, b_off) in enumerate(_layout(tuple(net.spec.sizes))):
        z = flat[w_off:b_off].reshape(n_out, n_in) @ h + flat[b_off : b_off + n_out]  # (out,)
        if i == last and net.spec.loss == "ce":
            e = np.exp(z - z.max())
            h = e / e.sum()
        elif i == last and net.spec.loss == "bce":
            h = _sigmoid(z)
        else:
            h = _activate(net.spec.activations[i], z)
        h = h * net.masks[i].numpy()
        outs.append(h.tolist())
    return outs


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # the tanh form never overflows, however large |z| grows (a diverging run), and costs two ufuncs
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def _activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return _sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z
