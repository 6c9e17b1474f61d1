"""Demo 2's commands and frames over a real websocket."""

from __future__ import annotations

import json
import math

import numpy as np
from fastapi.testclient import TestClient

from tests.test_ws import client, frame_where, next_of  # noqa: F401 - `client` is a fixture
from tests.tiny_torch import one_torch_thread  # noqa: F401 - an autouse fixture

URL = "/ws/sigmoid"


def send(ws, **cmd) -> None:  # noqa: ANN001
    ws.send_text(json.dumps(cmd))


def test_first_frame_has_the_lecture_examples_and_the_likelihood_surface(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(URL) as ws:
        hello = next_of(ws, "hello")
        assert {"view", "add_point", "remove_point", "move_point", "clear_points", "model", "target"} <= \
            set(hello["commands"])
        assert {"neuron", "noise-point", "sin-2", "sin-20-3", "sin-20-5", "sin-30"} <= set(hello["presets"])
        f = next_of(ws, "frame")
        d = f["demo"]
        assert d["view"] == "neuron" and f["speed"] == 1000, "a new session trains slowly enough to watch"
        part = d["neuron"]
        assert [p["label"] for p in part["points"]] == [0, 0, 0, 0, 1, 1, 1, 1]
        assert len(part["heatmap"]["values"]) == part["heatmap"]["n"] ** 2 == 64 * 64
        assert part["path"][0] == [float(np.float32(part["w"])), float(np.float32(part["t"]))], "a float32 block"
        assert d["net"]["sizes"] == [1, 1] and d["net"]["weights"] == [[[part["w"]]]]
        assert len(part["curve"]) == 201


def test_a_point_added_while_training_shows_in_the_next_frame_and_training_goes_on(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(URL) as ws:
        next_of(ws, "frame")
        send(ws, type="set", speed=0)
        send(ws, type="play")
        before = frame_where(ws, lambda f: f["iteration"] > 300)["demo"]["neuron"]
        send(ws, type="add_point", x=-2.0, label=1)
        added = frame_where(ws, lambda f: len(f["demo"]["neuron"]["points"]) == 9)
        assert added["running"], "adding a point does not stop training"
        later = frame_where(ws, lambda f: f["iteration"] > added["iteration"] + 300)
        noise = later["demo"]["neuron"]["points"][8]
        assert (noise["x"], noise["label"]) == (-2.0, 1)
        assert later["demo"]["neuron"]["w"] < before["w"], "the noise point drags the curve flatter"
        p_then = 1 / (1 + math.exp(-(before["w"] * -2.0 - before["t"])))  # the curve it was added under
        assert noise["p"] > p_then + 0.1, "its probability climbs as training goes on"
        assert later["losses"] and all(loss > 0 for _, loss in later["losses"]), "the chart plots -log L"


def test_points_move_go_and_clear(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(URL) as ws:
        next_of(ws, "frame")
        send(ws, type="move_point", index=0, x=-4.25)
        frame_where(ws, lambda f: f["demo"]["neuron"]["points"][0]["x"] == -4.25)
        send(ws, type="remove_point", index=1)
        frame_where(ws, lambda f: len(f["demo"]["neuron"]["points"]) == 7)
        send(ws, type="clear_points")
        f = frame_where(ws, lambda f: not f["demo"]["neuron"]["points"])
        assert f["demo"]["neuron"]["heatmap"] is None and f["demo"]["neuron"]["accuracy"] is None


def test_bad_commands_get_an_error_and_change_nothing(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(URL) as ws:
        first = next_of(ws, "frame")
        bad = [
            '{"type": "add_point", "x": NaN, "label": 1}',
            '{"type": "add_point", "x": Infinity, "label": 1}',
            '{"type": "add_point", "x": 9.5, "label": 1}',
            '{"type": "add_point", "x": 1.0, "label": 2}',
            '{"type": "add_point", "x": 1.0}',
            '{"type": "add_point", "x": "left", "label": 1}',
            '{"type": "add_point", "x": 1.0, "label": 1, "colour": "red"}',
            '{"type": "remove_point", "index": 8}',
            '{"type": "move_point", "index": -1, "x": 0}',
            '{"type": "view", "view": "3d"}',
            '{"type": "model", "spec": "[20,tanh:1,linear]"}',
        ]
        for text in bad:
            ws.send_text(text)
            assert next_of(ws, "error")["message"], text
        send(ws, type="select", sample=3)  # a good command: the next frame shows what the bad ones left
        f = frame_where(ws, lambda f: f["selected"] == 3)
        assert f["demo"]["neuron"]["points"] == first["demo"]["neuron"]["points"]
        assert f["demo"]["view"] == "neuron"


def test_the_function_view_fits_and_switching_model_restarts_the_chart(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(URL) as ws:
        next_of(ws, "frame")
        send(ws, type="step", n=20)
        frame_where(ws, lambda f: f["iteration"] == 20)
        send(ws, type="view", view="function")
        f = frame_where(ws, lambda f: f["demo"]["view"] == "function")
        assert f["iteration"] == 0 and f["restart"] and not f["losses"] and f["lr"] == 0.1
        part = f["demo"]["function"]
        assert part["model"] == "[2,tanh:1,linear]" and len(part["hidden"]) == 2
        assert part["x"][0] < -6 and part["x"][-1] > 6, "the plot reaches beyond the training range"
        for bad in ('{"type": "model", "spec": "[500,tanh:1,linear]"}', '{"type": "model", "spec": "[20,tanh]"}',
                    '{"type": "target", "name": "tan"}', '{"type": "add_point", "x": 1.0, "y": 3.0}'):
            ws.send_text(bad)
            assert next_of(ws, "error")["message"]
        send(ws, type="model", spec="[20,tanh:5,tanh:1,linear]")
        f = frame_where(ws, lambda f: f["demo"]["function"]["model"] == "[20,tanh:5,tanh:1,linear]")
        assert f["demo"]["net"]["sizes"] == [1, 20, 5, 1] and len(f["demo"]["function"]["hidden"]) == 5
        send(ws, type="add_point", x=5.0, y=1.0)
        send(ws, type="step", n=200)
        f = frame_where(ws, lambda f: f["iteration"] == 200)
        assert f["demo"]["function"]["points"] == [{"x": 5.0, "y": 1.0}]
        assert abs(f["losses"][-1][1] - f["demo"]["function"]["loss"]) < 1e-12, "the chart plots the training error"
        send(ws, type="select", sample=80)
        f = frame_where(ws, lambda f: f["selected"] == 80)
        part = f["demo"]["function"]
        assert f["demo"]["net"]["values"][0] == [part["x"][80]] and part["probe"] == 80
        assert abs(f["demo"]["net"]["values"][-1][0] - part["output"][80]) < 1e-3
        send(ws, type="view", view="neuron")
        f = frame_where(ws, lambda f: f["demo"]["view"] == "neuron")
        assert len(f["demo"]["neuron"]["points"]) == 8 and f["lr"] == 0.02
