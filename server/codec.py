"""The frame codec: the one definition of a frame's keys, its binary layout, how the server writes a frame and how
readers read one.

A frame (docs/protocol.md, "Binary frames") is one binary websocket message: a 12-byte header, a JSON part, then
the snapshot's numeric arrays as typed blocks the page views in place (Float64Array, Float32Array, Uint8Array,
Int32Array). In the JSON part every array is a reference {"$": k} to block k, or {"$": k, "at": i, "shape": [...]}
to the elements from i of block k (a network's numbers are one block, models/nn/packed.py). The JSON part is
written in three pieces, because they are built at different times: HEAD, the clock, and DEMO, the demo's
snapshot (and its blocks), are encoded once per snapshot and shared by every watcher of the session; WATCHER, the
chart's points since that watcher's last frame, is spliced in between for each one. The server writes frames only
through `shared` and `write`; the load test, the bench and the tests read them only through `read`, `read_head` and
`read_demo`, and the page's reader (static/js/socket.js) is checked against `write` in a browser
(tests/e2e/test_codec_e2e.py), so a key or a byte moved here moves for every reader.
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import orjson

TYPE = "frame"
# The clock's keys, in the order they are written (docs/protocol.md shows a frame in this order)
HEAD = ("type", "version", "iteration", "running", "pending", "its_per_s", "speed", "stop_at", "pause_solved",
        "lesson", "marks", "bookmarks", "lr", "seed", "preset", "selected", "status")
WATCHER = ("restart", "losses")  # per watcher: whether its chart starts over, and its new [iteration, loss] points
DEMO = "demo"  # the demo's snapshot (network, data, heatmaps), the largest part by far
KEYS = (*HEAD, *WATCHER, DEMO)

MAGIC = b"NNPF"  # every frame's first bytes: a reader tells a frame (binary) from other messages (JSON text)
FORMAT = 1  # the layout's version, byte 4
_HEADER = struct.Struct("<4sB3xI")  # magic, format, 3 zero bytes, the JSON part's length in bytes
ALIGN = 8  # the JSON part and every block start at a multiple of 8 bytes: a Float64Array views it in place
# dtype code (a block's first byte) -> numpy dtype; the page's typed array of the same name (docs/protocol.md)
DTYPES = {1: np.dtype("<u1"), 2: np.dtype("<i4"), 3: np.dtype("<f4"), 4: np.dtype("<f8")}
_CHARS = {d.char: c for c, d in DTYPES.items()}  # numpy's one-letter dtype name -> code
_WATCHER_AT = f',"{WATCHER[0]}":'.encode()
_LOSSES_AT = f',"{WATCHER[1]}":'.encode()
_DEMO_AT = f',"{DEMO}":'.encode()
_ZEROS = [b"\0" * n for n in range(ALIGN)]
_OPTIONS = orjson.OPT_NON_STR_KEYS  # as server.protocol.encode writes JSON


class Shared(NamedTuple):  # a tuple: built for every snapshot, and a frozen dataclass's init costs 3 times more
    """A frame's parts shared by every watcher of one snapshot: HEAD without its closing brace, DEMO, the blocks."""

    head: bytes  # b'{"type":"frame",...' up to the last HEAD value
    tail: bytes  # b',"demo":{...}}' (arrays as {"$": k})
    blocks: bytes  # every block, each padded to ALIGN bytes


def _pad(n: int) -> int:
    return -n % ALIGN


_RANKS = {n: struct.Struct(f"<BB2x{n}I{'' if n % 2 else '4x'}") for n in range(1, 9)}  # padded to 8 bytes


def _block(a: np.ndarray, out: list[Any]) -> None:
    """One array as a block, appended to `out` as pieces b"".join writes (the array through its buffer: one copy,
    at the join): dtype code, rank, 2 zero bytes, its shape (u32 each), zero padding to a multiple of 8 bytes,
    the data (C order), zero padding."""
    code = _CHARS.get(a.dtype.char)
    if code is None or a.dtype.byteorder == ">":  # bool, int64, big-endian...: as float64
        a, code = a.astype(np.float64), 4
    if not a.flags.c_contiguous:
        a = np.ascontiguousarray(a)
    shape = a.shape or (1,)
    out.append(_RANKS[len(shape)].pack(code, len(shape), *shape))
    out.append(a)
    if pad := -a.nbytes % ALIGN:
        out.append(_ZEROS[pad])


@functools.lru_cache(maxsize=1024)
def _packed(layout: Any, k: int) -> tuple[bytes, bytes]:
    """A packed value's block header (float64, rank 1, `layout.size` long) and its arrays as JSON references into
    block k (`,"weights":[{"$":k,"at":..,"shape":[..]},..],..}`), once per network shape and block number."""
    refs = orjson.dumps({key: [{"$": k, "at": at, "shape": shape} for at, shape in part] for key, part in layout.refs})
    return _RANKS[1].pack(4, 1, layout.size), b"," + refs[1:]


