"""The session registry: create, find, enforce the session limit, reap idle sessions."""

from __future__ import annotations

import time

from models.demo import Demo
from models.registry import DEMOS
from server.config import Settings
from server.engine import Engine
from server.session import Session


class LimitReached(RuntimeError):
    """Raised when a new session would exceed a configured limit; the message goes to the client."""


class Registry:
    def __init__(self, settings: Settings, engine: Engine, device: str) -> None:
        self.settings = settings
        self.engine = engine
        self.device = device
        self.sessions: dict[str, Session] = {}

    def demo_class(self, name: str) -> type[Demo]:
        if name not in DEMOS:
            raise KeyError(f"no demo {name!r}; there are {', '.join(DEMOS)}")
        return DEMOS[name]

    def open(self, demo: str, session_id: str | None) -> Session:
        """The session with this id if it is of this demo, else a new one."""
        cls = self.demo_class(demo)
        if session_id and session_id in self.sessions and self.sessions[session_id].demo.name == demo:
            s = self.sessions[session_id]
        else:
            if len(self.sessions) >= self.settings.max_sessions:
                self.reap()
            if len(self.sessions) >= self.settings.max_sessions:
                raise LimitReached(f"the server is full ({self.settings.max_sessions} sessions); try again later")
            s = Session(cls(seed=0, device=self.device))
            self.sessions[s.id] = s
            self.engine.add(s)
        s.last_seen = time.monotonic()
        return s

    def reap(self) -> int:
        """Drop sessions nobody has watched for `idle_expiry_s`."""
        now = time.monotonic()
        dead = [k for k, s in self.sessions.items()
                if s.watchers == 0 and now - s.last_seen > self.settings.idle_expiry_s]
        for k in dead:
            self.engine.remove(k)
            del self.sessions[k]
        return len(dead)
