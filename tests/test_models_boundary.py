"""Demo 4, decision boundaries: the perceptron's line, XOR, the feature pipeline against autograd, points and CSV."""

from __future__ import annotations

import io
import json
import math

import pytest
import torch

from models.data import datasets2d, features
from models.data.plane import decode, grid
from models.demos.boundary import perceptron
from models.demos.boundary.commands import AddPoint, ClearPoints, Configure, ImportCSV, LoadDataset, RemovePoint
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


def test_no_line_gets_more_than_three_corners_of_xor() -> None:
    """Why the perceptron fails: over many lines through the XOR blobs, the best one is right on 3 corners of 4."""
    pts = datasets2d.generate("xor", 400, 0.0, 0.0, seed=2)
    target = pts.label == 0
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(4000, 2, generator=gen, dtype=torch.float64)
    b = torch.randn(4000, generator=gen, dtype=torch.float64) * 4
    side = (pts.xy @ w.T + b) > 0  # (points, lines)
    acc = (side == target[:, None]).double().mean(dim=0)
    best = float(torch.maximum(acc, 1 - acc).max())
    assert 0.7 <= best <= 0.75 + 1e-9


# ---------------------------------------------------------------------- the boundary line
@pytest.mark.parametrize("w0,w1,b", [(0.5, 2.0, -1.0), (-1.5, 0.7, 0.3), (2.0, -0.5, 1.2), (1.0, 0.0, -2.0)])
def test_points_on_the_line_give_a_zero_weighted_sum(w0: float, w1: float, b: float) -> None:
    ln = perceptron.line(w0, w1, b)
    assert ln is not None and ln["t"] == -b
    if ln["vertical"]:
        on = torch.tensor([[ln["x0"], y] for y in (-5.0, 0.0, 3.0)], dtype=torch.float64)
        off = on + torch.tensor([1.0, 0.0], dtype=torch.float64)  # to the right
    else:
        i0 = torch.linspace(-6, 6, 7, dtype=torch.float64)
        on = torch.stack([i0, ln["slope"] * i0 + ln["intercept"]], dim=1)
        off = on + torch.tensor([0.0, 1.0], dtype=torch.float64)  # above
        assert ln["slope"] == pytest.approx(-w0 / w1) and ln["intercept"] == pytest.approx(-b / w1)
    z = on @ torch.tensor([w0, w1], dtype=torch.float64) + b
    torch.testing.assert_close(z, torch.zeros_like(z), atol=1e-12, rtol=0)
    positive = bool(((off @ torch.tensor([w0, w1], dtype=torch.float64) + b) > 0).all())
    assert positive == (ln["positive"] in ("above", "right"))


def test_no_line_when_both_weights_are_zero() -> None:
    assert perceptron.line(0.0, 0.0, 1.0) is None


def test_the_trained_perceptrons_line_is_its_weights_and_separates_the_classes() -> None:
    demo = BoundaryDemo(seed=0, preset="perceptron-linear")
    demo.train(100)
    ln = demo.line()
    assert ln is not None
    w, b = demo.net.weights[0][0], float(demo.net.biases[0][0])
    assert (ln["w0"], ln["w1"], ln["t"]) == (float(w[0]), float(w[1]), -b)
    xy, label = demo.points.subset(test=False)
    above = xy[:, 1] > ln["slope"] * xy[:, 0] + ln["intercept"]
    assert torch.equal(above, (label == 0) if ln["positive"] == "above" else (label != 0))


def test_a_two_way_softmax_perceptron_has_a_line_too() -> None:
    demo = BoundaryDemo(seed=1, preset="perceptron-linear")
    demo.apply(Configure(output="softmax"))
    demo.train(50)
    ln = demo.line()
    w, b = demo.net.weights[0], demo.net.biases[0]
    i0 = torch.tensor([-3.0, 0.0, 4.0], dtype=torch.float64)
    on = torch.stack([i0, ln["slope"] * i0 + ln["intercept"]], dim=1)
    z = on @ w.T + b  # on the line, A and B score the same
    torch.testing.assert_close(z[:, 0], z[:, 1])


def test_no_line_with_a_hidden_layer_or_other_features() -> None:
    demo = BoundaryDemo(seed=0, preset="perceptron-linear")
    demo.apply(Configure(features=["x1", "x2", "x1^2"]))
    assert demo.line() is None
    demo.apply(Configure(features=["x1", "x2"], hidden=[2]))
    assert demo.line() is None and demo.cfg.output == "sigmoid"


