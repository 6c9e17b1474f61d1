"""One torch intra-op thread for tests of tiny networks, as `nn-playground run` uses (NNP_TORCH_THREADS).

On a busy 2-core machine a second thread turns a 1 ms training step into tens of milliseconds of
synchronisation. Import `one_torch_thread` into a test module to have it for that module (it is autouse).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
