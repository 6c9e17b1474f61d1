"""The protocol over a real websocket (Starlette's TestClient runs the app in-process)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.registry import DEMOS
from server.app import create_app
from server.config import Settings
from tests.live import receive


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(db_path=str(tmp_path / "s.sqlite3"), device="cpu", max_commands_per_s=20,
                              command_burst=30))
    with TestClient(app) as c:
        yield c


def next_of(ws, kind: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = receive(ws)
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind} message within {timeout} s")


def frame_where(ws, pred, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = receive(ws)
        if msg["type"] == "frame" and pred(msg):
            return msg
    raise AssertionError(f"no matching frame within {timeout} s")


def test_hello_then_a_frame_of_the_untrained_network(client: TestClient) -> None:
    with client.websocket_connect("/ws/autoencoder") as ws:
        hello = next_of(ws, "hello")
        assert hello["demo"] == "autoencoder" and hello["session"]
        assert "finetune" in hello["commands"]
        f = next_of(ws, "frame")
        assert f["iteration"] == 0 and not f["running"]
        assert f["demo"]["net"]["sizes"] == [10, 3, 10]
        assert len(f["demo"]["columns"]["output"]) == 10


def test_play_trains_and_pause_stops(client: TestClient) -> None:
    with client.websocket_connect("/ws/autoencoder") as ws:
        next_of(ws, "frame")
        ws.send_text(json.dumps({"type": "play"}))
        f = frame_where(ws, lambda f: f["iteration"] > 200)
        assert f["running"] and f["its_per_s"] > 0 and f["losses"]
        assert f["losses"][-1][1] < 0.25
        ws.send_text(json.dumps({"type": "pause"}))
        stopped = frame_where(ws, lambda f: not f["running"])
        ws.send_text(json.dumps({"type": "select", "sample": 1}))
        later = frame_where(ws, lambda f: f["selected"] == 1)
        assert later["iteration"] == stopped["iteration"], "a paused session must not train"


def test_step_trains_exactly_n_iterations(client: TestClient) -> None:
    with client.websocket_connect("/ws/autoencoder") as ws:
        next_of(ws, "frame")
        ws.send_text(json.dumps({"type": "step", "n": 25}))
        f = frame_where(ws, lambda f: f["iteration"] >= 25)
        assert f["iteration"] == 25 and not f["running"]


def test_bad_command_gets_an_error_and_changes_nothing(client: TestClient) -> None:
    with client.websocket_connect("/ws/autoencoder") as ws:
        first = next_of(ws, "frame")
        bad_ones = ("{oops", '{"type": "set", "lr": NaN}', '{"type": "warp"}',
                    '{"type": "inspect", "layer": 1, "unit": 9}')
        for bad in bad_ones:
            ws.send_text(bad)
            err = next_of(ws, "error")
            assert err["message"]
        ws.send_text(json.dumps({"type": "set", "lr": 0.25}))
        f = frame_where(ws, lambda f: f["lr"] == 0.25)
        assert f["iteration"] == first["iteration"] and f["demo"]["net"] == first["demo"]["net"]


def test_oversized_message_is_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws/autoencoder") as ws:
        next_of(ws, "frame")
        ws.send_text(json.dumps({"type": "select", "sample": 0, "pad": "x" * 100_000}))
        assert "too large" in next_of(ws, "error")["message"]


def test_a_flood_is_rate_limited_and_the_session_carries_on(client: TestClient) -> None:
    with client.websocket_connect("/ws/autoencoder") as ws, client.websocket_connect("/ws/autoencoder") as other:
        next_of(ws, "frame")
        next_of(other, "frame")
        for _ in range(200):
            ws.send_text(json.dumps({"type": "select", "sample": 0}))
        assert "too many commands" in next_of(ws, "error")["message"]
        other.send_text(json.dumps({"type": "play"}))
        assert frame_where(other, lambda f: f["iteration"] > 50)["running"]


def test_reconnect_with_the_session_id_finds_the_same_session(client: TestClient) -> None:
    with client.websocket_connect("/ws/autoencoder") as ws:
        sid = next_of(ws, "hello")["session"]
        ws.send_text(json.dumps({"type": "step", "n": 7}))
        frame_where(ws, lambda f: f["iteration"] == 7)
    with client.websocket_connect(f"/ws/autoencoder?session={sid}") as ws:
        assert next_of(ws, "hello")["session"] == sid
        f = next_of(ws, "frame")
        assert f["iteration"] == 7 and f["restart"] and f["losses"], "a new page gets the whole loss history"


def test_unknown_demo_is_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws/nope") as ws:
        assert "no demo" in next_of(ws, "error")["message"]


def test_pages_render(client: TestClient) -> None:
    index = client.get("/")
    assert index.status_code == 200
    assert len(DEMOS) >= 5
    for slug in DEMOS:  # every registered demo, not a hard-coded list
        assert f'href="/demos/{slug}"' in index.text
        assert client.get(f"/demos/{slug}").status_code == 200
    assert client.get("/demos/nope").status_code == 404


def test_a_frame_that_cannot_be_built_is_said_and_closes_the_page(client: TestClient,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    """A bug in building a frame must not leave the page silently frameless: it hears why, the socket closes with
    1011 (so the page reconnects), the server logs it and still serves other pages."""
    from starlette.websockets import WebSocketDisconnect

    from server.session import Session

    def broken(self: Session, *a: object) -> None:
        raise KeyError("bookmarks")

    with monkeypatch.context() as m:
        m.setattr(Session, "frame", broken)
        with client.websocket_connect("/ws/autoencoder") as ws:
            assert next_of(ws, "hello")
            err = next_of(ws, "error")
            assert "could not build a frame" in err["message"] and "bookmarks" in err["message"]
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
            assert closed.value.code == 1011
    assert "could not be built" in caplog.text
    with client.websocket_connect("/ws/autoencoder") as ws:
        assert next_of(ws, "frame")["iteration"] == 0


def test_healthz_says_when_the_warm_up_has_loaded_the_kernels(client: TestClient) -> None:
    """A readiness probe's signal: `warm` turns true once the start-up warm-up has trained every demo's presets and
    built a frame (models/registry.py's warm_up), and never before the server answers."""
    first = client.get("/healthz").json()
    assert first["ok"] is True and isinstance(first["warm"], bool)
    deadline = time.monotonic() + 120
    while not client.get("/healthz").json()["warm"]:
        assert time.monotonic() < deadline, "the warm-up did not finish within 120 s"
        time.sleep(0.2)
