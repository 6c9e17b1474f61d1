"""Command validation at the edge: every bad message gets a clear reason."""

from __future__ import annotations

import json

import pytest

from models.autoencoder import AutoencoderDemo
from server import protocol
from server.protocol import BadCommand, Play, SetParams, Step


def parse(obj: object) -> object:
    return protocol.parse(AutoencoderDemo, obj if isinstance(obj, str) else json.dumps(obj))


def test_valid_commands_parse_to_their_models() -> None:
    assert isinstance(parse({"type": "play"}), Play)
    assert parse({"type": "step", "n": 10}) == Step(n=10)
    assert parse({"type": "set", "lr": 0.5}) == SetParams(lr=0.5)
    assert parse({"type": "inspect", "layer": 1, "unit": 2}).unit == 2


@pytest.mark.parametrize("raw,reason", [
    ("{not json", "not JSON"),
    ("[1, 2]", 'string "type"'),
    ('{"type": 3}', 'string "type"'),
    ('{"type": "fly"}', "unknown command 'fly'"),
    ('{"type": "set", "lr": NaN}', "lr must be a finite number"),
    ('{"type": "set", "lr": -1}', "lr must be a finite number"),
    ('{"type": "set", "lr": Infinity}', "lr must be a finite number"),
    ('{"type": "step", "n": 1000000000}', "n:"),
    ('{"type": "step", "n": "many"}', "n:"),
    ('{"type": "play", "extra": 1}', "extra"),
    ('{"type": "inspect", "layer": 99, "unit": 0}', "layer"),
])
def test_bad_messages_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(BadCommand, match=reason.replace("(", r"\(")):
        parse(raw)


def test_frames_encode_nan_as_null() -> None:
    assert protocol.encode({"loss": float("nan"), "x": [1.0, float("inf")]}) == '{"loss":null,"x":[1.0,null]}'
