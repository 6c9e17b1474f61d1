"""What the other processes of a shared room backend (Redis) need of this one's rooms: the lecturer's newest state
(for forks and pushes) and full frame (for late followers), heartbeats, who follows, and student thumbnails."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from server import protocol
from server.lecture import REFRESH_S

if TYPE_CHECKING:
    from server.feed import Feed
    from server.hub import RoomHub

log = logging.getLogger("nnp.rooms")
ALIVE_TTL_S = 5.0  # a feed's heartbeat: without one, another process may take the lecturer's session over
STATE_TTL_S = 7 * 24 * 3600.0


class Replication:
    """What RoomHub writes for other processes every REFRESH_S (nothing with a one-process backend)."""

    async def _share(self: RoomHub, code: str, feed: Feed) -> None:
        """The lecturer's newest state (for forks and pushes) and full frame (for late followers), and a
        heartbeat that says this process has the lecturer's session."""
        b, s = self.backend, feed.session
        await b.put(code, "alive", "1", ALIVE_TTL_S)
        if s.version != feed.shared_version:
            feed.shared_version = s.version
            full = (await asyncio.to_thread(s.frame, -1, -1))[0]
            if s.id == feed.room.lecturer:  # what students fork: the lecturer's network, never a spotlighted one
                await b.put(code, "state", await asyncio.to_thread(s.dumps), STATE_TTL_S)
            await b.put(code, "full", full, STATE_TTL_S)

    async def _refresh_loop(self: RoomHub) -> None:
        while True:
            await asyncio.sleep(REFRESH_S)
            if not self.backend.shared:
                continue
            try:
                await self._refresh()
            except Exception:  # noqa: BLE001 - Redis away for a moment; the next round retries
                log.exception("refreshing shared room data failed")

    async def _refresh(self: RoomHub) -> None:
        b = self.backend
        for code, feed in list(self.feeds.items()):
            await self._share(code, feed)
        for code in self.registry.connections.followed():
            await b.put(code, "watched", "1", ALIVE_TTL_S)
        self._remote_watched = {code for code in self.feeds if await b.fetch(code, "watched") is not None}
        rooms = {s.room for s in self.registry.sessions.values() if s.room}
        for code in rooms:
            if await b.fetch(code, "gallery") is None:
                continue
            room = await b.get(code)
            if room is not None:
                entries = {e["seat"]: protocol.encode(e) for e in self._local_summaries(room)}
                await b.put_students(code, entries)
