"""Who is asking, and may they: the client's address, the Origin check, per-client budgets, error-frame throttling."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote, urlsplit

from server import protocol
from server.config import Settings

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # nothing else changes state, so nothing else needs an Origin


def header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for k, v in scope.get("headers", ()):
        if k == wanted:
            return v.decode("latin-1")
    return None


def client_of(scope: Scope, settings: Settings) -> str:
    """The client's address: the socket's peer, or behind a trusted proxy the last address of the proxy's header
    (the one the proxy itself appended: the earlier ones are whatever the client wrote)."""
    if settings.client_ip_header:
        forwarded = header(scope, settings.client_ip_header)
        if forwarded and forwarded.split(",")[-1].strip():
            return forwarded.split(",")[-1].strip()
    peer = scope.get("client")
    return str(peer[0]) if peer else "unknown"


def origin_refusal(scope: Scope, settings: Settings) -> str | None:
    """Why this request's Origin may not act here, or None. No Origin header (curl, the tests' and the load
    test's clients) is allowed: Origin is what a browser adds, and it is a browser page on another site that
    could otherwise drive a student's sessions from the student's own browser."""
    origin = header(scope, "origin")
    if origin is None:
        return None
    allowed = {o.strip().rstrip("/").lower() for o in settings.allowed_origins.split(",") if o.strip()}
    if origin.rstrip("/").lower() in allowed or "*" in allowed:
        return None
    host = (header(scope, "host") or "").lower()
    if host and _same_host(origin, host):
        return None  # the page's own host: the playground's pages talk to the server that served them
    return (f"origin {origin} may not use this server (it serves {host or 'another host'}); "
            "an operator can allow it in NNP_ALLOWED_ORIGINS")


def _same_host(origin: str, host: str) -> bool:
    """Origin names the Host header's host, and its port if Host has one (a proxy passing nginx's `$host` drops
    the port: then the host name decides)."""
    try:
        o, h = urlsplit(origin), urlsplit(f"//{host}")
        return o.hostname is not None and o.hostname == h.hostname and (h.port is None or o.port == h.port)
    except ValueError:  # a port that is no number: not this server
        return False


class OriginGuard:
    """ASGI middleware: every websocket and every state-changing HTTP call from a foreign Origin is refused,
    a websocket with an error frame and close code 1008, an HTTP call with 403."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket") or (kind == "http" and scope["method"] in SAFE_METHODS):
            await self.app(scope, receive, send)
            return
        why = origin_refusal(scope, self.settings)
        if why is None:
            await self.app(scope, receive, send)
            return
        if kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": json.dumps({"type": "error", "message": why,
                                                                      "command": None})})
            await send({"type": "websocket.close", "code": 1008, "reason": "origin not allowed"})
            return
        await refuse_http(send, 403, why)


