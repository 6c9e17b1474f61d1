"""The frame codec (server/codec.py): what the server writes is what every reader reads, key for key."""

from __future__ import annotations

import json
import math

import pytest

from models.registry import DEMOS
from server import codec
from server.protocol import Step
from server.session import Session


def session_frame() -> tuple[Session, str]:
    s = Session(DEMOS["autoencoder"](seed=0))
    s.apply(Step(n=5))
    while s.train_slice(0.01):
        pass
    return s, s.frame(-1, -1)[0]


def test_a_sessions_frame_has_the_codecs_keys_in_order() -> None:
    s, text = session_frame()
    frame = json.loads(text)  # the standard library agrees: it is plain JSON
    assert list(frame) == list(codec.KEYS)
    assert codec.read(text) == frame
    assert codec.is_frame(text) and frame["type"] == codec.TYPE
    assert frame["iteration"] == s.demo.iteration == 5 and frame["restart"] is True
    assert [p[0] for p in frame["losses"]] == [i for i, _ in s.loss_log]


def test_the_partial_readers_give_the_parts_of_the_whole() -> None:
    _, text = session_frame()
    frame = codec.read(text)
    assert codec.read_head(text) == {k: frame[k] for k in codec.HEAD}
    assert codec.read_demo(text) == frame["demo"]


def test_write_splices_each_watchers_points_between_the_shared_parts() -> None:
    head = dict.fromkeys(codec.HEAD, None) | {"type": "frame", "status": 'a "quoted" ,"demo": and ,"restart":'}
    parts = codec.shared(head, {"net": {"weights": [[[0.5, -1.0]]]}})
    text = codec.write(parts, False, [(3, 0.25), (4, math.nan)])
    frame = codec.read(text)
    assert frame["restart"] is False and frame["losses"] == [[3, 0.25], [4, None]]  # NaN is null on the wire
    assert codec.read_head(text)["status"] == head["status"]  # keys inside a string do not fool the readers
    assert codec.read_demo(text) == {"net": {"weights": [[[0.5, -1.0]]]}}


def test_a_head_out_of_order_is_refused() -> None:
    head = dict.fromkeys(reversed(codec.HEAD), None) | {"type": "frame"}
    with pytest.raises(AssertionError, match="in that order"):
        codec.shared(head, {})


def test_other_messages_are_no_frames() -> None:
    assert not codec.is_frame('{"type":"hello","mode":"sandbox"}')
    with pytest.raises(AssertionError, match="not a frame"):
        codec.read_head('{"type":"info","message":"x"}')
