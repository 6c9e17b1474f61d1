"""Fused SGD for MLP: whole epochs in one numba-compiled call that updates `net.flat` in place."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import torch

from models.nn import npview
from models.nn.activations import ACTIVATIONS, LOSSES, SOFTMAX_CODE
from models.nn.fused_kernel import FROZEN, _train
from models.nn.layout import ERRORS, full_batch, layout

if TYPE_CHECKING:
    from models.nn.mlp import MLP

Arr = np.ndarray  # kernels take flat float64 buffers (int64 for the plan); numba ignores the annotations

_NO_DRAWS = np.empty((0, 0), dtype=np.float64)


@lru_cache(maxsize=64)
def _plan(sizes: tuple[int, ...], acts: tuple[str, ...], loss: str) -> np.ndarray:
    """The layout as an int array, one row per layer (columns W_OFF..K_OFF); frozen is filled per call."""
    plan = np.zeros((len(sizes) - 1, 8), dtype=np.int64)
    m_off = 0
    output = LOSSES[loss].output
    for li, (w_off, n_in, n_out, b_off) in enumerate(layout(sizes)):
        act = ACTIVATIONS[acts[li]].code
        if li == len(sizes) - 2 and output is not None:
            act = SOFTMAX_CODE if output == "softmax" else ACTIVATIONS[output].code
        # K_OFF indexes the dropout draws, which cover hidden neurons only, in the same order as M_OFF
        plan[li] = (w_off, n_in, n_out, b_off, act, 0, m_off, m_off)
        m_off += n_out
    return plan


def _f64(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach(), dtype=np.float64)  # no copy when already contiguous float64


def _view(t: torch.Tensor) -> np.ndarray:
    """`_f64(t)`, from the view remembered for `t` where it is one (models/nn/npview.py): no torch call per slice
    for a net's parameters, masks and data. Each torch call hands the GIL over, and on a busy server the engine
    then waits for it back; a classroom's engine made several such calls per slice, thousands of slices a second
    (docs/performance.md, "Classroom load")."""
    a = npview.view(t)
    return a if a is not None else _f64(t)


def fused_fit(
    net: MLP, x: torch.Tensor, y: torch.Tensor, epochs: int, lr: float, batch: int = 0,
    draws: torch.Tensor | None = None, errors: str = "after",
) -> torch.Tensor:  # fmt: skip
    """`MLP.torch_fit` semantics, compiled: updates net.flat in place, returns the error of each epoch."""
    if net.flat.dtype != torch.float64 or not net.flat.is_contiguous():  # the kernel is float64 only
        return net.torch_fit(x, y, epochs, lr, batch, draws, errors)
    assert errors in ERRORS, f"errors must be one of {ERRORS}, got {errors!r}"
    spec = net.spec
    n = x.shape[0]
    # the kernel does not bounds-check its loads: shapes are checked here instead
    if x.ndim != 2 or x.shape[1] != spec.sizes[0] or tuple(y.shape) != (n, spec.sizes[-1]):
        raise ValueError(f"expected x (n, {spec.sizes[0]}) and y (n, {spec.sizes[-1]}), got {x.shape}, {y.shape}")
    batch = full_batch(batch, n)
    flat = _view(net.flat)  # a view: the kernel's writes are the net's new parameters
    plan = _plan(tuple(spec.sizes), tuple(spec.activations), spec.loss).copy()
    plan[:, FROZEN] = net.frozen
    masks = _view(net.mask_flat)  # every layer's mask, as the net has them now (the kernel only reads them)
    d = _NO_DRAWS
    if draws is not None:
        need = epochs * -(-n // batch)
        if draws.shape[0] < need or draws.shape[1] != sum(spec.sizes[1:-1]):
            raise ValueError(f"draws must be at least ({need}, {sum(spec.sizes[1:-1])}), got {tuple(draws.shape)}")
        d = _f64(draws)
    out = np.empty(epochs, dtype=np.float64)
    xs, ys = _view(x), _view(y)
    _train(
        flat, xs, ys, plan, masks, d, float(net.dropout), LOSSES[spec.loss].code, spec.reduction == "mean",
        float(lr), float(net.l1), float(net.l2), int(batch), errors == "during", out,
    )  # fmt: skip
    return torch.from_numpy(out)
