"""Demo 3 on the model: knockouts really remove a neuron, solve times are exact, the lesson reproduces."""

from __future__ import annotations

import io
import json

import pytest
import torch

from models.data import shadows
from models.demos.knockout.demo import AutoPrune, Dropout, Knock, KnockOnePerColumn, KnockoutDemo, Narrow, RunSeeds
from models.demos.knockout.net import TrackedNet
from models.nn.mlp import MLP, MLPSpec
from server.runner import run

X, Y = shadows.tensors(shadows.training_set())


def small_net(seed: int = 0, width: int = 6) -> TrackedNet:
    """10 -> 2 columns of `width` -> 3 at lr 1: solves in ~500 iterations, so exactness is cheap to check."""
    spec = MLPSpec([10, width, width, 3], ["sigmoid"] * 3, init_scale=0.3)
    return TrackedNet(MLP.create(spec, seed), X, Y, tol=0.1, dropout_seed=seed)


def first_solve_brute_force(t: TrackedNet, lr: float, limit: int) -> int | None:
    for i in range(1, limit + 1):
        t.net.torch_fit(X, Y, 1, lr)
        if bool(((t.net.predict(X) - Y).abs() < 0.1).all()):
            return i
    return None


# ---------------------------------------------------------------------- the lecture's network
def test_the_network_is_the_lectures() -> None:
    demo = KnockoutDemo(seed=0)
    spec = demo.net.spec
    assert spec.sizes == [10, 10, 10, 10, 10, 10, 3]
    assert spec.activations == ["sigmoid"] * 6 and spec.loss == "mse" and spec.reduction == "sum"
    assert float(demo.net.flat.abs().max()) <= 0.3 and demo.lr == 0.1
    out = demo.net.predict(demo.test_x)
    assert float((out - 0.5).abs().max()) < 0.15, "untrained, every output is about a half"
    # the objective gradient descent follows: 0.5 * squared error, summed over the three shadows
    expected = 0.5 * ((demo.net.predict(X) - Y) ** 2).sum()
    torch.testing.assert_close(demo.net.objective(X, Y), expected)


def test_a_knocked_out_neuron_has_no_influence_and_its_weights_never_move() -> None:
    demo = KnockoutDemo(seed=1)
    demo.apply(Knock(layer=3, unit=4))
    assert demo.net.masks[2][4] == 0
    w_in, w_out, bias = demo.net.weights[2][4].clone(), demo.net.weights[3][:, 4].clone(), demo.net.biases[2][4].item()
    before = demo.net.predict(demo.test_x)
    with torch.no_grad():  # whatever its weights are, nothing downstream changes
        demo.net.weights[2][4] += 5.0
        demo.net.weights[3][:, 4] -= 7.0
        demo.net.biases[2][4] += 3.0
    assert torch.equal(demo.net.predict(demo.test_x), before)
    with torch.no_grad():
        demo.net.weights[2][4].copy_(w_in)
        demo.net.weights[3][:, 4].copy_(w_out)
        demo.net.biases[2][4] = bias
    grad_w, grad_b = demo.net.views(demo.net.gradient(X, Y))
    assert torch.all(grad_w[3][:, 4] == 0) and torch.all(grad_w[2][4] == 0) and grad_b[2][4] == 0
    demo.train(30)
    assert torch.equal(demo.net.weights[2][4], w_in) and torch.equal(demo.net.weights[3][:, 4], w_out)
    # brought back, it returns with the weights it had
    demo.apply(Knock(layer=3, unit=4))
    assert demo.net.masks[2][4] == 1 and torch.equal(demo.net.weights[3][:, 4], w_out)


