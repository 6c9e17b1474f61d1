"""The fused training loop's compiled code: forward, backward and the epoch loop, compiled by numba.

numba's on-disk cache keys a compiled function on its own source file only: a function inlined from another
module that changed would stay compiled as it was. The arithmetic this inlines lives in models/nn/fused_math.py,
whose SHA-256 is recorded here (a test holds it true), so an edit there is an edit here.
"""

from __future__ import annotations

import math

import numpy as np

from models.nn.activations import ACTIVATIONS, LOSSES, SOFTMAX_CODE
from models.nn.fused_math import Arr, _exp, _gemm, _jit

MATH_SHA256 = "8870b028e2b89cda7365fcc174ccb78a9e05fc0a317d754195f2f74204d30ccb"  # of models/nn/fused_math.py

# The table's codes (models/nn/activations.py), written out: numba's disk cache keys the compiled kernel on this
# file alone, so codes read from another module would stay as first compiled. Asserted against the table here and
# in tests/test_models_activations.py, which also runs every entry of the table through the kernel.
SIGMOID, TANH, RELU, LINEAR, SOFTMAX = 0, 1, 2, 3, -1
MSE, CE, BCE = 0, 1, 2
_CODES = {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "linear": LINEAR}
assert all(ACTIVATIONS[a].code == c for a, c in _CODES.items()), "activation codes differ from the table"
assert SOFTMAX == SOFTMAX_CODE, "softmax's code differs from the table"
assert (LOSSES["mse"].code, LOSSES["ce"].code, LOSSES["bce"].code) == (MSE, CE, BCE), "loss codes differ from the table"
# Columns of the per-layer plan array.
W_OFF, N_IN, N_OUT, B_OFF, ACT, FROZEN, M_OFF, K_OFF = range(8)
CLAMP = 1e-12  # the reference clamps probabilities before log; below it the gradient is zero (clamp_min)


@_jit(inline=True)
def _forward(flat: Arr, plan: Arr, masks: Arr, keep: Arr, H: Arr, D: Arr, nb: int, C: int, W: int) -> None:
    """Layer l's input for sample b is H[l*C*W + b*n_in :][:n_in] (blocks of capacity C*W, rows packed, so a
    block's nb rows are one contiguous run); fills every layer's output, and D.

    D (indexed like a layer's input) holds for hidden layers f'(z) * mask * keep, the factor backprop
    multiplies by, and for the output layer the activation before the mask, which the loss gradient needs.
    """
    n_layers = plan.shape[0]
    for li in range(n_layers):
        w_off, n_in, n_out, b_off = plan[li, W_OFF], plan[li, N_IN], plan[li, N_OUT], plan[li, B_OFF]
        act, m_off, k_off = plan[li, ACT], plan[li, M_OFF], plan[li, K_OFF]
        last = li == n_layers - 1
        hi, ho = li * C * W, (li + 1) * C * W
        _gemm(H, ho, n_out, flat, w_off, n_in, 1, H, hi, n_in, 1, n_out, nb, n_in)  # z = W h, bias added below
        u = np.uint64
        for b in range(nb):
            o, bo = u(ho + b * n_out), u(b_off)
            for j in range(u(n_out)):
                H[o + j] += flat[bo + j]
        if act == SOFTMAX:
            for b in range(nb):
                o = ho + b * n_out
                mx = -math.inf
                for j in range(n_out):
                    mx = max(mx, H[o + j])
                tot = 0.0
                for j in range(n_out):
                    e = _exp(H[o + j] - mx)  # max-subtraction: exp never overflows
                    H[o + j] = e
                    tot += e
                for j in range(n_out):
                    H[o + j] *= 1.0 / tot
        # Activations in loops of their own, one per kind, over the whole (nb, n_out) block at once, with unsigned
        # indices (numba then skips its negative-index wraparound): with the compiled exp inlined, such a loop
        # vectorises, 13x faster than libm's exp one element at a time. Masks, per neuron, in a loop apart.
        m, o, d = u(nb * n_out), u(ho), u(hi)
        if act == SIGMOID:
            for k in range(m):
                a = 1.0 / (1.0 + _exp(-H[o + k]))
                H[o + k] = a
                D[d + k] = a * (1.0 - a)
        elif act == TANH:
            for k in range(m):
                # from exp: absolute error < 3e-16, like torch's own rounding
                z = H[o + k]
                e = _exp(-2.0 * abs(z))
                a = math.copysign((1.0 - e) / (1.0 + e), z)
                H[o + k] = a
                D[d + k] = 1.0 - a * a
        elif act == RELU:
            for k in range(m):
                a = max(H[o + k], 0.0)
                H[o + k] = a
                D[d + k] = 1.0 if a > 0.0 else 0.0  # torch: relu'(0) = 0
        else:  # linear, or softmax already applied
            for k in range(m):
                D[d + k] = 1.0
        mo, ko = u(m_off), u(k_off)
        for b in range(nb):
            o, d = u(ho + b * n_out), u(hi + b * n_out)
            if last:  # D: the activation before the mask, for the loss gradient; dropout spares the output
                for j in range(u(n_out)):
                    D[d + j] = H[o + j]
                    H[o + j] *= masks[mo + j]
            else:  # D: f'(z) * mask * keep, the factor backprop multiplies by
                for j in range(u(n_out)):
                    mk = masks[mo + j] * keep[ko + j]
                    D[d + j] *= mk
                    H[o + j] *= mk