async def refuse_http(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """An HTTP refusal shaped as FastAPI's own errors are: {"detail": ...}."""
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class Budget:
    """At most `limit` events per client in any `window_s` seconds (a sliding window of their times)."""

    def __init__(self, limit: int, window_s: float = 60.0) -> None:
        self.limit, self.window_s = limit, window_s
        self.events: dict[str, deque[float]] = {}

    def retry_after(self, client: str) -> float:
        """0 if the client may go on; else the seconds until its oldest event in the window leaves it."""
        if self.limit <= 0:
            return 0.0
        q = self._recent(client)
        return 0.0 if len(q) < self.limit else max(0.001, q[0] + self.window_s - time.monotonic())

    def spend(self, client: str) -> None:
        if self.limit > 0:
            self._recent(client).append(time.monotonic())

    def _recent(self, client: str) -> deque[float]:
        q = self.events.setdefault(client, deque())
        cutoff = time.monotonic() - self.window_s
        while q and q[0] < cutoff:
            q.popleft()
        if len(self.events) > 10_000:  # many clients once: forget the ones whose window has emptied
            for k in [k for k, v in self.events.items() if not v and k != client]:
                del self.events[k]
        return q


class Lookups:
    """Room codes tried per client: a wrong one spends from a budget of NNP_ROOM_MISSES_PER_MIN a minute; once it
    is spent, every lookup (page, API, websocket) is refused until the minute has passed. Only misses count: a
    class behind one NAT address joins with the right code, many times over, and is never slowed."""

    def __init__(self, per_min: int) -> None:
        self.per_min = per_min
        self.budget = Budget(per_min, 60.0)
        self.used: dict[str, float] = {}  # code -> time.time() it was last looked up (server/room_expiry.py)

    def seen(self, code: str) -> None:
        code = code.strip().upper()
        if len(code) <= 16:  # not a code anyone could be using: nothing to remember
            self.used[code] = time.time()

    def retry_after(self, client: str) -> float:
        return self.budget.retry_after(client)

    def missed(self, client: str) -> None:
        self.budget.spend(client)

    def refusal(self, wait: float) -> str:
        return (f"too many wrong room codes from your address ({self.per_min} a minute, NNP_ROOM_MISSES_PER_MIN); "
                f"try again in {math.ceil(wait)} s")


ROOM_PATH = re.compile(r"^/(?:api/rooms|join|rooms)/([^/]+)")  # every HTTP route that looks a room code up


class RoomCodeGuard:
    """ASGI middleware: HTTP room lookups from a client past its budget get 429 with Retry-After; a lookup that
    answers 404 (no such room) spends from it. The websocket's lookups are counted in server/ws.py."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], settings: Settings,
                 lookups: Lookups) -> None:
        self.app, self.settings, self.lookups = app, settings, lookups

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = ROOM_PATH.match(scope["path"]) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        client = client_of(scope, self.settings)
        if wait := self.lookups.retry_after(client):
            await refuse_http(send, 429, self.lookups.refusal(wait), [(b"retry-after", str(math.ceil(wait)).encode())])
            return

        async def counted(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 404:
                    self.lookups.missed(client)
                elif message["status"] < 400:
                    self.lookups.seen(unquote(found.group(1)))
            await send(message)

        await self.app(scope, receive, counted)


class Pages:
    """Open sandbox pages per client address: one client may not hold every session slot of the server."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open: dict[str, int] = {}

    def acquire(self, client: str) -> str | None:
        """None and the page counts, or why not."""
        n = self.open.get(client, 0)
        if self.limit > 0 and n >= self.limit:
            return (f"too many open pages from your address ({n}, NNP_MAX_PAGES_PER_CLIENT {self.limit}); "
                    "close some and try again")
        self.open[client] = n + 1
        return None

    def release(self, client: str) -> None:
        n = self.open.get(client, 0) - 1
        if n > 0:
            self.open[client] = n
        else:
            self.open.pop(client, None)


class ErrorThrottle:
    """A connection's error frames: after a short burst, at most one every `every_s`. An error that comes too soon
    waits for its turn; one that comes while another waits replaces it and is counted, so a flood is answered with
    a count ("N more commands ignored") and a person's one mistake still hears why, a moment later."""

    def __init__(self, send: Callable[[dict[str, Any]], Awaitable[None]], burst: int = 5, every_s: float = 1.0) -> None:
        self.send, self.burst, self.every_s = send, burst, every_s
        self.tokens, self.t = float(burst), time.monotonic()
        self.pending: tuple[str, str | None] | None = None
        self.replaced = 0  # errors never sent since the last one that was
        self.task: asyncio.Task[None] | None = None

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(float(self.burst), self.tokens + (now - self.t) / self.every_s)
        self.t = now

    async def say(self, message: str, command: str | None = None) -> None:
        self._refill()
        if self.pending is None and self.tokens >= 1:
            self.tokens -= 1
            await self.send(protocol.error(message, command))
            return
        self.replaced += self.pending is not None
        self.pending = (message, command)
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        await asyncio.sleep(max(0.0, 1 - self.tokens) * self.every_s)
        self._refill()
        self.tokens -= 1
        assert self.pending is not None, "a flush is only scheduled for a waiting error"
        (message, command), replaced = self.pending, self.replaced
        self.pending, self.replaced, self.task = None, 0, None
        if replaced:
            message += f" ({replaced:,} more commands ignored since the last error)"
        with contextlib.suppress(Exception):  # the page has gone meanwhile
            await self.send(protocol.error(message, command))

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
