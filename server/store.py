"""Where sessions outlive the process: one SQLite table (standard library, WAL), written off the event loop."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("nnp.store")

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    demo TEXT NOT NULL,
    state TEXT NOT NULL,      -- Session.state() as JSON: the demo's own state() plus the session's clock and chart
    updated_at REAL NOT NULL  -- unix time of the last save
);
-- Rooms of the one-process (memory) room backend, so a join code on the projector outlives a restart.
CREATE TABLE IF NOT EXISTS rooms (code TEXT PRIMARY KEY, room TEXT NOT NULL);
"""


class Store:
    """A session store on one SQLite file. Every call blocks: the server calls it through `asyncio.to_thread`.

    WAL lets readers (a reconnecting page restoring its session) proceed while the save loop writes, and lets
    several server processes on one host share the file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            if Path(self.path).is_file() and Path(self.path).stat().st_size == 0:
                # SQLite takes a zero-length file for a new database: say so, it may be a lost store
                log.warning("the session store %s is an empty file (0 bytes): starting a new store in it, no "
                            "sessions to restore", self.path)
        # One connection shared by the worker threads that asyncio.to_thread picks, serialised by `_lock`.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint; a power cut loses seconds
            self._db.executescript(SCHEMA)

    def save(self, rows: list[tuple[str, str, str]]) -> None:
        """Upsert (id, demo, state JSON) rows in one transaction."""
        if not rows:
            return
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT INTO sessions (id, demo, state, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET demo = excluded.demo, state = excluded.state, "
                    "updated_at = excluded.updated_at",
                    [(sid, demo, state, now) for sid, demo, state in rows],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def load(self, session_id: str) -> tuple[str, dict[str, Any]] | None:
        """(demo name, Session.state()) of a saved session, or None."""
        with self._lock:
            row = self._db.execute("SELECT demo, state FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def save_room(self, code: str, room: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO rooms (code, room) VALUES (?, ?)", (code, room))

    def delete_room(self, code: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM rooms WHERE code = ?", (code,))

    def rooms(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT room FROM rooms").fetchall()]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
