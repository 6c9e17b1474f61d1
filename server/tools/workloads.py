"""The bench's training workloads, TensorFlow Playground's own, and how fast our engine (or eager torch) trains them."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from models.data import shadows
from models.nn.mlp import MLP, MLPSpec

# TensorFlow Playground's engine (its nn.ts under Node 20), epochs per second, measured interleaved with ours on
# this 2-vCPU machine kind at a quiet moment (../shared/reference/ANCHORS.md). Absolute figures move by up to 1.8x
# between machines and moments: `bench --tfp DIR` measures them again beside ours, in the same run.
TF_PLAYGROUND = {"xor-default": 7986, "deep-sigmoid": 36409, "autoencoder": 293434, "largest": 647}
TF_PLAYGROUND_ON = "2026-12-02"


@dataclass
class Workload:
    name: str
    spec: MLPSpec
    data: Callable[[], tuple[torch.Tensor, torch.Tensor]]
    batch: int
    lr: float
    what: str


def xor_points(n: int = 250, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """TF Playground's XOR: uniform in [-5, 5]^2 (kept off the axes), label = sign(x1 * x2), in -1 / +1."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 2, generator=g, dtype=torch.float64) * 10 - 5
    x = x + torch.sign(x) * 0.3
    y = torch.sign(x[:, :1] * x[:, 1:])
    return x / 6, y


def spiral_points(n: int = 250, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved spirals, with the 7 inputs of TF Playground's largest net (x1, x2, squares, product, sines)."""
    g = torch.Generator().manual_seed(seed)
    half = n // 2
    r = torch.arange(half, dtype=torch.float64) / half * 5
    t = 1.75 * torch.arange(half, dtype=torch.float64) / half * 2 * math.pi
    pts, labels = [], []
    for delta, label in ((0.0, 1.0), (math.pi, -1.0)):
        pts.append(torch.stack([r * torch.sin(t + delta), r * torch.cos(t + delta)], 1))
        labels.append(torch.full((half, 1), label, dtype=torch.float64))
    x = torch.cat(pts) + torch.randn(2 * half, 2, generator=g, dtype=torch.float64) * 0.1
    perm = torch.randperm(2 * half, generator=g)
    x, y = x[perm] / 6, torch.cat(labels)[perm]
    x1, x2 = x[:, 0:1], x[:, 1:2]
    return torch.cat([x1, x2, x1 * x1, x2 * x2, x1 * x2, torch.sin(x1), torch.sin(x2)], 1), y


def shadow_classes() -> tuple[torch.Tensor, torch.Tensor]:
    return shadows.tensors(shadows.training_set())


def shadow_identity() -> tuple[torch.Tensor, torch.Tensor]:
    x, _ = shadows.tensors(shadows.training_set())
    return x, x


WORKLOADS = [
    Workload("xor-default", MLPSpec([2, 4, 2, 1], ["tanh"] * 3, reduction="mean"), xor_points, 10, 0.03,
             "2-4-2-1 tanh, 250 XOR points, batch 10"),
    Workload("deep-sigmoid", MLPSpec([10] + [10] * 5 + [3], ["sigmoid"] * 6, init_scale=0.3), shadow_classes, 1, 0.1,
             "10-5x10-3 sigmoid, 3 shadows, batch 1"),
    Workload("autoencoder", MLPSpec([10, 3, 10], ["sigmoid"] * 2, init_scale=0.3), shadow_identity, 1, 1.0,
             "10-3-10 sigmoid, 3 shadows, batch 1"),
    Workload("largest", MLPSpec([7] + [8] * 6 + [1], ["tanh"] * 7, reduction="mean"), spiral_points, 10, 0.03,
             "7-6x8-1 tanh, 250 spiral points, batch 10"),
]


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}


def epochs_per_s(w: Workload, fused: bool, seconds: float, clock: str = "wall") -> float:
    """Median of repeated timed calls, each training enough epochs to take ~seconds/5. The loss of each epoch
    is the training pass's (errors="during"), as the demos that train on minibatches record it. `clock` "cpu"
    counts this process's CPU time, which other work on a shared machine does not inflate as it does the wall's."""
    now = CLOCKS[clock]
    net = MLP.create(w.spec, 0)
    x, y = w.data()
    fit = net.fit if fused else net.torch_fit
    fit(x, y, 2, w.lr, w.batch, errors="during")  # compile / warm up
    n = 1
    while True:
        t0 = now()
        fit(x, y, n, w.lr, w.batch, errors="during")
        dt = now() - t0
        if dt > seconds / 5 or n > 10_000_000:
            break
        n *= 4
    rates = []
    for _ in range(5):
        t0 = now()
        fit(x, y, n, w.lr, w.batch, errors="during")
        rates.append(n / max(now() - t0, 1e-9))
    return statistics.median(rates)
