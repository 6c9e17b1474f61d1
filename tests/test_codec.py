"""The frame codec (server/codec.py): what the server writes is what every reader reads, key for key and byte for
byte (docs/protocol.md, "Binary frames")."""

from __future__ import annotations

import json
import math
import struct

import numpy as np
import pytest
import torch

from models.registry import DEMOS
from server import codec
from server.protocol import Step
from server.session import Session


def session_frame() -> tuple[Session, bytes]:
    s = Session(DEMOS["autoencoder"](seed=0))
    s.apply(Step(n=5))
    while s.train_slice(0.01):
        pass
    return s, s.frame(-1, -1)[0]


def json_part(data: bytes) -> dict:
    """A frame's JSON part as the standard library reads it (docs/protocol.md's header: its length at byte 8)."""
    assert data[:4] == b"NNPF" and data[4] == 1 and data[5:8] == b"\0\0\0"
    (n,) = struct.unpack_from("<I", data, 8)
    return json.loads(data[12 : 12 + n])


def test_a_sessions_frame_has_the_codecs_keys_in_order() -> None:
    s, text = session_frame()
    assert isinstance(text, bytes)
    part = json_part(text)  # the standard library agrees: the JSON part is plain JSON
    assert list(part) == list(codec.KEYS)
    net = part["demo"]["net"]
    assert net["weights"][0] == {"$": 0, "at": 0, "shape": [3, 10]}, "the weights refer into a block: no JSON numbers"
    frame = codec.read(text)
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
    parts = codec.shared(head, {"net": {"weights": [np.array([[0.5, -1.0]])]}})
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
        codec.read_head(b'{"type":"info","message":"x"}')


def test_blocks_are_typed_aligned_and_exact() -> None:
    """Every block starts at a multiple of 8 bytes (a Float64Array views it in place); dtypes and shapes survive,
    float64 bit for bit, and an array shown twice is sent once."""
    head = dict.fromkeys(codec.HEAD, None) | {"type": "frame"}
    w = np.array([[0.1, -2.5e-300, math.pi], [1e300, -0.0, 7.0]])
    heat = np.arange(7, dtype=np.uint8)
    snap = {"w": w, "again": w, "heat": heat, "f32": np.array([1.5], np.float32), "i": np.array([[-3], [4]], np.int32),
            "flags": np.array([True, False]), "n": np.float64(0.25), "empty": np.zeros((0, 3))}
    data = codec.write(codec.shared(head, snap), True, [(1, 0.5)])
    part = json_part(data)
    assert part["demo"]["w"] == part["demo"]["again"] == {"$": 0} and part["demo"]["n"] == 0.25
    at = 12 + struct.unpack_from("<I", data, 8)[0]
    at += -at % 8
    blocks = codec.arrays(data, at)
    assert [b.dtype.str for b in blocks] == ["<f8", "|u1", "<f4", "<i4", "<f8", "<f8"]
    start = np.frombuffer(data, np.uint8).ctypes.data  # the message's first byte
    assert all((b.ctypes.data - start) % 8 == 0 for b in blocks if b.nbytes), "every block at a multiple of 8"
    assert len(data) % 8 == 0
    assert blocks[0].tobytes() == w.tobytes() and blocks[1].tolist() == list(range(7))
    assert blocks[4].tolist() == [1.0, 0.0] and blocks[5].shape == (0, 3)
    frame = codec.read(data)["demo"]
    assert frame["w"] == w.tolist() and frame["i"] == [[-3], [4]] and frame["f32"] == [1.5]


def test_plain_makes_lists_of_a_snapshots_arrays() -> None:
    snap = {"net": {"weights": [np.array([[1.0, 2.0]])], "sizes": [2, 1]}, "k": (np.array([3], np.uint8),)}
    assert codec.plain(snap) == {"net": {"weights": [[[1.0, 2.0]]], "sizes": [2, 1]}, "k": [[3]]}


