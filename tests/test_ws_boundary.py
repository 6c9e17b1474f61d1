"""The decision-boundary demo over a real websocket: points in, heatmaps out, CSV down, bad input refused."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from models.demos.boundary.demo import HEATMAP, THUMB
from tests.test_ws import client, frame_where, next_of  # noqa: F401 - client is a fixture

__all__ = ["client"]


def send(ws, **cmd: object) -> None:
    ws.send_text(json.dumps(cmd))


def cells(data: list[int]) -> int:
    return len(data)  # a heatmap's bytes, one per cell


def test_hello_and_a_frame_with_points_heatmaps_and_metrics(client: TestClient) -> None:
    with client.websocket_connect("/ws/boundary") as ws:
        hello = next_of(ws, "hello")
        assert {"add_point", "remove_point", "clear", "load_dataset", "import_csv", "configure"} <= set(
            hello["commands"])
        d = next_of(ws, "frame")["demo"]
        assert d["net"]["sizes"] == [2, 4, 2, 1] and d["config"]["dataset"] == "circle"
        assert len(d["points"]["x"]) == 400 and sum(d["points"]["test"]) == 200
        plane = d["plane"]
        assert cells(plane["output"]["data"]) == HEATMAP * HEATMAP and plane["output"]["channels"] == 1
        assert [[cells(u) for u in layer] for layer in plane["neurons"]] == [[THUMB * THUMB] * n for n in (2, 4, 2, 1)]
        assert d["line"] is None and 0 <= d["metrics"]["train_accuracy"] <= 1


def test_a_clicked_point_shows_up_in_the_next_frame_while_training(client: TestClient) -> None:
    with client.websocket_connect("/ws/boundary") as ws:
        next_of(ws, "frame")
        send(ws, type="play")
        frame_where(ws, lambda f: f["iteration"] > 5)
        send(ws, type="add_point", x=1.25, y=-3.5, label=1)
        f = frame_where(ws, lambda f: len(f["demo"]["points"]["x"]) == 401)
        p = f["demo"]["points"]
        assert (p["x"][-1], p["y"][-1], p["label"][-1], p["test"][-1]) == (1.25, -3.5, 1, 0)
        assert f["running"]
        later = frame_where(ws, lambda g: g["iteration"] > f["iteration"])
        assert later["demo"]["metrics"]["n_train"] == 201
        send(ws, type="remove_point", x=1.3, y=-3.4, radius=0.3)
        frame_where(ws, lambda f: len(f["demo"]["points"]["x"]) == 400)


def test_perceptron_frames_carry_the_line(client: TestClient) -> None:
    with client.websocket_connect("/ws/boundary") as ws:
        next_of(ws, "frame")
        send(ws, type="preset", name="perceptron-linear")
        send(ws, type="step", n=30)
        f = frame_where(ws, lambda f: f["iteration"] == 30 and f["preset"] == "perceptron-linear")
        ln, w = f["demo"]["line"], f["demo"]["net"]["weights"][0][0]
        assert (ln["w0"], ln["w1"]) == (w[0], w[1]) and ln["t"] == -f["demo"]["net"]["biases"][0][0]
        assert f["demo"]["metrics"]["train_accuracy"] == 1.0


def test_configure_rebuilds_and_a_third_class_adds_an_output(client: TestClient) -> None:
    with client.websocket_connect("/ws/boundary") as ws:
        next_of(ws, "frame")
        send(ws, type="configure", hidden=[8] * 6, activation="relu", features=["x1", "x2", "sin x1"], batch=5,
             l2=0.001)
        f = frame_where(ws, lambda f: f["demo"]["net"]["sizes"] == [3, 8, 8, 8, 8, 8, 8, 1])
        assert f["demo"]["config"]["activation"] == "relu" and f["demo"]["config"]["batch"] == 5
        send(ws, type="add_point", x=0, y=0, label=2)
        f = frame_where(ws, lambda f: f["demo"]["net"]["sizes"][-1] == 3)
        assert f["demo"]["config"]["output"] == "softmax" and f["demo"]["plane"]["output"]["channels"] == 3
        assert cells(f["demo"]["plane"]["output"]["data"]) == 3 * HEATMAP * HEATMAP


def test_bad_commands_get_a_clear_error_and_change_nothing(client: TestClient) -> None:
    with client.websocket_connect("/ws/boundary") as ws:
        first = next_of(ws, "frame")
        bad = [
            ('{"type": "add_point", "x": NaN, "y": 0, "label": 0}', "x: NaN is not a number"),
            ('{"type": "add_point", "x": 9, "y": 0, "label": 0}', "x: Input should be less than or equal to 6"),
            ('{"type": "add_point", "x": 1, "y": 0, "label": 4}', "label"),
            ('{"type": "remove_point", "x": 1}', "give either index, or both x and y"),
            ('{"type": "remove_point", "x": 0.01, "y": 0.02, "radius": 0.001}', "no point within"),
            ('{"type": "configure", "features": ["x3"]}', "features.0"),
            ('{"type": "configure", "hidden": [8, 8, 8, 8, 8, 8, 8, 8, 8]}', "hidden"),
            ('{"type": "configure", "hidden": [16, 16, 16, 16, 16, 16, 16]}', "at most 96"),
            ('{"type": "configure", "output": "step"}', "perceptron rule"),
            ('{"type": "load_dataset", "name": "moons"}', "name"),
            ('{"type": "load_dataset", "name": "xor", "n": 5000}', "n: Input should be less than or equal to 2000"),
            ('{"type": "import_csv", "text": "1,2,0\\n1,banana,1\\n"}', "line 2: x2 must be a number"),
            ('{"type": "import_csv", "text": "1,2,0\\n8,1,1\\n"}', "line 2: x1 = 8 is outside the plane"),
        ]
        for raw, reason in bad:
            ws.send_text(raw)
            err = next_of(ws, "error")
            assert reason in err["message"], (raw, err["message"])
        send(ws, type="set", lr=0.5)
        f = frame_where(ws, lambda f: f["lr"] == 0.5)
        assert f["demo"]["points"] == first["demo"]["points"] and f["demo"]["net"] == first["demo"]["net"]


def test_csv_download_and_import_round_trip(client: TestClient) -> None:
    with client.websocket_connect("/ws/boundary") as ws:
        sid = next_of(ws, "hello")["session"]
        send(ws, type="load_dataset", name="spiral", n=120, noise=0.2, test_ratio=0.25, seed=3)
        frame_where(ws, lambda f: len(f["demo"]["points"]["x"]) == 120)
        r = client.get(f"/demos/boundary/points.csv?session={sid}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        rows = r.text.splitlines()
        assert rows[0] == "x1,x2,label,split" and len(rows) == 121 and sum(x.endswith(",test") for x in rows) == 30
        send(ws, type="clear")
        frame_where(ws, lambda f: not f["demo"]["points"]["x"])
        send(ws, type="import_csv", text=r.text)
        f = frame_where(ws, lambda f: len(f["demo"]["points"]["x"]) == 120)
        assert client.get(f"/demos/boundary/points.csv?session={sid}").text == r.text
        assert f["demo"]["metrics"]["n_test"] == 30
    assert client.get("/demos/boundary/points.csv?session=nope").status_code == 404
    assert client.get(f"/demos/boundary/model.bin?session={sid}").status_code == 404
    assert client.get(f"/demos/autoencoder/points.csv?session={sid}").status_code == 404


def test_the_largest_csv_fits_in_one_command(client: TestClient) -> None:
    from models.data import datasets2d

    text = datasets2d.to_csv(datasets2d.generate("spiral", datasets2d.MAX_POINTS, 0.5, 0.5, seed=1))
    with client.websocket_connect("/ws/boundary") as ws:
        next_of(ws, "frame")
        send(ws, type="import_csv", text=text)
        frame_where(ws, lambda f: len(f["demo"]["points"]["x"]) == datasets2d.MAX_POINTS)
