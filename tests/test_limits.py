"""Limits and fairness: caps refuse with a clear error and change nothing; idle sessions leave memory, not the
store; a diverging run pauses and resets; a flood from one page leaves another page's frames flowing."""

from __future__ import annotations

import threading
import time

import pytest
from websockets.exceptions import ConnectionClosed

from models.registry import DEMOS
from server.config import Settings
from tests.conftest import LiveServer
from tests.live import Client
from tests.toy import ToyDemo


@pytest.fixture(autouse=True)
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DEMOS, "toy", ToyDemo)


def test_the_session_cap_refuses_a_new_page(settings: Settings) -> None:
    with LiveServer(settings.replace(max_sessions=2)) as srv, Client(f"{srv.url}/ws/toy") as one, \
            Client(f"{srv.url}/ws/toy") as two:
        one.next_of("hello")
        two.next_of("hello")
        with Client(f"{srv.url}/ws/toy") as three:
            err = three.next_of("error")
            assert "full" in err["message"] and "NNP_MAX_SESSIONS" in err["message"]
        with Client(f"{srv.url}/ws/toy?session={one.hello['session']}") as again:
            assert again.next_of("hello")["session"] == one.hello["session"], "an existing session still opens"


def test_network_size_and_points_caps_change_nothing(settings: Settings) -> None:
    with LiveServer(settings.replace(max_neurons=10, max_points=3)) as srv, Client(f"{srv.url}/ws/toy") as c:
        c.next_of("hello")
        c.send({"type": "resize", "hidden": 11})
        err = c.next_of("error")
        assert "11 hidden neurons" in err["message"] and "NNP_MAX_NEURONS" in err["message"]
        assert err["command"] == "resize"
        c.send({"type": "resize", "hidden": 10})
        c.frame_where(lambda f: f["demo"]["net"]["sizes"] == [2, 10, 1])
        c.send({"type": "add", "x": 1, "y": 0, "label": 1})
        c.frame_where(lambda f: len(f["demo"]["points"]) == 3)
        c.send({"type": "add", "x": 0, "y": 1, "label": 0})
        assert "NNP_MAX_POINTS" in c.next_of("error")["message"]
        c.send({"type": "select", "sample": 1})
        f = c.frame_where(lambda f: f["selected"] == 1)
        assert f["demo"]["net"]["sizes"] == [2, 10, 1] and len(f["demo"]["points"]) == 3
        c.send({"type": "preset", "name": "diverge"})  # a demo rebuilt from a preset keeps the server's caps
        rebuilt = c.frame_where(lambda f: f["preset"] == "diverge")
        c.send({"type": "resize", "hidden": 50})
        assert "NNP_MAX_NEURONS" in c.next_of("error")["message"]
        c.send({"type": "select", "sample": 0})
        f = c.frame_where(lambda f: f["version"] > rebuilt["version"] and f["selected"] == 0)
        assert f["demo"]["net"]["sizes"] == rebuilt["demo"]["net"]["sizes"] == [2, 3, 1]


def test_the_lecture_demos_keep_to_the_servers_caps(settings: Settings) -> None:
    with LiveServer(settings.replace(max_neurons=10, max_points=401)) as srv, \
            Client(f"{srv.url}/ws/boundary") as plane, Client(f"{srv.url}/ws/sigmoid") as fit:
        plane.next_of("hello")
        start = plane.next_of("frame")
        assert len(start["demo"]["points"]["x"]) == 400, "the lesson's own dataset is not the user's doing"
        for cmd, setting in (({"type": "configure", "hidden": [8, 8]}, "NNP_MAX_NEURONS"),
                             ({"type": "load_dataset", "name": "xor", "n": 500}, "NNP_MAX_POINTS"),
                             ({"type": "import_csv", "text": "x1,x2,label\n" + "0.5,0.5,0\n" * 402}, "NNP_MAX_POINTS")):
            plane.send(cmd)
            assert setting in plane.next_of("error")["message"], cmd
        plane.send({"type": "add_point", "x": 1, "y": 1, "label": 0})
        plane.frame_where(lambda f: len(f["demo"]["points"]["x"]) == 401)
        plane.send({"type": "add_point", "x": 2, "y": 1, "label": 0})
        assert "NNP_MAX_POINTS" in plane.next_of("error")["message"]
        plane.send({"type": "configure", "hidden": [5, 5]})
        f = plane.frame_where(lambda f: f["demo"]["net"]["sizes"] == [2, 5, 5, 1])
        assert len(f["demo"]["points"]["x"]) == 401 and f["demo"]["config"]["dataset"] == "circle"

        fit.next_of("hello")
        fit.send({"type": "view", "view": "function"})
        fit.frame_where(lambda f: f["demo"]["view"] == "function")
        fit.send({"type": "model", "spec": "[20,tanh:1,linear]"})
        assert "NNP_MAX_NEURONS" in fit.next_of("error")["message"]
        fit.send({"type": "model", "spec": "[4,tanh:3,tanh:1,linear]"})
        fit.frame_where(lambda f: f["demo"]["net"]["sizes"] == [1, 4, 3, 1])


