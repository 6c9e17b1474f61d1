"""Demo 4, decision boundaries: the perceptron's line, XOR, the feature pipeline against autograd, points and CSV."""

from __future__ import annotations

import io
import json

import pytest
import torch

from models.data import datasets2d, features
from models.data.plane import decode, grid
from models.demos.boundary.commands import AddPoint, ClearPoints, Configure, LoadDataset, RemovePoint
from models.demos.boundary.demo import HEATMAP, THUMB, BoundaryDemo
from server.runner import run


def final_line(preset: str) -> dict:
    out = io.StringIO()
    run("boundary", preset, None, 0, out=out)
    return json.loads(out.getvalue().splitlines()[-1])


# ---------------------------------------------------------------------- the lesson, as `run` reports it
def test_perceptron_separates_linearly_separable_data() -> None:
    final = final_line("perceptron-linear")
    assert final["accuracy"] == 1.0 and final["output"] == "step" and final["hidden"] == []
    assert final["line"].startswith("I1 = ")


def test_perceptron_cannot_separate_xor() -> None:
    assert final_line("perceptron-xor")["accuracy"] <= 0.75


# The next two train hundreds of epochs: seconds on the fused kernel, minutes on autograd (NNP_FUSED=0 or no numba).
@pytest.mark.slow
@pytest.mark.parametrize("preset", ["xor", "circle"])
def test_a_hidden_layer_solves_xor_and_the_circle(preset: str) -> None:
    final = final_line(preset)
    assert final["test_accuracy"] >= 0.95 and final["hidden"]


@pytest.mark.slow
def test_spiral_with_six_layers() -> None:
    assert final_line("spiral")["accuracy"] >= 0.9


# ---------------------------------------------------------------------- the boundary line


# ---------------------------------------------------------------------- training against references


FEATURE_FORMULAS = {  # written out again, independently of models.features
    "x1": lambda a, b: a, "x2": lambda a, b: b, "x1^2": lambda a, b: a * a, "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b, "sin x1": lambda a, b: torch.sin(a), "sin x2": lambda a, b: torch.sin(b),
}
ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}


def reference_epoch(demo: BoundaryDemo, params: list[torch.Tensor], lr: float) -> None:
    """One epoch of minibatch SGD by torch autograd from the raw points: features, network, loss, L1/L2."""
    cfg = demo.cfg
    xy, label = demo.points.subset(test=False)
    order = torch.randperm(len(label), generator=torch.Generator().manual_seed(demo.seed))
    xy, label = xy[order], label[order]
    for s in range(0, len(label), cfg.batch):
        pts, lab = xy[s : s + cfg.batch], label[s : s + cfg.batch]
        h = torch.stack([FEATURE_FORMULAS[f](pts[:, 0], pts[:, 1]) for f in cfg.features], dim=1)
        ps = [p.detach().requires_grad_(True) for p in params]
        for i in range(0, len(ps), 2):
            z = h @ ps[i].T + ps[i + 1]
            h = ACT[cfg.activation](z) if i + 2 < len(ps) else z
        if cfg.output == "softmax":
            data = torch.nn.functional.cross_entropy(h, lab)
        elif cfg.output == "sigmoid":
            data = torch.nn.functional.binary_cross_entropy_with_logits(h[:, 0], (lab == 0).double())
        else:
            data = (0.5 * (torch.sigmoid(h[:, 0]) - (lab == 0).double()) ** 2).mean()
        reg = sum(cfg.l1 * p.abs().sum() + 0.5 * cfg.l2 * (p * p).sum() for p in ps[0::2])
        grads = torch.autograd.grad(data + reg, ps)
        params[:] = [p.detach() - lr * g for p, g in zip(ps, grads, strict=True)]


@pytest.mark.parametrize("output,activation", [("sigmoid", "tanh"), ("softmax", "relu"), ("sigmoid-mse", "sigmoid"),
                                               ("softmax", "linear")])
