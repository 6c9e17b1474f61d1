"""Where each layer's weights and biases sit in a network's flat parameter vector, and how many rows an update takes."""

from __future__ import annotations

from functools import cache


@cache
def layout(sizes: tuple[int, ...]) -> tuple[tuple[int, int, int, int], ...]:
    """Per layer (weight offset, fan in, fan out, bias offset): layer by layer, its weights (out, in) row by row,
    then its biases. Every reader of a flat vector (torch views, the kernel's plan, numpy frames) takes this."""
    out, off = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        out.append((off, n_in, n_out, off + n_in * n_out))
        off += n_in * n_out + n_out
    return tuple(out)


def full_batch(batch: int, n: int) -> int:
    """The rows per update: `batch`, where 0 (or more than the n rows there are) means all of them."""
    return n if batch <= 0 or batch > n else batch
