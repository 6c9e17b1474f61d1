"""The decision-boundary demo's heatmaps: the output over the plane and every neuron's own, a byte per cell."""

from __future__ import annotations

import functools
from typing import Any

import torch

from models.data import datasets2d, features
from models.data.plane import encode_columns, encode_signed, encode_unsigned, grid, signed
from models.demos.boundary import net as bn
from models.demos.boundary.config import BoundaryConfig
from models.nn.mlp import MLP

HEATMAP = 100  # the output heatmap is HEATMAP x HEATMAP cells, like TensorFlow Playground's
THUMB = 20  # every neuron's own heatmap, drawn inside it in the network picture


@torch.no_grad()
def heatmaps(net: MLP, cfg: BoundaryConfig) -> dict[str, Any]:
    """One forward pass over both grids: the output at HEATMAP^2 cells and every neuron (inputs included) at
    THUMB^2 cells, each quantised to a byte per cell (see docs/protocol.md)."""
    # float32: every value ends up as one byte, and the 10,400-point pass of a big net is most of a frame
    outs = bn.layers(net, cfg.output, _grid_inputs(tuple(cfg.features)).to(net.device),
                     torch.float32)
    cut = HEATMAP * HEATMAP
    last = outs[-1][:cut]
    classes = last.shape[1]
    if classes <= 2:  # P(A): one signed channel (A green, B red)
        output = {"channels": 1, "data": encode_signed(2 * last[:, 0] - 1)}
    else:  # P(class k): one unsigned channel per class, class-major
        output = {"channels": classes, "data": encode_unsigned(last.T.contiguous())}
    kinds = ["free"] + [{"sigmoid": "prob", "tanh": "tanh"}.get(cfg.activation, "free")] * len(
        cfg.hidden) + ["prob"]
    neurons, scales = [], []
    for v, kind in zip(outs, kinds, strict=True):
        d, scale = signed(v[cut:], kind)
        neurons.append(encode_columns(d))
        scales.append([round(float(s), 4) for s in scale])
    return {"size": HEATMAP, "thumb": THUMB, "extent": datasets2d.EXTENT, "output": output,
            "neurons": neurons, "scales": scales}


@functools.cache
def _grids() -> torch.Tensor:
    return torch.cat([grid(HEATMAP), grid(THUMB)])


@functools.lru_cache(maxsize=32)
def _grid_inputs(names: tuple[str, ...]) -> torch.Tensor:
    """The network's inputs at every grid cell, float32, per feature set (the sines need not run every frame)."""
    return features.transform(_grids(), list(names)).to(torch.float32)


@torch.no_grad()
def metrics(net: MLP, cfg: BoundaryConfig, points: datasets2d.PointSet, device: torch.device | str) -> dict[str, Any]:
    """Loss (mean squared error of the output, the number on the chart) and accuracy, training and test."""
    out: dict[str, Any] = {}
    for split, test in (("train", False), ("test", True)):
        xy, label = points.subset(test)
        out[f"n_{split}"] = len(label)
        if not len(label):
            out[f"{split}_loss"] = out[f"{split}_accuracy"] = None
            continue
        last = bn.layers(net, cfg.output, features.transform(xy, cfg.features).to(device))[-1]
        y = bn.targets(label, cfg.output, points.classes).to(device)
        out[f"{split}_loss"] = float(((last - y) ** 2).mean())
        out[f"{split}_accuracy"] = float((bn.predicted_class(last, cfg.output).cpu() == label).double().mean())
    return out

