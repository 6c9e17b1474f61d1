"""A blocking websocket client for tests against a live server (a real socket, like a page's)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from websockets.sync.client import ClientConnection, connect

from server import codec


def receive(ws: Any) -> dict[str, Any]:
    """The next message of a TestClient websocket (starlette's WebSocketTestSession): a frame (binary) read through
    the codec, anything else JSON text, as a page reads it."""
    from starlette.websockets import WebSocketDisconnect

    message = ws.receive()
    if message["type"] == "websocket.close":
        raise WebSocketDisconnect(code=message.get("code", 1000), reason=message.get("reason", ""))
    return codec.read(message["bytes"] if message.get("bytes") is not None else message["text"])


class Client:
    def __init__(self, url: str, headers: dict[str, str] | None = None, origin: str | None = None) -> None:
        self.ws: ClientConnection = connect(url.replace("http://", "ws://"), max_size=2**24, open_timeout=20,
                                            additional_headers=headers, origin=origin)  # type: ignore[arg-type]
        self.ws.__enter__()
        self.hello: dict[str, Any] | None = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.ws.close()

    def send(self, cmd: dict[str, Any] | str) -> None:
        self.ws.send(cmd if isinstance(cmd, str) else json.dumps(cmd))

    def recv(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next message: a frame (binary) read through the codec, anything else JSON text, as a page reads it."""
        msg = codec.read(self.ws.recv(timeout=timeout))
        if msg["type"] == "hello":
            self.hello = msg
        return msg

    def next_of(self, kind: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            msg = self.recv(left)
            if msg["type"] == kind:
                return msg
        raise AssertionError(f"no {kind} message within {timeout} s")

    def frame_where(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            msg = self.recv(left)
            if msg["type"] == "frame" and pred(msg):
                return msg
        raise AssertionError(f"no matching frame within {timeout} s")