def test_knock_one_per_column_takes_the_neuron_with_the_weakest_outgoing_weights() -> None:
    demo = KnockoutDemo(seed=2)
    with torch.no_grad():
        demo.net.weights[2][:, 7] *= 0.01  # column 2's neuron 7 now matters least to column 3
    demo.apply(Knock(layer=5, unit=0))  # column 5: neuron 0 is dead already, so it cannot be chosen
    expected = []
    for layer in range(1, 6):  # columns are visited in order, each judged by the next column's live neurons
        strength = (demo.net.weights[layer].abs() * demo.net.masks[layer].reshape(-1, 1)).sum(dim=0)
        alive = [u for u in range(10) if demo.net.masks[layer - 1][u] == 1]
        expected.append(min(alive, key=lambda u: float(strength[u])))
    assert expected[1] == 7
    demo.apply(KnockOnePerColumn())
    assert demo.tracked.alive_per_column() == [9, 9, 9, 9, 8]
    assert all(demo.net.masks[layer - 1][u] == 0 for layer, u in enumerate(expected, start=1))


def test_refused_commands_change_nothing() -> None:
    demo = KnockoutDemo(seed=0, preset="narrow")
    demo.apply(Knock(layer=1, unit=0))
    before = json.dumps(demo.state())
    for bad in (Knock(layer=1, unit=1), Knock(layer=2, unit=5), AutoPrune(to=2)):  # last alive; no such neuron
        with pytest.raises(ValueError):
            demo.apply(bad)
    demo.apply(Knock(layer=2, unit=0))
    demo.apply(Knock(layer=3, unit=0))
    demo.apply(Knock(layer=4, unit=0))
    demo.apply(Knock(layer=5, unit=0))
    with pytest.raises(ValueError, match="nothing to knock out"):
        demo.apply(KnockOnePerColumn())
    demo2 = KnockoutDemo(seed=0, preset="narrow")
    demo2.apply(Knock(layer=1, unit=0))
    for layer in range(2, 6):
        demo2.apply(Knock(layer=layer, unit=0))
    assert json.dumps(demo.state()) == json.dumps(demo2.state())
    assert json.loads(before)["knocked"] == [[1, 0]]


def test_knockouts_width_and_dropout_survive_reset_and_a_fresh_narrow_net_does_not_keep_them() -> None:
    demo = KnockoutDemo(seed=3)
    demo.apply(Knock(layer=2, unit=5))
    demo.apply(KnockOnePerColumn())
    demo.apply(Dropout(on=True, p=0.3))
    demo.train(5)
    knocked = demo.tracked.knocked()
    demo.reset()
    assert demo.iteration == 0 and demo.tracked.knocked() == knocked and demo.tracked.changes == []
    assert demo.net.dropout == 0.3 and demo.dropout_on
    fresh = KnockoutDemo(seed=3)
    torch.testing.assert_close(demo.net.flat, fresh.net.flat, rtol=0, atol=0)  # a new init, same seed
    demo.apply(Narrow(width=4))
    assert demo.net.spec.sizes[1:-1] == [4] * 5 and demo.tracked.knocked() == [] and demo.iteration == 0
    demo.reset(seed=9)
    assert demo.net.spec.sizes[1:-1] == [4] * 5 and demo.seed == 9


def test_state_round_trip_then_the_same_training() -> None:
    demo = KnockoutDemo(seed=4)
    demo.apply(Knock(layer=1, unit=2))
    demo.train(20)
    demo.apply(KnockOnePerColumn())
    demo.apply(AutoPrune(to=3))
    demo.apply(RunSeeds(seeds=1, steps=1000))
    state = json.loads(json.dumps(demo.state()))
    other = KnockoutDemo(seed=0)
    other.load(state)
    assert other.iteration == 20 and other.width == 10 and other.tracked.prune_to == 3
    assert torch.equal(other.net.flat, demo.net.flat)
    assert other.tracked.knocked() == demo.tracked.knocked() and other.tracked.changes == demo.tracked.changes
    assert other.batch is not None and other.batch.summary()["total"] == 2
    demo.batch = other.batch = None
    torch.testing.assert_close(demo.train(10), other.train(10), rtol=0, atol=0)
    assert torch.equal(other.net.flat, demo.net.flat)


