"""The registry's saving and forgetting: changed sessions written to the store every few seconds (one it will not
take stays in memory, its pages told), unwatched ones paused, idle ones let go from memory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from server import protocol

if TYPE_CHECKING:
    from server.session import Session
    from server.sessions import Registry

log = logging.getLogger("nnp.sessions")


def problem_of(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"[:300]


class Saving:
    """What Registry does to keep the store up to date and memory to what is used."""

    async def save(self: Registry, everything: bool = False) -> int:
        """Write the sessions that changed since their last save (all of them: `everything`); off the loop."""
        if self.store is None:
            return 0
        changed = [s for s in list(self.sessions.values())
                   if (everything and s.id not in self.untouched) or s.version != s.saved_version]
        return await self._write(changed) if changed else 0

    async def _write(self: Registry, sessions: list[Session]) -> int:
        """Save these sessions; one the store will not take is kept in memory, logged once and its pages told."""
        saved, failed = await asyncio.to_thread(self._save, sessions)
        for s, problem in failed:
            if problem == s.save_problem:
                continue  # said already: the next rounds retry quietly
            s.save_problem = problem
            log.warning("session %s could not be saved to %s (%s); it stays in memory and is retried",
                        s.id, self.settings.db_path, problem)
            for conn in self.connections.pages(s.id):
                with contextlib.suppress(Exception):
                    await conn.send(protocol.error(f"the server could not save your session ({problem}); it "
                                                   "carries on in memory and saving is retried"))
        return saved

    def _save(self: Registry, sessions: list[Session]) -> tuple[int, list[tuple[Session, str]]]:
        assert self.store is not None, "saving needs a store"
        rows, versions = [], []
        for s in sessions:
            with s.lock:  # one consistent state, and the version it is the state of
                versions.append(s.version)
                rows.append((s.id, s.demo.name, s.dumps()))
        try:
            self.store.save(rows)
            done = list(zip(sessions, versions, strict=True))
            failed: list[tuple[Session, str]] = []
        except Exception:  # noqa: BLE001 - one damaged page must not keep every other session unsaved
            done, failed = [], []
            for s, v, row in zip(sessions, versions, rows, strict=True):
                try:
                    self.store.save([row])
                    done.append((s, v))
                except Exception as e:  # noqa: BLE001 - reported by _write
                    failed.append((s, problem_of(e)))
        for s, v in done:
            s.saved_version, s.save_problem = v, None
            self.untouched.discard(s.id)
        return len(done), failed

    def pause_unwatched(self: Registry) -> int:
        """Pause the running sessions no page has shown for `unwatched_pause_s`; returns how many. A room's
        lecturer is watched by the room's feed, so a projected network keeps training for its followers."""
        after = self.settings.unwatched_pause_s
        if after <= 0:
            return 0
        now = time.monotonic()
        idle = [s for s in list(self.sessions.values())
                if s.runnable and not self.watched(s) and now - s.last_seen > after]
        for s in idle:
            s.pause_unwatched(after)
        return len(idle)

    def reap(self: Registry) -> int:
        """Drop from memory the sessions nobody has watched for `idle_expiry_s`; with a store, only saved ones (the
        save loop writes them first), so a reaped session is restored as it was when its page comes back."""
        now = time.monotonic()
        dead = [k for k, s in self.sessions.items()
                if not self.watched(s) and now - s.last_seen > self.settings.idle_expiry_s
                and (self.store is None or s.version == s.saved_version)]
        for k in dead:
            self.remove(k)
        return len(dead)

    async def autosave(self: Registry) -> None:
        """Every `save_every_s`: write what changed, pause what nobody watches, then let idle sessions go."""
        while True:
            await asyncio.sleep(self.settings.save_every_s)
            try:
                await self.save()
            except Exception:  # noqa: BLE001 - a full disk must not stop the server; the next round retries
                log.exception("saving sessions failed")
            self.pause_unwatched()
            self.reap()
