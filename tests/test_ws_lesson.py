"""Lessons and pacing over a real websocket: the lessons route, a lesson step, Train N, stop at N, pause when
solved, and the it/s readout at a set speed."""

from __future__ import annotations

import json
import statistics
import time

from fastapi.testclient import TestClient

from tests.test_ws import client, frame_where, next_of  # noqa: F401 - `client` is a fixture

SEND = json.dumps


def test_the_lessons_route_lists_every_demos_lecture(client: TestClient) -> None:  # noqa: F811
    for demo, first in (("autoencoder", "Untrained"), ("sigmoid", "One neuron"), ("knockout", "Untrained"),
                        ("boundary", "A perceptron")):
        body = client.get(f"/api/lessons/{demo}").json()
        assert body["demo"] == demo and len(body["steps"]) >= 5
        assert body["steps"][0]["title"].startswith(first)
        assert {"title", "note", "expect", "train", "until", "speed", "continues"} <= set(body["steps"][0])
    r = client.get("/api/lessons/nope")
    assert r.status_code == 404 and "autoencoder" in r.json()["detail"]


def test_a_lesson_step_trains_by_itself_and_pauses_at_1000(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect("/ws/autoencoder") as ws:
        next_of(ws, "frame")
        ws.send_text(SEND({"type": "lesson", "step": 2}))
        f = frame_where(ws, lambda f: f["lesson"] == 2 and f["running"])
        assert f["speed"] == 300 and f["stop_at"] == 1000
        f = frame_where(ws, lambda f: f["lesson"] == 2 and not f["running"], timeout=60)
        assert f["iteration"] == 1000
        cols = f["demo"]["columns"]
        assert all(abs(o - d) < 0.1 for o, d in zip(cols["output"], cols["desired"], strict=True))
        # the next step continues from exactly there; going back rebuilds step 2's end exactly
        ws.send_text(SEND({"type": "lesson", "step": 3}))
        f3 = frame_where(ws, lambda f: f["lesson"] == 3 and f["demo"].get("stimulus") is not None, timeout=30)
        assert f3["iteration"] == 1000 and f3["demo"]["stimulus"]["unit"] == 0
        ws.send_text(SEND({"type": "lesson", "step": 2}))
        again = frame_where(ws, lambda f: f["lesson"] == 2 and not f["running"] and f["iteration"] == 1000, timeout=60)
        assert again["demo"]["net"]["weights"] == f["demo"]["net"]["weights"]


def test_a_bad_lesson_step_is_refused_and_changes_nothing(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect("/ws/autoencoder") as ws:
        next_of(ws, "frame")
        ws.send_text(SEND({"type": "step", "n": 5}))
        frame_where(ws, lambda f: f["iteration"] == 5)
        ws.send_text(SEND({"type": "lesson", "step": 9}))
        err = next_of(ws, "error")
        assert "steps 1..6" in err["message"] and err["command"] == "lesson"
        ws.send_text(SEND({"type": "select", "sample": 1}))
        f = frame_where(ws, lambda f: f["selected"] == 1)
        assert f["iteration"] == 5 and f["lesson"] is None


def test_train_n_and_stop_at_pause_exactly(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect("/ws/autoencoder") as ws:
        next_of(ws, "frame")
        ws.send_text(SEND({"type": "set", "speed": 0}))
        ws.send_text(SEND({"type": "play", "n": 250}))
        f = frame_where(ws, lambda f: not f["running"] and f["iteration"] > 0, timeout=30)
        assert f["iteration"] == 250 and f["stop_at"] is None, "Train N pauses N iterations on, then is used up"
        ws.send_text(SEND({"type": "set", "stop_at": 777}))
        ws.send_text(SEND({"type": "play"}))
        f = frame_where(ws, lambda f: not f["running"] and f["iteration"] > 250, timeout=30)
        assert f["iteration"] == 777
        ws.send_text(SEND({"type": "play", "n": 0}))
        assert "n" in next_of(ws, "error")["message"]


def test_pause_when_solved_stops_at_the_knockout_solve(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect("/ws/knockout") as ws:
        next_of(ws, "frame")
        ws.send_text(SEND({"type": "set", "speed": 0, "pause_solved": True}))
        ws.send_text(SEND({"type": "play"}))
        f = frame_where(ws, lambda f: not f["running"] and f["iteration"] > 0, timeout=120)
        assert f["demo"]["solved"] and f["pause_solved"]
        assert f["iteration"] == f["demo"]["solved_at"] == 241_127


def test_the_rate_readout_shows_the_speed_the_session_trains_at(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect("/ws/autoencoder") as ws:
        next_of(ws, "frame")
        ws.send_text(SEND({"type": "set", "speed": 100}))
        ws.send_text(SEND({"type": "play"}))
        start = time.monotonic()
        rates = []
        while time.monotonic() - start < 6:
            f = frame_where(ws, lambda f: f["running"])
            if time.monotonic() - start > 2:  # past the first window
                rates.append(f["its_per_s"])
        assert rates and 90 <= statistics.median(rates) <= 110, f"at 100 it/s the readout said {rates}"


def test_phase_changes_put_labelled_marks_on_the_chart(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect("/ws/autoencoder") as ws:
        next_of(ws, "frame")
        ws.send_text(SEND({"type": "lesson", "step": 6}))
        f = frame_where(ws, lambda f: f["lesson"] == 6 and not f["running"] and f["iteration"] > 1000, timeout=60)
        marks = dict(f["marks"])
        assert "fine-tune" in marks[1000] and "step 6" in marks[1000] and "step 2" in marks[0]
        ws.send_text(SEND({"type": "reset"}))
        f = frame_where(ws, lambda f: f["iteration"] == 0 and f["restart"])
        assert f["marks"] == [], "the markers start over with the chart"
    with client.websocket_connect("/ws/sigmoid") as ws:
        next_of(ws, "frame")
        ws.send_text(SEND({"type": "step", "n": 20}))
        frame_where(ws, lambda f: f["iteration"] == 20)
        ws.send_text(SEND({"type": "add_point", "x": -2.0, "label": 1}))
        f = frame_where(ws, lambda f: f["marks"])
        assert f["marks"] == [[20, "point added"]]
