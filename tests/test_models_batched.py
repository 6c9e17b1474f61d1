"""The batched multi-session trainer against each network trained alone on torch autograd."""

from __future__ import annotations

import pytest
import torch

from models.nn.batched import BatchedMLP
from models.nn.mlp import MLP, MLPSpec


def make(spec: MLPSpec, b: int, seed: int) -> list[MLP]:
    nets = [MLP.create(spec, seed + i) for i in range(b)]
    g = torch.Generator().manual_seed(seed)
    for net in nets:  # different knockouts and penalties per session
        for m in net.masks[:-1]:
            m.copy_((torch.rand(m.shape, generator=g) > 0.25).double())
        net.l1 = float(torch.rand(1, generator=g)) * 0.01
        net.l2 = float(torch.rand(1, generator=g)) * 0.01
    return nets


CASES = [
    MLPSpec([3, 5, 2], ["sigmoid", "sigmoid"]),
    MLPSpec([4, 6, 4, 3], ["tanh", "relu", "linear"], loss="ce", reduction="mean"),
    MLPSpec([2, 4, 1], ["relu", "sigmoid"], loss="bce"),
    MLPSpec([10, 3, 10], ["sigmoid", "sigmoid"], init_scale=0.3),
    MLPSpec([5, 7, 7, 2], ["linear", "tanh", "tanh"], reduction="mean"),
]


@pytest.mark.parametrize("spec", CASES, ids=[f"{c.sizes}-{c.loss}-{c.reduction}" for c in CASES])
@pytest.mark.parametrize("batch", [0, 1, 3])
@pytest.mark.parametrize("errors", ["after", "during"])
def test_batched_epochs_match_autograd_per_network(spec: MLPSpec, batch: int, errors: str) -> None:
    b, n = 4, 7
    g = torch.Generator().manual_seed(11)
    x = torch.randn(b, n, spec.sizes[0], generator=g, dtype=torch.float64)
    if spec.loss == "ce":
        y = torch.nn.functional.one_hot(torch.randint(0, spec.sizes[-1], (b, n), generator=g), spec.sizes[-1]).double()
    else:
        y = torch.rand(b, n, spec.sizes[-1], generator=g, dtype=torch.float64)
    lr = torch.tensor([0.05, 0.1, 0.2, 0.3], dtype=torch.float64)
    alone = make(spec, b, 5)
    together = make(spec, b, 5)
    for net in alone + together:
        net.frozen = [i == 0 and len(spec.sizes) > 3 for i in range(spec.n_layers)]
    batched = BatchedMLP(together)
    for epoch in range(4):
        errs = batched.fit(x, y, 1, lr, batch, during=errors == "during")
        for i, net in enumerate(alone):
            ref = net.torch_fit(x[i], y[i], 1, float(lr[i]), batch, errors=errors)
            torch.testing.assert_close(batched.flat[i], net.flat, rtol=1e-10, atol=1e-12,
                                       msg=f"network {i} differs after epoch {epoch + 1}")
            torch.testing.assert_close(errs[i], ref, rtol=1e-10, atol=1e-12)
    batched.scatter()
    for a, t in zip(alone, together, strict=True):
        torch.testing.assert_close(a.flat, t.flat, rtol=1e-10, atol=1e-12)


def test_batch_refuses_mixed_shapes_and_dropout() -> None:
    a = MLP.create(MLPSpec([2, 3, 1], ["tanh", "sigmoid"]), 0)
    b = MLP.create(MLPSpec([2, 4, 1], ["tanh", "sigmoid"]), 0)
    with pytest.raises(AssertionError, match="same spec"):
        BatchedMLP([a, b])
    a2 = MLP.create(a.spec, 1)
    a2.dropout = 0.5
    with pytest.raises(AssertionError, match="dropout"):
        BatchedMLP([a, a2])
