"""Fused SGD for MLP: whole epochs in one numba-compiled call that updates `net.flat` in place."""

from __future__ import annotations

import math
from collections.abc import Callable
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

Arr = np.ndarray  # kernels take flat float64 buffers (int64 for the plan); numba ignores the annotations

# Activation and loss codes: the kernel branches on small ints, never on strings.
SIGMOID, TANH, RELU, LINEAR, SOFTMAX = 0, 1, 2, 3, 4
_ACT = {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "linear": LINEAR}
MSE, CE, BCE = 0, 1, 2
_LOSS = {"mse": MSE, "ce": CE, "bce": BCE}
# Columns of the per-layer plan array.
W_OFF, N_IN, N_OUT, B_OFF, ACT, FROZEN, M_OFF, K_OFF = range(8)
CLAMP = 1e-12  # the reference clamps probabilities before log; below it the gradient is zero (clamp_min)
_NO_DRAWS = np.empty((0, 0), dtype=np.float64)


def _jit(inline: bool = False) -> Callable[[Callable], Callable]:
    if not _HAVE_NUMBA:  # the kernels stay plain (and unused) Python
        return lambda fn: fn
    # error_model="numpy": IEEE semantics (x/0 -> inf) like torch, and no zero checks in the loops
    opts = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")
    return numba.njit(inline="always" if inline else "never", **opts)


def available() -> bool:
    return _HAVE_NUMBA


# Inlined into each caller (numba IR level): the literal unit strides of a call site then become constants,
# ~20% faster than one shared copy, for ~1.5 s more compilation (once; cached on disk).
@_jit(inline=True)
def _gemm(
    out: Arr, o: int, og: int, A: Arr, a: int, ar: int, at: int,
    B: Arr, b: int, bg: int, bt: int, R: int, S: int, T: int,
) -> None:  # fmt: skip
    """out[o + s*og + r] = sum_{t<T} A[a + r*ar + t*at] * B[b + s*bg + t*bt] for r < R, s < S.

    Every product in the network is one of these on strided views of flat, H and G. Blocks of four sums run
    as four independent chains, hiding the add latency, while each sum still runs in plain order over t
    (fastmath off: no reassociation). A block is four s x one r when S >= 4 (an A load serves four s), else
    one s x four r; past the end of a block, indices repeat the last one and the repeats are not stored.
    """
    wide = S >= 4
    P, N = (R, S) if wide else (S, R)
    u = np.uint64  # unsigned indices: numba then skips the negative-index wraparound on every load
    for p in range(P):
        for q in range(0, N, 4):
            q1, q2, q3 = min(q + 1, N - 1), min(q + 2, N - 1), min(q + 3, N - 1)
            if wide:  # p is r, q is s
                a0 = a1 = a2 = a3 = a + p * ar
                b0, b1, b2, b3 = b + q * bg, b + q1 * bg, b + q2 * bg, b + q3 * bg
                i, st = o + q * og + p, og
            else:  # p is s, q is r
                a0, a1, a2, a3 = a + q * ar, a + q1 * ar, a + q2 * ar, a + q3 * ar
                b0 = b1 = b2 = b3 = b + p * bg
                i, st = o + p * og + q, 1
            a0, a1, a2, a3, b0, b1, b2, b3 = u(a0), u(a1), u(a2), u(a3), u(b0), u(b1), u(b2), u(b3)
            s0 = s1 = s2 = s3 = 0.0
            for t in range(u(T)):
                s0 += A[a0 + t * u(at)] * B[b0 + t * u(bt)]
                s1 += A[a1 + t * u(at)] * B[b1 + t * u(bt)]
                s2 += A[a2 + t * u(at)] * B[b2 + t * u(bt)]
                s3 += A[a3 + t * u(at)] * B[b3 + t * u(bt)]
            out[i] = s0
            if q + 1 < N:
                out[i + st] = s1
            if q + 2 < N:
                out[i + 2 * st] = s2
            if q + 3 < N:
                out[i + 3 * st] = s3


