"""A session's lock that the training thread lets others have between its slices.

Python's locks are not fair: the engine releases a session's lock at the end of a slice and takes it again for
the next one within microseconds, before a thread that was waiting for it (building a frame, applying a command)
has even been woken. Measured on a 2-core machine, a page's frame waited up to 114 ms, and a command up to
380 ms, behind slices of 8 ms. Here a waiting thread is counted, and the trainer, before its next slice, waits
(a bounded time) until every waiter has had its turn.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

YIELD_TIMEOUT_S = 0.05  # the trainer never waits longer than this for waiters (a stream of them cannot stop it)


class FairLock:
    """A reentrant lock; `for_training()` takes it only once the threads already waiting for it have had it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._waiting = 0
        self._turns = threading.Condition(threading.Lock())  # guards _waiting; notified as each waiter gets in

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self._lock.acquire(blocking=False):
            return True
        if not blocking:
            return False
        with self._turns:
            self._waiting += 1
        try:
            return self._lock.acquire(timeout=timeout)
        finally:
            with self._turns:
                self._waiting -= 1
                self._turns.notify_all()

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    @property
    def waiting(self) -> int:
        return self._waiting

    @contextmanager
    def for_training(self) -> Iterator[None]:
        """Hold the lock for a slice of training, after whoever was already waiting for it."""
        if self._waiting:
            with self._turns:
                self._turns.wait_for(lambda: self._waiting == 0, YIELD_TIMEOUT_S)
        with self._lock:
            yield
