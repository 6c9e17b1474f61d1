"""Demo 2 on the model: the neuron's gradient against autograd, the lecture's noise point, sums of sigmoids."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from models.demos.sigmoid.demo import (
    AddPoint,
    ClearPoints,
    MovePoint,
    RemovePoint,
    SetModel,
    SetTarget,
    SetView,
    SigmoidDemo,
)
from models.demos.sigmoid.neuron import Neuron, gradient, log_likelihood
from models.demos.sigmoid.neuron_view import NOISE_POINT
from models.demos.sigmoid.sum_view import SLIDE_MODELS, SumView
from models.nn.mlp import MLP, MLPSpec
from server.codec import plain
from tests.tiny_torch import one_torch_thread  # noqa: F401 - an autouse fixture


def random_examples(seed: int, n: int = 9) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    x = (torch.rand(n, generator=gen, dtype=torch.float64) * 2 - 1) * 5
    y = (torch.rand(n, generator=gen, dtype=torch.float64) > 0.5).double()
    return x, y


# ---------------------------------------------------------------------- the neuron
@pytest.mark.parametrize("seed", range(5))
def test_gradient_matches_autograd(seed: int) -> None:
    x, y = random_examples(seed)
    gen = torch.Generator().manual_seed(100 + seed)
    w, t = ((torch.rand(2, generator=gen, dtype=torch.float64) * 2 - 1) * 3).unbind()
    wl, tl = w.clone().requires_grad_(True), t.clone().requires_grad_(True)
    # An independent reference: log L written with plain log, not logsigmoid.
    z = 1 / (1 + torch.exp(-(wl * x - tl)))
    ref = (y * torch.log(z) + (1 - y) * torch.log(1 - z)).sum()
    ref.backward()
    gw, gt = gradient(w, t, x, y)
    torch.testing.assert_close(gw, wl.grad, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(gt, tl.grad, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(log_likelihood(w, t, x, y), ref.detach())


def test_ascent_is_descent_on_the_mlps_binary_cross_entropy() -> None:
    """Maximising log L is minimising summed BCE: the same path as a 1 -> 1 MLP with bias -t, step for step."""
    x, y = random_examples(7)
    neuron = Neuron.create(3)
    net = MLP.create(MLPSpec([1, 1], ["sigmoid"], loss="bce", reduction="sum"), 0)
    net.weights[0].fill_(float(neuron.w))
    net.biases[0].fill_(-float(neuron.t))
    lls, path = neuron.ascend(x, y, 25, 0.05)
    net.torch_fit(x.reshape(-1, 1), y.reshape(-1, 1), epochs=25, lr=0.05)
    assert float(neuron.w) == pytest.approx(float(net.weights[0][0, 0]), rel=1e-10)
    assert float(neuron.t) == pytest.approx(-float(net.biases[0][0]), rel=1e-10)
    assert torch.equal(path[-1], torch.stack([neuron.w, neuron.t]))
    bce = net.objective(x.reshape(-1, 1), y.reshape(-1, 1))
    assert float(lls[-1]) == pytest.approx(-float(bce), rel=1e-9)


def test_small_steps_never_lower_the_likelihood() -> None:
    x, y = random_examples(2, n=12)
    neuron = Neuron.create(0)
    before = neuron.log_likelihood(x, y)
    lls, _ = neuron.ascend(x, y, 300, 0.01)
    assert float(lls[0]) > before
    assert torch.all(lls[1:] >= lls[:-1] - 1e-12), "gradient ascent with a small step climbs monotonically"


def test_log_likelihood_stays_finite_where_the_curve_is_a_step() -> None:
    x = torch.tensor([-1.0, 1.0], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0], dtype=torch.float64)  # both on the wrong side of a very steep curve
    ll = log_likelihood(torch.tensor(1e4, dtype=torch.float64), torch.tensor(0.0, dtype=torch.float64), x, y)
    assert float(ll) == pytest.approx(-2e4)


def test_the_neuron_separates_separable_points() -> None:
    demo = SigmoidDemo(seed=0, preset="neuron")
    demo.train(2000)
    r = demo.results()
    assert r["accuracy"] == 1.0 and r["w"] > 0
    crossing = r["t"] / r["w"]  # where z = 1/2
    assert -0.5 < crossing < 1.0, "the curve crosses 1/2 between the last negative and the first positive"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_noise_point_lowers_the_steepness(seed: int) -> None:
    clean, noisy = SigmoidDemo(seed=seed, preset="neuron"), SigmoidDemo(seed=seed, preset="noise-point")
    clean.train(2000)
    noisy.train(2000)
    assert noisy.results()["w"] < 0.5 * clean.results()["w"]
    assert noisy.results()["accuracy"] < 1.0


def test_adding_a_positive_among_the_negatives_drags_the_curve_while_training() -> None:
    demo = SigmoidDemo(seed=0, preset="neuron")
    demo.train(1000)
    before = demo.snapshot(0)["neuron"]
    z_at = lambda snap: snap["curve"][round((NOISE_POINT + 5) / 10 * 200)]  # noqa: E731 - z where the point goes
    demo.apply(AddPoint(x=NOISE_POINT, label=1))
    demo.train(500)
    after = demo.snapshot(0)["neuron"]
    assert after["w"] < before["w"] / 2
    assert z_at(after) > z_at(before) + 0.1, "z rises where the new positive example sits"
    assert len(after["points"]) == 9
    assert (after["points"][-1]["x"], after["points"][-1]["label"]) == (NOISE_POINT, 1)


def test_each_example_shows_its_probability() -> None:
    demo = SigmoidDemo(seed=0, preset="neuron")
    demo.train(200)
    snap = demo.snapshot(0)["neuron"]
    for p in snap["points"]:
        z = 1 / (1 + math.exp(-(snap["w"] * p["x"] - snap["t"])))
        assert p["p"] == pytest.approx(z if p["label"] == 1 else 1 - z, abs=1e-4)
    assert snap["log_likelihood"] == pytest.approx(sum(math.log(p["p"]) for p in snap["points"]), abs=1e-3)


def test_the_heatmap_is_the_likelihood_over_w_and_t_with_the_path_on_it() -> None:
    demo = SigmoidDemo(seed=0, preset="noise-point")
    demo.train(300)
    snap = demo.snapshot(0)["neuron"]
    heat = snap["heatmap"]
    n, (w0, w1), (t0, t1) = heat["n"], heat["w"], heat["t"]
    assert len(heat["values"]) == n * n and all(0 <= v <= 1 for v in heat["values"])
    x, y = demo.neuron.data()
    for i, j in [(0, 0), (5, 40), (n - 1, n - 1), (31, 17)]:  # row i is t_i, column j is w_j
        w, t = w0 + (j + 0.5) * (w1 - w0) / n, t0 + (i + 0.5) * (t1 - t0) / n
        one = float(log_likelihood(torch.tensor(w, dtype=torch.float64), torch.tensor(t, dtype=torch.float64), x, y))
        assert heat["values"][i * n + j] == pytest.approx(math.exp(one / x.numel()), abs=6e-4)
    path = snap["path"]
    assert path[-1] == pytest.approx([snap["w"], snap["t"]], abs=1e-4)
    assert all(w0 <= w <= w1 and t0 <= t <= t1 for w, t in path), "the box holds the whole path"
    best = max(range(n * n), key=lambda k: heat["values"][k])
    bw, bt = w0 + (best % n + 0.5) * (w1 - w0) / n, t0 + (best // n + 0.5) * (t1 - t0) / n
    assert abs(bw - snap["w"]) < 2 * (w1 - w0) / n and abs(bt - snap["t"]) < 2 * (t1 - t0) / n, \
        "training ends at the top of the surface (noise point: a finite maximum)"




# ---------------------------------------------------------------------- sums of sigmoids
def test_fused_training_of_the_slide_models_matches_autograd() -> None:
    """The compiled loop the function view trains with, against the torch reference, on the deepest slide model."""
    view = SumView(seed=4, model=SLIDE_MODELS[2], target="sin")
    x, y = view.data()
    ref = MLP.create(view.net.spec, 4)
    ref.flat.copy_(view.net.flat)  # the view's own start (first layer spread over the range)
    view.train(40, 0.1)
    ref.torch_fit(x, y, epochs=40, lr=0.1)
    torch.testing.assert_close(view.net.flat, ref.flat, rtol=1e-9, atol=1e-11)


def test_first_layer_units_start_as_sigmoids_spread_over_the_training_range() -> None:
    view = SumView(seed=0, model=SLIDE_MODELS[3], target="sin")
    w, b = view.net.weights[0][:, 0], view.net.biases[0]
    centres = -b / w  # where each unit's tanh crosses 0
    assert float(centres.min()) >= -math.pi and float(centres.max()) <= math.pi
    assert float(centres.std()) > 1.0, "spread out, not all at x = 0"
    assert float(w.abs().max()) <= 2.0
    assert torch.equal(SumView(seed=0, model=SLIDE_MODELS[3], target="sin").net.flat, view.net.flat)


def test_thirty_units_fit_far_better_than_two_and_neither_extrapolates() -> None:
    two, thirty = SumView(0, SLIDE_MODELS[0], "sin"), SumView(0, SLIDE_MODELS[3], "sin")
    two.train(3000, 0.1)
    thirty.train(3000, 0.1)
    assert thirty.loss() < 0.01 and thirty.loss() < two.loss() / 4
    for v in (two, thirty):
        assert v.extrapolation_error() > 10 * v.loss(), "outside [-pi, pi] the fit fails"


@pytest.mark.parametrize("model,units", [(SLIDE_MODELS[0], 2), (SLIDE_MODELS[1], 3), (SLIDE_MODELS[2], 5),
                                         (SLIDE_MODELS[3], 30), ("[1,linear]", 0)])
def test_one_curve_per_unit_of_the_last_hidden_layer(model: str, units: int) -> None:
    view = SumView(0, model, "sin")
    snap = view.snapshot(0)["function"]
    assert len(snap["hidden"]) == units
    assert all(len(c) == len(snap["x"]) for c in snap["hidden"])
    assert snap["x"][0] == pytest.approx(-2 * math.pi, abs=1e-4)
    assert snap["x"][-1] == pytest.approx(2 * math.pi, abs=1e-4)
    xs = view.grid().reshape(-1, 1)  # the frame's x, before rounding
    torch.testing.assert_close(torch.tensor(snap["output"], dtype=torch.float64), view.net.predict(xs)[:, 0], atol=1e-4,
                               rtol=0)
    if len(view.net.spec.sizes) == 3:  # one hidden layer: unit k's curve is tanh(w_k x + b_k)
        h = torch.tanh(xs @ view.net.weights[0].T + view.net.biases[0])
        torch.testing.assert_close(torch.tensor(snap["hidden"], dtype=torch.float64), h.T, atol=1e-4, rtol=0)


def test_clicked_points_join_the_training_data() -> None:
    demo = SigmoidDemo(seed=0, preset="sin-30")
    demo.apply(SetTarget(name="none"))
    assert demo.snapshot(0)["function"]["loss"] is None
    assert torch.equal(demo.train(3), torch.zeros(3, dtype=torch.float64)), "no data: nothing moves"
    for x, y in [(-2.0, 0.5), (0.0, -0.5), (2.0, 0.5)]:
        demo.apply(AddPoint(x=x, y=y))
    demo.train(2000)
    snap = demo.snapshot(0)["function"]
    assert snap["loss"] < 1e-3 and snap["extrapolation_error"] is None
    assert [p["x"] for p in snap["points"]] == [-2.0, 0.0, 2.0]


# ---------------------------------------------------------------------- commands
@pytest.mark.parametrize("view,cmd,message", [
    ("neuron", AddPoint(x=5.5, label=1), "x must be a number in"),
    ("neuron", AddPoint(x=1.0), "label"),
    ("neuron", AddPoint(x=1.0, y=0.3, label=1), "no y"),
    ("neuron", RemovePoint(index=8), "no point 8"),
    ("neuron", MovePoint(index=0, x=1.0, y=0.2), "along x only"),
    ("neuron", SetModel(spec="[3,tanh:1,linear]"), "function view"),
    ("function", AddPoint(x=1.0, label=1), "give x and y"),
    ("function", AddPoint(x=7.0, y=0.0), "x must be"),
    ("function", AddPoint(x=1.0, y=2.0), "y must be"),
    ("function", MovePoint(index=0, x=1.0, y=0.0), "no point 0"),
    ("function", SetModel(spec="[30,tanh]"), "must have 1 unit"),
    ("function", SetModel(spec="[401,tanh:1,linear]"), "too many"),
    ("function", SetTarget(name="tan"), "unknown target"),
])
def test_bad_commands_raise_and_change_nothing(view: str, cmd, message: str) -> None:  # noqa: ANN001
    demo = SigmoidDemo(seed=0, preset="neuron" if view == "neuron" else "sin-2")
    demo.train(5)
    before = demo.state()
    with pytest.raises(ValueError, match=message):
        demo.apply(cmd)
    assert demo.state() == before


def test_too_many_points_are_refused() -> None:
    demo = SigmoidDemo(seed=0, preset="neuron")
    cap = demo.snapshot(0)["neuron"]["max_points"]
    demo.apply(ClearPoints())
    for k in range(cap):
        demo.apply(AddPoint(x=-5 + 10 * k / cap, label=k % 2))
    with pytest.raises(ValueError, match=f"at most {cap} points"):
        demo.apply(AddPoint(x=0.0, label=1))
    assert len(demo.snapshot(0)["neuron"]["points"]) == cap


def test_points_move_and_go_and_survive_reset_and_view_switches() -> None:
    demo = SigmoidDemo(seed=0, preset="neuron")
    demo.apply(MovePoint(index=0, x=-4.5))
    demo.apply(RemovePoint(index=7))
    demo.train(50)
    assert demo.apply(SetView(view="function")) is True, "a view switch starts training over"
    assert demo.iteration == 0 and demo.view == "function" and demo.lr == pytest.approx(0.1)
    demo.apply(AddPoint(x=4.0, y=1.0))
    assert demo.apply(SetModel(spec="[5,tanh:1,linear]")) is True
    assert demo.snapshot(0)["net"]["sizes"] == [1, 5, 1]
    demo.apply(SetView(view="neuron"))
    demo.reset(seed=3)
    xs = [p["x"] for p in demo.snapshot(0)["neuron"]["points"]]
    assert xs == [-4.5, -2.5, -1.5, -0.5, 1.0, 2.0, 3.0]
    path = demo.snapshot(0)["neuron"]["path"]  # a float32 block: the page only draws it
    assert path.dtype == np.float32 and path.tolist() == [[float(np.float32(demo.neuron.neuron.w)),
                                                           float(np.float32(demo.neuron.neuron.t))]]
    demo.apply(SetView(view="function"))
    assert demo.function.points.xs == [4.0] and demo.function.model.text() == "[5,tanh:1,linear]"


def test_reset_gives_the_same_start_for_the_same_seed() -> None:
    a, b = SigmoidDemo(seed=5, preset="sin-20-3"), SigmoidDemo(seed=5, preset="sin-20-3")
    a.train(20)
    a.reset()
    assert torch.equal(a.function.net.flat, b.function.net.flat)
    assert a.iteration == 0
    c, d = SigmoidDemo(seed=5, preset="neuron"), SigmoidDemo(seed=6, preset="neuron")
    assert c.neuron.wt() != d.neuron.wt()


def test_state_round_trip() -> None:
    demo = SigmoidDemo(seed=2, preset="noise-point")
    demo.train(100)
    demo.apply(SetView(view="function"))
    demo.apply(SetModel(spec="[4,sigmoid:1,linear]"))
    demo.apply(AddPoint(x=1.0, y=0.25))
    demo.train(30)
    again = SigmoidDemo(seed=0)
    again.load(demo.state())
    assert plain(again.snapshot(0)) == plain(demo.snapshot(0))
    again.apply(SetView(view="neuron"))
    assert len(again.neuron.points) == 9