def test_an_oversized_or_flooding_page_changes_nothing(settings: Settings) -> None:
    with LiveServer(settings.replace(max_message_bytes=200, max_commands_per_s=5, command_burst=5)) as srv:
        with Client(f"{srv.url}/ws/toy") as big:
            sid = big.next_of("hello")["session"]
            big.send({"type": "step", "n": 3})
            big.frame_where(lambda f: f["iteration"] == 3)
            big.send({"type": "add", "x": 1, "y": 1, "label": 1, "pad": "\u00e9" * 150})  # 150 chars, 300 bytes
            with pytest.raises(ConnectionClosed) as closed:
                big.next_of("never")
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009, "too big: closed, documented"
        c = Client(f"{srv.url}/ws/toy?session={sid}")
        assert c.next_of("hello")["session"] == sid
        assert c.next_of("frame")["iteration"] == 3 and len(c.hello["commands"]) > 0
        for i in range(12):
            c.send({"type": "add", "x": 0.1 * i, "y": 0, "label": 0})
        assert "too many commands" in c.next_of("error")["message"]
        c.send({"type": "select", "sample": 1})
        time.sleep(1.5)  # let the bucket refill for the select above and this one
        c.send({"type": "select", "sample": 2})
        f = c.frame_where(lambda f: f["selected"] == 2)
        assert 2 + 5 >= len(f["demo"]["points"]) > 2, "only the commands within the burst were applied"
        c.ws.close()


def test_idle_sessions_leave_memory_and_come_back_from_the_store(settings: Settings) -> None:
    with LiveServer(settings.replace(idle_expiry_s=0.2, save_every_s=0.2)) as srv:
        registry = srv.app.state.registry
        with Client(f"{srv.url}/ws/toy") as c:
            sid = c.next_of("hello")["session"]
            c.send({"type": "step", "n": 9})
            c.frame_where(lambda f: f["iteration"] == 9)
        deadline = time.monotonic() + 15
        while sid in registry.sessions:
            assert time.monotonic() < deadline, "an idle session was never reaped"
            time.sleep(0.1)
        with Client(f"{srv.url}/ws/toy?session={sid}") as c:
            assert c.next_of("hello")["session"] == sid
            assert c.next_of("frame")["iteration"] == 9


def test_a_closed_page_stops_training_and_hears_why_when_it_comes_back(settings: Settings) -> None:
    with LiveServer(settings.replace(unwatched_pause_s=0.3, save_every_s=0.1)) as srv, \
            Client(f"{srv.url}/ws/toy") as open_page:
        registry = srv.app.state.registry
        open_page.next_of("hello")
        open_page.send({"type": "play"})
        with Client(f"{srv.url}/ws/toy") as c:
            sid = c.next_of("hello")["session"]
            c.send({"type": "play"})
            c.frame_where(lambda f: f["running"] and f["iteration"] > 0)
        s = registry.sessions[sid]
        deadline = time.monotonic() + 10
        while s.running:
            assert time.monotonic() < deadline, "a session nobody watches kept training"
            time.sleep(0.05)
        stopped_at = s.demo.iteration
        time.sleep(0.3)
        assert s.demo.iteration == stopped_at, "a paused session must not train"
        assert registry.sessions[open_page.hello["session"]].running, "a watched session trains on"
        with Client(f"{srv.url}/ws/toy?session={sid}") as c:
            assert c.next_of("hello")["session"] == sid
            assert "paused at iteration" in c.next_of("info")["message"]
            f = c.next_of("frame")
            assert not f["running"] and f["iteration"] == stopped_at
            c.send({"type": "play"})
            c.frame_where(lambda f: f["running"] and f["iteration"] > stopped_at)


def test_a_diverging_run_pauses_says_so_and_resets(live_server: LiveServer) -> None:
    with Client(f"{live_server.url}/ws/toy") as c, Client(f"{live_server.url}/ws/toy") as other:
        c.next_of("hello")
        c.send({"type": "preset", "name": "diverge"})
        c.send({"type": "play"})
        f = c.frame_where(lambda f: f["status"] is not None)
        assert "diverged" in f["status"] and not f["running"] and f["iteration"] >= 50
        assert f["losses"][-1][1] is None, "a NaN loss travels as null"
        for cmd in ({"type": "play"}, {"type": "step", "n": 5}):
            c.send(cmd)
            assert "reset" in c.next_of("error")["message"]
        other.send({"type": "step", "n": 20})  # the server carries on for everyone else
        assert other.frame_where(lambda f: f["iteration"] == 20)["status"] is None
        c.send({"type": "reset"})
        f = c.frame_where(lambda f: f["iteration"] == 0)
        assert f["status"] is None and f["restart"]
        c.send({"type": "step", "n": 10})
        assert c.frame_where(lambda f: f["iteration"] == 10)["status"] is None


def test_a_flood_from_one_page_leaves_another_pages_frames_flowing(live_server: LiveServer) -> None:
    """Never timed: while one page floods, the other keeps getting frames of a training session."""
    with Client(f"{live_server.url}/ws/toy") as flooder, Client(f"{live_server.url}/ws/autoencoder") as calm:
        flooder.next_of("hello")
        calm.next_of("hello")
        calm.send({"type": "play"})
        calm.frame_where(lambda f: f["running"])
        stop, sent = threading.Event(), [0]

        def flood() -> None:
            while not stop.is_set():
                flooder.send({"type": "select", "sample": sent[0] % 2})
                sent[0] += 1

        t = threading.Thread(target=flood, daemon=True)
        t.start()
        try:
            seen: list[int] = []
            while len(seen) < 40:
                seen.append(calm.frame_where(lambda f: f["running"])["iteration"])
            flooded_during = sent[0]
        finally:
            stop.set()
            t.join(10)
        assert flooded_during > 500, "the flood must overlap the frames counted"
        assert seen == sorted(seen) and seen[-1] > seen[0], "the calm page's network kept training and drawing"
        errors = 0
        while True:  # the flooder was told, over and over, that its commands were dropped
            try:
                msg = flooder.recv(timeout=1)
            except TimeoutError:
                break
            errors += msg["type"] == "error" and "too many commands" in msg["message"]
        assert errors > 0
