"""Rooms nobody uses expire, NNP_ROOM_EXPIRY_S after their last use: a lookup of the code, a follower, the
lecturer's page open. A code on a projector stays guessable only while the lecture is on."""

from __future__ import annotations

import asyncio
import logging
import time

from server.config import Settings
from server.guard import Lookups
from server.hub import RoomHub
from server.rooms import CLOSED

log = logging.getLogger("nnp.rooms")


class RoomExpiry:
    def __init__(self, hub: RoomHub, lookups: Lookups, settings: Settings) -> None:
        self.hub, self.lookups, self.after = hub, lookups, settings.room_expiry_s
        # Uses are known to this process only since it started: a room is never older than that here, so a
        # restart never expires a room that was used yesterday.
        self.started = time.time()
        self.shared_at: dict[str, float] = {}  # when this process last told the others a room was used

    def last_use(self, code: str, created: float) -> float:
        return max(self.started, created, self.lookups.used.get(code, 0.0))

    async def sweep(self) -> list[str]:
        """Close the rooms unused for `after` seconds (in every process, with a shared backend); their codes."""
        hub, now, gone = self.hub, time.time(), []
        for code in await hub.backend.codes():
            room = await hub.backend.get(code)
            if room is None:
                continue
            if hub.watched(code) or hub.registry.connections.pages(room.lecturer):
                self.lookups.used[code] = now
            last = self.last_use(code, room.created)
            if hub.backend.shared:  # the others' uses: a key that lives `after` seconds from the last one
                if now - last < self.after and now - self.shared_at.get(code, 0.0) > self.after / 8:
                    self.shared_at[code] = now
                    await hub.backend.put(code, "used", "1", self.after - (now - last))
                if await hub.backend.fetch(code, "used") is not None:
                    continue
            if now - last >= self.after:
                await hub.backend.delete(code)
                await hub.backend.publish(code, CLOSED, "")
                log.info("room %s expired: unused for %.0f s (NNP_ROOM_EXPIRY_S)", code, now - last)
                gone.append(code)
        return gone

    async def run(self) -> None:
        if self.after <= 0:
            return
        while True:
            await asyncio.sleep(min(60.0, self.after / 4))
            try:
                await self.sweep()
            except Exception as e:  # noqa: BLE001 - Redis away for a moment: the next sweep tries again
                log.warning("expiring rooms failed: %s: %s", type(e).__name__, e)
