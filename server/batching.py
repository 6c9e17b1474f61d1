"""Same-shaped sessions trained as one batched computation: a class doing one exercise, on a GPU.

The lecture networks are so small that one session's iteration on a GPU is all kernel-launch overhead: alone, a
session trains far faster on the CPU's fused loop. A GPU pays when it trains many sessions in the same launches,
so the engine gathers the running sessions whose next training is the same kind of `FitJob` (same shapes, data
sizes and rule), trains them together (models/nn/batched.py, on `device`), and writes each result back into its
session's own network, which stays on the CPU where frames read it cheaply. Every session gets the same slice;
one whose job changed meanwhile, or whose result does not stand (`FitJob.accept`), trains alone as usual.
"""

from __future__ import annotations

import time
from contextlib import ExitStack

import torch

from models.demo import FitJob
from models.nn.batched import BatchedMLP
from server.session import Session


def job_of(s: Session) -> FitJob | None:
    """The session's next training as a batchable FitJob, or None (lock held)."""
    if s.slice_size() <= 0:
        return None
    job = s.demo.fit_job()
    return job if job is not None and job.net.dropout == 0 else None


def groups(sessions: list[Session], min_size: int) -> tuple[list[list[Session]], list[Session]]:
    """The sessions in groups of at least `min_size` with equal job keys, and the rest (to train alone)."""
    by_key: dict[tuple[object, ...], list[Session]] = {}
    alone: list[Session] = []
    for s in sessions:
        with s.lock:
            job = job_of(s)
        if job is None:
            alone.append(s)
        else:
            by_key.setdefault(job.key, []).append(s)
    out = []
    for members in by_key.values():
        if len(members) >= min_size:
            out.append(members)
        else:
            alone.extend(members)
    return out, alone


def train_group(group: list[Session], budget_s: float, device: str) -> tuple[int, list[Session]]:
    """One slice of the same n iterations for every session of the group, as one batched computation on
    `device`. Returns the iterations trained in all and the sessions left to train alone this round."""
    with ExitStack() as held:
        for s in sorted(group, key=lambda s: s.id):  # one order for everyone: no two trainers ever deadlock
            held.enter_context(s.lock.for_training())
        found = [(s, job_of(s)) for s in group]  # again, under the locks: a command may have come meanwhile
        keys = [job.key for _, job in found if job is not None]
        key = max(set(keys), key=keys.count) if keys else None
        members = [(s, job) for s, job in found if job is not None and job.key == key]
        if len(members) < 2:
            return 0, group
        n = min(s.slice_size() for s, _ in members)
        t0 = time.perf_counter()
        batched, errors = fit([job for _, job in members], n, device)
        dt = time.perf_counter() - t0
        stands = [i for i, (_, job) in enumerate(members) if job.accept is None or job.accept(errors[i])]
        batched.scatter(stands)  # the others' networks are as they were: they train this slice alone
        for i in stands:
            s, job = members[i]
            job.done(n)
            s.record(errors[i], n, dt, budget_s * len(members))  # the group had its members' shares in all
        kept = {members[i][0].id for i in stands}
        return n * len(stands), [s for s in group if s.id not in kept]


def fit(jobs: list[FitJob], n: int, device: str) -> tuple[BatchedMLP, torch.Tensor]:
    """n iterations of every job's SGD at once; returns the batch (not yet written back) and the error after
    each iteration, (jobs, n), on the CPU."""
    batched = BatchedMLP([j.net for j in jobs], device)
    x = torch.stack([j.x for j in jobs])  # (B, samples, in)
    y = torch.stack([j.y for j in jobs])  # (B, samples, out)
    lr = torch.tensor([j.lr for j in jobs], dtype=jobs[0].net.spec.dtype)
    errors = batched.fit(x, y, n, lr, jobs[0].batch, during=jobs[0].errors == "during")  # one key: one mode
    assert errors is not None, "fit with errors=True returns them"
    return batched, errors
