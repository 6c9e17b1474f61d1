"""Heatmaps over the plane: the grid, what a neuron's value looks like on the one colour scale, and the bytes."""

from __future__ import annotations

import base64

import numpy as np
import torch

from models.data.datasets2d import EXTENT


def grid(size: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Cell centres of a size x size grid over the plane, (size*size, 2), row-major from the top-left corner:
    row 0 is x2 = +EXTENT (the top of the picture), column 0 is x1 = -EXTENT."""
    c = (torch.arange(size, dtype=dtype) + 0.5) / size * 2 * EXTENT - EXTENT
    x2, x1 = torch.meshgrid(c.flip(0), c, indexing="ij")
    return torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)


def signed(v: torch.Tensor, kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Values (B, units) -> display values in [-1, 1] (the page's green/red scale) and each unit's scale.

    kind "prob": values in [0, 1], 0.5 is the boundary (2v - 1); "tanh": already in [-1, 1];
    "free" (ReLU, linear, input features): divided by the unit's largest magnitude over the grid.
    """
    units = v.shape[1]
    if kind == "prob":
        return 2 * v - 1, torch.ones(units, dtype=v.dtype)
    if kind == "tanh":
        return v, torch.ones(units, dtype=v.dtype)
    assert kind == "free", f"kind must be prob, tanh or free, got {kind!r}"
    scale = v.abs().amax(dim=0).clamp_min(1e-12)
    return v / scale, scale


def encode_signed(d: torch.Tensor) -> np.ndarray:
    """[-1, 1] -> bytes round((d + 1) * 127.5), uint8 (a frame sends it as a Uint8Array block); the page reads
    d = byte / 127.5 - 1."""
    return encode_columns(d.reshape(-1, 1))[0]


def encode_columns(d: torch.Tensor) -> list[np.ndarray]:
    """encode_signed for every column of d (cells, units) at once: one quantisation, a uint8 row per unit."""
    q = ((d.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).T.contiguous().cpu().numpy()  # (units, cells)
    return list(q)


def encode_unsigned(p: torch.Tensor) -> np.ndarray:
    """[0, 1] -> bytes round(p * 255), uint8; the page reads p = byte / 255."""
    return (p.clamp(0, 1) * 255).round().to(torch.uint8).cpu().contiguous().numpy().reshape(-1)  # one flat block


def decode(data: str | np.ndarray | list[int], signed_: bool = True) -> torch.Tensor:
    """What the page does with the bytes (used by the tests): a heatmap's bytes as a frame carries them (a uint8
    array; a list, as codec.read gives it), or base64 text (a dashboard card's)."""
    raw = base64.b64decode(data) if isinstance(data, str) else np.asarray(data, dtype=np.uint8).tobytes()
    q = torch.frombuffer(bytearray(raw), dtype=torch.uint8).to(torch.float64)
    return q / 127.5 - 1 if signed_ else q / 255