# ---------------------------------------------------------------------- training against references
@pytest.mark.parametrize("batch", [1, 7])
def test_perceptron_rule_compiled_matches_torch(batch: int) -> None:
    demo = BoundaryDemo(seed=3, preset="perceptron-xor")
    demo.net.l1, demo.net.l2 = 0.01, 0.02
    x, y = demo.data()
    ref = BoundaryDemo(seed=3, preset="perceptron-xor").net
    ref.l1, ref.l2 = 0.01, 0.02
    e_fast = perceptron.rule_fit(demo.net, x, y[:, 0], 5, 0.1, batch)
    e_ref = perceptron.rule_torch(ref, x, y[:, 0], 5, 0.1, batch)
    torch.testing.assert_close(demo.net.flat, ref.flat, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(e_fast, e_ref)


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


# ---------------------------------------------------------------------- datasets and CSV
@pytest.mark.parametrize("name", datasets2d.DATASETS)
def test_datasets_are_seeded_split_and_on_the_plane(name: str) -> None:
    a = datasets2d.generate(name, 300, 0.1, 0.3, seed=7)
    b = datasets2d.generate(name, 300, 0.1, 0.3, seed=7)
    c = datasets2d.generate(name, 300, 0.1, 0.3, seed=8)
    assert torch.equal(a.xy, b.xy) and not torch.equal(a.xy, c.xy)
    assert int(a.test.sum()) == 90 and float(a.xy.abs().max()) <= datasets2d.EXTENT
    assert a.classes == (3 if name == "gauss3" else 2) and len(a.label.unique()) == a.classes


def test_csv_round_trip_through_the_demo() -> None:
    demo = BoundaryDemo(seed=0, preset="default")
    demo.apply(LoadDataset(name="spiral", n=300, noise=0.3, test_ratio=0.2, seed=9))
    demo.apply(AddPoint(x=1.23456, y=-5.5, label=3))
    _, text = demo.download("points.csv")
    other = BoundaryDemo(seed=1, preset="perceptron-linear")
    other.apply(ImportCSV(text=text))
    assert torch.equal(other.points.xy, demo.points.xy) and torch.equal(other.points.label, demo.points.label)
    assert torch.equal(other.points.test, demo.points.test) and other.download("points.csv")[1] == text
    assert other.cfg.output == "softmax", "class D came in with the file"
    assert text.splitlines()[0] == "x1,x2,label,split" and text.splitlines()[-1] == "1.2346,-5.5000,3,train"


def test_hand_made_csv_without_header_or_split() -> None:
    pts = datasets2d.from_csv("1,2,A\n-3.5, 0.25 ,b\n\n# a comment\n0,0,1\n")
    assert pts.xy.tolist() == [[1.0, 2.0], [-3.5, 0.25], [0.0, 0.0]] and pts.label.tolist() == [0, 1, 1]
    assert not pts.test.any()


BAD_CSV = [
    ("", "no rows"),
    ("x1,x2,label\n", "no points"),
    ("x,y,class\n1,2,0\n", "header must be x1,x2,label"),
    ("1,2\n", "line 1: expected 3 or 4 columns"),
    ("x1,x2,label\n1,2,0\n3,4,0,train,extra\n", "line 3: expected 3 or 4 columns"),
    ("1,2,0\nabc,2,0\n", "line 2: x1 must be a number, got 'abc'"),
    ("1,nan,0\n", "line 1: x2 must be a finite number"),
    ("1,inf,0\n", "line 1: x2 must be a finite number"),
    ("7.5,0,0\n", "line 1: x1 = 7.5 is outside the plane"),
    ("1,2,7\n", "line 1: label must be a class index"),
    ("1,2,0.5\n", "line 1: label must be a class index"),
    ("1,2,0,validate\n", "line 1: split must be train or test"),
    ("0,0,0\n" * 2001, "2001 points; at most 2000"),
]


@pytest.mark.parametrize("text,message", BAD_CSV)
def test_bad_csv_is_refused_with_a_clear_message_and_changes_nothing(text: str, message: str) -> None:
    demo = BoundaryDemo(seed=0, preset="default")
    before = demo.points.xy.clone()
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        demo.apply(ImportCSV(text=text))
    assert torch.equal(demo.points.xy, before)


def test_unknown_download_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        BoundaryDemo(seed=0, preset="default").download("weights.bin")


def test_line_equation_reads_like_the_slides() -> None:
    from models.demos.boundary.demo import equation

    assert equation(perceptron.line(1.0, 2.0, -3.0)) == "I1 = -0.50 I0 + 1.50"
    assert equation(perceptron.line(2.0, 0.0, 1.0)) == "I0 = -0.50"
    assert not math.isnan(perceptron.line(1e-300, 1.0, 0.0)["slope"])
