"""Rooms shared by several server processes through Redis: metadata in keys, frames and pushes over pub/sub."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from server.frames import stop
from server.rooms import FRAME, Listener, Room, RoomBackend

log = logging.getLogger("nnp.redis")
PREFIX = "nnp"
ROOM_TTL_S = 7 * 24 * 3600  # a room nobody closes goes away after a week
STUDENT_TTL_S = 10.0  # a thumbnail older than this is a student whose process stopped reporting


class RedisRooms(RoomBackend):
    """Every process subscribes to every room's channels (one pattern subscription): a lecture has a handful of
    rooms, and a process with no follower of a room just drops its frames."""

    shared = True

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis  # imported here: a one-process server needs no Redis client

        self.redis = aioredis.Redis.from_url(url, decode_responses=True)
        self.raw = aioredis.Redis.from_url(url)  # frames are binary: their bytes as they are, undecoded
        self._reader: asyncio.Task[None] | None = None

    async def start(self, listener: Listener) -> None:
        await super().start(listener)
        await self.redis.ping()  # fail at startup, not at the first room, if NNP_REDIS_URL is wrong
        ready = asyncio.Event()
        self._reader = asyncio.create_task(self._read(ready))
        await ready.wait()

    async def close(self) -> None:
        if self._reader is not None:
            await stop(self._reader)
        await self.redis.aclose()
        await self.raw.aclose()

    async def _read(self, ready: asyncio.Event) -> None:
        while True:
            pubsub = self.raw.pubsub()
            try:
                await pubsub.psubscribe(f"{PREFIX}:ch:*")
                ready.set()
                async for msg in pubsub.listen():
                    if msg["type"] != "pmessage":
                        continue
                    _, _, code, kind = msg["channel"].decode().split(":", 3)
                    try:
                        self.listener(code, kind, msg["data"] if kind == FRAME else msg["data"].decode())
                    except Exception:  # noqa: BLE001 - one bad message must not stop the room traffic
                        log.exception("handling %s of room %s failed", kind, code)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - Redis restarted or the network blinked: subscribe again
                log.exception("the Redis subscription broke; resubscribing in 1 s")
                await asyncio.sleep(1.0)
            finally:
                await pubsub.aclose()

    def _key(self, code: str, what: str = "") -> str:
        return f"{PREFIX}:room:{code}" + (f":{what}" if what else "")

    async def create(self, room: Room) -> bool:
        lead = f"{PREFIX}:lead:{room.lecturer}"
        if not await self.redis.set(lead, room.code, nx=True, ex=ROOM_TTL_S):
            return False
        if not await self.redis.set(self._key(room.code), room.dumps(), nx=True, ex=ROOM_TTL_S):
            await self.redis.delete(lead)
            return False
        return True

    async def get(self, code: str) -> Room | None:
        text = await self.redis.get(self._key(code))
        return Room.loads(text) if text else None

    async def led_by(self, session_id: str) -> str | None:
        return await self.redis.get(f"{PREFIX}:lead:{session_id}")

    async def update(self, old: Room, new: Room) -> None:
        async with self.redis.pipeline(transaction=True) as p:
            p.set(self._key(new.code), new.dumps(), xx=True, keepttl=True)
            if old.lecturer != new.lecturer:
                p.delete(f"{PREFIX}:lead:{old.lecturer}")
                p.set(f"{PREFIX}:lead:{new.lecturer}", new.code, ex=ROOM_TTL_S)
            await p.execute()

    async def delete(self, code: str) -> None:
        room = await self.get(code)
        keys = [self._key(code, w) for w in ("state", "full", "alive", "watched", "gallery", "students", "used")]
        await self.redis.delete(self._key(code), *keys, *([f"{PREFIX}:lead:{room.lecturer}"] if room else []))

    async def codes(self) -> list[str]:
        prefix = self._key("")
        return [k[len(prefix):] for k in [k async for k in self.redis.scan_iter(match=f"{prefix}*", count=500)]
                if ":" not in k[len(prefix):]]

    async def publish(self, code: str, kind: str, text: str | bytes) -> None:
        await self.redis.publish(f"{PREFIX}:ch:{code}:{kind}", text)

    async def put(self, code: str, what: str, text: str | bytes, ttl_s: float) -> None:
        await self.redis.set(self._key(code, what), text, px=int(ttl_s * 1000))

    async def fetch(self, code: str, what: str) -> str | None:
        return await self.redis.get(self._key(code, what))

    async def fetch_bytes(self, code: str, what: str) -> bytes | None:
        return await self.raw.get(self._key(code, what))

    async def put_students(self, code: str, entries: dict[str, str]) -> None:
        if entries:
            key = self._key(code, "students")
            async with self.redis.pipeline(transaction=False) as p:
                p.hset(key, mapping=entries)
                p.expire(key, int(STUDENT_TTL_S * 3))
                await p.execute()

    async def students(self, code: str) -> list[dict[str, Any]]:
        now = time.time()
        entries = [json.loads(v) for v in (await self.redis.hgetall(self._key(code, "students"))).values()]
        return [e for e in entries if now - e.get("at", 0) < STUDENT_TTL_S]
