"""The frame codec: the one definition of a frame's keys, how the server writes a frame and how readers read one.

A frame (docs/protocol.md) is one JSON object written in three parts, because they are built at different
times: HEAD, the clock, and DEMO, the demo's snapshot, are encoded once per snapshot and shared by every watcher
of the session; WATCHER, the chart's points since that watcher's last frame, is spliced in between for each one.
The server writes frames only through `shared` and `write`; the load test and the bench read them only through
`read`, `read_head` and `read_demo`, and the page's reader (static/js/socket.js) is checked against `write` in a
browser (tests/test_codec.py), so a key moved here moves for every reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from server.protocol import encode

TYPE = "frame"
# The clock's keys, in the order they are written (docs/protocol.md shows a frame in this order)
HEAD = ("type", "version", "iteration", "running", "pending", "its_per_s", "speed", "stop_at", "pause_solved",
        "lesson", "marks", "bookmarks", "lr", "seed", "preset", "selected", "status")
WATCHER = ("restart", "losses")  # per watcher: whether its chart starts over, and its new [iteration, loss] points
DEMO = "demo"  # the demo's snapshot (network, data, heatmaps), the largest part by far
KEYS = (*HEAD, *WATCHER, DEMO)

PREFIX = '{"type":"frame"'  # every frame's first bytes: a reader tells a frame from other messages by them
_WATCHER_AT = f',"{WATCHER[0]}":'
_LOSSES_AT = f',"{WATCHER[1]}":'
_DEMO_AT = f',"{DEMO}":'


@dataclass(frozen=True)
class Shared:
    """A frame's parts shared by every watcher of one snapshot: HEAD without its closing brace, and DEMO."""

    head: str  # '{"type":"frame",...' up to the last HEAD value
    tail: str  # ',"demo":{...}}'


def shared(head: dict[str, Any], snapshot: dict[str, Any]) -> Shared:
    """Encode a snapshot's clock (the HEAD keys, in order) and its demo part, once for all its watchers."""
    assert tuple(head) == HEAD, f"a frame's head has the keys {HEAD}, in that order; got {tuple(head)}"
    assert head["type"] == TYPE, f"a frame's type is {TYPE!r}, got {head['type']!r}"
    return Shared(encode(head)[:-1], f"{_DEMO_AT}{encode(snapshot)}}}")


def write(parts: Shared, restart: bool, losses: list[tuple[int, float]]) -> str:
    """One watcher's frame: the shared parts with its own chart points between them."""
    return f'{parts.head}{_WATCHER_AT}{"true" if restart else "false"}{_LOSSES_AT}{encode(losses)}{parts.tail}'


def is_frame(text: str) -> bool:
    return text.startswith(PREFIX)


def read(text: str) -> dict[str, Any]:
    """A whole frame (or any other message) as the page reads it."""
    message: dict[str, Any] = orjson.loads(text)
    return message


def read_head(text: str) -> dict[str, Any]:
    """A frame's HEAD values only, without decoding its (much longer) chart points and snapshot: a load test that
    reads every frame of hundreds of pages must leave the machine's cores to the server it measures."""
    cut = text.find(_WATCHER_AT)
    assert is_frame(text) and cut > 0, f"not a frame: {text[:60]!r}"
    head: dict[str, Any] = orjson.loads(text[:cut] + "}")
    return head


def read_demo(text: str) -> dict[str, Any]:
    """A frame's DEMO part only. The chart's points before it are numbers, and string values escape their quotes,
    so the first DEMO key after the WATCHER part is the frame's own."""
    at = text.index(_DEMO_AT, text.index(_LOSSES_AT)) + len(_DEMO_AT)
    demo: dict[str, Any] = orjson.loads(text[at:-1])
    return demo
