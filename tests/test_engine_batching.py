"""Same-shaped sessions trained as one batched computation (the GPU path, here on the CPU) end where each would
have ended alone: same iterations, same weights to float tolerance, same lesson bookkeeping."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from models.demo import Demo
from models.demos.autoencoder.demo import AutoencoderDemo, FineTune
from models.demos.boundary.demo import BoundaryDemo
from models.demos.knockout.demo import Dropout, KnockOnePerColumn, KnockoutDemo
from models.demos.sigmoid.demo import SigmoidDemo
from server import batching
from server.engine import Engine
from server.protocol import SetParams
from server.session import Session

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def twin(demo: Demo) -> Demo:
    """An independent copy of a demo in the same state."""
    other = type(demo)(seed=demo.seed, preset=demo.preset)
    other.load(demo.state())
    return other


def run(sessions: list[Session], engine: Engine, steps: int) -> None:
    for s in sessions:
        s.pending_steps = steps
        engine.add(s)
    for _ in range(100_000):
        if not any(s.runnable for s in sessions):
            return
        engine.tick()
    raise AssertionError("the sessions never finished their steps")


def compare(make: Callable[[int], Demo], steps: int, device: str, lrs: tuple[float, ...] = (0.5, 1.0, 2.0)) -> None:
    demos = [make(seed) for seed in range(len(lrs))]
    for d, lr in zip(demos, lrs, strict=True):
        d.set_lr(lr)  # a learning rate of its own: a batch must not mix them up
    together = [Session(d) for d in demos]
    alone = [Session(twin(d)) for d in demos]
    assert all(d.fit_job() is not None for d in demos), "these demos must be batchable"
    for s in together:
        s.pending_steps = steps
    groups, rest = batching.groups(together, 2)
    assert len(groups) == 1 and not rest, "same-shaped sessions form one group"
    start = demos[0].iteration
    run(together, Engine(batch_device=device), steps)
    run(alone, Engine(), steps)
    assert all(d.iteration == start + steps for d in demos)
    for t, a, d in zip(together, alone, demos, strict=True):
        end = d.iteration  # together[i].demo is demos[i]: compare with the twin that trained alone
        assert a.demo.iteration == end and t.loss_log and a.loss_log
        job_t, job_a = t.demo.fit_job(), a.demo.fit_job()
        assert job_t is not None and job_a is not None
        torch.testing.assert_close(job_t.net.flat, job_a.net.flat, rtol=1e-7, atol=1e-9)
        assert t.loss_log[-1][0] == a.loss_log[-1][0] == end
        assert t.loss_log[-1][1] == pytest.approx(a.loss_log[-1][1], rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_autoencoders_train_together_as_alone(device: str) -> None:
    compare(lambda seed: AutoencoderDemo(seed=seed), 700, device)


@pytest.mark.parametrize("device", DEVICES)
def test_fine_tuned_heads_train_together_as_alone(device: str) -> None:
    def make(seed: int) -> Demo:
        d = AutoencoderDemo(seed=seed)
        d.train(300)
        d.apply(FineTune(on=True))
        return d

    compare(make, 200, device)


@pytest.mark.parametrize("device", DEVICES)
def test_boundary_nets_train_together_as_alone(device: str) -> None:
    compare(lambda seed: BoundaryDemo(seed=seed, preset="circle"), 60, device, lrs=(0.02, 0.05, 0.1))


@pytest.mark.parametrize("device", DEVICES)
def test_sums_of_sigmoids_train_together_as_alone(device: str) -> None:
    compare(lambda seed: SigmoidDemo(seed=seed, preset="sin-20-3"), 150, device, lrs=(0.05, 0.1, 0.2))


@pytest.mark.parametrize("device", DEVICES)
def test_knockout_retraining_together_times_each_solve_exactly(device: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a knockout each net is watched for its next solve; a batched slice in which one might have been
    solved is replayed alone, so every solve is timed to the iteration, as alone."""
    replayed: list[int] = []
    together_once = batching.train_group

    def spy(group: list[Session], budget_s: float, dev: str) -> tuple[int, list[Session]]:
        trained, rest = together_once(group, budget_s, dev)
        replayed.append(len(rest))
        return trained, rest

    monkeypatch.setattr(batching, "train_group", spy)
    demos = []
    for seed in (1, 2):
        d = KnockoutDemo(seed=seed, preset="wide")
        while d.tracked.solved_at is None:
            d.train(5000)  # alone, on the fused loop, to just past the cliff
        while not d.tracked.watching:  # knock out until it is no longer solved
            d.apply(KnockOnePerColumn())
        assert d.fit_job() is not None
        demos.append(d)
    together = [Session(d) for d in demos]
    alone = [Session(twin(d)) for d in demos]
    run(together, Engine(batch_device=device), 6000)
    run(alone, Engine(), 6000)
    for t, a in zip(together, alone, strict=True):
        assert t.demo.tracked.retrain_steps() == a.demo.tracked.retrain_steps()
        assert t.demo.tracked.retrain_steps()[-1] is not None, "retraining solved the task again"
        torch.testing.assert_close(t.demo.net.flat, a.demo.net.flat, rtol=1e-7, atol=1e-9)
    assert max(replayed) > 0 and replayed.count(0) > 0, "slices both stood batched and were replayed alone"


def test_what_cannot_be_batched_trains_alone() -> None:
    wide = KnockoutDemo(seed=0)
    dropout = KnockoutDemo(seed=1)
    dropout.apply(Dropout(on=True, p=0.2))
    neuron = SigmoidDemo(seed=0, preset="neuron")  # one neuron, not an MLP fit
    perceptron = BoundaryDemo(seed=0, preset="perceptron-xor")  # the perceptron rule
    assert dropout.fit_job() is None and neuron.fit_job() is None and perceptron.fit_job() is None
    sessions = [Session(d) for d in (wide, dropout, neuron, perceptron, KnockoutDemo(seed=2))]
    for s in sessions:
        s.pending_steps = 5
    groups, alone = batching.groups(sessions, 2)
    assert [[s.demo for s in g] for g in groups] == [[wide, sessions[4].demo]]
    assert [s.demo for s in alone] == [dropout, neuron, perceptron]


def test_a_paused_or_differently_shaped_session_is_not_grouped() -> None:
    a, b, c = (Session(AutoencoderDemo(seed=i)) for i in range(3))
    a.pending_steps = b.pending_steps = 10
    c.apply(SetParams(speed=5))  # running at a speed limit with nothing earned yet: nothing to train
    c.running = True
    groups, alone = batching.groups([a, b, c], 2)
    assert groups == [[a, b]] and alone == [c]
    b.apply(FineTune(on=True))  # another network now
    groups, alone = batching.groups([a, b], 2)
    assert groups == [] and alone == [a, b]


def test_a_failing_batch_leaves_every_session_training_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("CUDA out of memory (simulated)")

    monkeypatch.setattr(batching, "fit", broken)
    sessions = [Session(AutoencoderDemo(seed=i)) for i in range(3)]
    engine = Engine(batch_device="cpu")
    run(sessions, engine, 50)
    assert engine.batch_device is None, "batching is off after a failure"
    assert all(s.demo.iteration == 50 and s.status is None for s in sessions)
