"""A part of a demo's snapshot that never changes (its samples, their names), encoded as JSON once.

A frame is drawn for every session up to NNP_FPS times a second, and the frame codec (server/codec.py) would
otherwise walk the same few hundred bytes of nested lists and dicts each time; it writes a Fixed's `json` as it is
(orjson hands every tuple subclass to the codec). Python readers see a tuple of the items.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson


class Fixed(tuple[Any, ...]):
    """The items (JSON types only: no numpy arrays, which a frame sends as blocks) and their JSON text."""

    json: bytes

    def __new__(cls, items: Iterable[Any]) -> Fixed:
        self = super().__new__(cls, items)
        # TypeError for anything that is not a JSON type, as the codec would raise for it
        self.json = orjson.dumps(list(self), option=orjson.OPT_NON_STR_KEYS)
        return self