@_jit()
def _forward(flat: Arr, plan: Arr, masks: Arr, keep: Arr, H: Arr, D: Arr, nb: int, C: int, W: int) -> None:
    """Layer l's input for sample b is H[(l*C + b)*W :][:n_in]; fills every layer's output, and D.

    D (indexed like a layer's input) holds for hidden layers f'(z) * mask * keep, the factor backprop
    multiplies by, and for the output layer the activation before the mask, which the loss gradient needs.
    """
    n_layers = plan.shape[0]
    for li in range(n_layers):
        w_off, n_in, n_out, b_off = plan[li, W_OFF], plan[li, N_IN], plan[li, N_OUT], plan[li, B_OFF]
        act, m_off, k_off = plan[li, ACT], plan[li, M_OFF], plan[li, K_OFF]
        last = li == n_layers - 1
        hi, ho = li * C * W, (li + 1) * C * W
        _gemm(H, ho, W, flat, w_off, n_in, 1, H, hi, W, 1, n_out, nb, n_in)  # z = W h, bias added below
        if act == SOFTMAX:
            for b in range(nb):
                o = ho + b * W
                mx = -math.inf
                for j in range(n_out):
                    H[o + j] += flat[b_off + j]
                    mx = max(mx, H[o + j])
                tot = 0.0
                for j in range(n_out):
                    e = math.exp(H[o + j] - mx)  # max-subtraction: exp never overflows
                    H[o + j] = e
                    tot += e
                for j in range(n_out):
                    H[o + j] *= 1.0 / tot
        # Activations in a loop of their own: exp calls for different neurons are independent, so the CPU
        # overlaps them (interleaved with the dot products, their latency dominated the pass).
        for b in range(nb):
            for j in range(n_out):
                mk = masks[m_off + j] * (1.0 if last else keep[k_off + j])  # dropout spares the output layer
                z = H[ho + b * W + j]
                if act != SOFTMAX:  # softmax added its bias already
                    z += flat[b_off + j]
                if act == SIGMOID:
                    a = 1.0 / (1.0 + math.exp(-z))
                    d = a * (1.0 - a)
                elif act == TANH:
                    # from exp: half the cost of libm's tanh; absolute error < 3e-16, like torch's own rounding
                    e = math.exp(-2.0 * abs(z))
                    a = math.copysign((1.0 - e) / (1.0 + e), z)
                    d = 1.0 - a * a
                elif act == RELU:
                    a = max(z, 0.0)
                    d = 1.0 if a > 0.0 else 0.0  # torch: relu'(0) = 0
                else:  # linear, or softmax already applied
                    a, d = z, 1.0
                D[hi + b * W + j] = a if last else d * mk  # wasted when evaluating, but one compiled version
                H[ho + b * W + j] = a * mk


