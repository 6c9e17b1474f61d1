"""Fused SGD for MLP: whole epochs in one numba-compiled call that updates `net.flat` in place."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import torch

try:
    import numba

    _HAVE_NUMBA = True
except ImportError:  # numba is optional: MLP.fit then stays on autograd
    _HAVE_NUMBA = False

if TYPE_CHECKING:
    from models.mlp import MLP

# Activation and loss codes: the kernel branches on small ints, never on strings.
SIGMOID, TANH, RELU, LINEAR, SOFTMAX = 0, 1, 2, 3, 4
_ACT = {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "linear": LINEAR}
MSE, CE, BCE = 0, 1, 2
_LOSS = {"mse": MSE, "ce": CE, "bce": BCE}
# Columns of the per-layer plan array.
W_OFF, N_IN, N_OUT, B_OFF, ACT, FROZEN, M_OFF, K_OFF = range(8)
CLAMP = 1e-12  # the reference clamps probabilities before log; below it the gradient is zero (clamp_min)
_NO_DRAWS = np.empty((0, 0), dtype=np.float64)


def _jit(fn):  # noqa: ANN001, ANN202 - decorator
    # error_model="numpy": IEEE semantics (x/0 -> inf) like torch, and no per-division zero checks in the loops.
    if not _HAVE_NUMBA:
        return fn
    return numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")(fn)


def available() -> bool:
    return _HAVE_NUMBA


@_jit
def _step(flat, k, g, lr, l1, l2):  # noqa: ANN001, ANN202
    """One SGD step on weight k with data gradient g plus the penalties' gradients."""
    w = flat[k]
    if l1 != 0.0:
        g += l1 * np.sign(w)  # subgradient, sign(0) = 0 like torch's abs backward
    if l2 != 0.0:
        g += l2 * w
    flat[k] = w - lr * g


@_jit
def _forward(flat, plan, masks, keep, H, D, nb, train):  # noqa: ANN001, ANN202
    """H[0, :nb] holds the input batch (sample, feature); fills H[l+1] with layer l's output and, if training, D.

    D[l] holds, for hidden layers, f'(z) * mask * keep (the factor backprop multiplies by), and for the
    output layer the activation before the mask (the loss gradient needs it).
    """
    n_layers = plan.shape[0]
    for l in range(n_layers):
        w_off, n_in, n_out, b_off = plan[l, W_OFF], plan[l, N_IN], plan[l, N_OUT], plan[l, B_OFF]
        act, m_off, k_off = plan[l, ACT], plan[l, M_OFF], plan[l, K_OFF]
        last = l == n_layers - 1
        for b in range(nb):
            # Four neurons at a time: four independent sums hide the add latency, while each sum still runs
            # in plain order over i (fastmath stays off). Past the end, indices repeat the last neuron.
            for j in range(0, n_out, 4):
                r0 = w_off + j * n_in
                r1 = w_off + min(j + 1, n_out - 1) * n_in
                r2 = w_off + min(j + 2, n_out - 1) * n_in
                r3 = w_off + min(j + 3, n_out - 1) * n_in
                a0 = a1 = a2 = a3 = 0.0
                for i in range(n_in):
                    h = H[l, b, i]
                    a0 += flat[r0 + i] * h
                    a1 += flat[r1 + i] * h
                    a2 += flat[r2 + i] * h
                    a3 += flat[r3 + i] * h
                H[l + 1, b, j] = a0 + flat[b_off + j]
                if j + 1 < n_out:
                    H[l + 1, b, j + 1] = a1 + flat[b_off + j + 1]
                if j + 2 < n_out:
                    H[l + 1, b, j + 2] = a2 + flat[b_off + j + 2]
                if j + 3 < n_out:
                    H[l + 1, b, j + 3] = a3 + flat[b_off + j + 3]
        # Activation, mask, dropout and D in one tight loop per kind: exp calls for different neurons are
        # independent, so the CPU overlaps them (interleaved with the dot products, their latency dominated).
        if act == SOFTMAX:
            for b in range(nb):
                mx = H[l + 1, b, 0]
                for j in range(1, n_out):
                    mx = max(mx, H[l + 1, b, j])
                s = 0.0
                for j in range(n_out):
                    e = np.exp(H[l + 1, b, j] - mx)  # max-subtraction: exp never overflows
                    H[l + 1, b, j] = e
                    s += e
                r = 1.0 / s
                for j in range(n_out):
                    H[l + 1, b, j] *= r
        for b in range(nb):
            for j in range(n_out):
                mk = masks[m_off + j] * (1.0 if last else keep[k_off + j])  # dropout spares the output layer
                z = H[l + 1, b, j]
                if act == SIGMOID:
                    a = 1.0 / (1.0 + np.exp(-z))
                    d = a * (1.0 - a)
                elif act == TANH:
                    # from expm1 rather than libm's tanh: half the cost, still accurate near 0 (no 1 - e)
                    e = np.expm1(-2.0 * abs(z))
                    a = np.copysign(-e / (2.0 + e), z)
                    d = 1.0 - a * a
                elif act == RELU:
                    a = max(z, 0.0)
                    d = 1.0 if a > 0.0 else 0.0  # torch: relu'(0) = 0
                else:  # linear, or softmax already applied
                    a = z
                    d = 1.0
                if train:
                    D[l, b, j] = a if last else d * mk
                H[l + 1, b, j] = a * mk


