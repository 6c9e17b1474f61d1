"""A session's frames: one snapshot of its demo and clock, encoded once (server.codec) and shared by every watcher
until it is stale; each watcher's frame adds the chart points it has not seen. The gallery's thumbnails read it too."""

from __future__ import annotations

import bisect
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server import cards, codec

if TYPE_CHECKING:
    from server.session import Session


@dataclass
class Built:
    """A frame's shared part, built once and served to every watcher of the session until it is stale."""

    version: int
    cmd_version: int
    epoch: int
    iteration: int
    at: float  # time.monotonic() when built
    parts: codec.Shared  # the frame's clock and demo, encoded
    snap: dict[str, Any]  # the demo snapshot the parts encode (the gallery's thumbnails read its "net")


class Snapshots:
    """What Session does for its watchers (the lock guards it, as everything else of the session)."""

    def frame(self: Session, since: int, epoch: int, max_age: float = 0.0) -> tuple[bytes, int, int, int]:
        """The newest frame for a watcher that has this run's (`epoch`) losses up to iteration `since` (-1: none).

        Returns (frame, iteration, epoch, version): the first three for the watcher's next call, the version the
        frame shows (older than `self.version` when it was reused). The expensive part (the demo snapshot) is
        built once and shared by every watcher; while training alone changed the session it is reused for
        `max_age` seconds (one frame interval), a command always shows in the next frame.
        """
        with self.lock:
            b = self._built
            now = time.monotonic()
            if b is None or (b.version != self.version
                             and (b.cmd_version != self.cmd_version or now - b.at >= max_age)):
                b = self._build(now)
            restart = since < 0 or epoch != b.epoch or since > b.iteration
            # (iteration, inf) sorts after every point of that iteration (a NaN loss too): no key function to call
            lo = 0 if restart else bisect.bisect_right(self.loss_log, (since, math.inf))
            hi = bisect.bisect_right(self.loss_log, (b.iteration, math.inf))
            return codec.write(b.parts, restart, self.loss_log[lo:hi]), b.iteration, b.epoch, b.version

    def _build(self: Session, now: float) -> Built:
        snap = self.demo.snapshot(self.selected)
        head = {
            "type": codec.TYPE,
            "version": self.version,
            "iteration": self.demo.iteration,
            "running": self.running,
            "pending": self.pending_steps,
            "its_per_s": self.pace.rate(now) if self.runnable else 0.0,
            "speed": self.speed,
            **self.pace.public(),
            "lesson": self.lesson,
            "marks": self.marks,
            "bookmarks": self.bookmarks.public(),
            "lr": self.demo.lr,
            "seed": self.demo.seed,
            "preset": self.demo.preset,
            "selected": self.selected,
            "status": self.status,
        }
        self._built = Built(self.version, self.cmd_version, self.epoch, self.demo.iteration, now,
                            codec.shared(head, snap), snap)
        return self._built

    def summary(self: Session, max_age: float = 1.0) -> dict[str, Any]:
        """A gallery thumbnail: the network (weights only), the loss and the clock, from the shared snapshot."""
        with self.lock:
            b = self._built
            if b is None or (b.version != self.version and time.monotonic() - b.at >= max_age):
                b = self._build(time.monotonic())
            net = b.snap.get("net", {})
            return {
                "iteration": self.demo.iteration,
                "loss": self.loss_log[-1][1] if self.loss_log else None,
                "running": self.running,
                "status": self.status,
                "net": codec.plain({k: net[k] for k in ("sizes", "weights", "alive") if k in net}),
                "card": cards.card(b.snap),
                "spark": cards.sparkline(self.loss_log),
                "solved": self.demo.solved(),
                "solved_at": b.snap.get("solved_at"),
                "name": self.name,
                "active": self.active_at,
            }