def test_feature_pipeline_training_matches_autograd(output: str, activation: str) -> None:
    demo = BoundaryDemo(seed=4, preset="default")
    demo.apply(LoadDataset(name="gauss3" if output == "softmax" else "circle", n=60, noise=0.2, seed=5))
    demo.apply(Configure(features=list(features.NAMES), hidden=[5, 3], activation=activation, output=output,
                         batch=7, l1=0.001, l2=0.01))
    params = [t.detach().clone() for pair in zip(demo.net.weights, demo.net.biases, strict=True) for t in pair]
    demo.lr = 0.05
    demo.train(2)
    for _ in range(2):
        reference_epoch(demo, params, 0.05)
    for i, (w, b) in enumerate(zip(demo.net.weights, demo.net.biases, strict=True)):
        torch.testing.assert_close(w, params[2 * i], rtol=1e-9, atol=1e-11)
        torch.testing.assert_close(b, params[2 * i + 1], rtol=1e-9, atol=1e-11)


# ---------------------------------------------------------------------- points and configuration
def test_added_points_are_trained_on_and_removed_by_position() -> None:
    demo = BoundaryDemo(seed=0, preset="default")
    demo.apply(ClearPoints())
    demo.apply(AddPoint(x=2.0, y=2.0, label=0))
    demo.apply(AddPoint(x=-2.0, y=-2.0, label=1))
    demo.apply(AddPoint(x=1.0, y=-1.0, label=1, test=True))
    x, _ = demo.data()
    assert x.shape == (2, 2) and demo.metrics()["n_test"] == 1
    demo.apply(RemovePoint(x=-1.8, y=-2.1, radius=0.5))
    assert demo.points.xy.tolist() == [[2.0, 2.0], [1.0, -1.0]]
    with pytest.raises(ValueError, match="no point within"):
        demo.apply(RemovePoint(x=-2.0, y=-2.0))
    demo.apply(RemovePoint(index=0))
    assert len(demo.points) == 1
    with pytest.raises(ValueError, match="no point 5"):
        demo.apply(RemovePoint(index=5))


def test_the_plane_holds_at_most_2000_points() -> None:
    demo = BoundaryDemo(seed=0, preset="default")
    demo.apply(LoadDataset(name="gauss", n=datasets2d.MAX_POINTS))
    with pytest.raises(ValueError, match="2000 points"):
        demo.apply(AddPoint(x=0.0, y=0.0, label=0))
    assert len(demo.points) == datasets2d.MAX_POINTS


def test_a_third_class_switches_to_softmax_and_keeps_the_boundary_between_a_and_b() -> None:
    demo = BoundaryDemo(seed=0, preset="xor")
    demo.train(50)
    x = features.transform(grid(9), demo.cfg.features)
    before = demo.net.predict(x)[:, 0]
    hidden = demo.net.weights[0].clone()
    demo.apply(AddPoint(x=0.0, y=0.0, label=2))
    assert demo.cfg.output == "softmax" and demo.net.spec.sizes[-1] == 3
    assert torch.equal(demo.net.weights[0], hidden), "the hidden layer carries over"
    p = demo.net.predict(x)
    a_vs_b = p[:, 0] / (p[:, 0] + p[:, 1])
    torch.testing.assert_close(a_vs_b, before)
    with pytest.raises(ValueError, match="only softmax"):
        demo.apply(Configure(output="sigmoid"))
    demo.train(5)


def test_activation_and_feature_changes_keep_training_where_it_was() -> None:
    demo = BoundaryDemo(seed=0, preset="circle")
    demo.train(20)
    w = [t.clone() for t in demo.net.weights]
    demo.apply(Configure(activation="relu", l2=0.01))
    assert all(torch.equal(a, b) for a, b in zip(w, demo.net.weights, strict=True)) and demo.net.l2 == 0.01
    demo.apply(Configure(features=["x1", "x2", "x1^2"]))
    assert torch.equal(demo.net.weights[0][:, :2], w[0]) and not demo.net.weights[0][:, 2].any()
    demo.apply(Configure(hidden=[3]))
    assert demo.net.spec.sizes == [3, 3, 1], "a new architecture is a fresh network"


def test_step_output_refuses_hidden_layers_and_changes_nothing() -> None:
    demo = BoundaryDemo(seed=0, preset="circle")
    flat = demo.net.flat.clone()
    with pytest.raises(ValueError, match="perceptron rule"):
        demo.apply(Configure(output="step"))
    assert demo.cfg.output == "sigmoid" and torch.equal(demo.net.flat, flat)
    with pytest.raises(ValueError, match="at most 96"):
        demo.apply(Configure(hidden=[16] * 8))


