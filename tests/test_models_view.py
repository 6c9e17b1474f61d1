"""The numbers frames show (models/nn/view.py: numpy, and the compiled packed copy, models/nn/packed.py) agree
with the torch network they draw."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from models.nn import view
from models.nn.activations import ACTIVATIONS, LOSSES
from models.nn.mlp import MLP, MLPSpec
from models.nn.packed import Packed


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


def _forward_values(net: MLP, x: torch.Tensor) -> list[list[float]]:
    return [v[0].tolist() for v in net.forward(x.reshape(1, -1))]


@pytest.mark.parametrize("loss,act", list(itertools.product(LOSSES, ACTIVATIONS)))
def test_the_packed_frame_is_the_network(loss: str, act: str) -> None:
    """One compiled call makes the frame's copy of the parameters and masks and every layer's values: the
    parameters and masks bit for bit, the values as MLP.forward's, with knockouts, a frozen layer, a dropout rate
    (a frame shows the whole network) and every activation under every loss; inputs as torch or numpy rows."""
    gen = torch.Generator().manual_seed(len(loss) * 11 + len(act))
    acts = [act, "tanh" if act == "sigmoid" else "sigmoid", act]
    net = MLP.create(MLPSpec([3, 6, 4, 5], acts, loss=loss, init_scale=1.5), seed=7)
    net.masks[0][[0, 5]] = 0.0
    net.masks[1][2] = 0.0
    net.masks[2][4] = 0.0  # an output knocked out too
    net.frozen = [True, False, False]
    net.dropout = 0.5
    rows = (torch.rand(3, generator=gen, dtype=torch.float64) * 6 - 3, torch.tensor([40.0, -40.0, 0.0]).double())
    for row in rows:
        for x in (row, row.numpy()):
            p = view.packed(net, x)
            assert isinstance(p, Packed)
            want = net.drawing()
            got = {k: p[k] if k in p.plain else [a.tolist() for a in p[k]] for k in p}
            assert {k: got[k] for k in want} == want and set(got) == {*want, "values"}
            values = got["values"]
            assert values[0] == row.tolist()
            for g, w in zip(values, _forward_values(net, row), strict=True):
                assert g == pytest.approx(w, rel=1e-12, abs=1e-15)
    before = view.packed(net, row)
    net.flat.add_(1.0)
    net.masks[0][1] = 0.0
    assert before["weights"][0].tolist() != net.drawing()["weights"][0], "a frame keeps what it showed"
    assert before["alive"][0][1] == 1.0


def test_a_packed_network_without_an_input_has_no_values() -> None:
    net = MLP.create(MLPSpec([2, 3, 1], ["relu", "linear"]), seed=0)
    p = view.packed(net)
    assert isinstance(p, Packed) and "values" not in p and set(p) == set(net.drawing())
    with pytest.raises(KeyError):
        p["values"]
    assert view.drawing(net) == net.drawing()


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no GPU"))])
def test_float32_and_gpu_networks_fall_back_to_torch(device: str) -> None:
    """What the compiled copy cannot take (float32 parameters, a net on the GPU) is drawn from torch: plain
    lists, the same keys."""
    nets = [MLP.create(MLPSpec([2, 3, 2], ["sigmoid", "tanh"], dtype=torch.float32), seed=1)]
    if device != "cpu":
        nets.append(MLP.create(MLPSpec([2, 3, 2], ["sigmoid", "tanh"]), seed=1, device=device))
    for net in nets:
        net.masks[0][1] = 0.0
        x = torch.tensor([0.5, -0.5], dtype=net.flat.dtype, device=device)
        p = view.packed(net, x)
        assert isinstance(p, dict) and {k: v for k, v in p.items() if k != "values"} == net.drawing()
        assert p["values"] == _forward_values(net, x) and p["values"][1][1] == 0.0
        from_numpy = view.values(net, np.array([0.5, -0.5]))  # a numpy row, as the autoencoder passes its samples
        for g, w in zip(from_numpy, _forward_values(net, x), strict=True):
            assert g == pytest.approx(w, rel=1e-6)
