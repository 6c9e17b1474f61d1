"""Many same-shaped networks trained as one batched computation: the GPU path for a class doing one exercise.

B networks with one spec, each with its own data, learning rate and knockout masks, take an SGD epoch together
through batched matrix products (torch.bmm), so B sessions cost one set of kernel launches instead of B. The
backward pass is written out by hand (no autograd), which also keeps it capturable in a CUDA graph. Semantics
are those of `MLP.torch_fit` (checked in tests/test_models_batched.py) except dropout, which stays per session.
"""

from __future__ import annotations

import torch

from models.nn.activations import ACTIVATIONS, LOSSES, output_torch
from models.nn.layout import full_batch
from models.nn.mlp import MLP


def _act_grad(name: str, z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """d act / d z, from the pre-activation z and the output h = act(z)."""
    return ACTIVATIONS[name].der(z, h)


class BatchedMLP:
    """The stacked parameters of B networks, (B, P), trained in place; `scatter()` writes them back."""

    def __init__(self, nets: list[MLP], device: str | torch.device | None = None) -> None:
        assert nets, "a batch needs at least one network"
        spec = nets[0].spec
        assert all(n.spec == spec for n in nets), "every network in a batch must have the same spec"
        assert all(n.dropout == 0 for n in nets), "dropout is stepped per session, not batched"
        assert all(n.frozen == nets[0].frozen for n in nets), "every network in a batch must freeze the same layers"
        self.nets = nets
        self.spec = spec
        self.device = torch.device(device) if device is not None else nets[0].device
        # stacked where the networks are, then moved at once: one transfer to a GPU, not one per network
        self.flat = torch.stack([n.flat.detach() for n in nets]).to(self.device)  # (B, P)
        self.masks = [torch.stack([n.masks[i] for n in nets]).to(self.device) for i in range(spec.n_layers)]  # (B, out)
        self.frozen = list(nets[0].frozen)
        self.l1 = torch.tensor([n.l1 for n in nets], dtype=spec.dtype, device=self.device).view(-1, 1, 1)
        self.l2 = torch.tensor([n.l2 for n in nets], dtype=spec.dtype, device=self.device).view(-1, 1, 1)

    def views(self) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        ws, bs = [], []
        for w_off, n_in, n_out, b_off in self.spec.layout():
            ws.append(self.flat[:, w_off : w_off + n_in * n_out].view(-1, n_out, n_in))  # (B, out, in)
            bs.append(self.flat[:, b_off : b_off + n_out])  # (B, out)
        return ws, bs

    def forward(self, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Pre-activations and outputs of every layer for x (B, n, in)."""
        ws, bs = self.views()
        last = self.spec.n_layers - 1
        zs, hs = [], [x]
        for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
            z = torch.baddbmm(b.unsqueeze(1), hs[-1], w.transpose(1, 2))  # (B, n, out)
            act = self.spec.activations[i]
            h = output_torch(self.spec.loss, act, z, dim=2) if i == last else ACTIVATIONS[act].torch(z)
            zs.append(z)
            hs.append(h * self.masks[i].unsqueeze(1))
        return zs, hs

    def update(self, x: torch.Tensor, y: torch.Tensor, lr: torch.Tensor) -> torch.Tensor:
        """One SGD step on the batch rows x (B, nb, in), y (B, nb, out); lr (B,). Returns the outputs it
        computed on the way, before the step, (B, nb, out)."""
        zs, hs = self.forward(x)
        ws, _ = self.views()
        scale = 1.0 if self.spec.reduction == "sum" else 1.0 / x.shape[1]
        last = self.spec.n_layers - 1
        out = hs[-1]
        if LOSSES[self.spec.loss].output is None:  # mse: through the output layer's own activation
            delta = (out - y) * _act_grad(self.spec.activations[last], zs[-1], out) * self.masks[last].unsqueeze(1)
        else:  # softmax + cross-entropy and sigmoid + binary cross-entropy share the gradient out - y
            delta = (out - y) * self.masks[last].unsqueeze(1)
        delta = delta * scale
        grads: list[tuple[torch.Tensor, torch.Tensor]] = []
        for i in range(last, -1, -1):
            gw = torch.bmm(delta.transpose(1, 2), hs[i])  # (B, out, in)
            gw = gw + self.l1 * torch.sign(ws[i]) + self.l2 * ws[i]
            grads.append((gw, delta.sum(dim=1)))
            if i > 0:
                dh = torch.bmm(delta, ws[i])  # (B, nb, in)
                delta = dh * _act_grad(self.spec.activations[i - 1], zs[i - 1], hs[i]) * self.masks[i - 1].unsqueeze(1)
        grads.reverse()
        step = lr.view(-1, 1)
        for i, ((w_off, n_in, n_out, b_off), (gw, gb)) in enumerate(zip(self.spec.layout(), grads, strict=True)):
            if self.frozen[i]:
                continue
            self.flat[:, w_off : w_off + n_in * n_out] -= step * gw.reshape(-1, n_in * n_out)
            self.flat[:, b_off : b_off + n_out] -= step * gb
        return out

    @torch.no_grad()
    def fit(self, x: torch.Tensor, y: torch.Tensor, epochs: int, lr: torch.Tensor | float, batch: int = 0,
            errors: bool = True, during: bool = False) -> torch.Tensor | None:
        """`epochs` passes over every network's own data x (B, n, in), y (B, n, out). Returns the per-network
        error of each epoch, (B, epochs): after it, or with `during` its training pass's (MLP.fit's errors=
        "during"); None when `errors` is False (no host sync: the fast GPU loop)."""
        x, y = x.to(self.device, self.spec.dtype), y.to(self.device, self.spec.dtype)
        n = x.shape[1]
        batch = full_batch(batch, n)
        lr_t = torch.as_tensor(lr, dtype=self.spec.dtype, device=self.device).expand(self.flat.shape[0])
        out = torch.empty(self.flat.shape[0], epochs, dtype=self.spec.dtype, device=self.device) if errors else None
        for e in range(epochs):
            seen = torch.zeros(self.flat.shape[0], dtype=self.spec.dtype, device=self.device) if during else None
            for start in range(0, n, batch):
                yb = y[:, start : start + batch]
                o = self.update(x[:, start : start + batch], yb, lr_t)
                if seen is not None and out is not None:
                    seen += ((o - yb) ** 2).sum(dim=(1, 2))
            if out is not None and seen is not None:
                out[:, e] = seen / y[0].numel()
            elif out is not None:
                out[:, e] = ((self.forward(x)[1][-1] - y) ** 2).mean(dim=(1, 2))
        return out.cpu() if out is not None else None

    def scatter(self, rows: list[int] | None = None) -> None:
        """Write the trained parameters back into each network (or those of `rows`), in one transfer."""
        host = self.flat.to(self.nets[0].device)
        for i in range(len(self.nets)) if rows is None else rows:
            self.nets[i].flat.copy_(host[i])
