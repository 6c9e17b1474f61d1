"""The numba fused training loop against the autograd reference (MLP.torch_fit), epoch by epoch."""

from __future__ import annotations

import random

import pytest
import torch

from models.nn import fused, npview
from models.nn.activations import ACTIVATIONS, LOSSES
from models.nn.mlp import MLP, MLPSpec

# float64 throughout: the two paths differ only in summation order and libm rounding (~1e-16)
RTOL, ATOL = 1e-10, 1e-12
EPOCHS = 3
N_CASES = 120


def _twins(spec: MLPSpec, seed: int, rng: random.Random) -> tuple[MLP, MLP]:
    """Two identical networks with random knockouts, frozen layers, dropout and penalties."""
    ref = MLP.create(spec, seed)
    for m in ref.masks:
        m.copy_(torch.tensor([0.0 if rng.random() < 0.2 else 1.0 for _ in range(m.numel())], dtype=m.dtype))
    ref.frozen = [rng.random() < 0.25 for _ in range(spec.n_layers)]
    ref.dropout = rng.choice((0.0, 0.0, 0.2, 0.5))
    ref.l1 = rng.choice((0.0, 1e-3))
    ref.l2 = rng.choice((0.0, 1e-2))
    fast = MLP.create(spec, seed)
    fast.load(ref.state())
    return ref, fast