def shared(head: dict[str, Any], snapshot: dict[str, Any]) -> Shared:
    """Encode a snapshot's clock (the HEAD keys, in order) and its demo part, once for all its watchers. orjson
    walks the snapshot (in C) and hands every numpy array to `block`, which writes it as a block and puts the
    reference in its place; a packed value (models/nn/packed.py: a network's numbers in one array) is one block,
    its arrays references into it."""
    assert tuple(head) == HEAD, f"a frame's head has the keys {HEAD}, in that order; got {tuple(head)}"
    assert head["type"] == TYPE, f"a frame's type is {TYPE!r}, got {head['type']!r}"
    blocks: list[Any] = []  # the blocks' pieces
    count = [0]  # blocks written
    seen: dict[int, dict[str, Any]] = {}  # an array shown twice (the output layer's values as a column) is sent once

    def block(value: Any) -> Any:
        ref = seen.get(id(value))
        if ref is not None:
            return ref
        k = count[0]
        if isinstance(value, np.ndarray):
            ref = seen[id(value)] = {"$": k}
            count[0] += 1
            _block(value, blocks)
            return ref
        if isinstance(value, np.generic):  # a numpy number: its Python value
            return value.item()
        fixed = getattr(value, "json", None)
        if isinstance(value, tuple) and isinstance(fixed, bytes):  # a part encoded once (models/fixed.py)
            return orjson.Fragment(fixed)
        packed = getattr(value, "block", None)
        if isinstance(packed, np.ndarray):  # a packed network (models/nn/packed.py)
            assert packed.dtype.char == "d" and packed.shape == (value.layout.size,), (
                f"a packed block is float64 of its layout's {value.layout.size}, not {packed.dtype} {packed.shape}")
            count[0] += 1
            header, refs = _packed(value.layout, k)
            blocks.extend((header, packed))  # 8-byte elements: no padding
            for a, (at, shape) in value.handed:  # the same arrays elsewhere in the frame: references too
                seen[id(a)] = {"$": k, "at": at, "shape": shape}
            return orjson.Fragment(orjson.dumps(value.plain, option=_OPTIONS)[:-1] + refs)
        raise TypeError(f"a frame holds JSON types and numpy arrays, not {type(value).__name__}")

    demo = orjson.dumps(snapshot, default=block, option=_OPTIONS)
    return Shared(orjson.dumps(head, option=_OPTIONS | orjson.OPT_SERIALIZE_NUMPY)[:-1],
                  b"".join((_DEMO_AT, demo, b"}")), b"".join(blocks))


def write(parts: Shared, restart: bool, losses: list[tuple[int, float]]) -> bytes:
    """One watcher's frame: the shared parts with its own chart points between them."""
    text = b"".join((parts.head, _WATCHER_AT, b"true" if restart else b"false", _LOSSES_AT,
                     orjson.dumps(losses), parts.tail))  # NaN and infinities as null, as everywhere on the wire
    n = len(text)
    return b"".join((_HEADER.pack(MAGIC, FORMAT, n), text, _ZEROS[_pad(_HEADER.size + n)], parts.blocks))


def is_frame(message: bytes | str) -> bool:
    return isinstance(message, bytes | bytearray | memoryview) and bytes(message[:4]) == MAGIC


def _json_part(data: bytes) -> tuple[dict[str, Any], int]:
    """A frame's JSON part, and where its first block starts."""
    assert is_frame(data), f"not a frame: {bytes(data[:60])!r}"
    magic, fmt, n = _HEADER.unpack_from(data)
    assert fmt == FORMAT, f"frame format {fmt}, this reader reads {FORMAT}"
    part: dict[str, Any] = orjson.loads(data[_HEADER.size : _HEADER.size + n])
    return part, _HEADER.size + n + _pad(_HEADER.size + n)


def arrays(data: bytes, at: int) -> list[np.ndarray]:
    """Every block of a frame from offset `at`, as numpy arrays viewing the message (no copy)."""
    out, view = [], memoryview(data)
    while at < len(data):
        code, ndim = struct.unpack_from("<BB", data, at)
        shape = struct.unpack_from(f"<{ndim}I", data, at + 4)
        at += 4 + 4 * ndim
        at += _pad(at)
        dtype = DTYPES[code]
        count = int(np.prod(shape)) if ndim else 1
        out.append(np.frombuffer(view, dtype, count, at).reshape(shape))
        at += count * dtype.itemsize
        at += _pad(at)
    return out


def resolve(ref: dict[str, Any], blocks: list[np.ndarray]) -> np.ndarray:
    """A reference's array: block k whole ({"$": k}), or the `shape` elements from element `at` of its data."""
    b = blocks[ref["$"]]
    if len(ref) == 1:
        return b
    shape = tuple(ref["shape"])
    at = ref["at"]
    return b.reshape(-1)[at : at + math.prod(shape)].reshape(shape)


def plain(value: Any, blocks: list[np.ndarray] | None = None) -> Any:
    """JSON types only: references resolved to `blocks`, numpy arrays as (nested) lists, as the page reads them."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Mapping):  # a dict, or a packed network (models/nn/packed.py)
        if blocks is not None and "$" in value:
            return resolve(value, blocks).tolist()
        return {key: plain(v, blocks) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, blocks) for v in value]
    return value


def read(message: bytes | str) -> dict[str, Any]:
    """A whole frame (or any other message, JSON text) as the page reads it, arrays as lists."""
    if not is_frame(message):
        text: dict[str, Any] = orjson.loads(message)
        return text
    data = bytes(message)
    part, at = _json_part(data)
    whole: dict[str, Any] = plain(part, arrays(data, at))
    return whole


def read_head(message: bytes) -> dict[str, Any]:
    """A frame's HEAD values only, without its blocks: a load test that reads every frame of hundreds of pages
    must leave the machine's cores to the server it measures."""
    part, _ = _json_part(message)
    return {k: part[k] for k in HEAD}


def read_demo(message: bytes) -> dict[str, Any]:
    """A frame's DEMO part only, arrays as lists."""
    demo: dict[str, Any] = read(message)[DEMO]
    return demo
