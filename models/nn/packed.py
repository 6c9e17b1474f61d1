"""A network's numbers for one frame in one array: a copy of its parameters, its masks and (for one input) every
layer's values, made by one compiled call (models/nn/fused_kernel.py's `_frame`, the forward pass training runs).

The frame codec (server/codec.py) sends the array as one block and each layer's weights, biases, masks and values
as a reference into it (docs/protocol.md, "Binary frames"); Python readers get the same keys as
`MLP.drawing()`, each layer's array a numpy view into the block, made only when asked for (a frame's encoding
never asks: a dozen views cost as much as the whole compiled call).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from models.nn.fused import _plan
from models.nn.fused_kernel import _frame
from models.nn.layout import layout as _layout

_F64 = np.dtype(np.float64)
Part = tuple[tuple[int, tuple[int, ...]], ...]  # per layer: (offset in the block, shape)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per network shape (frame_layout's cache)
class Layout:
    """Where each of a network's arrays lies in its frame block."""

    size: int  # the block's length (float64 elements)
    plan: np.ndarray  # the compiled forward pass's per-layer plan (models/nn/fused.py)
    refs: tuple[tuple[str, Part], ...]  # weights (out, in), biases, alive (the masks) and values (input first)
    # per key, per layer: its slice of the block, its shape (None for one axis: the slice is the view) and its ref
    cuts: dict[str, tuple[tuple[slice, tuple[int, ...] | None, tuple[int, tuple[int, ...]]], ...]]


@lru_cache(maxsize=256)
def frame_layout(sizes: tuple[int, ...], acts: tuple[str, ...], loss: str, values: bool) -> Layout:
    spans = _layout(sizes)
    p = sum(n_in * n_out + n_out for _, n_in, n_out, _ in spans)
    m = sum(sizes[1:])
    w = max(sizes)
    ends = (0, *itertools.accumulate(sizes[1:]))
    refs = [("weights", tuple((w_off, (n_out, n_in)) for w_off, n_in, n_out, _ in spans)),
            ("biases", tuple((b_off, (n_out,)) for _, _, n_out, b_off in spans)),
            ("alive", tuple((p + ends[i], (n,)) for i, n in enumerate(sizes[1:])))]
    if values:
        refs.append(("values", tuple((p + m + i * w, (n,)) for i, n in enumerate(sizes))))
    cuts = {key: tuple((slice(at, at + math.prod(shape)), shape if len(shape) > 1 else None, (at, shape))
                       for at, shape in part) for key, part in refs}
    return Layout(p + m + (len(sizes) * w if values else 0), _plan(sizes, acts, loss), tuple(refs), cuts)


class Packed(Mapping[str, Any]):
    """One frame's network: `block` (float64), its `layout`, and `plain`, its keys that are no arrays (sizes,
    frozen); as a mapping, `MLP.drawing()`'s keys (plus `values` when there was an input), each array a numpy
    view into the block, made on first use."""

    __slots__ = ("block", "layout", "plain", "_views", "handed")

    def __init__(self, block: np.ndarray, layout: Layout, plain: dict[str, Any]) -> None:
        self.block, self.layout, self.plain = block, layout, plain
        self._views: dict[str, list[np.ndarray]] = {}
        # the views handed out so far, each with its (offset, shape): a frame refers to them in the block too
        self.handed: list[tuple[np.ndarray, tuple[int, tuple[int, ...]]]] = []

    def __getitem__(self, key: str) -> Any:
        if key in self.plain:
            return self.plain[key]
        got = self._views.get(key)
        if got is None:
            b = self.block
            pairs = [(b[cut] if shape is None else b[cut].reshape(shape), ref)
                     for cut, shape, ref in self.layout.cuts[key]]  # KeyError for a key it does not have
            self.handed += pairs
            got = self._views[key] = [a for a, _ in pairs]
        return got

    def __iter__(self) -> Iterator[str]:
        yield from self.plain
        for key, _ in self.layout.refs:
            yield key

    def __len__(self) -> int:
        return len(self.plain) + len(self.layout.refs)


def pack(flat: np.ndarray, masks: np.ndarray, sizes: list[int], acts: list[str], loss: str,
         frozen: list[bool], x: np.ndarray | None) -> Packed:
    """The frame's numbers of a float64 CPU network (its parameters `flat`, its masks layer after layer in one
    array), for input x or none."""
    lay = frame_layout(tuple(sizes), tuple(acts), loss, x is not None)
    block = np.zeros(lay.size)
    if x is None:
        xs = block[:0]  # no input: no values (the kernel skips the forward pass)
    else:
        ok = x.dtype == _F64 and x.ndim == 1 and x.flags.c_contiguous  # else a copy: one compiled version only
        xs = x if ok else np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
        if xs.shape[0] != sizes[0]:
            raise ValueError(f"expected an input of {sizes[0]} numbers, got {xs.shape[0]}")
    _frame(flat, lay.plan, masks, xs, block)
    return Packed(block, lay, {"sizes": list(sizes), "frozen": list(frozen)})
