"""The session lock lets a waiting frame or command in between two training slices."""

from __future__ import annotations

import threading
import time

from server.fairlock import FairLock


def _slices_waited(lock: FairLock, trials: int = 20) -> list[int]:
    """A trainer holds the lock for slice after slice of busy work (as the engine does); another thread asks
    for the lock `trials` times. For each, how many slices began after it asked and before it got the lock."""
    slices, stop = [0], threading.Event()

    def trainer() -> None:
        while not stop.is_set():
            with lock.for_training():
                slices[0] += 1
                end = time.perf_counter() + 0.003
                while time.perf_counter() < end:  # holds the GIL, as a training slice mostly does
                    pass

    t = threading.Thread(target=trainer)
    t.start()
    waited = []
    try:
        for _ in range(trials):
            time.sleep(0.001)
            asked = slices[0]
            with lock:
                waited.append(slices[0] - asked)
    finally:
        stop.set()
        t.join()
    return waited


def test_a_waiter_gets_the_lock_before_the_next_slice_begins() -> None:
    waited = _slices_waited(FairLock())
    # Asking during slice k, it gets in before slice k + 1 starts (0: it asked between slices).
    assert max(waited) <= 1, waited


def test_the_lock_is_reentrant_and_try_acquire_fails_while_held() -> None:
    lock = FairLock()
    with lock, lock:
        got: list[bool] = []
        th = threading.Thread(target=lambda: got.append(lock.acquire(blocking=False)))
        th.start()
        th.join()
        assert got == [False]
    assert lock.acquire(blocking=False)
    lock.release()