@_jit()
def _backward(
    flat: Arr, plan: Arr, masks: Arr, y: Arr, start: int, nb: int, H: Arr, D: Arr, G: Arr, GW: Arr,
    C: int, W: int, loss: int, scale: float, lr: float, l1: float, l2: float, lo: int,
) -> None:  # fmt: skip
    """Output deltas from the loss, then layer by layer down to `lo`, the lowest trainable layer.

    G holds two slabs of deltas laid out like H, the current layer's and the one below; GW one layer's
    weight gradients. Layer l's deltas for l-1 come from W_l before W_l is updated.
    """
    n_layers = plan.shape[0]
    top = n_layers - 1
    n_out, m_off, act = plan[top, N_OUT], plan[top, M_OFF], plan[top, ACT]
    ho, dt = n_layers * C * W, top * C * W
    for b in range(nb):
        dot = 0.0
        for j in range(n_out):
            q = b * W + j
            o, a, t, m = H[ho + q], D[dt + q], y[start + b, j], masks[m_off + j]
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
            G[q] = g
        if act == SOFTMAX:  # general softmax backward: masks and clamps break the usual p - y shortcut
            for j in range(n_out):
                G[b * W + j] = D[dt + b * W + j] * (G[b * W + j] - dot)
    gc, gp = 0, C * W
    for li in range(top, lo - 1, -1):
        w_off, n_in, n_out, b_off = plan[li, W_OFF], plan[li, N_IN], plan[li, N_OUT], plan[li, B_OFF]
        hi, dl = li * C * W, (li - 1) * C * W
        if li > lo:  # deltas of layer l-1: W^T g, times f'(z) * mask * keep
            _gemm(G, gp, W, flat, w_off, 1, n_in, G, gc, W, 1, n_in, nb, n_out)
            for b in range(nb):
                for i in range(n_in):
                    G[gp + b * W + i] *= D[dl + b * W + i]
        if plan[li, FROZEN] == 0:
            if nb > 1:  # GW[j, i] = sum_b g[b, j] h[b, i]
                _gemm(GW, 0, n_in, H, hi, 1, W, G, gc, 1, W, n_in, n_out, nb)
            else:  # one sample: an outer product, SIMD over i (blocks of one-term sums cost more)
                for j in range(n_out):
                    for i in range(n_in):
                        GW[j * n_in + i] = G[gc + j] * H[hi + i]
            # Branch-free, so it vectorises: a zero penalty adds exact zeros, as it does in torch's graph.
            # L1's subgradient is sign(w), sign(0) = 0 like torch's abs backward.
            u = np.uint64
            for k in range(u(n_in * n_out)):
                w = flat[u(w_off) + k]
                flat[u(w_off) + k] = w - lr * (GW[k] + l1 * ((w > 0.0) - (w < 0.0)) + l2 * w)
            for j in range(n_out):
                gb = 0.0
                for b in range(nb):
                    gb += G[gc + b * W + j]
                flat[b_off + j] -= lr * gb
        gc, gp = gp, gc


@_jit()
def _load(x: Arr, start: int, nb: int, H: Arr, W: int) -> None:
    for b in range(nb):
        for i in range(x.shape[1]):
            H[b * W + i] = x[start + b, i]


@_jit()
def _sse(H: Arr, y: Arr, o: int, start: int, nb: int, W: int, n_out: int) -> float:
    """Sum of squared errors of the network outputs H[o + b*W + j] against y[start + b, j]."""
    se = 0.0
    for b in range(nb):
        for j in range(n_out):
            d = H[o + b * W + j] - y[start + b, j]
            se += d * d
    return se


@_jit()
def _train(
    flat: Arr, x: Arr, y: Arr, plan: Arr, masks: Arr, draws: Arr, p: float, loss: int, mean: bool,
    lr: float, l1: float, l2: float, batch: int, errors: Arr,
) -> None:  # fmt: skip
    """len(errors) epochs of SGD over (x, y) in order, one update per `batch` rows; errors[e] = MSE after epoch e."""
    n, n_layers = x.shape[0], plan.shape[0]
    W = max(plan[:, N_IN].max(), plan[:, N_OUT].max())  # from the array, not a literal: one compiled version
    C = max(batch, min(n, 64))  # evaluation runs in chunks of C rows through the same buffers
    H = np.zeros((n_layers + 1) * C * W)  # all buffers allocated once per call, never in the loops
    D = np.zeros(n_layers * C * W)
    G = np.zeros(2 * C * W)
    GW = np.zeros(W * W)
    ones = np.ones(max(plan[n_layers - 1, M_OFF], 1))  # one keep factor per hidden neuron
    keep = ones.copy()
    lo = 0  # lowest trainable layer: backprop stops there; n_layers (all frozen): no updates at all
    while lo < n_layers and plan[lo, FROZEN]:
        lo += 1
    inv = 1.0 / (1.0 - p)
    n_out, out = plan[n_layers - 1, N_OUT], n_layers * C * W
    # Full batch without dropout: an epoch's forward pass is exactly the evaluation of the previous epoch's
    # result (same parameters, rows and keep = 1), so it doubles as that; only the last epoch evaluates apart.
    reuse = batch == n and draws.shape[0] == 0 and lo < n_layers
    u = 0
    for e in range(errors.shape[0]):
        for start in range(0, n, batch):
            nb = min(batch, n - start)
            if lo < n_layers:
                if draws.shape[0] > 0:  # inverted dropout from the shared draws: drop where draw < p
                    for k in range(draws.shape[1]):
                        keep[k] = inv if draws[u, k] >= p else 0.0
                _load(x, start, nb, H, W)
                _forward(flat, plan, masks, keep, H, D, nb, C, W)
                if reuse and e > 0:
                    errors[e - 1] = _sse(H, y, out, 0, n, W, n_out) / (n * n_out)
                scale = 1.0 / nb if mean else 1.0
                _backward(flat, plan, masks, y, start, nb, H, D, G, GW, C, W, loss, scale, lr, l1, l2, lo)
            u += 1
        if not reuse or e == errors.shape[0] - 1:
            se = 0.0
            for start in range(0, n, C):
                nb = min(C, n - start)
                _load(x, start, nb, H, W)
                _forward(flat, plan, masks, ones, H, D, nb, C, W)
                se += _sse(H, y, out, start, nb, W, n_out)
            errors[e] = se / (n * n_out)


