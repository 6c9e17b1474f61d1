"""The perceptron: a step output trained by Rosenblatt's rule, and the line its weights draw in the plane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numba
import numpy as np
import torch

from models.nn.layout import full_batch

if TYPE_CHECKING:
    from models.nn.mlp import MLP


def _jit(fn):  # noqa: ANN001, ANN202 - decorator
    return numba.njit(cache=True, nogil=True, error_model="numpy")(fn)


@_jit
def _rule(flat, x, t, lr, l1, l2, batch, errors):  # noqa: ANN001, ANN202
    """len(errors) epochs over (x, t) in order. flat = [w_0..w_{f-1}, bias]; t in {0, 1}; errors[e] = the share of
    points the step output gets wrong after epoch e."""
    n, f = x.shape
    g = np.zeros(f + 1)
    for e in range(errors.shape[0]):
        for start in range(0, n, batch):
            nb = min(batch, n - start)
            g[:] = 0.0
            for b in range(nb):
                z = flat[f]
                for i in range(f):
                    z += flat[i] * x[start + b, i]
                d = t[start + b] - (1.0 if z > 0.0 else 0.0)  # 0 when right, +-1 when wrong
                if d != 0.0:
                    for i in range(f):
                        g[i] += d * x[start + b, i]
                    g[f] += d
            for i in range(f):
                w = flat[i]
                flat[i] = w + lr * (g[i] / nb - l1 * np.sign(w) - l2 * w)
            flat[f] += lr * g[f] / nb
        wrong = 0.0
        for b in range(n):
            z = flat[f]
            for i in range(f):
                z += flat[i] * x[b, i]
            wrong += abs(t[b] - (1.0 if z > 0.0 else 0.0))
        errors[e] = wrong / n


def rule_torch(net: MLP, x: torch.Tensor, t: torch.Tensor, epochs: int, lr: float, batch: int) -> torch.Tensor:
    """The same rule in plain torch (any device; the reference the compiled loop is tested against)."""
    n = x.shape[0]
    batch = full_batch(batch, n)
    w, b = net.weights[0][0], net.biases[0]
    errors = torch.empty(epochs, dtype=net.spec.dtype)
    with torch.no_grad():
        for e in range(epochs):
            for start in range(0, n, batch):
                xb, tb = x[start : start + batch], t[start : start + batch]
                d = tb - (xb @ w + b > 0).to(x.dtype)  # (nb,)
                w += lr * (d @ xb / len(xb) - net.l1 * torch.sign(w) - net.l2 * w)
                b += lr * d.sum() / len(xb)
            errors[e] = (t - (x @ w + b > 0).to(x.dtype)).abs().mean()
    return errors


def rule_fit(net: MLP, x: torch.Tensor, t: torch.Tensor, epochs: int, lr: float, batch: int = 1) -> torch.Tensor:
    """Train a one-layer, one-output net with the perceptron rule: w += lr * (t - step(w.x + b)) x, averaged over
    each batch of `batch` points (1 = Rosenblatt's rule), plus L1/L2 decay. Returns the error rate per epoch."""
    assert net.spec.sizes[1:] == [1], f"the perceptron rule trains one output and no hidden layer, got {net.spec.sizes}"
    n = x.shape[0]
    batch = full_batch(batch, n)
    if net.device.type != "cpu":
        return rule_torch(net, x, t, epochs, lr, batch)
    flat = net.flat.detach().numpy()  # a view: the kernel's writes are the net's new weights
    errors = np.empty(epochs)
    xx = x.detach().to(torch.float64).contiguous().numpy()
    tt = t.detach().to(torch.float64).contiguous().numpy()
    _rule(flat, xx, tt, float(lr), float(net.l1), float(net.l2), int(batch), errors)
    return torch.from_numpy(errors)


def line(w0: float, w1: float, bias: float) -> dict[str, Any] | None:
    """The boundary W0 I0 + W1 I1 - t = 0 (t = -bias) as the slides write it: I1 = -(W0/W1) I0 + t/W1.

    `positive` names the side where the output is 1 (class A). A vertical line (W1 = 0) is I0 = t/W0; with both
    weights zero the output is the same everywhere and there is no line (None).
    """
    t = -bias
    if w0 == 0.0 and w1 == 0.0:
        return None
    out: dict[str, Any] = {"w0": w0, "w1": w1, "t": t}
    if w1 != 0.0:
        out.update(vertical=False, slope=-w0 / w1, intercept=t / w1, positive="above" if w1 > 0 else "below")
    else:
        out.update(vertical=True, x0=t / w0, positive="right" if w0 > 0 else "left")
    return out


def equation(ln: dict[str, Any]) -> str:
    """The line as the slides write it, e.g. "I1 = -0.50 I0 + 1.20"; "I0 = 2.00" when it is vertical."""
    if ln["vertical"]:
        return f"I0 = {ln['x0']:.2f}"
    sign = "-" if ln["intercept"] < 0 else "+"
    return f"I1 = {ln['slope']:.2f} I0 {sign} {abs(ln['intercept']):.2f}"