# ---------------------------------------------------------------------- exact solve times
def test_solved_at_is_exact_and_the_same_whatever_the_slicing() -> None:
    brute = first_solve_brute_force(small_net(), lr=1.0, limit=700)
    assert brute is not None and brute > 100
    finals = []
    for chunk in (1, 37, 700):
        t = small_net()
        for it in range(0, 700, chunk):
            t.train(min(chunk, 700 - it), 1.0, it)
        assert t.solved_at == brute, f"chunks of {chunk}: solved at {t.solved_at}, brute force says {brute}"
        finals.append(t.net.flat.clone())
    plain = small_net().net
    plain.fit(X, Y, 700, 1.0)
    assert all(torch.equal(f, plain.flat) for f in finals), "replaying a chunk must give the very same weights"


def test_dropout_draws_do_not_depend_on_the_slicing_and_the_last_ones_are_reported() -> None:
    runs = []
    for chunk in (5, 40):
        t = small_net(seed=1)
        t.net.dropout = 0.25
        for it in range(0, 200, chunk):
            t.train(chunk, 1.0, it)
        runs.append(t)
    assert torch.equal(runs[0].net.flat, runs[1].net.flat) and runs[0].solved_at == runs[1].solved_at
    dropped = runs[0].dropped
    assert dropped is not None and [len(c) for c in dropped] == [6, 6] and any(any(c) for c in dropped)


def test_auto_prune_knocks_out_one_per_column_exactly_at_each_solve() -> None:
    t = small_net(seed=0, width=6)
    t.set_prune(3, 0)
    it = 0
    while not t.prune_done() and it < 6000:
        t.train(250, 1.0, it)
        it += 250
    assert t.prune_done() and t.alive_per_column() == [3, 3]
    assert [c.alive for c in t.changes] == [[5, 5], [4, 4], [3, 3]]
    assert t.changes[0].at == t.solved_at
    for prev, nxt in zip(t.changes, t.changes[1:], strict=False):
        assert nxt.at == prev.at + prev.solved_after, "each knockout comes at the very iteration of the solve"
    assert all(isinstance(s, int) for s in t.retrain_steps())


# ---------------------------------------------------------------------- the runner's numbers
def final_line(**kw: object) -> dict:
    out = io.StringIO()
    run("knockout", out=out, **kw)  # type: ignore[arg-type]
    return json.loads(out.getvalue().splitlines()[-1])


def test_seeds_give_lists_and_a_solved_fraction() -> None:
    final = final_line(preset="prune", steps=40, seed=5, seeds=2)
    assert final["solved_at"] == [None, None] and final["solved_fraction"] == 0.0
    assert final["retrain_steps"] == [[], []] and final["per_column"] == [[10] * 5, [10] * 5]
    single = final_line(preset="narrow", steps=30, seed=5)
    assert single["solved_at"] is None and single["per_column"] == [2] * 5 and single["step"] == 30


# ---------------------------------------------------------------------- the lesson, on the fused loop


@pytest.mark.slow
def test_the_wide_net_plateaus_then_falls_off_a_cliff_and_survives_a_knockout() -> None:
    demo = KnockoutDemo(seed=0)
    errors = torch.cat([demo.train(10_000) for _ in range(30)])  # 300k
    solved = demo.tracked.solved_at
    assert solved is not None and 50_000 <= solved <= 300_000
    assert float(errors[solved // 2]) > 0.2, "half way to the solve the error is still on the plateau (2/9)"
    assert float(errors[solved - 1]) < 0.01, "then it falls off the cliff"
    demo.apply(KnockOnePerColumn())
    knocked_at = demo.iteration
    for _ in range(20):
        demo.train(1000)
    assert demo.tracked.retrain_steps()[0] is not None and demo.tracked.retrain_steps()[0] < 20_000
    assert demo.tracked.changes[0].at == knocked_at


@pytest.mark.slow
def test_the_narrow_net_from_scratch_gets_stuck() -> None:
    demo = KnockoutDemo(seed=0, preset="narrow")
    errors = torch.cat([demo.train(50_000) for _ in range(6)])  # 300k
    assert demo.tracked.solved_at is None and float(errors[-1]) > 0.05