def test_reset_keeps_the_points_and_restores_the_initial_weights() -> None:
    demo = BoundaryDemo(seed=0, preset="default")
    demo.apply(AddPoint(x=0.5, y=0.5, label=1))
    init = demo.net.flat.clone()
    demo.train(10)
    demo.reset()
    assert len(demo.points) == 401 and torch.equal(demo.net.flat, init) and demo.iteration == 0


def test_state_round_trip() -> None:
    demo = BoundaryDemo(seed=2, preset="default")
    demo.apply(Configure(hidden=[3, 3], features=["x1", "x2", "x1*x2"], output="softmax", l1=0.001))
    demo.apply(AddPoint(x=1.0, y=1.0, label=2))
    demo.train(7)
    state = json.loads(json.dumps(demo.state()))
    again = BoundaryDemo(seed=0, preset="default")
    again.load(state)
    assert torch.equal(again.net.flat, demo.net.flat) and again.cfg == demo.cfg
    assert torch.equal(again.points.xy, demo.points.xy) and again.iteration == 7 and again.net.l1 == 0.001


# ---------------------------------------------------------------------- heatmaps
def test_heatmaps_decode_to_the_networks_output_on_the_grid() -> None:
    demo = BoundaryDemo(seed=0, preset="circle")
    demo.train(30)
    plane = demo.heatmaps()
    out = decode(plane["output"]["data"])
    assert plane["output"]["channels"] == 1 and out.shape == (HEATMAP * HEATMAP,)
    p = demo.net.predict(features.transform(grid(HEATMAP), demo.cfg.features))[:, 0]
    assert float((out - (2 * p - 1)).abs().max()) <= 1 / 127.5 + 1e-9
    # Row 0 is the top of the picture: x2 = +6 there.
    torch.testing.assert_close(grid(HEATMAP)[0], torch.tensor([-5.94, 5.94], dtype=torch.float64))
    hidden = decode(plane["neurons"][1][2])
    h = demo.net.forward(features.transform(grid(THUMB), demo.cfg.features))[1][:, 2]  # tanh: as it is
    assert float((hidden - h).abs().max()) <= 1 / 127.5 + 1e-9
    assert [len(u) for u in plane["neurons"]] == demo.net.spec.sizes


def test_the_largest_networks_heatmaps_decode_to_its_float64_output() -> None:
    """The grid pass runs in float32 (the bytes have 8 bits): one quantum of the float64 values, even for the
    deepest net with every feature, ReLU units scaled by their largest magnitude."""
    from models.demos.boundary.commands import Configure

    demo = BoundaryDemo(seed=1, preset="spiral")
    demo.apply(Configure(hidden=[16] * 6, activation="relu", features=list(features.FEATURES)))
    demo.train(20)
    plane = demo.heatmaps()
    ref = demo.net.forward(features.transform(grid(THUMB), demo.cfg.features))
    for layer in (1, 6):
        for unit in (0, 15):
            scale = plane["scales"][layer][unit]
            got = decode(plane["neurons"][layer][unit]) * scale
            assert float((got - ref[layer][:, unit]).abs().max()) <= scale / 127.5 * 1.01 + 1e-6
    p = demo.net.predict(features.transform(grid(HEATMAP), demo.cfg.features))[:, 0]
    assert float((decode(plane["output"]["data"]) - (2 * p - 1)).abs().max()) <= 1 / 127.5 + 1e-6


def test_three_classes_send_one_channel_per_class() -> None:
    demo = BoundaryDemo(seed=0, preset="default")
    demo.apply(LoadDataset(name="gauss3"))
    plane = demo.heatmaps()
    probs = decode(plane["output"]["data"], signed_=False).reshape(3, -1)
    assert plane["output"]["channels"] == 3
    torch.testing.assert_close(probs.sum(dim=0), torch.ones(HEATMAP * HEATMAP, dtype=torch.float64), atol=0.01,
                               rtol=0)
