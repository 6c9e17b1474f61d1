"""The numpy views used for frames agree with the torch network they draw."""

from __future__ import annotations

import itertools

import pytest
import torch

from models.nn import view
from models.nn.activations import ACTIVATIONS, LOSSES
from models.nn.mlp import MLP, MLPSpec


@pytest.mark.parametrize("loss,act", list(itertools.product(LOSSES, ACTIVATIONS)))
def test_views_match_the_torch_forward(loss: str, act: str) -> None:
    gen = torch.Generator().manual_seed(len(loss) * 7 + len(act))
    spec = MLPSpec([4, 5, 3, 2], [act, act, act], loss=loss, init_scale=2.0)
    net = MLP.create(spec, seed=3)
    net.masks[0][1] = 0.0  # a knocked-out neuron
    x = torch.rand((7, 4), generator=gen, dtype=torch.float64) * 4 - 2
    y = torch.rand((7, 2), generator=gen, dtype=torch.float64)
    torch.testing.assert_close(torch.from_numpy(view.predict(net, x)), net.predict(x), rtol=1e-12, atol=1e-12)
    assert view.error(net, x, y) == pytest.approx(net.error(x, y), rel=1e-12, abs=1e-15)
    for row in range(3):
        want = [v[0].tolist() for v in net.forward(x[row].reshape(1, -1))]
        got = view.values(net, x[row])
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert g == pytest.approx(w, rel=1e-12, abs=1e-15)
    assert view.drawing(net) == net.drawing(), "the drawn weights are the network's, exactly"


def test_a_huge_preactivation_stays_finite() -> None:
    net = MLP.create(MLPSpec([1, 1], ["sigmoid"]), seed=0)
    net.flat.copy_(torch.tensor([1e6, 0.0], dtype=torch.float64))
    assert view.values(net, torch.tensor([-1.0], dtype=torch.float64))[1] == [0.0]
    assert view.values(net, torch.tensor([1.0], dtype=torch.float64))[1] == [1.0]


def test_float32_networks_fall_back_to_torch() -> None:
    net = MLP.create(MLPSpec([2, 2], ["tanh"], dtype=torch.float32), seed=1)
    x = torch.tensor([0.5, -0.5], dtype=torch.float32)
    assert view.values(net, x)[1] == pytest.approx(net.forward(x.reshape(1, -1))[1][0].tolist())