def test_a_packed_network_is_one_block_its_arrays_references_into_it() -> None:
    """The network's numbers travel as one block (models/nn/packed.py), every layer's array a reference
    {"$": k, "at": i, "shape": [...]} into it, which the readers resolve to the network's own numbers; a view of it
    shown elsewhere in the frame (the autoencoder's columns) refers into the same block."""
    s, data = session_frame()
    part = json_part(data)["demo"]
    net = part["net"]
    refs = [r for key in ("weights", "biases", "alive", "values") for r in net[key]]
    assert {r["$"] for r in refs} == {0} and all(set(r) == {"$", "at", "shape"} for r in refs)
    cols = part["columns"]
    assert cols["output"] == net["values"][-1] and cols["input"] == cols["desired"] == net["values"][0]
    at = 12 + struct.unpack_from("<I", data, 8)[0]
    blocks = codec.arrays(data, at + -at % 8)
    assert len(blocks) == 1 and blocks[0].dtype == np.float64 and blocks[0].ndim == 1
    demo = codec.read_demo(data)
    want = s.demo.net.drawing()
    for key in ("weights", "biases", "alive", "sizes", "frozen"):
        assert demo["net"][key] == want[key], f"{key}: the frame's numbers are the network's, bit for bit"
    x = s.demo.test_rows[s.selected]
    assert demo["net"]["values"][0] == x.tolist() == demo["columns"]["input"]
    out = s.demo.net.forward(torch.from_numpy(x).reshape(1, -1))
    assert demo["net"]["values"][-1] == pytest.approx(out[-1][0].tolist(), rel=1e-12, abs=1e-15)
    assert demo["columns"]["output"] == demo["net"]["values"][-1]


def test_a_reference_into_a_block_reads_as_its_slice() -> None:
    blocks = [np.arange(10.0)]
    assert codec.resolve({"$": 0}, blocks) is blocks[0]
    assert codec.resolve({"$": 0, "at": 2, "shape": [2, 3]}, blocks).tolist() == [[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]]
    assert codec.plain({"w": [{"$": 0, "at": 8, "shape": [2]}]}, blocks) == {"w": [[8.0, 9.0]]}


def test_the_protocols_worked_example_is_what_the_codec_writes() -> None:
    """docs/protocol.md's example frame (a 2 -> 1 network as one packed block, a 3-byte heatmap), byte for byte."""
    from pathlib import Path

    from models.nn import view
    from models.nn.mlp import MLP, MLPSpec

    net = MLP.create(MLPSpec([2, 1], ["sigmoid"]), 0)
    net.flat.copy_(torch.tensor([0.5, -1.0, 0.25], dtype=torch.float64))
    head = {"type": "frame", "version": 812, "iteration": 1530, "running": True, "pending": 0, "its_per_s": 41000.0,
            "speed": 0, "stop_at": None, "pause_solved": False, "lesson": None,
            "marks": [[1000, "step 6, fine-tune"]], "bookmarks": [[1000, "at 1,000 iterations"]], "lr": 1.0,
            "seed": 0, "preset": "default", "selected": 0, "status": None}
    snap = {"net": view.packed(net), "heat": np.array([0, 128, 255], np.uint8)}
    data = codec.write(codec.shared(head, snap), False, [(1521, 0.0031), (1525, 0.003), (1530, 0.003)])
    doc = (Path(__file__).parents[1] / "docs" / "protocol.md").read_text()
    example = doc[doc.index("Example: a 2 -> 1 network") :]
    n = struct.unpack_from("<I", data, 8)[0]
    assert f"the JSON part is {n} bytes" in example and f"the message is {len(data)} bytes" in example
    lines = example[example.index("0000  ") : example.index("```", example.index("0000  "))].splitlines()
    for line in (ln for ln in lines if ln[:4].isdigit()):
        at, hexed = int(line[:4]), line[6:53].split()
        assert bytes(int(h, 16) for h in hexed) == data[at : at + len(hexed)], line
    assert codec.read_demo(data) == {"net": net.drawing(), "heat": [0, 128, 255]}
