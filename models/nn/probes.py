"""Looking inside a trained network: the input that stimulates a neuron most."""

from __future__ import annotations

import itertools

import torch

from models.nn.mlp import MLP


def all_binary_inputs(n: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Every pattern in {0, 1}^n, (2^n, n); 1024 rows for the 10-level shadow."""
    assert n <= 16, f"brute force over 2^{n} patterns is too many"
    return torch.tensor(list(itertools.product((0.0, 1.0), repeat=n)), dtype=dtype)


@torch.no_grad()
def max_stimulus(net: MLP, layer: int, unit: int) -> tuple[list[float], float, str]:
    """The input in [0, 1]^n that drives neuron `unit` of layer `layer` (1 = first hidden) highest.

    A first-layer unit is a monotone function of w.x + b, so the box's best corner is exact: input i is on
    exactly where w_i > 0. Deeper units are not monotone in the input; there we search every binary pattern.
    Returns (pattern, the unit's value there, "exact" | "search").
    """
    assert 1 <= layer <= net.spec.n_layers, f"layer must be in 1..{net.spec.n_layers}, got {layer}"
    assert 0 <= unit < net.spec.sizes[layer], f"unit must be in 0..{net.spec.sizes[layer] - 1}, got {unit}"
    softmax_output = layer == net.spec.n_layers and net.spec.loss == "ce"  # couples units: not monotone in w.x
    if layer == 1 and not softmax_output:
        w = net.weights[0][unit]
        x = (w > 0).to(net.spec.dtype)
        value = float(net.forward(x.reshape(1, -1))[1][0, unit])
        return x.cpu().tolist(), value, "exact"
    xs = all_binary_inputs(net.spec.sizes[0], net.spec.dtype).to(net.device)
    values = net.forward(xs)[layer][:, unit]
    best = int(torch.argmax(values))
    return xs[best].cpu().tolist(), float(values[best]), "search"
