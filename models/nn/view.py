"""Cheap views of an MLP for frames: compiled or numpy on the CPU instead of a chain of small torch ops; one packed
array for the frame codec (models/nn/packed.py), plain lists for everything else."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from models.nn import npview
from models.nn.activations import ACTIVATIONS, output_numpy
from models.nn.layout import layout as _layout
from models.nn.mlp import MLP
from models.nn.packed import Packed, pack

_view = npview.view  # a numpy view of a long-lived float64 CPU tensor (parameters, masks), else None


def _cpu_flat(net: MLP) -> np.ndarray | None:
    """A numpy view of the parameters (no copy) when they are float64 on the CPU, else None."""
    return _view(net.flat)


def _np(t: torch.Tensor) -> np.ndarray:
    """A float64 numpy array of a tensor: a view when it already is one on the CPU (the common case)."""
    if t.device.type == "cpu" and t.dtype == torch.float64 and not t.requires_grad:
        return t.numpy()
    return t.detach().cpu().to(torch.float64).numpy()


def _mask(m: torch.Tensor) -> np.ndarray:
    arr = _view(m)
    return arr if arr is not None else _np(m)


def packed(net: MLP, x: torch.Tensor | np.ndarray | None = None) -> Packed | dict[str, Any]:
    """`MLP.drawing()` plus, for an input x (in,), every layer's `values` (input first, `MLP.forward`'s: masks
    included, no dropout), as one compiled call into one array (models/nn/packed.py), which a frame sends as one
    block. A float32 or GPU net: plain lists, from torch."""
    flat = _cpu_flat(net)
    if flat is None or (isinstance(x, torch.Tensor) and x.device.type != "cpu"):
        out = net.drawing()
        if x is not None:
            t = x.to(net.device) if isinstance(x, torch.Tensor) else torch.from_numpy(x).to(net.device, net.flat.dtype)
            out["values"] = [v[0].detach().cpu().tolist() for v in net.forward(t.reshape(1, -1))]
        return out
    xs = None if x is None else x if isinstance(x, np.ndarray) else _np(x)
    spec = net.spec
    return pack(flat, _mask(net.mask_flat), spec.sizes, spec.activations, spec.loss, net.frozen, xs)


def drawing(net: MLP) -> dict[str, Any]:
    """`MLP.drawing()` (plain lists, which are copies: no copy of the parameters first), from numpy views."""
    flat = _cpu_flat(net)
    if flat is None:
        return net.drawing()
    spans = _layout(tuple(net.spec.sizes))
    return {
        "sizes": list(net.spec.sizes),
        "weights": [flat[w_off:b_off].reshape(n_out, n_in).tolist() for w_off, n_in, n_out, b_off in spans],
        "biases": [flat[b_off : b_off + n_out].tolist() for _, _, n_out, b_off in spans],
        "alive": [_mask(m).tolist() for m in net.masks],
        "frozen": list(net.frozen),
    }


def predict(net: MLP, x: torch.Tensor) -> np.ndarray:
    """The network's output for a batch x (B, in), as `MLP.predict`, (B, out); numpy on the CPU.

    Per-frame numbers (a reconstruction error, class probabilities) go through here rather than torch: a torch
    call hands the GIL away and back, and with the engine thread busy each hand-back can wait a switch interval.
    """
    flat = _cpu_flat(net)
    if flat is None or x.device.type != "cpu":
        return net.predict(x).detach().cpu().to(torch.float64).numpy()
    h = _np(x)
    for i, (w_off, n_in, n_out, b_off) in enumerate(_layout(tuple(net.spec.sizes))):
        z = h @ flat[w_off:b_off].reshape(n_out, n_in).T + flat[b_off : b_off + n_out]  # (B, out)
        h = _activate(net, i, z)
        h = h * _mask(net.masks[i])
    return h


def error(net: MLP, x: torch.Tensor, y: torch.Tensor) -> float:
    """`MLP.error`: mean squared error per output, the number on the loss chart; numpy on the CPU."""
    d = predict(net, x) - _np(y)
    return float((d * d).sum() / d.size)


def values(net: MLP, x: torch.Tensor | np.ndarray) -> list[list[float]]:
    """Every layer's output for one input x (in,), input first: `MLP.forward` (masks included, no dropout)."""
    got = packed(net, x)["values"]
    return [v.tolist() if isinstance(v, np.ndarray) else v for v in got]


def _activate(net: MLP, i: int, z: np.ndarray) -> np.ndarray:
    """Layer i's activation of z (..., out), the output layer's as its loss says."""
    act = net.spec.activations[i]
    return output_numpy(net.spec.loss, act, z) if i == net.spec.n_layers - 1 else ACTIVATIONS[act].numpy(z)
