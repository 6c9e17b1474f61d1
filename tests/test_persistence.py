"""Nothing lost: sessions survive a server restart (clean or killed), reopen by link, and fork by share link."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from models.registry import DEMOS
from server import protocol
from server.codec import plain
from server.config import Settings
from server.store import Store
from tests.conftest import LiveServer, free_port
from tests.live import Client
from tests.toy import ToyDemo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DEMOS, "toy", ToyDemo)


def test_store_upserts_and_loads(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.save([("a", "toy", '{"x": 1}'), ("b", "toy", '{"x": 2}')])
    store.save([("a", "toy", '{"x": 3}')])
    assert store.load("a") == ("toy", {"x": 3})
    assert store.load("b") == ("toy", {"x": 2})
    assert store.load("nope") is None
    assert store.count() == 2
    store.close()


def test_a_restarted_server_finds_the_session_intact(settings: Settings, toy: None) -> None:
    with LiveServer(settings) as srv, Client(f"{srv.url}/ws/toy") as c:
        sid = c.next_of("hello")["session"]
        c.send({"type": "add", "x": 0.5, "y": -0.5, "label": 1})
        c.send({"type": "set", "lr": 0.75})
        c.send({"type": "select", "sample": 2})
        c.send({"type": "step", "n": 120})
        before = c.frame_where(lambda f: f["iteration"] == 120 and f["selected"] == 2)
        c.send({"type": "reset", "seed": 0})  # nothing of the above may come back after this...
        c.send({"type": "step", "n": 40})
        before = c.frame_where(lambda f: f["iteration"] == 40 and not f["pending"])
    # ...the server saves on shutdown; a new one on the same database (and another port) restores on reconnect
    again = settings.replace(port=free_port())
    with LiveServer(again) as srv, Client(f"{srv.url}/ws/toy?session={sid}") as c:
        assert c.next_of("hello")["session"] == sid
        after = c.next_of("frame")
    assert after["iteration"] == 40 and after["lr"] == 0.75 and after["selected"] == 2
    assert after["demo"]["points"] == before["demo"]["points"] and [0.5, -0.5, 1] in after["demo"]["points"]
    assert after["demo"]["net"]["weights"] == before["demo"]["net"]["weights"]
    assert after["restart"] and after["losses"][-1][0] == 40, "the loss history comes back"
    assert not after["running"], "a restored session waits for play"


def test_loss_history_survives_exactly(settings: Settings, toy: None) -> None:
    with LiveServer(settings) as srv, Client(f"{srv.url}/ws/toy") as c:
        sid = c.next_of("hello")["session"]
        c.send({"type": "step", "n": 500})
        c.frame_where(lambda f: f["iteration"] == 500)
        with Client(f"{srv.url}/ws/toy?session={sid}") as c2:
            history = c2.next_of("frame")["losses"]
    with LiveServer(settings.replace(port=free_port())) as srv, Client(f"{srv.url}/ws/toy?session={sid}") as c:
        assert c.next_of("frame")["losses"] == history


def test_share_link_opens_a_copy_and_never_the_original(settings: Settings, toy: None) -> None:
    with LiveServer(settings) as srv, Client(f"{srv.url}/ws/toy") as owner:
        sid = owner.next_of("hello")["session"]
        owner.send({"type": "add", "x": 2, "y": 2, "label": 0})
        owner.send({"type": "step", "n": 30})
        shown = owner.frame_where(lambda f: f["iteration"] == 30)
        r = httpx.post(f"{srv.url}/api/sessions/{sid}/share")
        assert r.status_code == 200, r.text
        link = r.json()
        assert sid not in link["url"] and link["url"].startswith("/demos/toy?fork=")
        with Client(f"{srv.url}/ws/toy?fork={link['fork']}") as friend:
            copy_id = friend.next_of("hello")["session"]
            copy = friend.next_of("frame")
            assert copy_id not in (sid, link["fork"])
            assert copy["iteration"] == 30 and copy["demo"]["points"] == shown["demo"]["points"]
            friend.send({"type": "add", "x": -3, "y": -3, "label": 1})
            friend.send({"type": "step", "n": 5})
            friend.frame_where(lambda f: f["iteration"] == 35)
        # the original did not move, and the snapshot opened as a session is a copy again
        owner.send({"type": "select", "sample": 1})
        mine = owner.frame_where(lambda f: f["selected"] == 1)
        assert mine["iteration"] == 30 and [-3, -3, 1] not in mine["demo"]["points"]
        with Client(f"{srv.url}/ws/toy?session={link['fork']}") as other:
            assert other.next_of("hello")["session"] not in (sid, link["fork"])
            assert other.next_of("frame")["iteration"] == 30
        assert httpx.post(f"{srv.url}/api/sessions/nope/share").status_code == 404


def test_killed_mid_training_the_last_save_comes_back(tmp_path: Path) -> None:
    """The done-when: kill -9 while training; a new server shows what the last periodic save had."""
    db = tmp_path / "s.sqlite3"
    env = {**os.environ, "NNP_DB_PATH": str(db), "NNP_SAVE_EVERY_S": "0.3", "NNP_DEVICE": "cpu"}

    def serve(port: int) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], cwd=ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return proc
            except httpx.HTTPError:
                time.sleep(0.1)
        proc.kill()
        raise AssertionError("the server did not come up")

    port = free_port()
    proc = serve(port)
    try:
        with Client(f"http://127.0.0.1:{port}/ws/autoencoder") as c:
            sid = c.next_of("hello")["session"]
            c.send({"type": "select", "sample": 4})
            c.send({"type": "play"})
            c.frame_where(lambda f: f["iteration"] > 2000)
            store = Store(db)
            deadline = time.monotonic() + 20
            while (row := store.load(sid)) is None or row[1]["demo_state"]["iteration"] < 2000:
                assert time.monotonic() < deadline, "no periodic save of the running session"
                time.sleep(0.1)
            proc.send_signal(signal.SIGKILL)  # no shutdown save: only the periodic ones count
            proc.wait(10)
    finally:
        proc.kill()
    saved = store.load(sid)
    store.close()
    assert saved is not None
    state = saved[1]
    port = free_port()
    proc = serve(port)
    try:
        with Client(f"http://127.0.0.1:{port}/ws/autoencoder?session={sid}") as c:
            assert c.next_of("hello")["session"] == sid
            f = c.next_of("frame")
    finally:
        proc.terminate()
        proc.wait(10)
    assert f["iteration"] == state["demo_state"]["iteration"] >= 2000
    assert f["selected"] == 4 and not f["running"]
    flat = [w for layer in f["demo"]["net"]["weights"] for row in layer for w in row]
    saved_flat = state["demo_state"]["autoencoder"]["flat"]
    assert flat == saved_flat[:30] + saved_flat[33:63], "the weights the last save had"


def test_a_saved_state_that_cannot_be_read_starts_afresh(settings: Settings, toy: None) -> None:
    store = Store(settings.db_path)
    store.save([("broken", "toy", '{"id": "broken", "demo": "toy", "demo_state": {"seed": 0}}')])
    store.close()
    with LiveServer(settings) as srv, Client(f"{srv.url}/ws/toy?session=broken") as c:
        assert c.next_of("hello")["session"] != "broken"
        assert c.next_of("frame")["iteration"] == 0


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_every_demo_comes_back_from_its_saved_state(name: str) -> None:
    """What a restart restores and a fork copies: the same frame, for every registered demo (its state() must
    carry whatever a user changed)."""
    import json

    from server.session import Session

    s = Session(DEMOS[name](seed=3))
    s.apply(protocol.Step(n=25))
    while s.pending_steps:
        s.train_slice(0.01)
    restored = Session.restore(DEMOS[name], json.loads(s.dumps()), "cpu")
    assert restored.demo.iteration == s.demo.iteration == 25
    assert plain(restored.demo.snapshot(0)) == plain(s.demo.snapshot(0))
    assert restored.loss_log == s.loss_log
