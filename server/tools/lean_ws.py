"""A lean websocket client for the load test: hundreds of simulated pages must cost the machine little CPU.

Just what a page does: text and binary messages (a frame is binary: bytes, the rest str), unfragmented or not,
masked client frames, pings answered, a clean close (RFC 6455). The load test runs on the machine it measures; a
general-purpose client library spends several times more per message, which the server would then lose to its own
test.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
from urllib.parse import urlsplit


class Closed(Exception):
    """The connection is gone; `code` is the close code the server sent (1006 when it just dropped)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"websocket closed ({code})")
        self.code = code


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.handshake: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.messages: asyncio.Queue[str | bytes | Closed] = asyncio.Queue()
        self.parts: list[bytes] = []
        self.binary = False  # the message being assembled came in binary frames
        self.closing = False  # we closed it: its end is not an error

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.handshake.done():
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            self.handshake.set_result(bytes(self.buf[:end]))
            del self.buf[: end + 4]
        self._frames()

    def _frames(self) -> None:
        buf = self.buf
        while len(buf) >= 2:
            fin, opcode, n, at = buf[0] & 0x80, buf[0] & 0x0F, buf[1] & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    return
                n, at = struct.unpack_from("!H", buf, 2)[0], 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n, at = struct.unpack_from("!Q", buf, 2)[0], 10
            if len(buf) < at + n:
                return
            payload = bytes(buf[at : at + n])
            del buf[: at + n]
            if opcode in (0, 1, 2):
                if opcode:
                    self.binary = opcode == 2
                self.parts.append(payload)
                if fin:
                    whole = b"".join(self.parts)
                    self.messages.put_nowait(whole if self.binary else whole.decode())
                    self.parts = []
            elif opcode == 9:
                self.write(0xA, payload)
            elif opcode == 8:
                code = struct.unpack_from("!H", payload)[0] if len(payload) >= 2 else 1005
                self.messages.put_nowait(Closed(code))

    def write(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        n = len(payload)
        head = bytes([0x80 | opcode]) + (bytes([0x80 | n]) if n < 126 else
                                         (b"\xfe" + struct.pack("!H", n)) if n < 65536 else
                                         (b"\xff" + struct.pack("!Q", n)))
        mask = os.urandom(4)
        m = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
        body = (int.from_bytes(payload, "big") ^ m).to_bytes(n, "big") if n else b""
        self.transport.write(head + mask + body)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.handshake.done():
            self.handshake.set_exception(ConnectionError("closed during the handshake"))
        self.messages.put_nowait(Closed(1000 if self.closing else 1006))


class LeanSocket:
    def __init__(self, proto: _Protocol) -> None:
        self.p = proto

    @classmethod
    async def connect(cls, url: str, timeout: float = 60) -> LeanSocket:
        u = urlsplit(url)
        loop = asyncio.get_running_loop()
        _, proto = await asyncio.wait_for(loop.create_connection(_Protocol, u.hostname, u.port or 80), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        target = u.path + (f"?{u.query}" if u.query else "")
        proto.transport.write(  # type: ignore[union-attr]
            f"GET {target} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        status = (await asyncio.wait_for(proto.handshake, timeout)).split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise ConnectionError(f"websocket refused: {status.decode(errors='replace')}")
        return cls(proto)

    async def recv(self) -> str | bytes:
        msg = await self.p.messages.get()
        if isinstance(msg, Closed):
            self.p.messages.put_nowait(msg)  # every later recv says so too
            raise msg
        return msg

    async def send(self, text: str) -> None:
        self.p.write(0x1, text.encode())

    async def close(self) -> None:
        self.p.closing = True
        self.p.write(0x8, struct.pack("!H", 1000))
        if self.p.transport is not None:
            self.p.transport.close()

    def __aiter__(self) -> LeanSocket:
        return self

    async def __anext__(self) -> str | bytes:
        try:
            return await self.recv()
        except Closed as e:
            if e.code in (1000, 1001, 1005):
                raise StopAsyncIteration from None
            raise
