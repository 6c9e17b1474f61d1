"""The room as a lecture: the lecturer moving across demos and steps, pause class, spotlight, anonymize, and the
lecture pages (one per student for the whole hour) that hear of every change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from server import protocol
from server.rooms import LECTURE, Room, RoomError

if TYPE_CHECKING:
    from server.hub import RoomHub
    from server.session import Session

log = logging.getLogger("nnp.rooms")
REFRESH_S = 1.0  # how often shared data (full frame, state, thumbnails, heartbeats) is written for other processes
PAUSED = "The lecturer paused the class: look around; training resumes when the lecturer says so"


class LectureMixin:
    """What RoomHub does for a room as a lecture. Every change is a new Room stored by the backend and published
    as LECTURE: each process (this one included) then moves its feed, tells its pages and holds its students."""

    async def _change(self: RoomHub, room: Room, **changes: Any) -> Room:
        new = room.moved(**changes)
        await self.backend.update(room, new)
        await self.backend.publish(new.code, LECTURE, new.dumps())
        return new

    async def move(self: RoomHub, code: str, key: str | None, session_id: str) -> Room:
        """The lecturer opened another demo page (or came back to one): the room follows that session, followers
        switch to it, students are offered a copy. The same session again changes nothing."""
        room = await self.authorize(code, key)
        if session_id == room.lecturer:
            return room
        s = await self.registry.find(session_id)
        if s is None:
            raise RoomError("no such session: open the demo page first", 404)
        if s.room:
            raise RoomError(f"this is a student sandbox of room {s.room}: it cannot lead a room", 409)
        other = await self.backend.led_by(s.id)
        if other is not None and other != room.code:
            raise RoomError(f"this session leads room {other}; close it first", 409)
        self.registry.keep(s)  # the room's lecturer now: it must outlive a restart, changed or not
        return await self._change(room, demo=s.demo.name, lecturer=s.id, step=0, spotlight="", spotlight_demo="")

    async def set_step(self: RoomHub, code: str, key: str | None, step: int) -> Room:
        room = await self.authorize(code, key)
        return room if room.step == step else await self._change(room, step=step)

    async def lecturer_step(self: RoomHub, s: Session, step: int) -> None:
        """The lecturer's own page went to a lesson step: the room says so (its follower pages show it, and with
        "follow my step" students' sandboxes go there too). A session that leads no room changes nothing."""
        try:
            code = await self.backend.led_by(s.id)
            room = await self.backend.get(code) if code is not None else None
            if room is not None and room.lecturer == s.id and room.step != step:
                await self._change(room, step=step)
        except Exception:  # noqa: BLE001 - Redis away for a moment: the step was taken, the room hears of the next
            log.exception("telling the room of session %s's lesson step failed", s.id)

    async def follow_steps(self: RoomHub, code: str, key: str | None, on: bool) -> Room:
        room = await self.authorize(code, key)
        return room if room.follow_step == on else await self._change(room, follow_step=on)

    async def pace(self: RoomHub, code: str, key: str | None, paused: bool) -> Room:
        """Pause class: every student sandbox of the room stops and refuses play and step, until resumed."""
        room = await self.authorize(code, key)
        return room if room.paused == paused else await self._change(room, paused=paused)

    async def anonymize(self: RoomHub, code: str, key: str | None, on: bool) -> Room:
        room = await self.authorize(code, key)
        return room if room.anonymous == on else await self._change(room, anonymous=on)

    async def spotlight(self: RoomHub, code: str, key: str | None, who: str | None) -> Room:
        """Show one student's sandbox (by seat) to every follower instead of the lecturer's network; None: back."""
        room = await self.authorize(code, key)
        if not who:
            return await self._change(room, spotlight="", spotlight_demo="") if room.spotlight else room
        # Other processes report their students within a refresh round of being asked (students_of asks).
        for _ in range(3 if self.backend.shared else 1):
            for e in await self.students_of(room):
                if e["seat"] == who:
                    return await self._change(room, spotlight=e["_sid"], spotlight_demo=e["demo"])
            if self.backend.shared:
                await asyncio.sleep(REFRESH_S)
        raise RoomError(f"no student {who} in room {room.code} right now", 404)

    async def attach(self: RoomHub, s: Session) -> None:
        """A student sandbox opens (again): it keeps to the room's pace."""
        if s.room and (room := await self.backend.get(s.room)) is not None:
            s.hold_training(PAUSED if room.paused else None)

    # ---------------------------------------------------------------- lecture pages
    def add_lobby(self: RoomHub, code: str, conn: Any) -> None:
        self.registry.connections.add_lobby(code, conn)

    def remove_lobby(self: RoomHub, code: str, conn: Any) -> None:
        self.registry.connections.remove_lobby(code, conn)

    @staticmethod
    async def _say(conn: Any, text: str) -> None:
        with contextlib.suppress(Exception):  # a page that has gone: its socket's own loop cleans up
            await conn.send(text)

    # ---------------------------------------------------------------- every process, on LECTURE
    async def _lecture_changed(self: RoomHub, room: Room) -> None:
        code = room.code
        feed = self.feeds.get(code)
        if feed is not None and feed.session.id != room.shown:
            self._stop_feed(code)  # this process no longer has the session followers watch
        if (s := self.registry.sessions.get(room.shown)) is not None:
            self._ensure_feed(room, s)
            if self.backend.shared:  # late followers on other processes start from its full frame
                await self._share(code, self.feeds[code])
        text = protocol.encode({"type": "room", **room.public()})  # encoded once for the whole class
        # at once, not one after the other: a slow page must not hold the others' switch back
        conns = self.registry.connections
        await asyncio.gather(*(self._say(conn, text) for conn in [*conns.followers(code), *conns.lobby(code)]))
        reason = PAUSED if room.paused else None
        for student in self._students(code, room.lecturer):
            if student.hold_training(reason):
                await self._tell(student, reason or "The lecturer resumed the class: you may train again",
                                 hold=reason or "")
