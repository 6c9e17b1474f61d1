"""Which of a demo's numbers travel as typed blocks, and of which dtype (docs/protocol.md, "Binary frames"): the
sigmoid curves, surface and path, the convolution maps and the boundary points as blocks, not JSON lists; float64
where a page or test compares exact numbers, float32 where the page only draws."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import orjson
import pytest

from models.registry import DEMOS
from server import codec, protocol
from server.session import Session
from tests.tiny_torch import one_torch_thread  # noqa: F401 - an autouse fixture


def frame_of(demo: str, *commands: dict[str, Any]) -> tuple[dict[str, Any], list[np.ndarray]]:
    """A student's frame after a few iterations, as the page gets it: its JSON part (references left in) and its
    blocks."""
    cls = DEMOS[demo]
    s = Session(cls(seed=0))
    for cmd in commands:
        s.apply(protocol.parse(cls, orjson.dumps(cmd).decode()))
    s.apply(protocol.parse(cls, '{"type": "step", "n": 5}'))
    s.train_slice(0.05)
    data, *_ = s.frame(-1, -1)
    (n,) = struct.unpack_from("<I", data, 8)
    part = orjson.loads(data[12 : 12 + n])
    return part["demo"], codec.arrays(data, 12 + n + (-(12 + n) % codec.ALIGN))


def block(demo: dict[str, Any], blocks: list[np.ndarray], path: str) -> np.ndarray:
    v: Any = demo
    for key in path.split("."):
        v = v[int(key)] if isinstance(v, list) else v[key]
    assert isinstance(v, dict) and set(v) in ({"$"}, {"$", "at", "shape"}), (
        f"{path} is sent as a JSON value, not a block: {str(v)[:80]}")
    b = blocks[v["$"]]
    if "at" in v:  # a reference into a block (a network's one block): its elements from `at`, in its shape
        n = int(np.prod(v["shape"]))
        return b.reshape(-1)[v["at"] : v["at"] + n].reshape(v["shape"])
    return b


CASES = [
    ("sigmoid", [], {"neuron.curve": ("f4", (201,)), "neuron.heatmap.values": ("f4", (64 * 64,)),
                     "neuron.path": ("f4", None)}),
    ("sigmoid", [{"type": "preset", "name": "sin-30"}],
     {"function.x": ("f8", (161,)), "function.output": ("f4", (161,)), "function.target_curve": ("f4", (161,)),
      "function.hidden": ("f4", (30, 161)), "net.weights.0": ("f8", (30, 1)), "net.values.1": ("f8", (30,))}),
    ("sigmoid", [{"type": "preset", "name": "sin-2"}, {"type": "model", "spec": "[1,linear]"}],
     {"function.hidden": ("f4", (0, 161))}),
    ("convolution", [], {"slides.filters": ("f8", (3, 3, 3)), "slides.maps": ("f8", (3, 7, 7)),
                         "slides.relu": ("f8", (3, 7, 7)), "slides.pooled": ("f8", (3, 4, 4)),
                         "cnn.filters": ("f4", (3, 3, 3)), "cnn.bias": ("f4", (3,)), "cnn.maps": ("f4", (3, 7, 7)),
                         "cnn.relu": ("f4", (3, 7, 7)), "cnn.pooled": ("f4", (3, 4, 4)), "cnn.probs": ("f8", (12, 2))}),
    ("convolution", [{"type": "inspect", "what": "class", "index": 1}], {"stimulus.pixels": ("f4", (9, 9))}),
    ("boundary", [], {"points.x": ("f8", (400,)), "points.y": ("f8", (400,)), "points.label": ("u1", (400,)),
                      "points.test": ("u1", (400,))}),
]


@pytest.mark.parametrize("demo,commands,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_the_big_numbers_are_typed_blocks(demo: str, commands: list[dict[str, Any]],
                                          expected: dict[str, tuple[str, tuple[int, ...] | None]]) -> None:
    part, blocks = frame_of(demo, *commands)
    for path, (dtype, shape) in expected.items():
        b = block(part, blocks, path)
        assert b.dtype == np.dtype(dtype), f"{path}: {b.dtype}, expected {dtype}"
        assert shape is None or b.shape == shape, f"{path}: shape {b.shape}, expected {shape}"


def test_the_blocks_hold_the_snapshot_s_numbers() -> None:
    """float64 blocks are the snapshot's numbers to the bit, float32 ones the same numbers rounded once."""
    cls = DEMOS["convolution"]
    s = Session(cls(seed=0))
    snap = s.demo.snapshot(0)
    data, *_ = s.frame(-1, -1)
    sent = codec.read(data)["demo"]
    assert sent["slides"]["maps"] == snap["slides"]["maps"].tolist() and sent["slides"]["maps"][0][0][0] == 7 / 9
    exact = s.demo.net.forward(s.demo.tensors()[0][:1])["maps"][0].numpy()
    assert sent["cnn"]["maps"] == exact.astype(np.float32).tolist()
    assert np.abs(np.array(sent["cnn"]["maps"]) - exact).max() < 1e-6


def test_boundary_points_are_the_1e4_grid_s_numbers() -> None:
    s = Session(DEMOS["boundary"](seed=0))
    sent = codec.read(s.frame(-1, -1)[0])["demo"]["points"]
    xy = s.demo.points.xy
    assert sent["x"] == [round(v, 4) for v in xy[:, 0].tolist()]  # what the JSON list said, to the bit
    assert sent["y"] == [round(v, 4) for v in xy[:, 1].tolist()]
    assert sent["label"] == s.demo.points.label.tolist() and sent["test"] == [int(t) for t in s.demo.points.test]
