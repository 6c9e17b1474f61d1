"""Command validation at the edge: every bad message gets a clear reason."""

from __future__ import annotations

import json

import pytest

from models import registry
from models.demos.autoencoder.demo import AutoencoderDemo
from server import protocol
from server.protocol import BadCommand, Play, SetParams, Step


def parse(obj: object) -> object:
    return protocol.parse(AutoencoderDemo, obj if isinstance(obj, str) else json.dumps(obj))


def test_valid_commands_parse_to_their_models() -> None:
    assert isinstance(parse({"type": "play"}), Play)
    assert parse({"type": "step", "n": 10}) == Step(n=10)
    assert parse({"type": "set", "lr": 0.5}) == SetParams(lr=0.5)
    assert parse({"type": "inspect", "layer": 1, "unit": 2}).unit == 2
    assert parse('{"type": "set", "lr": 1, "speed": 0}') == SetParams(lr=1.0, speed=0.0), "an integer is a number"
    assert parse({"type": "finetune", "on": False}).on is False


@pytest.mark.parametrize("raw,reason", [
    ("{not json", "not JSON"),
    ("[1, 2]", 'string "type"'),
    ('{"type": 3}', 'string "type"'),
    ('{"type": "fly"}', "unknown command 'fly'"),
    ('{"type": "set", "lr": NaN}', "lr: NaN is not a number: send a finite one"),
    ('{"type": "set", "speed": NaN}', "speed: NaN is not a number: send a finite one"),
    ('{"type": "set", "lr": -1}', "lr must be a finite number"),
    ('{"type": "set", "lr": Infinity}', "lr: Infinity is not a number"),
    ('{"type": "set", "lr": 1e999}', "lr: 1e999 is too large for a number"),
    ('{"type": "set", "lr": true}', "lr: Input should be a valid number, got true"),
    ('{"type": "set", "lr": "0.1"}', "lr: Input should be a valid number, got '0.1'"),
    ('{"type": "finetune", "on": "yes"}', "on: Input should be a valid boolean, got 'yes'"),
    ('{"type": "finetune", "on": 1}', "on: Input should be a valid boolean, got 1"),
    ('{"type": "step", "n": 2.5}', "n: Input should be a valid integer"),
    ('{"type": "step", "n": ' + "9" * 5001 + "}", "n: a number with 5,001 digits is too long"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
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


@pytest.mark.parametrize("name", sorted(registry.DEMOS))
def test_every_demo_command_refuses_a_field_it_does_not_have(name: str) -> None:
    """Each demo's own commands derive from models.command.Command, whose base refuses unknown fields."""
    demo = registry.DEMOS[name]
    for cmd in demo.commands:
        tag = cmd.model_fields["type"].default
        with pytest.raises(BadCommand, match="bogus: Extra inputs are not permitted"):
            protocol.parse(demo, json.dumps({"type": tag, "bogus": 1}))
