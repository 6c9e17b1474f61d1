"""A small multilayer perceptron with the knobs the lectures use: knockout masks, frozen layers, dropout."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import torch

from models.nn import fused
from models.nn.activations import ACTIVATIONS, LOSSES, output_torch
from models.nn.layout import ERRORS, full_batch, layout


@dataclass
class MLPSpec:
    """Shape and training rule of a network; everything a fused kernel needs to know."""

    sizes: list[int]  # neurons per layer, input first: [10, 3, 10]
    activations: list[str]  # one per non-input layer; the output layer's is ignored by "ce" (softmax) and "bce"
    loss: str = "mse"
    reduction: str = "sum"  # "sum": gradients summed over a batch (the lecture's rule); "mean": averaged
    init_scale: float = 0.0  # > 0: weights and biases uniform in [-s, s]; 0: Xavier-uniform weights, zero biases
    dtype: torch.dtype = torch.float64

    def __post_init__(self) -> None:
        assert len(self.sizes) >= 2, f"a network needs an input and an output layer, got sizes={self.sizes}"
        assert len(self.activations) == len(self.sizes) - 1, (
            f"expected {len(self.sizes) - 1} activations for sizes {self.sizes}, got {self.activations}"
        )
        assert all(a in ACTIVATIONS for a in self.activations), f"activations must be in {tuple(ACTIVATIONS)}"
        assert self.loss in LOSSES, f"loss must be one of {tuple(LOSSES)}, got {self.loss!r}"
        assert self.reduction in ("sum", "mean"), f"reduction must be 'sum' or 'mean', got {self.reduction!r}"

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def param_count(self) -> int:
        return sum(i * o + o for i, o in zip(self.sizes[:-1], self.sizes[1:], strict=True))

    def layout(self) -> tuple[tuple[int, int, int, int], ...]:
        """Per layer (weight offset, fan in, fan out, bias offset) in the flat parameter vector."""
        return layout(tuple(self.sizes))


@dataclass
class MLP:
    """Parameters live in one flat tensor so a fused kernel can update them in place through a numpy view."""

    spec: MLPSpec
    flat: torch.Tensor  # (param_count,) all weights then biases, layer by layer
    weights: list[torch.Tensor] = field(default_factory=list)  # views into flat, (out, in) each
    biases: list[torch.Tensor] = field(default_factory=list)  # views into flat, (out,) each
    # every layer's knockout mask (1 alive / 0 knocked out), layer after layer, in one tensor; `masks` are views into
    # it, so the compiled kernels read all of them as one array with no copy (models/nn/fused.py, packed.py)
    mask_flat: torch.Tensor = field(default_factory=lambda: torch.ones(0))
    _masks: list[torch.Tensor] = field(default_factory=list, repr=False)
    frozen: list[bool] = field(default_factory=list)  # per layer: True = its weights and bias never change
    dropout: float = 0.0  # probability that a hidden neuron is dropped on a training update
    l1: float = 0.0  # L1 penalty rate on weights (not biases)
    l2: float = 0.0  # L2 penalty rate on weights (not biases)

    @classmethod
    def create(cls, spec: MLPSpec, seed: int, device: str | torch.device = "cpu") -> MLP:
        flat = torch.zeros(spec.param_count(), dtype=spec.dtype, device=device)
        net = cls(spec=spec, flat=flat)
        net._bind_views()
        net.mask_flat = torch.ones(sum(spec.sizes[1:]), dtype=spec.dtype, device=device)
        net._bind_masks()
        net.frozen = [False] * spec.n_layers
        net.init(seed)
        return net

    def _bind_views(self) -> None:
        self.weights, self.biases = self.views(self.flat)

    def _bind_masks(self) -> None:
        self._masks = list(self.mask_flat.split(self.spec.sizes[1:]))

    @property
    def masks(self) -> list[torch.Tensor]:
        """Per non-input layer, its mask: a view into `mask_flat` (change it in place)."""
        return self._masks

    @masks.setter
    def masks(self, masks: list[torch.Tensor]) -> None:  # a new list of masks: copied into the views, which stay
        if len(masks) != len(self._masks):
            raise ValueError(f"expected {len(self._masks)} masks, got {len(masks)}")
        for m, new in zip(self._masks, masks, strict=True):
            m.copy_(new)

    def views(self, flat: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Weight (out, in) and bias (out,) views of a flat parameter vector laid out as this spec's."""
        ws, bs = [], []
        for w_off, n_in, n_out, b_off in self.spec.layout():
            ws.append(flat[w_off : w_off + n_in * n_out].view(n_out, n_in))
            bs.append(flat[b_off : b_off + n_out])
        return ws, bs

    def init(self, seed: int) -> None:
        """Same seed, same weights: drawn on the CPU so a GPU session starts where a CPU one does."""
        gen = torch.Generator().manual_seed(seed)
        for w, b in zip(self.weights, self.biases, strict=True):
            s = self.spec.init_scale
            if s > 0:
                w.copy_((torch.rand(w.shape, generator=gen, dtype=self.spec.dtype) * 2 - 1) * s)
                b.copy_((torch.rand(b.shape, generator=gen, dtype=self.spec.dtype) * 2 - 1) * s)
            else:
                bound = (6.0 / (w.shape[0] + w.shape[1])) ** 0.5
                w.copy_((torch.rand(w.shape, generator=gen, dtype=self.spec.dtype) * 2 - 1) * bound)
                b.zero_()

    @property
    def device(self) -> torch.device:
        return self.flat.device

    def to(self, device: str | torch.device) -> MLP:
        self.flat = self.flat.to(device)
        self.mask_flat = self.mask_flat.to(device)
        self._bind_masks()
        self._bind_views()
        return self

    # ---------------------------------------------------------------- forward
    def forward(
        self, x: torch.Tensor, keep: list[torch.Tensor] | None = None, flat: torch.Tensor | None = None,
        dtype: torch.dtype | None = None,
    ) -> list[torch.Tensor]:
        """Every layer's output for a batch x (B, in); `keep` multiplies hidden outputs (dropout masks).

        The last layer's output is the network's prediction: softmax for "ce", sigmoid for "bce". `dtype`
        computes in another precision (float32 for pictures: a third of float64's time on a big grid).
        """
        masks = self.masks
        if dtype is not None and dtype != self.spec.dtype:
            flat = (self.flat if flat is None else flat).to(dtype)
            masks = [m.to(dtype) for m in masks]
        weights, biases = (self.weights, self.biases) if flat is None else self.views(flat)
        x = x.to(self.flat.device, dtype or x.dtype)  # demos keep their data on the CPU; a GPU session moves it here
        outs = [x]
        h = x
        last = self.spec.n_layers - 1
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            z = h @ w.T + b  # (B, out)
            act = self.spec.activations[i]
            h = output_torch(self.spec.loss, act, z, dim=1) if i == last else ACTIVATIONS[act].torch(z)
            h = h * masks[i]
            if keep is not None and i < last:
                h = h * keep[i]
            outs.append(h)
        return outs

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward(x)[-1]

    def objective(
        self, x: torch.Tensor, y: torch.Tensor, keep: list[torch.Tensor] | None = None, flat: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The quantity gradient descent minimises (data term plus L1/L2), in the spec's reduction."""
        zs = self.forward(x, keep, flat)
        out = zs[-1]
        y = y.to(out.device)
        per = LOSSES[self.spec.loss].per_sample(out, y)  # (B,)
        data = per.sum() if self.spec.reduction == "sum" else per.mean()
        weights = self.weights if flat is None else self.views(flat)[0]
        reg = sum((self.l1 * w.abs().sum() + 0.5 * self.l2 * (w * w).sum()) for w in weights)
        return data + reg

    @torch.no_grad()
    def error(self, x: torch.Tensor, y: torch.Tensor) -> float:
        """Mean squared error per output: the number shown on the loss chart for every loss type."""
        out = self.predict(x)
        return float(((out - y.to(out.device)) ** 2).mean())

    # ---------------------------------------------------------------- training (torch reference)
    def draw_keep(self, n_updates: int, gen: torch.Generator) -> torch.Tensor | None:
        """Uniform draws for dropout, (n_updates, hidden neurons); shared by the torch and fused paths."""
        if self.dropout <= 0:
            return None
        n_hidden = sum(self.spec.sizes[1:-1])
        return torch.rand((n_updates, n_hidden), generator=gen, dtype=self.spec.dtype)

    def keep_masks(self, draws: torch.Tensor) -> list[torch.Tensor]:
        """Inverted dropout: a neuron is dropped where its draw < p; survivors are scaled by 1 / (1 - p)."""
        keeps, off = [], 0
        for n in self.spec.sizes[1:-1]:
            k = (draws[off : off + n] >= self.dropout).to(self.spec.dtype) / (1.0 - self.dropout)
            keeps.append(k.to(self.device))
            off += n
        return keeps

    def torch_fit(
        self, x: torch.Tensor, y: torch.Tensor, epochs: int, lr: float, batch: int = 0,
        draws: torch.Tensor | None = None, errors: str = "after",
    ) -> torch.Tensor:
        """Reference SGD with autograd: `epochs` passes over (x, y) in order, an update every `batch` samples
        (0 = full batch). Returns the error of each epoch, (epochs,), as `errors` (ERRORS) says."""
        assert errors in ERRORS, f"errors must be one of {ERRORS}, got {errors!r}"
        x, y = x.to(self.device), y.to(self.device)
        n = x.shape[0]
        batch = full_batch(batch, n)
        out = torch.empty(epochs, dtype=self.spec.dtype)
        # all layers frozen: no update, so no training pass either; its loss is the plain error
        during = errors == "during" and not all(self.frozen)
        u = 0
        for e in range(epochs):
            seen = 0.0
            for start in range(0, n, batch):
                xb, yb = x[start : start + batch], y[start : start + batch]
                keep = self.keep_masks(draws[u]) if draws is not None else None
                if during:
                    with torch.no_grad():
                        seen += float(((self.forward(xb, keep)[-1] - yb) ** 2).sum())
                self.sgd_update(xb, yb, lr, keep)
                u += 1
            out[e] = seen / y.numel() if during else self.error(x, y)
        return out

    def gradient(
        self, x: torch.Tensor, y: torch.Tensor, keep: list[torch.Tensor] | None = None
    ) -> torch.Tensor:
        """d objective / d flat by autograd, (param_count,)."""
        leaf = self.flat.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(self.objective(x, y, keep, leaf), leaf)
        return grad

    def sgd_update(self, x: torch.Tensor, y: torch.Tensor, lr: float, keep: list[torch.Tensor] | None) -> None:
        grad = self.gradient(x, y, keep)
        with torch.no_grad():
            for i, (w_off, _, n_out, b_off) in enumerate(self.spec.layout()):
                if not self.frozen[i]:
                    self.flat[w_off : b_off + n_out] -= lr * grad[w_off : b_off + n_out]

    def fit(
        self, x: torch.Tensor, y: torch.Tensor, epochs: int, lr: float, batch: int = 0,
        draws: torch.Tensor | None = None, errors: str = "after",
    ) -> torch.Tensor:
        """Train as `torch_fit` does, on the fused compiled loop where it applies (CPU, unless NNP_FUSED=0),
        else on autograd."""
        if self.device.type == "cpu" and os.environ.get("NNP_FUSED", "1") != "0":
            return fused.fused_fit(self, x, y, epochs, lr, batch, draws, errors)
        return self.torch_fit(x, y, epochs, lr, batch, draws, errors)

    def updates_per_epoch(self, n: int, batch: int) -> int:
        batch = full_batch(batch, n)
        return -(-n // batch)

    # ---------------------------------------------------------------- state
    def state(self) -> dict:
        return {
            "flat": self.flat.detach().cpu().tolist(),
            "masks": [m.cpu().tolist() for m in self.masks],
            "frozen": list(self.frozen),
            "dropout": self.dropout,
            "l1": self.l1,
            "l2": self.l2,
        }

    def load(self, state: dict) -> None:
        self.flat.copy_(torch.tensor(state["flat"], dtype=self.spec.dtype))
        for m, s in zip(self.masks, state["masks"], strict=True):
            m.copy_(torch.tensor(s, dtype=self.spec.dtype))
        self.frozen = list(state["frozen"])
        self.dropout, self.l1, self.l2 = state["dropout"], state["l1"], state["l2"]

    def drawing(self) -> dict:
        """Plain arrays for the network canvas: weights (out, in) per layer, biases, masks."""
        return {
            "sizes": list(self.spec.sizes),
            "weights": [w.detach().cpu().tolist() for w in self.weights],
            "biases": [b.detach().cpu().tolist() for b in self.biases],
            "alive": [m.detach().cpu().tolist() for m in self.masks],
            "frozen": list(self.frozen),
        }
