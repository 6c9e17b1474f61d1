"""Pacing: how the frame clock and the engine's rounds share a frame interval, where a session's training stops by
itself (stop at N, pause when solved), and how fast it really trains."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from models.demo import Demo

RATE_WINDOW_S = 1.5  # the it/s readout is the iterations trained over about this much wall time
# A training round lasts this share of a frame interval: a little shorter, so that every tick finds each running
# session changed (rounds as long as the interval drift against the ticks and a tick in a few finds nothing new).
ROUND_SHARE = 0.8
# A snapshot built while only training changed the session is reused for this share of a frame interval: under
# one interval, so a lone page always gets a fresh one, and a room's followers share one per tick.
REUSE_SHARE = 0.8
LATE = 0.25  # a tick later than this share of the frame interval (smoothed) means the event loop is behind
ON_TIME = 0.05  # ...earlier than this share, that it has room to spare


def reuse_s(fps: float) -> float:
    """How long a snapshot may be reused at this frame rate (REUSE_SHARE of a frame interval)."""
    return REUSE_SHARE / fps


@dataclass
class Pace:
    """A session's stopping rules. Both are exact: a slice never trains past `stop_at`, and "pause when solved"
    pauses at the first iteration `Demo.solved()` holds (checked on multiples of `Demo.solve_every`, or by the
    demo itself during training when that is 0), whatever the slicing. So a lesson step ends where it says."""

    stop_at: int | None = None  # pause on reaching this iteration (Train N, "stop at iteration N", a lesson step)
    pause_solved: bool = False  # pause as soon as the demo's task is solved
    # (time.monotonic(), iterations trained in all) after each slice: the real training speed over wall time
    marks: deque[tuple[float, int]] = field(default_factory=deque)
    trained: int = 0
    was_solved: bool = False  # solved at the last check (pause when solved fires on becoming solved)

    def cap(self, demo: Demo, n: int) -> int:
        """The most of n iterations the next slice may train without passing a stopping point."""
        if self.stop_at is not None:
            n = min(n, self.stop_at - demo.iteration)
        if self.pause_solved and demo.solve_every > 0:
            n = min(n, demo.solve_every - demo.iteration % demo.solve_every)
        return max(0, n)

    def reached(self, demo: Demo) -> str | None:
        """After a slice (lock held): why training should pause now, or None. Both rules fire once: a stop is
        used up, and a task already solved when play was pressed trains on until it is unsolved and solved again."""
        if self.stop_at is not None and demo.iteration >= self.stop_at:
            self.stop_at = None
            return "stop"
        if self.pause_solved and (demo.solve_every == 0 or demo.iteration % demo.solve_every == 0):
            solved = demo.solved()
            fire, self.was_solved = solved and not self.was_solved, solved
            if fire:
                return "solved"
        return None

    def start(self, demo: Demo) -> None:
        """Training (re)starts: a stop already passed is dropped, a solve already there does not pause it."""
        if self.stop_at is not None and demo.iteration >= self.stop_at:
            self.stop_at = None
        self.was_solved = self.pause_solved and demo.solved()
        self.marks.clear()

    def count(self, n: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self.trained += n
        self.marks.append((now, self.trained))
        while len(self.marks) > 2 and now - self.marks[1][0] > RATE_WINDOW_S:
            self.marks.popleft()

    def rate(self, now: float | None = None) -> float:
        """Iterations per second over the last RATE_WINDOW_S of wall time (what the session really trains at,
        waits for its speed limit and its turn included); 0 when it has not trained lately."""
        now = time.monotonic() if now is None else now
        if len(self.marks) < 2 or now - self.marks[-1][0] > RATE_WINDOW_S:
            return 0.0
        (t0, n0), (_, n1) = self.marks[0], self.marks[-1]
        return (n1 - n0) / max(now - t0, 1e-6)

    def public(self) -> dict[str, Any]:
        return {"stop_at": self.stop_at, "pause_solved": self.pause_solved}
