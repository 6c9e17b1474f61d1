"""The MLP's training rule against an independent torch.nn build of the same network."""

from __future__ import annotations

import pytest
import torch

from models.nn.mlp import MLP, MLPSpec

ACT = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "linear": torch.nn.Identity}


def as_sequential(net: MLP) -> torch.nn.Sequential:
    layers: list[torch.nn.Module] = []
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        layers.append(lin)
        last = i == net.spec.n_layers - 1
        if not (last and net.spec.loss == "ce"):
            layers.append(ACT[net.spec.activations[i]]())
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "linear"])
@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_sgd_matches_torch_nn(act: str, loss: str) -> None:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(7, 4, generator=gen, dtype=torch.float64)
    y = torch.nn.functional.one_hot(torch.randint(0, 3, (7,), generator=gen), 3).double()
    spec = MLPSpec([4, 5, 3], [act, "sigmoid" if loss == "mse" else "linear"], loss=loss)
    net = MLP.create(spec, seed=3)
    ref = as_sequential(net)
    opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    for _ in range(5):
        opt.zero_grad()
        out = ref(x)
        obj = 0.5 * ((out - y) ** 2).sum() if loss == "mse" else torch.nn.functional.cross_entropy(out, y.argmax(1),
                                                                                                  reduction="sum")
        obj.backward()
        opt.step()
    net.torch_fit(x, y, epochs=5, lr=0.1)
    for i, lin in enumerate(m for m in ref if isinstance(m, torch.nn.Linear)):
        torch.testing.assert_close(net.weights[i], lin.weight.detach(), rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(net.biases[i], lin.bias.detach(), rtol=1e-10, atol=1e-12)


def test_same_seed_same_init_and_different_seed_differs() -> None:
    spec = MLPSpec([10, 3, 10], ["sigmoid", "sigmoid"], init_scale=0.3)
    a, b, c = MLP.create(spec, 5), MLP.create(spec, 5), MLP.create(spec, 6)
    assert torch.equal(a.flat, b.flat)
    assert not torch.equal(a.flat, c.flat)
    assert float(a.flat.abs().max()) <= 0.3


def test_knocked_out_neuron_has_no_influence_and_gets_no_gradient() -> None:
    spec = MLPSpec([4, 6, 2], ["sigmoid", "sigmoid"])
    net = MLP.create(spec, 0)
    net.masks[0][2] = 0.0
    x = torch.rand(5, 4, dtype=torch.float64)
    y = torch.rand(5, 2, dtype=torch.float64)
    before = net.predict(x)
    net.weights[1][:, 2] += 10.0  # its outgoing weights: must change nothing downstream
    torch.testing.assert_close(net.predict(x), before)
    grad = net.gradient(x, y)
    gw0, _ = net.views(grad)
    assert torch.all(gw0[1][:, 2] == 0), "outgoing weights of a dead neuron must get no gradient"
    assert torch.all(gw0[0][2] == 0), "incoming weights of a dead neuron must get no gradient"


def test_frozen_layer_does_not_move() -> None:
    net = MLP.create(MLPSpec([3, 4, 2], ["tanh", "sigmoid"]), 0)
    net.frozen = [True, False]
    w0, w1 = net.weights[0].clone(), net.weights[1].clone()
    net.torch_fit(torch.rand(6, 3, dtype=torch.float64), torch.rand(6, 2, dtype=torch.float64), epochs=3, lr=0.5)
    assert torch.equal(net.weights[0], w0)
    assert not torch.equal(net.weights[1], w1)


def test_xor_needs_a_hidden_layer() -> None:
    """The lecture's point about linear separability, on the four XOR corners."""
    x = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float64)
    y = torch.tensor([[0], [1], [1], [0]], dtype=torch.float64)
    flat_net = MLP.create(MLPSpec([2, 1], ["sigmoid"], loss="bce"), 0)
    flat_net.fit(x, y, epochs=3000, lr=0.5)
    hidden_net = MLP.create(MLPSpec([2, 4, 1], ["tanh", "sigmoid"], loss="bce"), 0)
    hidden_net.fit(x, y, epochs=3000, lr=0.5)
    acc = lambda net: float(((net.predict(x) > 0.5).double() == y).double().mean())  # noqa: E731
    assert acc(flat_net) <= 0.75, "a single layer cannot separate XOR"
    assert acc(hidden_net) == 1.0, "one hidden layer separates XOR"