@_jit
def _backward(flat, plan, masks, y, start, nb, H, D, G, loss, scale, lr, l1, l2, lo):  # noqa: ANN001, ANN202
    """Output delta from the loss, then layer by layer down to `lo` (the lowest trainable layer).

    Layer l's delta for l-1 is computed from W_l before W_l is updated, so no gradient buffer is needed.
    """
    n_layers = plan.shape[0]
    top = n_layers - 1
    n_out, m_off, act = plan[top, N_OUT], plan[top, M_OFF], plan[top, ACT]
    c = 0  # G[c] holds the current layer's delta, G[1 - c] receives the one below
    for b in range(nb):
        dot = 0.0
        for j in range(n_out):
            o, a, t, m = H[n_layers, b, j], D[top, b, j], y[start + b, j], masks[m_off + j]
            if loss == MSE:
                g = o - t
            else:  # d/do of -t log(clamp(o)) [- (1-t) log(clamp(1-o))]; zero where clamped, like clamp_min
                g = 0.0
                if o >= CLAMP:
                    g -= t / o
                if loss == BCE and 1.0 - o >= CLAMP:
                    g += (1.0 - t) / (1.0 - o)
            g = g * scale * m  # gradient w.r.t. the activation before the mask
            if act == SIGMOID:
                g = g * (1.0 - a) * a
            elif act == TANH:
                g = g * (1.0 - a * a)
            elif act == RELU:
                g = g if a > 0.0 else 0.0
            dot += g * a
            G[c, b, j] = g
        if act == SOFTMAX:  # general softmax backward: masks and clamps break the usual p - y shortcut
            for j in range(n_out):
                G[c, b, j] = D[top, b, j] * (G[c, b, j] - dot)
    for l in range(top, lo - 1, -1):
        w_off, n_in, n_out, b_off = plan[l, W_OFF], plan[l, N_IN], plan[l, N_OUT], plan[l, B_OFF]
        if l > lo:  # delta of layer l-1; same four-at-a-time scheme as the forward pass
            for b in range(nb):
                for i in range(0, n_in, 4):
                    i1, i2, i3 = min(i + 1, n_in - 1), min(i + 2, n_in - 1), min(i + 3, n_in - 1)
                    a0 = a1 = a2 = a3 = 0.0
                    for j in range(n_out):
                        d, r = G[c, b, j], w_off + j * n_in
                        a0 += flat[r + i] * d
                        a1 += flat[r + i1] * d
                        a2 += flat[r + i2] * d
                        a3 += flat[r + i3] * d
                    G[1 - c, b, i] = a0 * D[l - 1, b, i]
                    if i + 1 < n_in:
                        G[1 - c, b, i1] = a1 * D[l - 1, b, i1]
                    if i + 2 < n_in:
                        G[1 - c, b, i2] = a2 * D[l - 1, b, i2]
                    if i + 3 < n_in:
                        G[1 - c, b, i3] = a3 * D[l - 1, b, i3]
        if plan[l, FROZEN] == 0:
            for j in range(n_out):
                row = w_off + j * n_in
                for i in range(0, n_in, 4):
                    i1, i2, i3 = min(i + 1, n_in - 1), min(i + 2, n_in - 1), min(i + 3, n_in - 1)
                    g0 = g1 = g2 = g3 = 0.0
                    for b in range(nb):
                        d = G[c, b, j]
                        g0 += d * H[l, b, i]
                        g1 += d * H[l, b, i1]
                        g2 += d * H[l, b, i2]
                        g3 += d * H[l, b, i3]
                    _step(flat, row + i, g0, lr, l1, l2)
                    if i + 1 < n_in:
                        _step(flat, row + i1, g1, lr, l1, l2)
                    if i + 2 < n_in:
                        _step(flat, row + i2, g2, lr, l1, l2)
                    if i + 3 < n_in:
                        _step(flat, row + i3, g3, lr, l1, l2)
                gb = 0.0
                for b in range(nb):
                    gb += G[c, b, j]
                flat[b_off + j] -= lr * gb
        c = 1 - c


@_jit
def _load(x, start, nb, H):  # noqa: ANN001, ANN202
    for b in range(nb):
        for i in range(x.shape[1]):
            H[0, b, i] = x[start + b, i]


