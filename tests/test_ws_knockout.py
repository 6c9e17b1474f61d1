"""Demo 3's commands over a real websocket: knock, one per column, narrow, dropout, the many-seeds batch."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.test_ws import client, frame_where, next_of  # noqa: F401 - `client` is a fixture

WS = "/ws/knockout"


def send(ws, **cmd: object) -> None:  # noqa: ANN001
    ws.send_text(json.dumps(cmd))


def test_hello_and_the_untrained_wide_net(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(WS) as ws:
        hello = next_of(ws, "hello")
        assert {"knock", "knock_one_per_column", "autoprune", "narrow", "dropout", "batch"} <= set(hello["commands"])
        assert hello["presets"] == ["default", "wide", "narrow", "prune"]
        d = next_of(ws, "frame")["demo"]
        assert d["net"]["sizes"] == [10, 10, 10, 10, 10, 10, 3] and d["alive"] == [10] * 5
        assert d["solved_at"] is None and not d["solved"] and d["dropped"] is None and d["batch"] is None
        assert len(d["train_outputs"]) == 3 and all(abs(v - 0.5) < 0.15 for row in d["train_outputs"] for v in row)


def test_knock_toggles_a_neuron_and_training_goes_on(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(WS) as ws:
        next_of(ws, "frame")
        send(ws, type="step", n=5)
        frame_where(ws, lambda f: f["iteration"] == 5)
        send(ws, type="knock", layer=2, unit=3)
        f = frame_where(ws, lambda f: f["demo"]["alive"][1] == 9)
        assert f["demo"]["net"]["alive"][1][3] == 0
        assert f["demo"]["changes"][-1]["what"] == "knocked out neuron 4 of column 2"
        send(ws, type="step", n=5)
        frame_where(ws, lambda f: f["iteration"] == 10)
        send(ws, type="knock", layer=2, unit=3)
        f = frame_where(ws, lambda f: f["demo"]["alive"][1] == 10)
        assert f["demo"]["net"]["alive"][1][3] == 1 and f["demo"]["changes"][0]["interrupted"]
        send(ws, type="knock_one_per_column")
        assert frame_where(ws, lambda f: f["demo"]["alive"] == [9] * 5)["iteration"] == 10


def test_reset_keeps_the_knockouts_and_narrow_starts_a_fresh_chart(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(WS) as ws:
        next_of(ws, "frame")
        send(ws, type="knock", layer=4, unit=0)
        send(ws, type="step", n=6)
        frame_where(ws, lambda f: f["iteration"] == 6)
        send(ws, type="reset")
        f = frame_where(ws, lambda f: f["iteration"] == 0)
        assert f["demo"]["alive"] == [10, 10, 10, 9, 10] and f["demo"]["net"]["alive"][3][0] == 0
        send(ws, type="step", n=4)
        frame_where(ws, lambda f: f["iteration"] == 4)
        send(ws, type="narrow", width=2)
        f = frame_where(ws, lambda f: f["demo"]["width"] == 2)
        assert f["iteration"] == 0 and f["restart"] and f["losses"] == [] and not f["running"]
        assert f["demo"]["net"]["sizes"] == [10, 2, 2, 2, 2, 2, 3] and f["demo"]["alive"] == [2] * 5


def test_dropout_greys_the_neurons_dropped_on_the_last_update(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(WS) as ws:
        next_of(ws, "frame")
        send(ws, type="dropout", on=True, p=0.5)
        send(ws, type="step", n=3)
        f = frame_where(ws, lambda f: f["iteration"] == 3)
        assert f["demo"]["dropout"] == {"on": True, "p": 0.5}
        dropped = f["demo"]["dropped"]
        assert [len(c) for c in dropped] == [10] * 5 and 5 < sum(map(sum, dropped)) < 45
        send(ws, type="dropout", on=False)
        f = frame_where(ws, lambda f: not f["demo"]["dropout"]["on"])
        assert f["demo"]["dropped"] is None and f["demo"]["dropout"]["p"] == 0.5


def test_bad_knockout_commands_are_refused_and_change_nothing(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(WS) as ws:
        first = next_of(ws, "frame")
        bad = [
            {"type": "knock", "layer": 0, "unit": 0},  # an input
            {"type": "knock", "layer": 6, "unit": 0},  # an output
            {"type": "knock", "layer": 1, "unit": 10},
            {"type": "knock", "layer": 1},
            {"type": "narrow", "width": 0},
            {"type": "narrow", "width": 1000},
            {"type": "dropout", "on": True, "p": 1.5},
            {"type": "dropout", "on": True, "p": "NaN"},
            {"type": "autoprune", "to": 10},
            {"type": "batch", "seeds": 10_000},
            {"type": "batch", "steps": 10**12},
        ]
        for cmd in bad:
            send(ws, **cmd)
            assert next_of(ws, "error")["message"]
        send(ws, type="narrow", width=1)
        frame_where(ws, lambda f: f["demo"]["width"] == 1)
        send(ws, type="knock", layer=3, unit=0)  # the last neuron of its column: refused by the demo
        assert "last one alive" in next_of(ws, "error")["message"]
        send(ws, type="knock_one_per_column")
        assert "nothing to knock out" in next_of(ws, "error")["message"]
        send(ws, type="select", sample=2)
        f = frame_where(ws, lambda f: f["selected"] == 2)
        assert f["demo"]["alive"] == [1] * 5 and f["demo"]["changes"] == [] and first["demo"]["width"] == 10


def test_the_many_seeds_batch_reports_progress_in_frames(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect(WS) as ws:
        next_of(ws, "frame")
        send(ws, type="batch", seeds=1, steps=1000)
        send(ws, type="play")
        f = frame_where(ws, lambda f: f["demo"]["batch"] and f["demo"]["batch"]["done"] == 2, timeout=60)
        b = f["demo"]["batch"]
        assert [(r["kind"], r["seed"], r["status"]) for r in b["runs"]] == [("pruned", 0, "stuck"),
                                                                            ("narrow", 0, "stuck")]
        assert all(r["iteration"] == 1000 for r in b["runs"]) and not b["active"]
        assert b["counts"] == {"pruned": {"solved": 0, "stuck": 1, "escaped": 0},
                               "narrow": {"solved": 0, "stuck": 1, "escaped": 0}}
        assert b["first_steps"] == b["steps"] == 1000 and b["kinds"] == ["pruned", "narrow"]
        send(ws, type="batch_more", steps=1000)  # not above the budget: refused, nothing changes
        assert "above the current 1,000" in next_of(ws, "error")["message"]
        send(ws, type="batch_more", steps=3000)  # "keep going": the stuck runs resume where they stopped
        f = frame_where(ws, lambda f: f["demo"]["batch"]["steps"] == 3000 and f["demo"]["batch"]["done"] == 2,
                        timeout=60)
        b = f["demo"]["batch"]
        assert [(r["status"], r["iteration"], r["stuck_at"]) for r in b["runs"]] == [("stuck", 3000, 1000)] * 2
        assert b["first_steps"] == 1000
        send(ws, type="pause")


def test_a_long_run_keeps_its_loss_history_evenly_spaced() -> None:
    """A cliff at 240,000 of 1,000,000 iterations must stay as sharp on the chart as anything later."""
    import torch

    from models.demos.knockout.demo import KnockoutDemo
    from server.session import LOSS_LOG_MAX, Session

    s = Session(KnockoutDemo(seed=0, preset="narrow"))
    for _ in range(5000):  # 5000 slices of 200 iterations, 4 points each: 20,000 points through the thinning
        s.demo.iteration += 200
        s.record(torch.zeros(200, dtype=torch.float64), 200, 0.008, 0.008)
    its = [p[0] for p in s.loss_log]
    assert len(its) <= LOSS_LOG_MAX and its[-1] == 1_000_000 and its == sorted(its)
    gaps = [b - a for a, b in zip(its, its[1:], strict=False)]
    mean = (its[-1] - its[0]) / len(gaps)
    assert max(gaps[: len(gaps) // 4]) <= 3 * mean, f"early points {max(gaps)} apart, {mean:.0f} on average"
