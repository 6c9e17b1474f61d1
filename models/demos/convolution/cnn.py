"""The tiny CNN of demo 5: 3x3 filters, ReLU, 2x2 max pooling, a dense read-out, softmax; torch autograd, SGD."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from models.demos.convolution import slides as conv_slides

MAX_FILTERS = 8  # 8 filters of 7x7 cells are 392 map neurons: under the server's default NNP_MAX_NEURONS (400)
MAX_HIDDEN = 32  # dense units between the pooled maps and the softmax (0: read the pooled maps out directly)
MAX_CLASSES = 6  # X, O and a few of the class's own


@dataclass(frozen=True)
class CNNSpec:
    filters: int = 3  # the slides use three
    hidden: int = 0  # dense tanh units before the softmax; 0: the pooled maps are read out directly, as on the slides
    classes: int = 2  # X and O
    init: str = "random"  # "random" | "slides": start from the slides' hand-made filters (as many of the three as fit)
    init_scale: float = 1.0  # random filter weights uniform in [-scale, scale]

    def sizes(self) -> list[int]:
        """Layer sizes as Demo.check_neurons counts them: every feature-map cell is a hidden neuron."""
        cells = conv_slides.MAP * conv_slides.MAP
        return [conv_slides.SIZE ** 2, self.filters * cells] + ([self.hidden] if self.hidden else []) + [self.classes]


class TinyCNN:
    """Parameters as plain tensors (float64, CPU) so a frame reads them through numpy without a copy."""

    def __init__(self, spec: CNNSpec, seed: int) -> None:
        assert 1 <= spec.filters <= MAX_FILTERS, f"filters must be in 1..{MAX_FILTERS}, got {spec.filters}"
        assert 0 <= spec.hidden <= MAX_HIDDEN, f"hidden must be in 0..{MAX_HIDDEN}, got {spec.hidden}"
        assert 2 <= spec.classes <= MAX_CLASSES, f"classes must be in 2..{MAX_CLASSES}, got {spec.classes}"
        self.spec = spec
        g = torch.Generator().manual_seed(seed)
        k = conv_slides.K

        def uniform(*shape: int, scale: float) -> torch.Tensor:
            return (torch.rand(*shape, generator=g, dtype=torch.float64) * 2 - 1) * scale

        self.conv_w = uniform(spec.filters, k, k, scale=spec.init_scale)  # (F, 3, 3)
        if spec.init == "slides":
            n = min(3, spec.filters)
            self.conv_w[:n] = torch.from_numpy(conv_slides.FILTERS[:n])
        self.conv_b = torch.zeros(spec.filters, dtype=torch.float64)  # (F,)
        flat = spec.filters * conv_slides.POOLED ** 2
        dims = [flat] + ([spec.hidden] if spec.hidden else []) + [spec.classes]
        # small read-out weights: every class starts at about 1/C, as the autoencoder's softmax head does
        last = len(dims) - 2
        self.dense = [(uniform(o, i, scale=0.1 if n == last else (1 / i) ** 0.5), torch.zeros(o, dtype=torch.float64))
                      for n, (i, o) in enumerate(zip(dims[:-1], dims[1:], strict=True))]

    @property
    def params(self) -> list[torch.Tensor]:
        return [self.conv_w, self.conv_b] + [t for wb in self.dense for t in wb]

    # ------------------------------------------------------------------ forward
    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """x (N, 9, 9) in -1/+1 -> maps (N, F, 7, 7), relu, pooled (N, F, 4, 4), logits (N, C)."""
        k = conv_slides.K
        maps = F.conv2d(x.unsqueeze(1), self.conv_w.unsqueeze(1), self.conv_b * (k * k)) / (k * k)  # the mean
        rect = F.relu(maps)
        pooled = F.max_pool2d(rect, conv_slides.POOL, conv_slides.POOL, ceil_mode=True)  # the edge: what is there
        h = pooled.flatten(1)
        for i, (w, b) in enumerate(self.dense):
            h = F.linear(h, w, b)
            if i < len(self.dense) - 1:
                h = torch.tanh(h)  # not ReLU: at this learning rate dead hidden ReLUs stalled the read-out
        return {"maps": maps, "relu": rect, "pooled": pooled, "logits": h}

    @torch.no_grad()
    def probs(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.forward(x)["logits"], dim=1)

    # ------------------------------------------------------------------ training
    def fit(self, x: torch.Tensor, y: torch.Tensor, n: int, lr: float, decay: float = 0.0) -> torch.Tensor:
        """n full-batch SGD steps on the mean cross-entropy of x (N, 9, 9) with labels y (N,); the loss before
        each update, (n,)."""
        losses = torch.empty(n, dtype=torch.float64)
        params = self.params
        for p in params:
            p.requires_grad_(True)
        try:
            for i in range(n):
                loss = F.cross_entropy(self.forward(x)["logits"], y)
                grads = torch.autograd.grad(loss, params)
                with torch.no_grad():
                    for p, g in zip(params, grads, strict=True):
                        p.sub_(lr * (g + decay * p))
                losses[i] = loss.detach()
        finally:
            for p in params:
                p.requires_grad_(False)
        return losses

    # ------------------------------------------------------------------ looking inside
    def filter_stimulus(self, f: int) -> tuple[np.ndarray, float]:
        """The 3x3 patch of -1/+1 pixels that drives filter f highest, exactly: a map cell is linear in the patch,
        so each pixel is +1 where its weight is positive. Returns (patch (3, 3), the map cell's value there)."""
        w = self.conv_w[f].numpy()
        patch = np.where(w > 0, 1.0, -1.0)
        return patch, float((patch * w).mean() + float(self.conv_b[f]))

    def class_stimulus(self, c: int, steps: int = 50, lr: float = 0.2) -> tuple[np.ndarray, float]:
        """The 9x9 image in [-1, 1] that gives class c the highest probability, by gradient ascent on its log
        probability from a blank grey image (2^81 binary images are too many to try). Returns (image, prob)."""
        x = torch.zeros(1, conv_slides.SIZE, conv_slides.SIZE, dtype=torch.float64, requires_grad=True)
        for _ in range(steps):
            logp = torch.log_softmax(self.forward(x)["logits"], dim=1)[0, c]
            (g,) = torch.autograd.grad(logp, x)
            with torch.no_grad():
                x.add_(lr * g / (g.abs().max() + 1e-12)).clamp_(-1, 1)
        x = x.detach()
        return x[0].numpy(), float(self.probs(x)[0, c])

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        return {"conv_w": self.conv_w.tolist(), "conv_b": self.conv_b.tolist(),
                "dense": [[w.tolist(), b.tolist()] for w, b in self.dense]}

    def load(self, state: dict[str, Any]) -> None:
        def put(dst: torch.Tensor, src: Any) -> None:
            t = torch.tensor(src, dtype=torch.float64)
            assert t.shape == dst.shape, f"saved shape {tuple(t.shape)} does not fit {tuple(dst.shape)}"
            dst.copy_(t)

        put(self.conv_w, state["conv_w"])
        put(self.conv_b, state["conv_b"])
        assert len(state["dense"]) == len(self.dense), "saved dense layers do not fit this network"
        for (w, b), (sw, sb) in zip(self.dense, state["dense"], strict=True):
            put(w, sw)
            put(b, sb)
