"""Bookmarks: mark a moment, train on, jump back to it exactly (weights bit for bit, the same numbers again), for
every demo; the cap; over a real websocket; kept across a server restart."""

from __future__ import annotations

import json
from typing import Any

import pytest

from models.nn.dropout import Dropout
from models.registry import DEMOS
from server import protocol
from server.bookmarks import MAX_BOOKMARKS
from server.config import Settings
from server.session import Session
from tests.conftest import LiveServer, free_port
from tests.live import Client


def train(s: Session, n: int) -> list[tuple[int, float]]:
    """n iterations through the session's own slices; the loss points they recorded."""
    start = len(s.loss_log)
    s.apply(protocol.Step(n=n))
    while s.pending_steps:
        s.train_slice(0.01)
    return s.loss_log[start:]


def exact(s: Session) -> dict[str, Any]:
    """Everything that makes the network what it is, as saved (floats as exact doubles)."""
    return json.loads(json.dumps(s.demo.state()))


PRESET = {"knockout": "prune", "boundary": "spiral", "sigmoid": "sin-20-3", "autoencoder": "finetune"}
CASES = [(name, PRESET.get(name, "default"), None) for name in sorted(DEMOS)] + [
    ("knockout", "wide", Dropout(on=True, p=0.2)), ("boundary", "spiral", Dropout(on=True, p=0.3))]  # random draws


@pytest.mark.parametrize(("name", "preset", "cmd"), CASES)
def test_jumping_back_restores_the_moment_and_training_on_repeats_itself(name: str, preset: str,
                                                                       cmd: Dropout | None) -> None:
    cls = DEMOS[name]
    s = Session(cls(seed=2, preset=preset))
    if cmd is not None:
        s.apply(cmd)
    train(s, 37)
    s.apply(protocol.Bookmark())
    marked, marked_log = exact(s), list(s.loss_log)
    first = train(s, 53)
    after_first = exact(s)
    assert after_first != marked, "training moved the network"
    s.apply(protocol.Reset(seed=9))  # something else entirely in between
    train(s, 11)
    s.apply(protocol.Jump(index=0))
    assert s.demo.iteration == 37 and not s.running
    assert exact(s) == marked, "the weights (and the rest of the demo's state) as marked, bit for bit"
    assert s.loss_log == marked_log, "the loss history up to the mark"
    again = train(s, 53)
    # the chart samples a few points per slice, and slices differ; where both runs recorded one, it is the same
    common = dict(first).keys() & dict(again).keys()
    assert 53 + 37 in common and len(common) >= 2
    assert {i: dict(again)[i] for i in common} == {i: dict(first)[i] for i in common}, \
        "training on from the mark gives the numbers it gave the first time"
    assert exact(s) == after_first
    assert s.bookmarks.public() == [[37, "at 37 iterations"]]


def test_bookmarks_are_capped_named_and_removed() -> None:
    s = Session(DEMOS["sigmoid"](seed=0))
    for i in range(MAX_BOOKMARKS):
        train(s, 1)
        s.apply(protocol.Bookmark(name=f"moment {i}") if i else protocol.Bookmark())
    with pytest.raises(ValueError, match=f"at most {MAX_BOOKMARKS} bookmarks"):
        s.apply(protocol.Bookmark())
    assert s.bookmarks.public()[:2] == [[1, "at 1 iterations"], [2, "moment 1"]]
    s.apply(protocol.Unbookmark(index=0))
    assert s.bookmarks.public()[0] == [2, "moment 1"] and len(s.bookmarks.items) == MAX_BOOKMARKS - 1
    with pytest.raises(ValueError, match="no bookmark 7"):
        s.apply(protocol.Jump(index=7))
    s.apply(protocol.Unbookmark())
    assert s.bookmarks.public() == []
    with pytest.raises(ValueError, match="no bookmarks"):
        s.apply(protocol.Jump(index=0))


def test_over_a_websocket_and_across_a_restart(settings: Settings) -> None:
    with LiveServer(settings) as srv, Client(f"{srv.url}/ws/knockout") as c:
        sid = c.next_of("hello")["session"]
        assert {"bookmark", "jump", "unbookmark"} <= set(c.hello["commands"])
        c.send({"type": "set", "speed": 0})
        c.send({"type": "step", "n": 1000})
        at_mark = c.frame_where(lambda f: f["iteration"] == 1000 and not f["pending"])
        c.send({"type": "bookmark", "name": "before the cliff"})
        c.frame_where(lambda f: f["bookmarks"] == [[1000, "before the cliff"]])
        c.send({"type": "step", "n": 2000})
        on = c.frame_where(lambda f: f["iteration"] == 3000 and not f["pending"])
        assert on["demo"]["net"]["weights"] != at_mark["demo"]["net"]["weights"]
        c.send({"type": "jump", "index": 0})
        back = c.frame_where(lambda f: f["restart"] and f["iteration"] == 1000)
        assert back["demo"]["net"]["weights"] == at_mark["demo"]["net"]["weights"] and not back["running"]
        assert back["losses"][-1][0] == 1000, "the chart holds the history up to the mark"
        c.send({"type": "jump", "index": 3})
        err = c.next_of("error")
        assert err["command"] == "jump" and "no bookmark 3" in err["message"]
    with LiveServer(settings.replace(port=free_port())) as srv, Client(f"{srv.url}/ws/knockout?session={sid}") as c:
        f = c.next_of("frame")
        assert f["bookmarks"] == [[1000, "before the cliff"]], "the bookmarks are saved with the session"
        c.send({"type": "step", "n": 5})
        c.frame_where(lambda f: f["iteration"] == 1005 and not f["pending"])
        c.send({"type": "jump", "index": 0})
        back = c.frame_where(lambda f: f["restart"] and f["iteration"] == 1000)
        assert back["demo"]["net"]["weights"] == at_mark["demo"]["net"]["weights"]
