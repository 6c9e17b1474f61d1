"""Dropout as the pages drive it: the command (shared by every demo that has it) and which neurons an update dropped."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from models.command import Command
from models.nn.mlp import MLP


class Dropout(Command):
    """Dropout on or off; while on, each hidden neuron is dropped with probability p on every update."""

    type: Literal["dropout"] = "dropout"
    on: bool
    p: float | None = Field(default=None, gt=0.0, le=0.9, allow_inf_nan=False)


def dropped(net: MLP, draw: torch.Tensor) -> list[list[bool]]:
    """Per hidden layer, which live neurons one update's draw dropped (the page greys them out)."""
    out, off = [], 0
    for m in net.masks[:-1]:  # whole-tensor comparisons: element by element cost milliseconds a frame
        n = m.numel()
        out.append(((draw[off : off + n] < net.dropout) & (m.cpu() > 0)).tolist())
        off += n
    return out