@lru_cache(maxsize=64)
def _plan(sizes: tuple[int, ...], acts: tuple[str, ...], loss: str) -> np.ndarray:
    """The layout as an int array, one row per layer (columns W_OFF..K_OFF); frozen is filled per call."""
    plan = np.zeros((len(sizes) - 1, 8), dtype=np.int64)
    off = m_off = 0
    for li, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        act = _ACT[acts[li]]
        if li == len(sizes) - 2 and loss != "mse":
            act = SOFTMAX if loss == "ce" else SIGMOID
        # K_OFF indexes the dropout draws, which cover hidden neurons only, in the same order as M_OFF
        plan[li] = (off, n_in, n_out, off + n_in * n_out, act, 0, m_off, m_off)
        off += n_in * n_out + n_out
        m_off += n_out
    return plan


def _f64(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach(), dtype=np.float64)  # no copy when already contiguous float64


def fused_fit(
    net: MLP, x: torch.Tensor, y: torch.Tensor, epochs: int, lr: float, batch: int = 0,
    draws: torch.Tensor | None = None,
) -> torch.Tensor:  # fmt: skip
    """`MLP.torch_fit` semantics, compiled: updates net.flat in place, returns the error after each epoch."""
    if net.flat.dtype != torch.float64 or not net.flat.is_contiguous():  # the kernel is float64 only
        return net.torch_fit(x, y, epochs, lr, batch, draws)
    spec = net.spec
    n = x.shape[0]
    # the kernel does not bounds-check its loads: shapes are checked here instead
    if x.ndim != 2 or x.shape[1] != spec.sizes[0] or tuple(y.shape) != (n, spec.sizes[-1]):
        raise ValueError(f"expected x (n, {spec.sizes[0]}) and y (n, {spec.sizes[-1]}), got {x.shape}, {y.shape}")
    batch = n if batch <= 0 or batch > n else batch
    flat = net.flat.detach().numpy()  # a view: the kernel's writes are the net's new parameters
    plan = _plan(tuple(spec.sizes), tuple(spec.activations), spec.loss).copy()
    plan[:, FROZEN] = net.frozen
    masks = torch.cat(net.masks).numpy()  # a fresh copy each call: knockouts may change between calls
    d = _NO_DRAWS
    if draws is not None:
        need = epochs * -(-n // batch)
        if draws.shape[0] < need or draws.shape[1] != sum(spec.sizes[1:-1]):
            raise ValueError(f"draws must be at least ({need}, {sum(spec.sizes[1:-1])}), got {tuple(draws.shape)}")
        d = _f64(draws)
    errors = np.empty(epochs, dtype=np.float64)
    _train(
        flat, _f64(x), _f64(y), plan, masks, d, float(net.dropout), _LOSS[spec.loss], spec.reduction == "mean",
        float(lr), float(net.l1), float(net.l2), int(batch), errors,
    )  # fmt: skip
    return torch.from_numpy(errors)
