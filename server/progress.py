"""Progress bars for the long commands (run, loadtest): on stderr, and only when stderr is a terminal (tqdm)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm


def bar(desc: str, total: float, unit: str) -> tqdm:
    """A bar on stderr, or (stderr piped or redirected) one that draws nothing: tqdm's disable=None asks isatty,
    so a script reading the JSON on stdout, or a log file of stderr, gets no carriage-return noise."""
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=None, dynamic_ncols=True, leave=False)


@contextmanager
def lines_between_bars() -> Iterator[None]:
    """Write a line to a terminal without tearing a bar drawn on it: tqdm lifts its bars and draws them again."""
    with tqdm.external_write_mode():
        yield
