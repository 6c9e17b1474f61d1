"""A session's persistence: its state as JSON for the store (and for forks and pushes), and back."""

from __future__ import annotations

import base64
import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from models.demo import Demo, Limits

if TYPE_CHECKING:
    from server.session import Session


class Persisted:
    """What Session does to be saved, restored, forked and pushed."""

    def state(self: Session) -> dict[str, Any]:
        with self.lock:
            return {
                "id": self.id,
                "demo": self.demo.name,
                "speed": self.speed,
                "selected": self.selected,
                "loss_log": pack_losses(self.loss_log),
                "status": self.status,
                "room": self.room,
                "pace": self.pace.public(),
                "lesson": self.lesson,
                "marks": self.marks,
                "name": self.name,
                "demo_state": self.demo.state(),
            }

    @classmethod
    def restore(cls: type[Session], demo_cls: type[Demo], state: dict[str, Any], device: str,
                session_id: str | None = None, limits: Limits | None = None) -> Session:
        """A session from `state()`, paused: under `state["id"]`, or under `session_id` (a fork)."""
        demo = demo_cls(seed=state["demo_state"]["seed"], device=device, preset=state["demo_state"]["preset"])
        demo.limits = limits or demo.limits
        demo.load(state["demo_state"])
        s = cls(demo, session_id or state["id"], limits)
        s._take(state)
        if session_id is None:
            s.room = state.get("room")  # a fork (share link) is nobody's student, and starts without bookmarks
            s.name = state.get("name")
            s.bookmarks.load(state.get("bookmarks", []))
        return s

    def adopt(self: Session, state: dict[str, Any]) -> None:
        """Become a copy of another session's state (a lecturer's push), keeping this id and room; paused."""
        demo = self.new_demo(type(self.demo), state["demo_state"]["seed"], state["demo_state"]["preset"])
        demo.load(state["demo_state"])  # built outside the lock: the engine keeps training meanwhile
        with self.lock:
            self.demo = demo
            self.running, self.pending_steps, self.allowance = False, 0, 0.0
            self._take(state)
            self.epoch += 1
            self.version += 1
            self.cmd_version += 1

    def take_over(self: Session, other: Session) -> None:
        """Become `other` (a lesson step built aside, server.lesson), keeping this id, room and pages: its demo,
        chart, clock and stopping rules. The watchers' charts restart."""
        with self.lock:
            self.demo, self.loss_log, self.pace = other.demo, other.loss_log, other.pace
            self.running, self.pending_steps, self.speed, self.allowance = other.running, 0, other.speed, 0.0
            self.selected, self.status, self.lesson, self.k = other.selected, other.status, other.lesson, 1
            self.marks = other.marks
            self.epoch += 1
            self.version += 1
            self.cmd_version += 1

    def _take(self: Session, state: dict[str, Any]) -> None:
        self.speed, self.selected, self.status = state["speed"], state["selected"], state["status"]
        self.loss_log = unpack_losses(state["loss_log"])
        pace = state.get("pace") or {}  # saves from before stopping rules have none
        self.pace.stop_at, self.pace.pause_solved = pace.get("stop_at"), bool(pace.get("pause_solved"))
        self.lesson = state.get("lesson")
        self.marks = [(int(i), str(t)) for i, t in state.get("marks", [])]

    def dumps(self: Session) -> str:
        # plain json: NaN and infinities (a diverged run's weights) round-trip through json.loads. Only the saved
        # row has the bookmarks: pushes and share links copy the network, not the moments marked in it.
        with self.lock:
            return json.dumps({**self.state(), "bookmarks": self.bookmarks.state()}, separators=(",", ":"))


def pack_losses(log: list[tuple[int, float]]) -> dict[str, str]:
    """The chart's points for a saved state: two base64 arrays (int64 iterations, float64 losses). A full log
    printed as JSON floats took 2 ms a session, every save, for every session of a class."""
    its = np.fromiter((p[0] for p in log), dtype=np.int64, count=len(log))
    losses = np.fromiter((p[1] for p in log), dtype=np.float64, count=len(log))
    return {"iterations": base64.b64encode(its.tobytes()).decode(),
            "losses": base64.b64encode(losses.tobytes()).decode()}


def unpack_losses(packed: dict[str, str] | list[Any]) -> list[tuple[int, float]]:
    if isinstance(packed, list):  # [[iteration, loss], ...], as the first saves wrote it
        return [(int(i), v if v is not None else math.nan) for i, v in packed]
    its = np.frombuffer(base64.b64decode(packed["iterations"]), dtype=np.int64)
    losses = np.frombuffer(base64.b64decode(packed["losses"]), dtype=np.float64)
    return list(zip(its.tolist(), losses.tolist(), strict=True))
