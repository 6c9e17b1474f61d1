"""The one table of activations and losses: each derivative against autograd, each numpy form against torch, and
the compiled kernel against every entry (a new activation fails here until the kernel has its branch)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.nn import fused_kernel
from models.nn.activations import ACTIVATIONS, LOSSES, SOFTMAX_CODE
from models.nn.fused import fused_fit
from models.nn.mlp import MLP, MLPSpec


def _z() -> torch.Tensor:
    z = torch.linspace(-6, 6, 101, dtype=torch.float64)
    return z[z.abs() > 1e-3]  # away from 0, where relu-like derivatives are a choice, not a limit


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_is_autograds(name: str) -> None:
    act = ACTIVATIONS[name]
    z = _z().requires_grad_(True)
    h = act.torch(z)
    (want,) = torch.autograd.grad(h.sum(), z)
    got = act.der(z.detach(), h.detach())
    assert got.dtype == torch.float64
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_numpy_form_is_the_torch_form(name: str) -> None:
    act = ACTIVATIONS[name]
    z = torch.linspace(-40, 40, 801, dtype=torch.float64)
    np.testing.assert_allclose(act.numpy(z.numpy()), act.torch(z).numpy(), rtol=1e-13, atol=1e-15)


def test_codes_are_positions_and_the_kernels() -> None:
    assert [a.code for a in ACTIVATIONS.values()] == list(range(len(ACTIVATIONS)))
    assert [x.code for x in LOSSES.values()] == list(range(len(LOSSES)))
    assert SOFTMAX_CODE == -1  # fixed: appending an activation never moves it
    k = fused_kernel
    assert set(k._CODES) == set(ACTIVATIONS), "the kernel has a branch code for every activation, no more"
    assert (k.SIGMOID, k.TANH, k.RELU, k.LINEAR, k.SOFTMAX) == (
        ACTIVATIONS["sigmoid"].code, ACTIVATIONS["tanh"].code, ACTIVATIONS["relu"].code,
        ACTIVATIONS["linear"].code, SOFTMAX_CODE,
    )  # fmt: skip
    assert (k.MSE, k.CE, k.BCE) == (LOSSES["mse"].code, LOSSES["ce"].code, LOSSES["bce"].code)


def _fit_both(spec: MLPSpec, batch: int) -> tuple[MLP, MLP, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(8, spec.sizes[0], generator=gen, dtype=torch.float64)
    y = torch.rand(8, spec.sizes[-1], generator=gen, dtype=torch.float64)
    if spec.loss == "ce":
        y = y / y.sum(dim=1, keepdim=True)
    ref, fast = MLP.create(spec, 5), MLP.create(spec, 5)
    err_ref = ref.torch_fit(x, y, 4, 0.3, batch)
    err_fast = fused_fit(fast, x, y, 4, 0.3, batch)
    return ref, fast, err_ref, err_fast


@pytest.mark.parametrize("batch", [1, 0])  # the kernel's one-sample and many-sample paths
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_kernel_has_every_activation(name: str, batch: int) -> None:
    """Hidden and output layers of `name` under mse: the kernel's epochs are the table's (via autograd)."""
    ref, fast, err_ref, err_fast = _fit_both(MLPSpec([3, 4, 4, 2], [name, name, name], init_scale=0.8), batch)
    assert not torch.equal(ref.flat, MLP.create(ref.spec, 5).flat), "training changed nothing"
    torch.testing.assert_close(fast.flat, ref.flat, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(err_fast, err_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_kernel_has_every_loss(loss: str) -> None:
    ref, fast, err_ref, err_fast = _fit_both(MLPSpec([3, 4, 3], ["tanh", "linear"], loss=loss), 2)
    torch.testing.assert_close(fast.flat, ref.flat, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(err_fast, err_ref, rtol=1e-10, atol=1e-12)