def _data(spec: MLPSpec, n: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(n, spec.sizes[0], generator=gen, dtype=torch.float64)
    n_out = spec.sizes[-1]
    if spec.loss == "ce":  # one-hot targets
        y = torch.eye(n_out, dtype=torch.float64)[torch.randint(0, n_out, (n,), generator=gen)]
    elif spec.loss == "bce":  # probabilities, not only 0/1, so both log terms matter
        y = torch.rand(n, n_out, generator=gen, dtype=torch.float64)
    else:
        y = torch.randn(n, n_out, generator=gen, dtype=torch.float64)
    return x, y


def _random_case(seed: int) -> tuple[MLP, MLP, torch.Tensor, torch.Tensor, float, int]:
    rng = random.Random(seed)
    depth = rng.randint(1, 4)
    spec = MLPSpec(
        sizes=[rng.randint(1, 8) for _ in range(depth + 1)],
        activations=[rng.choice(list(ACTIVATIONS)) for _ in range(depth)],
        loss=rng.choice(list(LOSSES)),
        reduction=rng.choice(("sum", "mean")),
        init_scale=rng.choice((0.0, 0.5, 1.0)),
    )
    ref, fast = _twins(spec, seed, rng)
    n = rng.randint(1, 12)
    x, y = _data(spec, n, torch.Generator().manual_seed(seed))
    batch = rng.randint(0, n + 2)  # 0 and > n mean full batch; most sizes do not divide n
    return ref, fast, x, y, rng.uniform(0.05, 0.3), batch


def _close(a: torch.Tensor, b: torch.Tensor, what: str) -> None:
    torch.testing.assert_close(a, b, rtol=RTOL, atol=ATOL, msg=lambda m: f"{what}: {m}")


@pytest.mark.parametrize("seed", range(N_CASES))
def test_fused_matches_torch_epoch_by_epoch(seed: int) -> None:
    ref, fast, x, y, lr, batch = _random_case(seed)
    upe = ref.updates_per_epoch(x.shape[0], batch)
    draws = ref.draw_keep(EPOCHS * upe, torch.Generator().manual_seed(seed))
    for e in range(EPOCHS):
        d = None if draws is None else draws[e * upe : (e + 1) * upe]
        err_ref = ref.torch_fit(x, y, 1, lr, batch, d)
        err_fast = fused.fused_fit(fast, x, y, 1, lr, batch, d)
        _close(fast.flat, ref.flat, f"flat after epoch {e} ({ref.spec}, batch={batch})")
        _close(err_fast, err_ref, f"error after epoch {e}")


@pytest.mark.parametrize("seed", range(0, N_CASES, 16))
@pytest.mark.parametrize("dropout, full_batch", [(0.3, False), (0.0, True)])
def test_several_epochs_in_one_call(seed: int, dropout: float, full_batch: bool) -> None:
    """One call of K epochs walks the draws row by row across epochs, as torch_fit does; without dropout on
    full batches, the kernel takes each epoch's error from the next epoch's forward pass."""
    ref, fast, x, y, lr, batch = _random_case(seed)
    ref.dropout = fast.dropout = dropout
    batch = 0 if full_batch else batch
    draws = ref.draw_keep(4 * ref.updates_per_epoch(x.shape[0], batch), torch.Generator().manual_seed(seed))
    err_ref = ref.torch_fit(x, y, 4, lr, batch, draws)
    err_fast = fused.fused_fit(fast, x, y, 4, lr, batch, draws)
    _close(fast.flat, ref.flat, "flat after 4 epochs")
    _close(err_fast, err_ref, "errors")
    assert err_fast.shape == (4,) and err_fast.dtype == torch.float64


def test_knocked_out_and_frozen_parameters_stay_put() -> None:
    spec = MLPSpec([4, 6, 5, 4, 3], ["tanh", "relu", "sigmoid", "linear"], loss="mse", init_scale=0.5)
    net = MLP.create(spec, 7)
    net.masks[0][[1, 4]] = 0.0  # two neurons of the first hidden layer knocked out
    net.masks[1][2] = 0.0  # and one of the second
    net.frozen = [False, False, True, False]
    net.dropout = 0.25  # no L1/L2 here: penalties do move dead neurons' weights, in torch_fit as well
    w0, b0 = [w.clone() for w in net.weights], [b.clone() for b in net.biases]
    gen = torch.Generator().manual_seed(1)
    x, y = torch.randn(20, 4, generator=gen, dtype=torch.float64), torch.rand(20, 3, generator=gen, dtype=torch.float64)
    fused.fused_fit(net, x, y, 5, 0.5, 6, net.draw_keep(5 * 4, gen))
    w, b = net.weights, net.biases
    for j in (1, 4):  # a dead neuron's incoming weights and bias, and its outgoing weights
        assert torch.equal(w[0][j], w0[0][j]) and b[0][j] == b0[0][j]
        assert torch.equal(w[1][:, j], w0[1][:, j])
    assert torch.equal(w[1][2], w0[1][2]) and b[1][2] == b0[1][2]
    assert torch.equal(w[2], w0[2]) and torch.equal(b[2], b0[2])  # the frozen layer
    for layer, alive in ((0, [0, 2, 3, 5]), (1, [0, 1, 3, 4]), (3, [0, 1, 2])):
        assert not torch.equal(w[layer][alive], w0[layer][alive]), f"layer {layer} should have learnt"


def test_random_cases_cover_every_knob() -> None:
    """The random configurations above do exercise every activation, loss, reduction and knob."""
    seen: set[object] = set()
    for seed in range(N_CASES):
        ref, _, x, _, _, batch = _random_case(seed)
        s, n = ref.spec, x.shape[0]
        seen |= {("act", a) for a in s.activations} | {("loss", s.loss), ("red", s.reduction), ("depth", s.n_layers)}
        seen |= {("dropout", ref.dropout > 0), ("l1", ref.l1 > 0), ("l2", ref.l2 > 0), ("frozen", any(ref.frozen))}
        seen.add(("knockout", any(bool((m == 0).any()) for m in ref.masks)))
        seen.add(("ragged", bool(0 < batch < n and n % batch)))  # a last minibatch smaller than the others
    want = {("act", a) for a in ACTIVATIONS} | {("loss", lo) for lo in LOSSES} | {("red", "sum"), ("red", "mean")}
    want |= {("depth", d) for d in (1, 2, 3, 4)}
    want |= {(k, True) for k in ("dropout", "l1", "l2", "frozen", "knockout")} | {("ragged", True)}
    assert want <= seen, want - seen


def test_updates_flat_in_place_and_fit_dispatches() -> None:
    spec = MLPSpec([2, 3, 1], ["tanh", "sigmoid"], loss="bce", reduction="mean")
    a, b = MLP.create(spec, 3), MLP.create(spec, 3)
    x, y = torch.randn(9, 2, dtype=torch.float64), torch.randint(0, 2, (9, 1)).to(torch.float64)
    ptr, view = a.flat.data_ptr(), a.weights[0]
    err_a = a.fit(x, y, 6, 0.2, 4)  # MLP.fit takes the fused path on the CPU
    err_b = b.torch_fit(x, y, 6, 0.2, 4)
    assert a.flat.data_ptr() == ptr and view.data_ptr() == a.weights[0].data_ptr()
    _close(a.flat, b.flat, "fit vs torch_fit")
    _close(err_a, err_b, "errors")


def test_changes_between_calls_reach_the_kernel() -> None:
    """The kernel's numpy views are remembered between calls (models/nn/npview.py): a knockout made in place, data
    changed in place, a new data tensor, a new mask list and new parameters must all reach the next call, as they
    reach the autograd reference."""
    spec = MLPSpec([3, 4, 2], ["sigmoid", "sigmoid"])
    a, b = MLP.create(spec, 5), MLP.create(spec, 5)
    gen = torch.Generator().manual_seed(5)
    x, y = _data(spec, 6, gen)
    steps = [
        lambda n, x, y: (n.masks[0].__setitem__(1, 0.0), x, y)[1:],  # a knockout, in place
        lambda n, x, y: (x.mul_(0.5), x, y)[1:],  # the data, in place
        lambda n, x, y: (x + 1.0, y),  # another data tensor
        lambda n, x, y: (setattr(n, "masks", [m.clone() for m in n.masks]), n.masks[1].__setitem__(0, 0.0), x, y)[2:],
        lambda n, x, y: (n.load(MLP.create(spec, 9).state()), x, y)[1:],  # new parameters, copied in place
    ]
    xa, ya, xb, yb = x, y, x.clone(), y.clone()
    for i, step in enumerate(steps):
        _close(a.fit(xa, ya, 2, 0.3), b.torch_fit(xb, yb, 2, 0.3), f"errors before change {i}")
        xa, ya = step(a, xa, ya)
        xb, yb = step(b, xb, yb)
    _close(a.fit(xa, ya, 2, 0.3), b.torch_fit(xb, yb, 2, 0.3), "errors after the last change")
    _close(a.flat, b.flat, "parameters")
    # the remembered views die with their tensors: fifty data tensors trained on and dropped leave none behind
    held = len(npview._views)
    for k in range(50):
        a.fit(xa + k, ya, 1, 0.3)
    assert len(npview._views) <= held


def test_too_few_draws_is_an_error() -> None:
    net = MLP.create(MLPSpec([2, 3, 1], ["tanh", "linear"]), 0)
    net.dropout = 0.5
    x, y = torch.randn(4, 2, dtype=torch.float64), torch.randn(4, 1, dtype=torch.float64)
    with pytest.raises(ValueError, match="draws"):
        fused.fused_fit(net, x, y, 3, 0.1, 2, net.draw_keep(5, torch.Generator().manual_seed(0)))


def test_float32_nets_take_the_reference_path() -> None:
    spec = MLPSpec([3, 4, 2], ["relu", "linear"], dtype=torch.float32)
    a, b = MLP.create(spec, 5), MLP.create(spec, 5)
    x, y = torch.randn(6, 3), torch.randn(6, 2)
    err_a = fused.fused_fit(a, x, y, 2, 0.1, 4)
    err_b = b.torch_fit(x, y, 2, 0.1, 4)
    assert torch.equal(a.flat, b.flat) and torch.equal(err_a, err_b)


@pytest.mark.parametrize("seed", range(0, N_CASES, 4))
def test_the_training_pass_loss_matches_torch(seed: int) -> None:
    """errors="during": the loss of the outputs each epoch's training pass computed (each batch's before its
    update, with dropout's masks), against the reference computing the same from autograd's forward passes."""
    ref, fast, x, y, lr, batch = _random_case(seed)
    draws = ref.draw_keep(3 * ref.updates_per_epoch(x.shape[0], batch), torch.Generator().manual_seed(seed))
    err_ref = ref.torch_fit(x, y, 3, lr, batch, draws, errors="during")
    err_fast = fused.fused_fit(fast, x, y, 3, lr, batch, draws, errors="during")
    _close(fast.flat, ref.flat, "flat after 3 epochs")
    _close(err_fast, err_ref, "training-pass errors")


def test_on_full_batches_the_training_pass_loss_is_the_previous_epochs_error() -> None:
    spec = MLPSpec([4, 5, 3], ["sigmoid", "sigmoid"], init_scale=0.5)
    a, b = MLP.create(spec, 2), MLP.create(spec, 2)
    gen = torch.Generator().manual_seed(2)
    x, y = torch.randn(6, 4, generator=gen, dtype=torch.float64), torch.rand(6, 3, generator=gen, dtype=torch.float64)
    first = a.error(x, y)
    during = a.fit(x, y, 5, 0.5, errors="during")
    after = b.fit(x, y, 5, 0.5)
    assert during[0] == pytest.approx(first, rel=1e-12)
    _close(during[1:], after[:-1], "during, one epoch later")
    assert bool((during[1:] > after[1:]).all()), "on a falling curve the loss during an epoch is above the one after"


def test_the_compiled_exp_is_within_an_ulp_of_libm() -> None:
    import math

    from models.nn.fused_kernel import _exp

    gen = torch.Generator().manual_seed(0)
    xs = torch.cat([torch.rand(3000, generator=gen, dtype=torch.float64) * 1417.7 - 708.0,
                    torch.randn(3000, generator=gen, dtype=torch.float64) * 4]).tolist()
    xs += [0.0, -0.0, 1e-300, 0.5 * math.log(2), -0.5 * math.log(2), 709.78, -707.99]
    for v in xs:
        assert abs(_exp(v) - math.exp(v)) <= math.ulp(math.exp(v)), v
    assert _exp(709.8) == math.inf and _exp(math.inf) == math.inf and _exp(-math.inf) == 0.0
    assert _exp(-709.0) == 0.0 and math.isnan(_exp(math.nan))  # below -708: 0, not a subnormal under 3e-308


def test_the_kernel_records_the_math_it_inlines() -> None:
    """numba's disk cache keys the kernel on fused_kernel.py alone: the hash of fused_math.py (compiled into it)
    recorded there makes an edit of the math an edit of the kernel, so a stale compiled kernel is never loaded."""
    import hashlib
    from pathlib import Path

    from models.nn import fused_kernel, fused_math

    got = hashlib.sha256(Path(fused_math.__file__).read_bytes()).hexdigest()
    assert fused_kernel.MATH_SHA256 == got, f"fused_math.py changed: set MATH_SHA256 in fused_kernel.py to {got!r}"
