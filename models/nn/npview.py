"""Numpy views of torch tensors, remembered per tensor: asking torch for a tensor's device, dtype and numpy view is
several torch calls, each handing the GIL over (on a busy server the caller then waits for it back), and costs
more than the tiny math a frame or a training slice does with it. The frame views (models/nn/view.py) and the
fused kernel's arguments (models/nn/fused.py) both read tensors through here."""

from __future__ import annotations

import weakref

import numpy as np
import torch

_views: dict[int, tuple[weakref.ref[torch.Tensor], np.ndarray | None]] = {}


def view(t: torch.Tensor) -> np.ndarray | None:
    """A numpy view (no copy) of a contiguous float64 CPU tensor, else None; remembered while the tensor lives. The
    view stays valid as the tensor changes in place (training, knockouts)."""
    hit = _views.get(id(t))
    if hit is not None and hit[0]() is t:
        return hit[1]
    arr = None
    if t.device.type == "cpu" and t.dtype == torch.float64 and t.is_contiguous():
        arr = (t.detach() if t.requires_grad else t).numpy()
    key = id(t)
    _views[key] = (weakref.ref(t, lambda _, key=key: _views.pop(key, None)), arr)
    return arr