@_jit(inline=True)
def _backward(
    flat: Arr, plan: Arr, masks: Arr, y: Arr, start: int, nb: int, H: Arr, D: Arr, G: Arr, GW: Arr,
    C: int, W: int, loss: int, scale: float, lr: float, l1: float, l2: float, lo: int,
) -> None:  # fmt: skip
    """Output deltas from the loss, then layer by layer down to `lo`, the lowest trainable layer.

    G holds two slabs of deltas laid out (packed) like H, the current layer's and the one below; GW one layer's
    weight gradients. Layer l's deltas for l-1 come from W_l before W_l is updated.
    """
    n_layers = plan.shape[0]
    top = n_layers - 1
    n_out, m_off, act = plan[top, N_OUT], plan[top, M_OFF], plan[top, ACT]
    ho, dt = n_layers * C * W, top * C * W
    for b in range(nb):
        dot = 0.0
        for j in range(n_out):
            q = b * n_out + j
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
                G[b * n_out + j] = D[dt + b * n_out + j] * (G[b * n_out + j] - dot)
    gc, gp = 0, C * W
    for li in range(top, lo - 1, -1):
        w_off, n_in, n_out, b_off = plan[li, W_OFF], plan[li, N_IN], plan[li, N_OUT], plan[li, B_OFF]
        hi, dl = li * C * W, (li - 1) * C * W
        if li > lo:  # deltas of layer l-1: W^T g, times f'(z) * mask * keep
            _gemm(G, gp, n_in, flat, w_off, 1, n_in, G, gc, n_out, 1, n_in, nb, n_out)
            u = np.uint64
            for k in range(u(nb * n_in)):
                G[u(gp) + k] *= D[u(dl) + k]
        if plan[li, FROZEN] == 0:
            # Branch-free, so it vectorises. L1's subgradient is sign(w), sign(0) = 0 like torch's abs backward.
            # Without penalties the terms are left out rather than added as zeros: the same numbers (torch adds
            # exact zeros, except that 0 * inf, a diverged weight, is NaN there), for a third of the work.
            u = np.uint64
            plain = l1 == 0.0 and l2 == 0.0
            if nb > 1:  # GW[j, i] = sum_b g[b, j] h[b, i]
                _gemm(GW, 0, n_in, H, hi, 1, n_in, G, gc, 1, n_out, n_in, n_out, nb)
                if plain:
                    for k in range(u(n_in * n_out)):
                        flat[u(w_off) + k] -= lr * GW[k]
                else:
                    for k in range(u(n_in * n_out)):
                        w = flat[u(w_off) + k]
                        flat[u(w_off) + k] = w - lr * (GW[k] + l1 * ((w > 0.0) - (w < 0.0)) + l2 * w)
            else:  # one sample: the gradient is an outer product, taken as the update goes, SIMD over i
                for j in range(u(n_out)):
                    g, row = G[u(gc) + j], u(w_off) + j * u(n_in)
                    if plain:
                        for i in range(u(n_in)):
                            flat[row + i] -= lr * (g * H[u(hi) + i])
                    else:
                        for i in range(u(n_in)):
                            w = flat[row + i]
                            flat[row + i] = w - lr * (g * H[u(hi) + i] + l1 * ((w > 0.0) - (w < 0.0)) + l2 * w)
            for j in range(n_out):
                gb = 0.0
                for b in range(nb):
                    gb += G[gc + b * n_out + j]
                flat[b_off + j] -= lr * gb
        gc, gp = gp, gc


