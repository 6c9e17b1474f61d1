"""Cheap views of an MLP for frames: numpy on the CPU instead of a chain of small torch ops; numpy arrays for the
frame codec, plain lists for everything else."""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import torch

from models.nn.activations import ACTIVATIONS, output_numpy
from models.nn.layout import layout as _layout
from models.nn.mlp import MLP

_views: dict[int, tuple[weakref.ref[torch.Tensor], np.ndarray | None]] = {}


def _view(t: torch.Tensor) -> np.ndarray | None:
    """A numpy view (no copy) of a long-lived float64 CPU tensor (parameters, masks), else None; remembered per
    tensor, because asking torch for a tensor's device, dtype and numpy view costs more than the tiny math."""
    hit = _views.get(id(t))
    if hit is not None and hit[0]() is t:
        return hit[1]
    arr = None
    if t.device.type == "cpu" and t.dtype == torch.float64:
        arr = (t.detach() if t.requires_grad else t).numpy()
    key = id(t)
    _views[key] = (weakref.ref(t, lambda _, key=key: _views.pop(key, None)), arr)
    return arr


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


def arrays(net: MLP) -> dict[str, Any]:
    """What `MLP.drawing()` returns, as numpy arrays (a frame writes them as typed blocks, server/codec.py): one
    copy of the parameters, each layer's weights and biases views into it. A float32 or GPU net: its lists."""
    flat = _cpu_flat(net)
    if flat is None:
        return net.drawing()
    r = flat.copy()  # the frame keeps what it shows, whatever training changes next
    weights, biases = [], []
    for w_off, n_in, n_out, b_off in _layout(tuple(net.spec.sizes)):
        weights.append(r[w_off:b_off].reshape(n_out, n_in))
        biases.append(r[b_off : b_off + n_out])
    return {
        "sizes": list(net.spec.sizes),
        "weights": weights,
        "biases": biases,
        "alive": [_mask(m).copy() for m in net.masks],
        "frozen": list(net.frozen),
    }


def drawing(net: MLP) -> dict[str, Any]:
    """`MLP.drawing()` (plain lists), from one numpy view."""
    out = arrays(net)
    for key in ("weights", "biases", "alive"):
        out[key] = [a.tolist() if isinstance(a, np.ndarray) else a for a in out[key]]
    return out


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


def values(net: MLP, x: torch.Tensor) -> list[list[float]]:
    """Every layer's output for one input x (in,), input first: `MLP.forward` (masks included, no dropout)."""
    return [v.tolist() if isinstance(v, np.ndarray) else v for v in value_arrays(net, x)]


def value_arrays(net: MLP, x: torch.Tensor | np.ndarray) -> list[np.ndarray] | list[list[float]]:
    """`values` as numpy arrays, one per layer (lists for a float32 or GPU net); x may be a float64 numpy row."""
    flat = _cpu_flat(net)
    if flat is None or (isinstance(x, torch.Tensor) and x.device.type != "cpu"):
        t = x.to(net.device) if isinstance(x, torch.Tensor) else torch.from_numpy(x).to(net.device, net.flat.dtype)
        return [v[0].detach().cpu().tolist() for v in net.forward(t.reshape(1, -1))]
    h = x if isinstance(x, np.ndarray) and x.ndim == 1 else (x if isinstance(x, np.ndarray) else _np(x)).reshape(-1)
    outs = [h]  # the input itself (a frame that shows it again sends it once)
    for i, (w_off, n_in, n_out, b_off) in enumerate(_layout(tuple(net.spec.sizes))):
        z = flat[w_off:b_off].reshape(n_out, n_in) @ h
        z += flat[b_off : b_off + n_out]  # (out,)
        h = _activate(net, i, z)
        h *= _mask(net.masks[i])
        outs.append(h)
    return outs


def _activate(net: MLP, i: int, z: np.ndarray) -> np.ndarray:
    """Layer i's activation of z (..., out), the output layer's as its loss says."""
    act = net.spec.activations[i]
    return output_numpy(net.spec.loss, act, z) if i == net.spec.n_layers - 1 else ACTIVATIONS[act].numpy(z)
