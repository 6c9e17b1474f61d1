"""The scheduler: one worker thread steps every runnable session in turn, a time-boxed slice each."""

from __future__ import annotations

import logging
import threading
import time

from server import batching
from server.session import Session

log = logging.getLogger("nnp.engine")

# The shortest slice, as CPU time of the engine thread. A slice pays some 20 us of Python inside it (the call into
# the kernel) and as much around it, so a shorter one is mostly overhead. Shorter floors were measured and not
# kept: 20 us left K at 1 iteration; 50 us gave 300 students (and the room's lecturer, whose lesson waits for
# iteration 1,000) 35 it/s instead of 155 for 17% less server CPU per frame (docs/performance.md, "Classroom load").
MIN_SLICE_S = 0.0001
MIN_DUTY = 0.1  # training never gets less than this share of a round


class Engine:
    """Round-robin over sessions, `slice_s` of training each, so one busy session never starves the others.

    With many running sessions the slice shrinks so that a whole round still takes about `round_s` (the frame
    pump's interval): every running session then changes once a frame, however full the classroom. When rounds
    overrun anyway (a busy machine: every slice also pays its call overhead), training takes a smaller share of
    each round (`duty`) and sleeps the rest, leaving the cores to the frames; it takes its share back when rounds
    are on time again. The event loop never trains; it only hands commands to sessions and reads frames.
    """

    def __init__(self, slice_s: float = 0.008, round_s: float = 0.066, batch_device: str | None = None,
                 batch_min: int = 2) -> None:
        self.slice_s = slice_s
        self.round_s = round_s
        # Where groups of at least `batch_min` same-shaped sessions train as one computation (server.batching);
        # None: every session trains alone on its own network (on the CPU, the fused loop is faster)
        self.batch_device, self.batch_min = batch_device, max(2, batch_min)
        self.duty = 1.0  # share of a round spent training; lowered while rounds overrun `round_s`
        self.rounds = 0  # rounds that trained something, since the start (/healthz reports the rate)
        self.sessions: dict[str, Session] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last = time.monotonic()

    def add(self, session: Session) -> None:
        self.sessions[session.id] = session
        self.wake()

    def remove(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)

    def wake(self) -> None:
        self._wake.set()

    def tick(self) -> int:
        """One round: every runnable session gets one slice. Returns the iterations trained in all."""
        now = time.monotonic()
        dt, self._last = now - self._last, now
        total = 0
        running = [s for s in list(self.sessions.values()) if s.runnable]
        budget = max(MIN_SLICE_S, min(self.slice_s, self.duty * self.round_s / max(1, len(running))))
        for s in running:
            s.earn(dt)
        alone = running
        if self.batch_device is not None:
            together, alone = batching.groups(running, self.batch_min)
            for group in together:
                try:
                    trained, rest = batching.train_group(group, budget, self.batch_device)
                except Exception:  # noqa: BLE001 - the GPU failed (out of memory, a driver fault): train alone
                    log.exception("training %d sessions as one batch on %s failed; from now on every session "
                                  "trains alone on the CPU", len(group), self.batch_device)
                    self.batch_device = None
                    trained, rest = 0, group
                total += trained
                alone += rest
        for s in alone:
            if s.runnable:
                try:
                    total += s.train_slice(budget)
                except Exception as e:  # noqa: BLE001 - one broken session must not stop the others
                    with s.lock:
                        s.running, s.pending_steps = False, 0
                        s.status = f"training stopped: {type(e).__name__}: {e}"
                        s.version += 1
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            t0 = time.monotonic()
            trained = self.tick()
            if trained:
                self.rounds += 1
                self.pace(time.monotonic() - t0)
                rest = self.round_s - (time.monotonic() - t0)
                if self.duty < 1.0 and rest > 0:
                    self._stop.wait(rest)  # the cores (and the GIL) go to the frames meanwhile
            if trained == 0:
                # Nothing to do, or every running session is waiting on its speed limit.
                busy = any(s.runnable for s in self.sessions.values())
                self._wake.wait(0.002 if busy else 0.1)
                self._wake.clear()

    def pace(self, elapsed: float) -> None:
        """After a round that took `elapsed` seconds: less training per round while rounds overrun, more (up to
        all of it) while they finish early."""
        if elapsed > 1.1 * self.round_s:
            self.duty = max(MIN_DUTY, self.duty * 0.9)
        elif elapsed < self.round_s and self.duty < 1.0:
            self.duty = min(1.0, self.duty * 1.05)

    def start(self) -> None:
        assert self._thread is None, "engine already started"
        self._thread = threading.Thread(target=self._loop, name="nnp-engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
