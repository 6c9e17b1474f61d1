"""The convolution demo over a real websocket: draw, add and label images, a class of one's own, train, refusals."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.test_ws import client, frame_where, next_of  # noqa: F401 - client is a fixture
from tests.tiny_torch import one_torch_thread  # noqa: F401 - an autouse fixture

__all__ = ["client"]


def send(ws, **cmd: object) -> None:
    ws.send_text(json.dumps(cmd))


def test_the_first_frame_carries_the_slides_walkthrough_and_the_cnn(client: TestClient) -> None:
    with client.websocket_connect("/ws/convolution") as ws:
        hello = next_of(ws, "hello")
        assert {"pixel", "set_image", "add_image", "label", "remove_image", "add_class", "configure",
                "inspect"} <= set(hello["commands"])
        d = next_of(ws, "frame")["demo"]
        assert len(d["images"]) == 12 and d["classes"] == ["X", "O"] and d["selected"] == 0
        assert d["images"][0]["pixels"][10] == "1" and d["images"][0]["label"] == 0  # the slides' X, row 1 col 1
        # full precision on the wire (7/9, -1/9); the page cuts to the slides' two decimals
        assert abs(d["slides"]["maps"][0][0][0] - 7 / 9) < 1e-12 and abs(d["slides"]["maps"][0][0][1] + 1 / 9) < 1e-12
        assert d["slides"]["filters"][0] == [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
        cnn = d["cnn"]
        assert len(cnn["filters"]) == 3 and len(cnn["maps"][0]) == 7 and len(cnn["pooled"][0]) == 4
        assert len(cnn["probs"]) == 12 and all(abs(sum(p) - 1) < 1e-6 for p in cnn["probs"])


def test_draw_add_label_a_class_of_their_own_and_train(client: TestClient) -> None:
    with client.websocket_connect("/ws/convolution") as ws:
        next_of(ws, "frame")
        send(ws, type="add_class", name="plus")
        send(ws, type="add_image", label=2)
        f = frame_where(ws, lambda f: len(f["demo"]["images"]) == 13)
        assert f["demo"]["classes"] == ["X", "O", "plus"] and f["demo"]["images"][12]["pixels"] == "0" * 81
        for r, c in ((4, 2), (4, 3), (4, 4), (4, 5), (4, 6), (2, 4), (3, 4), (5, 4), (6, 4)):
            send(ws, type="pixel", image=12, row=r, col=c, value=1)
        send(ws, type="select", sample=12)
        f = frame_where(ws, lambda f: f["demo"]["images"][12]["pixels"].count("1") == 9 and f["selected"] == 12)
        assert f["demo"]["images"][12]["pixels"][4 * 9 + 4] == "1"
        maps_before = f["demo"]["cnn"]["maps"]
        send(ws, type="step", n=400)
        done = frame_where(ws, lambda f: f["iteration"] == 400, timeout=60)
        d = done["demo"]
        assert d["cnn"]["accuracy"] == 1.0 and max(d["cnn"]["probs"][12]) == d["cnn"]["probs"][12][2]
        assert d["cnn"]["maps"] != maps_before and done["losses"]
        send(ws, type="label", image=12, label=0)
        assert frame_where(ws, lambda f: f["demo"]["images"][12]["label"] == 0)["iteration"] == 400


def test_bad_input_is_refused_and_changes_nothing(client: TestClient) -> None:
    with client.websocket_connect("/ws/convolution") as ws:
        start = next_of(ws, "frame")["demo"]
        for cmd, words in (({"type": "pixel", "image": 50, "row": 0, "col": 0, "value": 1}, "no image 50"),
                           ({"type": "pixel", "image": 0, "row": 9, "col": 0, "value": 1}, "row"),
                           ({"type": "pixel", "image": 0, "row": 0, "col": 0, "value": 3}, "value"),
                           ({"type": "label", "image": 0, "label": 7}, "no class 7"),
                           ({"type": "set_image", "image": 0, "pixels": "01"}, "pixels"),
                           ({"type": "add_class", "name": "O"}, "already"),
                           ({"type": "configure", "filters": 9}, "filters")):
            ws.send_text(json.dumps(cmd))
            err = next_of(ws, "error")
            assert words in err["message"], err
        send(ws, type="select", sample=1)
        now = frame_where(ws, lambda f: f["selected"] == 1)["demo"]
        assert now["images"] == start["images"] and now["classes"] == start["classes"]
        assert now["cnn"]["filters"] == start["cnn"]["filters"]


def test_inspect_a_filter_and_a_class(client: TestClient) -> None:
    with client.websocket_connect("/ws/convolution") as ws:
        next_of(ws, "frame")
        send(ws, type="inspect", what="filter", index=1)
        st = frame_where(ws, lambda f: f["demo"]["stimulus"] is not None)["demo"]["stimulus"]
        assert st["method"] == "exact" and len(st["pixels"]) == 3
        assert {abs(v) for row in st["pixels"] for v in row} == {1}
        send(ws, type="inspect", what="class", index=1)
        st = frame_where(ws, lambda f: (f["demo"]["stimulus"] or {}).get("what") == "class")["demo"]["stimulus"]
        assert st["method"] == "gradient ascent" and len(st["pixels"]) == 9 and 0 < st["value"] <= 1