@_jit
def _train(flat, x, y, plan, masks, draws, p, loss, mean, lr, l1, l2, batch, errors):  # noqa: ANN001, ANN202
    """len(errors) epochs of SGD over (x, y) in order, one update per `batch` rows; errors[e] = MSE after epoch e."""
    n, n_layers = x.shape[0], plan.shape[0]
    maxw = 1
    for l in range(n_layers):
        maxw = max(maxw, plan[l, N_IN], plan[l, N_OUT])
    cols = max(batch, min(n, 64))  # evaluation runs in chunks of `cols` rows through the same buffers
    H = np.empty((n_layers + 1, cols, maxw))  # (sample, feature) per layer
    D = np.empty((n_layers, cols, maxw))
    G = np.empty((2, cols, maxw))  # deltas of two adjacent layers
    ones = np.ones(max(masks.shape[0], draws.shape[1], 1))  # read for every neuron, with or without dropout
    keep = ones.copy()
    lo = n_layers  # lowest trainable layer: backprop stops there; none trainable -> no updates at all
    for l in range(n_layers - 1, -1, -1):
        if plan[l, FROZEN] == 0:
            lo = l
    inv = 1.0 / (1.0 - p)
    n_out = plan[n_layers - 1, N_OUT]
    u = 0
    for e in range(errors.shape[0]):
        for start in range(0, n, batch):
            nb = min(batch, n - start)
            if lo < n_layers:
                if draws.shape[0] > 0:  # inverted dropout from the shared draws: drop where draw < p
                    for k in range(draws.shape[1]):
                        keep[k] = inv if draws[u, k] >= p else 0.0
                _load(x, start, nb, H)
                _forward(flat, plan, masks, keep, H, D, nb, True)
                scale = 1.0 / nb if mean else 1.0
                _backward(flat, plan, masks, y, start, nb, H, D, G, loss, scale, lr, l1, l2, lo)
            u += 1
        se = 0.0
        for start in range(0, n, cols):
            nb = min(cols, n - start)
            _load(x, start, nb, H)
            _forward(flat, plan, masks, ones, H, D, nb, False)
            for j in range(n_out):
                for b in range(nb):
                    d = H[n_layers, b, j] - y[start + b, j]
                    se += d * d
        errors[e] = se / (n * n_out)


@lru_cache(maxsize=64)
def _plan(sizes: tuple[int, ...], acts: tuple[str, ...], loss: str) -> np.ndarray:
    """The layout as an int array, one row per layer (columns W_OFF..K_OFF); frozen is filled per call."""
    plan = np.zeros((len(sizes) - 1, 8), dtype=np.int64)
    off = m_off = 0
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        act = _ACT[acts[l]]
        if l == len(sizes) - 2 and loss != "mse":
            act = SOFTMAX if loss == "ce" else SIGMOID
        # K_OFF indexes the dropout draws, which cover hidden neurons only, in the same order as M_OFF
        plan[l] = (off, n_in, n_out, off + n_in * n_out, act, 0, m_off, m_off)
        off += n_in * n_out + n_out
        m_off += n_out
    return plan


def _f64(t: torch.Tensor) -> np.ndarray:
    # no copy when the tensor is already contiguous float64 on the CPU
    return t.detach().to(device="cpu", dtype=torch.float64).contiguous().numpy()


def fused_fit(
    net: MLP, x: torch.Tensor, y: torch.Tensor, epochs: int, lr: float, batch: int = 0, draws: torch.Tensor | None = None
) -> torch.Tensor:
    """`MLP.torch_fit` semantics, compiled: updates net.flat in place, returns the error after each epoch."""
    spec = net.spec
    n = x.shape[0]
    batch = n if batch <= 0 or batch > n else batch
    flat = net.flat.detach().numpy()  # a view: the kernel's writes are the net's new parameters
    assert flat.flags.c_contiguous, "net.flat must be contiguous to be updated in place"
    plan = _plan(tuple(spec.sizes), tuple(spec.activations), spec.loss).copy()
    plan[:, FROZEN] = net.frozen
    masks = np.concatenate([m.detach().numpy() for m in net.masks]).astype(np.float64, copy=False)
    yy = _f64(y).reshape(n, spec.sizes[-1])
    d = _NO_DRAWS
    if draws is not None:
        need = epochs * -(-n // batch)
        if draws.shape[0] < need or draws.shape[1] != sum(spec.sizes[1:-1]):
            raise ValueError(f"draws must be at least ({need}, {sum(spec.sizes[1:-1])}), got {tuple(draws.shape)}")
        d = _f64(draws)
    errors = np.empty(epochs, dtype=np.float64)
    _train(
        flat, _f64(x), yy, plan, masks, d, float(net.dropout), _LOSS[spec.loss], spec.reduction == "mean",
        float(lr), float(net.l1), float(net.l2), int(batch), errors,
    )  # fmt: skip
    return torch.from_numpy(errors).to(spec.dtype)
