"""The engine's slice size K never lets one slice run away when the cost of an iteration changes."""

from __future__ import annotations

import time

from models.demos.sigmoid.demo import AddPoint, SetTarget, SigmoidDemo
from server.protocol import Play, SetParams
from server.session import Session
from tests.tiny_torch import one_torch_thread  # noqa: F401 - an autouse fixture

BUDGET = 0.008


def slices(s: Session, n: int) -> None:
    for _ in range(n):
        s.earn(0.01)
        s.train_slice(BUDGET)


def test_a_speed_limited_run_does_not_grow_k_past_what_it_trains() -> None:
    s = Session(SigmoidDemo(seed=0, preset="sin-30"))
    s.apply(SetParams(speed=100))
    s.apply(Play())
    slices(s, 40)  # each slice is cut to the iterations earned: a few, and fast
    assert s.k <= 4 * 100, f"K grew to {s.k} on slices of a few iterations"
    s.apply(SetParams(speed=0))
    t0 = time.perf_counter()
    trained = s.train_slice(BUDGET)  # the first slice at full speed
    assert trained <= 4 * 100 and time.perf_counter() - t0 < 5.0


def test_k_starts_small_again_when_the_data_changes() -> None:
    s = Session(SigmoidDemo(seed=0, preset="sin-30"))
    s.apply(SetTarget(name="none"))  # nothing to fit: an iteration costs nothing, K grows to its cap
    s.apply(SetParams(speed=0))
    s.apply(Play())
    slices(s, 20)
    assert s.k > 10_000
    s.apply(AddPoint(x=1.0, y=0.5))  # now every iteration trains a network
    assert s.k == 1
    before = s.demo.iteration
    s.train_slice(BUDGET)
    assert s.demo.iteration - before == 1
