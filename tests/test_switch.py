"""A room's switch across processes: a follower on another process starts from the full frame of its own demo,
never the previous one's (the full frame is written after the switch has gone out to every page)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from server import feed


def full(backend: Backend, demo: str) -> str | None:
    """shared_full in an event loop of its own (a browser test in this process may be running one here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, feed.shared_full(backend, "ROOM", demo)).result(30)


class Backend:
    """A shared backend whose full frame is the previous demo's for the first reads, then the new one's."""

    def __init__(self, texts: list[str | None]) -> None:
        self.texts, self.reads = texts, 0

    async def fetch(self, code: str, what: str) -> str | None:
        assert what == "full"
        self.reads += 1
        return self.texts[min(self.reads, len(self.texts)) - 1]


def test_a_follower_waits_for_the_full_frame_of_its_own_demo(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(feed, "FULL_WAIT_S", 0.0)
    b = Backend([None, 'knockout\n{"type":"frame","k":1}', 'boundary\n{"type":"frame","b":2}'])
    assert full(b, "boundary") == '{"type":"frame","b":2}'
    assert b.reads == 3
    old = Backend(['knockout\n{"type":"frame"}'])  # the switch's full frame never came: no frame rather than that
    assert full(old, "boundary") is None
    assert old.reads == feed.FULL_TRIES
    unmarked = Backend(['{"type":"frame"}'])  # written by an older version, without its demo
    assert full(unmarked, "boundary") is None
