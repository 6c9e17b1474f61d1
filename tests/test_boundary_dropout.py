"""Dropout in the decision-boundary demo: any architecture with a hidden layer, exact to the torch reference,
independent of the slicing, kept by reset, configure and a restore; refused input changes nothing."""

from __future__ import annotations

import json

import pytest
import torch
from fastapi.testclient import TestClient

from models.demos.boundary.commands import Configure
from models.demos.boundary.demo import BoundaryDemo
from models.nn.dropout import Dropout
from server import protocol
from tests.test_ws import client, frame_where, next_of  # noqa: F401 - client is a fixture

__all__ = ["client"]


def dropping(preset: str = "default", p: float = 0.5, seed: int = 0) -> BoundaryDemo:
    demo = BoundaryDemo(seed=seed, preset=preset)
    demo.apply(Dropout(on=True, p=p))
    return demo


@pytest.mark.parametrize("hidden", [[4, 2], [8, 8, 8], [3]])
def test_dropout_trains_every_architecture_as_the_torch_reference_does(hidden: list[int]) -> None:
    demo = dropping()
    demo.apply(Configure(hidden=hidden, activation="relu"))
    ref = BoundaryDemo(seed=0)
    ref.apply(Configure(hidden=hidden, activation="relu"))
    ref.net.flat.copy_(demo.net.flat)
    ref.net.dropout = demo.net.dropout
    x, y = demo.data()
    draws = demo._draws(0, 3, ref.net.updates_per_epoch(x.shape[0], demo.cfg.batch))
    expected = ref.net.torch_fit(x, y, 3, demo.lr, demo.cfg.batch, draws)
    got = demo.train(3)
    assert torch.allclose(demo.net.flat, ref.net.flat, atol=1e-10), "fused dropout = autograd with the same draws"
    assert torch.allclose(got, expected, atol=1e-10)
    assert demo.fit_job() is None, "a dropout session trains alone, with its own draws"
    assert [len(layer) for layer in demo.dropped] == hidden
    assert any(any(layer) for layer in demo.dropped) and not all(all(layer) for layer in demo.dropped)


def test_dropout_does_not_depend_on_the_slicing_and_changes_the_training() -> None:
    a, b, plain = dropping(), dropping(), BoundaryDemo(seed=0)
    a.train(6)
    for _ in range(3):
        b.train(2)
    plain.train(6)
    assert torch.equal(a.net.flat, b.net.flat) and a.dropped == b.dropped
    assert not torch.allclose(a.net.flat, plain.net.flat)


def test_dropout_survives_reset_configure_and_a_restore_then_trains_the_same() -> None:
    demo = dropping(p=0.3)
    demo.train(4)
    demo.reset()
    assert demo.net.dropout == 0.3 and demo.cfg.dropout_on
    demo.apply(Configure(hidden=[5, 5]))
    assert demo.net.dropout == 0.3 and demo.snapshot(0)["dropout"] == {"on": True, "p": 0.3}
    demo.train(5)
    copy = BoundaryDemo(seed=0)
    copy.load(json.loads(json.dumps(demo.state())))
    assert copy.net.dropout == 0.3 and torch.equal(copy.net.flat, demo.net.flat)
    demo.train(3)
    copy.train(3)
    assert torch.equal(copy.net.flat, demo.net.flat), "a restored session draws the same dropout"
    demo.apply(Dropout(on=False))
    assert demo.net.dropout == 0.0 and demo.cfg.dropout_p == 0.3 and demo.snapshot(0)["dropped"] is None
    assert demo.fit_job() is not None


def test_a_perceptron_has_nothing_to_drop() -> None:
    demo = dropping(preset="perceptron-linear")
    before = demo.net.flat.clone()
    plain = BoundaryDemo(seed=0, preset="perceptron-linear")
    demo.train(3)
    plain.train(3)
    assert torch.equal(demo.net.flat, plain.net.flat) and not torch.equal(before, demo.net.flat)
    assert demo.snapshot(0)["dropped"] is None


@pytest.mark.parametrize("raw", ['{"type": "dropout", "on": true, "p": 0}', '{"type": "dropout", "on": true, "p": 1}',
                                 '{"type": "dropout", "p": 0.5}', '{"type": "dropout", "on": true, "p": "NaN"}'])
def test_bad_dropout_commands_are_refused(raw: str) -> None:
    with pytest.raises(protocol.BadCommand):
        protocol.parse(BoundaryDemo, raw)


def test_dropout_over_the_websocket_greys_neurons_in_frames(client: TestClient) -> None:  # noqa: F811
    with client.websocket_connect("/ws/boundary") as ws:
        next_of(ws, "frame")
        ws.send_text(json.dumps({"type": "dropout", "on": True, "p": 0.6}))
        ws.send_text(json.dumps({"type": "dropout", "on": True, "p": 2}))
        err = next_of(ws, "error")
        assert "p" in err["message"]
        ws.send_text(json.dumps({"type": "step", "n": 5}))
        f = frame_where(ws, lambda f: f["iteration"] == 5)
        d = f["demo"]
        assert d["dropout"] == {"on": True, "p": 0.6} and d["config"]["dropout_on"]
        assert [len(layer) for layer in d["dropped"]] == [4, 2]
