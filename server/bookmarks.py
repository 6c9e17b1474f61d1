"""Bookmarks: moments of a session ("at 1,000 iterations", "at the cliff") kept to jump back to exactly.

A bookmark is the session's whole `state()` at that iteration (the demo's weights and data, the loss history, the
chart's markers, the lesson step, the stopping rules), JSON-encoded once when it is made: the save loop then
writes a few long strings instead of walking every bookmarked network again at each save. Every demo's state
restores its training exactly (its random draws are derived from the seed and the iteration, see
`Demo.load`), so training on from a bookmark gives the numbers it gave the first time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.protocol import Bookmark, Jump, Unbookmark

if TYPE_CHECKING:
    from server.session import Session

MAX_BOOKMARKS = 8  # per session: each holds a network and up to 4,000 loss points (about 100 KB saved)


@dataclass
class Mark:
    iteration: int
    name: str
    state: str  # Session.state() as JSON, bookmarks left out


def default_name(iteration: int) -> str:
    return f"at {iteration:,} iterations"


class Bookmarks:
    def __init__(self) -> None:
        self.items: list[Mark] = []

    def public(self) -> list[list[Any]]:
        """For the frame: [iteration, name] per bookmark, oldest first (a bookmark's index is its place here)."""
        return [[m.iteration, m.name] for m in self.items]

    def state(self) -> list[dict[str, Any]]:
        return [{"iteration": m.iteration, "name": m.name, "state": m.state} for m in self.items]

    def load(self, saved: list[dict[str, Any]]) -> None:
        self.items = [Mark(int(m["iteration"]), str(m["name"]), str(m["state"])) for m in saved][:MAX_BOOKMARKS]

    def apply(self, s: Session, cmd: Bookmark | Jump | Unbookmark) -> None:
        """Carry out a bookmark command on session `s` (its lock held); ValueError and no change if it cannot."""
        match cmd:
            case Bookmark():
                if len(self.items) >= MAX_BOOKMARKS:
                    raise ValueError(f"at most {MAX_BOOKMARKS} bookmarks per session: remove one before marking "
                                     "another")
                it = s.demo.iteration
                self.items.append(Mark(it, cmd.name or default_name(it), json.dumps(s.state(), separators=(",", ":"))))
            case Jump():
                jump(s, json.loads(self._at(cmd.index).state))
            case Unbookmark(index=None):
                self.items = []
            case Unbookmark(index=index):
                self.items.remove(self._at(index))

    def _at(self, index: int) -> Mark:
        if index >= len(self.items):
            raise ValueError(f"no bookmark {index}: this session has {len(self.items)} (0..{len(self.items) - 1})"
                             if self.items else "this session has no bookmarks")
        return self.items[index]


def jump(s: Session, state: dict[str, Any]) -> None:
    """Put `s` back at a bookmarked state (lock held): demo, chart and rules as marked, paused; charts restart."""
    demo = s.new_demo(type(s.demo), state["demo_state"]["seed"], state["demo_state"]["preset"])
    demo.load(state["demo_state"])
    s.demo = demo
    s.running, s.pending_steps, s.allowance, s.k = False, 0, 0.0, 1
    s._take(state)
    s.epoch += 1
