"""Demo 4's perceptron: its line (the slides' equation, no line where there is none), its rule compiled."""

from __future__ import annotations

import math

import pytest
import torch

from models.data import datasets2d
from models.demos.boundary import perceptron
from models.demos.boundary.commands import Configure
from models.demos.boundary.demo import BoundaryDemo


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


def test_line_equation_reads_like_the_slides() -> None:
    from models.demos.boundary.demo import equation

    assert equation(perceptron.line(1.0, 2.0, -3.0)) == "I1 = -0.50 I0 + 1.50"
    assert equation(perceptron.line(2.0, 0.0, 1.0)) == "I0 = -0.50"
    assert not math.isnan(perceptron.line(1e-300, 1.0, 0.0)["slope"])