@_jit(inline=True)
def _load(x: Arr, start: int, nb: int, H: Arr) -> None:
    n_in = x.shape[1]
    for b in range(nb):
        for i in range(n_in):
            H[b * n_in + i] = x[start + b, i]


@_jit(inline=True)
def _sse(H: Arr, y: Arr, o: int, start: int, nb: int, n_out: int) -> float:
    """Sum of squared errors of the network outputs H[o + b*n_out + j] against y[start + b, j]."""
    se = 0.0
    for b in range(nb):
        for j in range(n_out):
            d = H[o + b * n_out + j] - y[start + b, j]
            se += d * d
    return se


@_jit()
def _train(
    flat: Arr, x: Arr, y: Arr, plan: Arr, masks: Arr, draws: Arr, p: float, loss: int, mean: bool,
    lr: float, l1: float, l2: float, batch: int, during: bool, errors: Arr,
) -> None:  # fmt: skip
    """len(errors) epochs of SGD over (x, y) in order, one update per `batch` rows; errors[e] = MSE after epoch e,
    or with `during` the MSE of the outputs epoch e's training pass computed (each batch's, before its update)."""
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
    during = during and lo < n_layers  # all frozen: no training pass to take the loss from
    u = 0
    for e in range(errors.shape[0]):
        seen = 0.0  # squared errors of this epoch's training pass
        for start in range(0, n, batch):
            nb = min(batch, n - start)
            if lo < n_layers:
                if draws.shape[0] > 0:  # inverted dropout from the shared draws: drop where draw < p
                    for k in range(draws.shape[1]):
                        keep[k] = inv if draws[u, k] >= p else 0.0
                _load(x, start, nb, H)
                _forward(flat, plan, masks, keep, H, D, nb, C, W)
                if during:
                    seen += _sse(H, y, out, start, nb, n_out)
                elif reuse and e > 0:
                    errors[e - 1] = _sse(H, y, out, 0, n, n_out) / (n * n_out)
                scale = 1.0 / nb if mean else 1.0
                _backward(flat, plan, masks, y, start, nb, H, D, G, GW, C, W, loss, scale, lr, l1, l2, lo)
            u += 1
        if during:
            errors[e] = seen / (n * n_out)
        elif not reuse or e == errors.shape[0] - 1:
            se = 0.0
            for start in range(0, n, C):
                nb = min(C, n - start)
                _load(x, start, nb, H)
                _forward(flat, plan, masks, ones, H, D, nb, C, W)
                se += _sse(H, y, out, start, nb, n_out)
            errors[e] = se / (n * n_out)


@_jit()
def _frame(flat: Arr, plan: Arr, masks: Arr, x: Arr, out: Arr) -> None:
    """A frame's numbers in one call (models/nn/packed.py): out = [parameters | masks | values], a copy of flat
    and masks, then every layer's output for the one input x (input first), layer l's at P + M + l*W (W the widest
    layer), by the very forward pass training runs (no dropout), from the copied parameters; the rest stays 0."""
    n_layers, p, m = plan.shape[0], flat.shape[0], masks.shape[0]
    W = max(plan[:, N_IN].max(), plan[:, N_OUT].max())
    out[:p] = flat
    out[p : p + m] = masks
    H = out[p + m :]
    if x.shape[0] == 0:  # no input: no values
        return
    H[: x.shape[0]] = x
    D = np.empty(n_layers * W)  # f'(z), which training needs and a frame does not
    keep = np.ones(max(plan[n_layers - 1, M_OFF], 1))
    _forward(out[:p], plan, out[p : p + m], keep, H, D, 1, 1, W)
