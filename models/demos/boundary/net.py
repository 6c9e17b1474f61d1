"""The decision-boundary network: which MLP a configuration means, its targets, and carrying weights across changes."""

from __future__ import annotations

import torch

from models.nn.mlp import MLP, MLPSpec

# step: one output, 1 where w.x + b > 0, trained by the perceptron rule (no hidden layer);
# sigmoid: one output P(A), cross-entropy; sigmoid-mse: the same output, squared error (TensorFlow Playground's rule);
# softmax: one output per class, cross-entropy (any number of classes).
OUTPUTS = ("step", "sigmoid", "sigmoid-mse", "softmax")


def spec_for(n_in: int, hidden: list[int], activation: str, output: str, classes: int) -> MLPSpec:
    assert output in OUTPUTS, f"output must be one of {OUTPUTS}, got {output!r}"
    assert output != "step" or not hidden, "the step output trains by the perceptron rule: no hidden layer"
    n_out, loss, last = {"softmax": (classes, "ce", "linear"), "sigmoid": (1, "bce", "sigmoid"),
                         "sigmoid-mse": (1, "mse", "sigmoid"), "step": (1, "mse", "linear")}[output]
    # mean over a batch, as TensorFlow Playground does, so the learning rate means the same at any batch size
    return MLPSpec([n_in, *hidden, n_out], [activation] * len(hidden) + [last], loss=loss, reduction="mean")


def targets(labels: torch.Tensor, output: str, classes: int) -> torch.Tensor:
    """One-hot rows for softmax; else (N, 1) with 1 for class A (the positive class) and 0 for the others."""
    if output == "softmax":
        return torch.nn.functional.one_hot(labels, classes).to(torch.float64)
    return (labels == 0).to(torch.float64)[:, None]


@torch.no_grad()
def layers(net: MLP, output: str, x: torch.Tensor, dtype: torch.dtype | None = None) -> list[torch.Tensor]:
    """Every layer's output for inputs x (N, in), input first; the last as the page shows it: P(A) (N, 1) for the
    binary outputs (0 or 1 for the step), class probabilities (N, K) for softmax. `dtype`: as MLP.forward."""
    outs = net.forward(x, dtype=dtype)
    if output == "step":
        outs[-1] = (outs[-1] > 0).to(x.dtype)
    return outs


def predicted_class(last: torch.Tensor, output: str) -> torch.Tensor:
    if output == "softmax":
        return last.argmax(dim=1)
    return torch.where(last[:, 0] > 0.5, 0, 1)


def binary_boundary(net: MLP, output: str) -> tuple[torch.Tensor, float] | None:
    """(w, b) of the last layer's A-versus-B score, whose zero is the decision boundary: the output row itself
    for one output, row A minus row B for a two-way softmax. None for more than two classes."""
    w, b = net.weights[-1], net.biases[-1]
    if output != "softmax":
        return w[0], float(b[0])
    if w.shape[0] != 2:
        return None
    return w[0] - w[1], float(b[0] - b[1])


def _output_rows(w: torch.Tensor, b: torch.Tensor, old: str, new: str, n_out: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The output layer's rows re-expressed for another output kind, keeping the same A-versus-B boundary:
    a single score z becomes softmax rows (z, 0, ...); softmax rows become the score z_A - z_B."""
    if (old == "softmax") == (new == "softmax"):
        rows = torch.zeros((n_out, w.shape[1]), dtype=w.dtype)
        bias = torch.zeros(n_out, dtype=b.dtype)
        k = min(n_out, w.shape[0])
        rows[:k], bias[:k] = w[:k], b[:k]
        return rows, bias
    if new == "softmax":
        rows = torch.zeros((n_out, w.shape[1]), dtype=w.dtype)
        bias = torch.zeros(n_out, dtype=b.dtype)
        rows[0], bias[0] = w[0], b[0]
        return rows, bias
    return (w[0] - w[1])[None, :], (b[0] - b[1]).reshape(1)


@torch.no_grad()
def carry(old: MLP, old_features: list[str], old_output: str, new: MLP, new_features: list[str],
          new_output: str) -> bool:
    """Copy into `new` (which holds a fresh seeded init) what still fits from `old`, so a change of features,
    activation or output does not restart training: input columns by feature name (a new feature starts at
    weight 0), hidden layers as they are, the output rows converted. Different hidden layers: nothing carries,
    the new net starts fresh. Returns whether weights were carried."""
    if old.spec.sizes[1:-1] != new.spec.sizes[1:-1]:
        return False
    for i in range(new.spec.n_layers):
        w, b = old.weights[i].detach().cpu(), old.biases[i].detach().cpu()
        if i == new.spec.n_layers - 1:
            w, b = _output_rows(w, b, old_output, new_output, new.spec.sizes[-1])
        if i == 0:
            cols = torch.zeros((w.shape[0], len(new_features)), dtype=w.dtype)
            for j, f in enumerate(new_features):
                if f in old_features:
                    cols[:, j] = w[:, old_features.index(f)]
            w = cols
        new.weights[i].copy_(w)
        new.biases[i].copy_(b)
    return True
