"""One sigmoid neuron as a probability: z = 1 / (1 + e^-(w x - t)), fitted by gradient ascent on the likelihood."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

DTYPE = torch.float64


def log_likelihood(w: torch.Tensor, t: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """log P(examples | w, t) = sum_i y_i log z_i + (1 - y_i) log(1 - z_i).

    x, y: (N,) inputs and classes (1 positive, 0 negative). w and t broadcast against each other, so a grid of
    parameters (G, H) gives (G, H) log-likelihoods in one pass. No examples: log 1 = 0.
    """
    s = w.unsqueeze(-1) * x - t.unsqueeze(-1)  # (..., N)
    # log z = logsigmoid(s) and log(1 - z) = logsigmoid(-s): finite even where z rounds to exactly 0 or 1
    return (y * F.logsigmoid(s) + (1 - y) * F.logsigmoid(-s)).sum(-1)


def gradient(w: torch.Tensor, t: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(d log L / dw, d log L / dt): each example pulls by its surprise y - z, weighted by x for w."""
    r = y - torch.sigmoid(w * x - t)  # (N,)
    return (r * x).sum(), -r.sum()


@dataclass
class Neuron:
    """The two parameters of the lecture's neuron: w (steepness) and t (threshold: where z = 1/2 is x = t / w).

    Always on the CPU: two numbers and a few hundred examples are far below what a GPU launch costs.
    """

    w: torch.Tensor  # () float64
    t: torch.Tensor  # () float64

    @classmethod
    def create(cls, seed: int, scale: float = 1.0) -> Neuron:
        """Same seed, same start: w and t uniform in [-scale, scale]."""
        gen = torch.Generator().manual_seed(seed)
        w, t = (torch.rand(2, generator=gen, dtype=DTYPE) * 2 - 1) * scale
        return cls(w.clone(), t.clone())

    def probability(self, x: torch.Tensor) -> torch.Tensor:
        """z at each x: the probability that an example there is positive."""
        return torch.sigmoid(self.w * x - self.t)

    def log_likelihood(self, x: torch.Tensor, y: torch.Tensor) -> float:
        return float(log_likelihood(self.w, self.t, x, y))

    def ascend(self, x: torch.Tensor, y: torch.Tensor, steps: int, lr: float) -> tuple[torch.Tensor, torch.Tensor]:
        """`steps` full-batch gradient-ascent steps on log L. Returns the log-likelihood after each step (steps,)
        and the parameters after each step (steps, 2) as (w, t)."""
        lls = torch.empty(steps, dtype=DTYPE)
        path = torch.empty(steps, 2, dtype=DTYPE)
        w, t = self.w.clone(), self.t.clone()
        for i in range(steps):
            gw, gt = gradient(w, t, x, y)
            w, t = w + lr * gw, t + lr * gt
            path[i, 0], path[i, 1] = w, t
        if steps:
            # The log-likelihoods of the whole trajectory in one batched pass rather than one per step.
            lls.copy_(log_likelihood(path[:, 0], path[:, 1], x, y))
            self.w, self.t = w, t
        return lls, path

    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float | None:
        """Fraction of examples on the right side of z = 1/2; None without examples."""
        if x.numel() == 0:
            return None
        return float(((self.probability(x) > 0.5).to(DTYPE) == y).to(DTYPE).mean())
