"""A classifier under full-batch training that knows the exact iteration it solved its task, and logs knockouts."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from typing import Any

import torch

from models.nn.dropout import dropped
from models.nn.mlp import MLP

MAX_CHANGES = 100  # knockout records kept (a lecture makes a handful; a bored student clicking makes many)


@dataclass
class Change:
    """One edit of the network's live neurons, and how long training took to solve the task again after it."""

    at: int  # the iteration of the change
    what: str  # "knocked out one per column", "knocked out neuron 5 of column 3", "brought back ..."
    alive: list[int]  # live neurons per hidden column after the change
    solved_after: int | None = None  # iterations from the change until every output was within tolerance again
    interrupted: bool = False  # another change came first, at a later iteration, before it was solved again


class TrackedNet:
    """An MLP with its training data, training rule and the bookkeeping the knockout lesson needs.

    `solved` means every output is within `tol` of its target on every training example. `solved_at` is the
    first iteration (number of updates since the net was built) at which that held; each knockout starts a
    watch for the first iteration at which it holds again. Both are exact whatever the slicing of `train`.
    """

    def __init__(self, net: MLP, x: torch.Tensor, y: torch.Tensor, tol: float, dropout_seed: int) -> None:
        assert net.spec.n_layers >= 2, "knockouts need at least one hidden column"
        self.net, self.x, self.y, self.tol = net, x.to(net.device), y.to(net.device), tol
        self.solved_at: int | None = 0 if self.solved_now() else None
        self.changes: list[Change] = []
        self.prune_to: int | None = None  # set: on every solve, knock out one per column until this many are left
        self.dropped: list[list[bool]] | None = None  # hidden neurons dropout dropped on the last update
        self.gen = torch.Generator().manual_seed(dropout_seed)

    # ------------------------------------------------------------------ queries
    @property
    def columns(self) -> int:
        return self.net.spec.n_layers - 1

    def alive_per_column(self) -> list[int]:
        return [int(m.sum()) for m in self.net.masks[:-1]]

    def knocked(self) -> list[tuple[int, int]]:
        """(layer, unit) of every knocked-out neuron; layer 1 is the first hidden column."""
        return [(k + 1, u) for k, m in enumerate(self.net.masks[:-1]) for u in range(m.numel()) if m[u] == 0]

    @torch.no_grad()
    def outputs(self) -> torch.Tensor:
        return self.net.predict(self.x)

    def solved_now(self) -> bool:
        return bool(((self.outputs() - self.y).abs() < self.tol).all())

    @property
    def watching(self) -> bool:
        """Whether some solve is still to be timed: the first one, or the one after the latest change."""
        last = self.changes[-1] if self.changes else None
        return self.solved_at is None or (last is not None and last.solved_after is None and not last.interrupted)

    def retrain_steps(self) -> list[int | None]:
        """Iterations each knockout took to be solved again (None: not yet), interrupted ones left out."""
        return [c.solved_after for c in self.changes if not c.interrupted]

    def prune_done(self) -> bool:
        return (self.prune_to is not None and max(self.alive_per_column()) <= self.prune_to
                and not self.watching)

    # ------------------------------------------------------------------ knockouts
    def knock(self, layer: int, unit: int, it: int) -> None:
        """Knock hidden neuron (layer, unit) out, or bring it back with the weights it had. Raises ValueError
        and changes nothing if it is not a hidden neuron or is the last one alive in its column."""
        if not 1 <= layer <= self.columns:
            raise ValueError(f"only hidden neurons can be knocked out: layer must be in 1..{self.columns}, got {layer}")
        mask = self.net.masks[layer - 1]
        if not 0 <= unit < mask.numel():
            raise ValueError(f"column {layer} has neurons 0..{mask.numel() - 1}, got {unit}")
        if mask[unit] > 0 and int(mask.sum()) == 1:
            raise ValueError(f"neuron {layer}.{unit} is the last one alive in its column; the signal needs it")
        mask[unit] = 1.0 - mask[unit]
        self._changed(f"{'brought back' if mask[unit] > 0 else 'knocked out'} neuron {unit + 1} of column {layer}", it)

    def weakest(self, layer: int) -> int:
        """The live neuron of hidden column `layer` that the next column relies on least: the smallest summed
        magnitude of outgoing weights to live neurons (magnitude pruning). Lowest index on a tie."""
        w = self.net.weights[layer].abs() * self.net.masks[layer].reshape(-1, 1)  # (out, in) to live targets
        strength = w.sum(dim=0).masked_fill(self.net.masks[layer - 1] == 0, float("inf"))
        return int(torch.argmin(strength))

    def knock_one_per_column(self, it: int, keep: int = 1) -> None:
        """Knock out the weakest live neuron of every hidden column that has more than `keep` alive; refused
        (ValueError, nothing changed) when no column has."""
        alive = self.alive_per_column()
        if max(alive) <= keep:
            raise ValueError(f"no column has more than {keep} neuron{'s' * (keep > 1)} left (alive per column: "
                             f"{alive}); nothing to knock out")
        for layer in range(1, self.columns + 1):
            if alive[layer - 1] > keep:
                self.net.masks[layer - 1][self.weakest(layer)] = 0.0
        self._changed("knocked out one per column", it)

    def _changed(self, what: str, it: int) -> None:
        last = self.changes[-1] if self.changes else None
        if last is not None and last.solved_after is None and not last.interrupted:
            if last.at == it:  # several clicks between two updates are one change
                last.what, last.alive = f"{last.what}, {what}", self.alive_per_column()
                self._check_solved(it)
                return
            last.interrupted = True
        self.changes.append(Change(at=it, what=what, alive=self.alive_per_column()))
        del self.changes[:-MAX_CHANGES]
        self._check_solved(it)

    def _check_solved(self, it: int) -> None:
        if self.solved_now():  # a knockout the solution never needed costs no retraining
            self._solved(it)

    def _solved(self, it: int) -> None:
        if self.solved_at is None:
            self.solved_at = it
        last = self.changes[-1] if self.changes else None
        if last is not None and last.solved_after is None and not last.interrupted:
            last.solved_after = it - last.at
        if self.prune_to is not None and max(self.alive_per_column()) > self.prune_to:
            self.knock_one_per_column(it, keep=self.prune_to)

    def set_prune(self, to: int | None, it: int) -> None:
        self.prune_to = to
        if to is not None and not self.watching:  # already solved: the first knockout is due now
            self._solved(it)

    # ------------------------------------------------------------------ training
    def train(self, n: int, lr: float, it0: int, halt: bool = False) -> torch.Tensor:
        """n full-batch updates from iteration it0; returns the error after each, (n,). With `halt`, stops right
        after the update that solved the task (and left nothing to prune) and returns only the errors until then.

        Exact solve times without checking every iteration: a chunk is trained in one fast call, and only if
        its error (MSE, from the same call) fell below tol^2 somewhere - necessary for every output to be within
        tol - is the chunk replayed from a saved copy, stopping to check at just those iterations. Replays are
        bitwise identical (same kernel, same dropout draws), so the result is what one pass would give.
        """
        draws = self.net.draw_keep(n, self.gen)  # one draw per update, fixed before any replay
        errors = torch.empty(n, dtype=self.net.spec.dtype)
        done = 0
        while done < n:
            d = draws[done:] if draws is not None else None
            if not self.watching:
                errors[done:] = self.net.fit(self.x, self.y, n - done, lr, draws=d)
                break
            hit = self._train_until_solved(n - done, lr, d, errors[done:])
            if hit is None:
                break
            done += hit
            self._solved(it0 + done)  # may knock neurons out (pruning): the rest of the chunk is trained anew
            if halt and not self.watching:
                if draws is not None:
                    self._record_dropped(draws[done - 1])
                return errors[:done]
        if draws is not None and n > 0:
            self._record_dropped(draws[-1])
        return errors

    def _train_until_solved(self, m: int, lr: float, draws: torch.Tensor | None, errors: torch.Tensor) -> int | None:
        """Train m updates into `errors`; if the task gets solved on the way, stop right there and return the
        number of updates done (errors beyond it are stale and will be overwritten)."""
        start = self.net.flat.clone()
        errors[:] = self.net.fit(self.x, self.y, m, lr, draws=draws)
        candidates = torch.nonzero(self.may_be_solved(errors)).flatten().tolist()
        if not candidates:
            return None
        self.net.flat.copy_(start)
        pos = 0
        for c in candidates:  # errors[c] is after update c + 1
            self.net.fit(self.x, self.y, c + 1 - pos, lr, draws=draws[pos : c + 1] if draws is not None else None)
            pos = c + 1
            if self.solved_now():
                return pos
        if pos < m:
            self.net.fit(self.x, self.y, m - pos, lr, draws=draws[pos:] if draws is not None else None)
        return None

    def may_be_solved(self, errors: torch.Tensor) -> torch.Tensor:
        """Where the task may have been solved, from the MSE after each update: every output within tol of its
        target needs MSE < tol^2 (NaN never qualifies). Where this is all False, nothing got solved."""
        return errors < self.tol**2 * (1 + 1e-9)

    def _record_dropped(self, draw: torch.Tensor) -> None:
        self.dropped = dropped(self.net, draw)

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        # the dropout generator's state (5 KB): a restored session or a bookmark draws on exactly as it would have
        gen = base64.b64encode(self.gen.get_state().numpy().tobytes()).decode()
        return {"solved_at": self.solved_at, "prune_to": self.prune_to, "changes": [asdict(c) for c in self.changes],
                "gen": gen}

    def load(self, state: dict[str, Any]) -> None:
        self.solved_at, self.prune_to = state["solved_at"], state["prune_to"]
        self.changes = [Change(**c) for c in state["changes"]]
        if "gen" in state:
            self.gen.set_state(torch.frombuffer(bytearray(base64.b64decode(state["gen"])), dtype=torch.uint8))
