"""The lecturer's frame feed: one frame stream of the session a room shows, for every follower, wherever they are."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from server.frames import off_loop
from server.rooms import FRAME, Room
from server.session import Session

if TYPE_CHECKING:
    from server.hub import RoomHub

log = logging.getLogger("nnp.rooms")


class Feed:
    """In the process holding the session the room shows (the lecturer's, or a spotlighted student's): one frame
    stream of it for every follower of the room, wherever they are. Built at most once per pump tick, whatever
    the number of followers; each frame carries the loss points since the previous one (a follower that skipped
    a frame skips its points)."""

    def __init__(self, hub: RoomHub, room: Room, session: Session) -> None:
        self.hub, self.room, self.session = hub, room, session
        self.since, self.epoch, self.sent_version = -1, -1, -1
        self.shared_version = -1  # the version last written as "state" and "full" for other processes
        self.busy = False
        hub.registry.connections.add_feed(session.id)  # an open room keeps its lecturer's session in memory

    def tick(self) -> None:
        s = self.session
        if self.busy or s.version == self.sent_version or not self.hub.watched(self.room.code):
            return
        if s.lock.acquire(blocking=False):  # inline: cheaper than a thread hop
            try:
                text = self._frame()
            finally:
                s.lock.release()
            if not self.hub.backend.shared:
                self.hub.deliver(self.room.code, text, s.demo.name)
                return
            self.busy = True
            self.hub.spawn(self._publish(text))
        else:  # the engine is training this very session (it runs alone): wait for the slice in a thread
            self.busy = True
            self.hub.spawn(self._publish(None))

    def _frame(self) -> bytes:
        text, self.since, self.epoch, self.sent_version = self.session.frame(self.since, self.epoch,
                                                                             self.hub.max_age)
        return text

    async def _publish(self, text: bytes | None) -> None:
        try:
            if text is None:
                text = await off_loop(self._frame)
            demo = self.session.demo.name
            if self.hub.backend.shared:  # the demo first: a process drops it for followers of another demo
                await self.hub.backend.publish(self.room.code, FRAME, b"%s\n%s" % (demo.encode(), text))
            else:
                self.hub.deliver(self.room.code, text, demo)
        except Exception:  # noqa: BLE001 - Redis away for a moment: followers miss frames, nothing else
            log.exception("publishing a frame of room %s failed", self.room.code)
        finally:
            self.busy = False

    def stop(self) -> None:
        self.hub.registry.connections.remove_feed(self.session.id)
