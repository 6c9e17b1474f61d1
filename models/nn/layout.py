"""Where each layer's weights and biases sit in a network's flat vector; how a fit takes its rows and reports."""

from __future__ import annotations

from functools import cache

# What fit returns per epoch. "after": the mean squared error once the epoch is done (a forward pass of its own
# over the data, unless the next epoch's full-batch pass is that). "during": the mean squared error of the outputs
# the epoch's training pass computed anyway, each batch's before its own update (with dropout's masks): free, and
# the same curve a step later and a little above, as Keras reports its training loss.
ERRORS = ("after", "during")


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
