"""docs/lessons.md, checked: every verdict there still holds, on the demos' own code. Cheap checks run always; the
ones that need millions of iterations are marked slow (together about a minute on the fused kernel)."""

from __future__ import annotations

import dataclasses
import io
import statistics

import pytest

from models.demos.autoencoder.demo import AutoencoderDemo
from models.demos.boundary.demo import BoundaryDemo
from models.demos.boundary.overfit import OVERFIT_P, OVERFIT_STEPS, checkpoints
from models.demos.knockout.demo import KnockoutConfig, KnockoutDemo
from models.demos.knockout.steps import (
    BATCH_STEP,
    DROPOUT_STEP,
    NARROW_ESCAPE,
    NARROW_KEEP_GOING_STEP,
    NARROW_STEP,
    STEPS,
)
from models.demos.sigmoid.demo import SigmoidDemo
from server.runner import run
from tests.lesson_steps import build


# ---------------------------------------------------------------------- the autoencoder
def test_after_a_thousand_iterations_every_output_column_matches_for_every_seed() -> None:
    for seed in range(10):
        demo = AutoencoderDemo(seed=seed)
        demo.train(1000)
        assert demo.results()["matches"], f"seed {seed}: an output level on the wrong side of 0.5 at 1,000"


def test_hidden_units_stimuli_are_an_encoding_not_pictures() -> None:
    looks = [AutoencoderDemo(seed=s) for s in range(10)]
    for d in looks:
        d.train(1000)
    kinds = [k for d in looks for k in d.results()["stimuli_look_like"]]
    assert "no shadow" in kinds and any(k in ("cheetah", "zebra", "giraffe") for k in kinds)
    assert kinds.count("no shadow") > len(kinds) / 2, "most units look like nothing recognisable"


def test_fine_tuning_the_softmax_head_is_fast() -> None:
    final = run("autoencoder", "finetune", None, 0, 10, out=io.StringIO())  # the preset's own script
    assert all(s is not None and s < 200 for s in final["finetune_steps"]), final["finetune_steps"]
    assert final["accuracy"] == [1.0] * 10 and final["encoder_max_change"] == [0.0] * 10


# ---------------------------------------------------------------------- sigmoids
def test_a_positive_example_among_the_negatives_drags_the_curve() -> None:
    plain, noisy = SigmoidDemo(preset="neuron"), SigmoidDemo(preset="noise-point")
    plain.train(2000)
    noisy.train(2000)
    a, b = plain.results(), noisy.results()
    assert abs(b["w"]) < abs(a["w"]) / 2, "the noise point flattens the curve: a dramatic shift"


def test_two_sigmoids_fit_crudely_thirty_fit_inside_and_none_extrapolates() -> None:
    out = {}
    for preset in ("sin-2", "sin-30"):
        demo = SigmoidDemo(preset=preset)
        demo.train(demo.active.default_steps)
        out[preset] = demo.results()
    assert out["sin-30"]["loss"] < out["sin-2"]["loss"] / 5
    assert out["sin-30"]["extrapolation_error"] > 20 * out["sin-30"]["loss"], "outside the range it fails"


# ---------------------------------------------------------------------- boundaries
def test_xor_needs_a_hidden_layer() -> None:
    for seed in range(3):
        p, h = BoundaryDemo(seed=seed, preset="perceptron-xor"), BoundaryDemo(seed=seed, preset="xor")
        p.train(100)
        h.train(500)
        assert p.metrics()["train_accuracy"] <= 0.8 and h.metrics()["train_accuracy"] >= 0.95


def test_overfitting_then_dropout_keeps_the_test_loss_lower() -> None:
    plain = build(BoundaryDemo, OVERFIT_STEPS[0])
    m = plain.metrics()
    assert m["train_loss"] < 1e-3 and m["train_accuracy"] == 1.0
    dropped = build(BoundaryDemo, OVERFIT_STEPS[1])
    d = dropped.metrics()
    assert dropped.net.dropout == OVERFIT_P
    assert d["test_loss"] < m["test_loss"] - 0.1 and d["train_loss"] > 0.1
    assert round(m["test_loss"], 2) == 0.42 and round(d["test_loss"], 2) == 0.25, "the numbers the steps quote"


def test_overfitting_over_ten_seeds_test_loss_rises_from_its_lowest() -> None:
    rises = []
    for seed in range(10):
        demo = BoundaryDemo(seed=seed, preset="overfit")
        tests = []
        for at in checkpoints(2000):  # as the preset's script records them: dense early, where the minimum is
            demo.train(at - demo.iteration)
            tests.append(demo.metrics()["test_loss"])
        rises.append(tests[-1] - min(tests))
    assert min(rises) > 0.01 and statistics.median(rises) > 0.05, rises


# ---------------------------------------------------------------------- knockout
def test_the_batch_step_uses_the_stated_budget() -> None:
    # Set up only: the step then trains some 24 million iterations (its numbers against docs/lessons.md's tables:
    # tests/test_lessons.py's many-seeds test)
    demo = build(KnockoutDemo, dataclasses.replace(BATCH_STEP, train="none"))
    assert demo.batch is not None and demo.batch.steps == KnockoutConfig().stuck_budget == 2_411_270
    assert len(STEPS) == 4 and all(s.expect for s in STEPS)


@pytest.mark.slow
def test_dropout_step_stays_on_the_plateau_where_the_plain_net_solved() -> None:
    plain = KnockoutDemo(seed=DROPOUT_STEP.seed)
    while plain.tracked.solved_at is None:
        plain.train(10_000)
    assert plain.tracked.solved_at == 90_612
    demo = build(KnockoutDemo, DROPOUT_STEP)
    assert demo.net.dropout == 0.2 and demo.iteration == 400_000 and demo.tracked.solved_at is None


@pytest.mark.slow
def test_narrow_is_stuck_at_its_budget_then_escapes_when_it_keeps_going() -> None:
    demo = build(KnockoutDemo, NARROW_STEP)
    assert demo.iteration == KnockoutConfig().stuck_budget and demo.tracked.solved_at is None
    assert demo.net.error(demo.x, demo.y) > 0.2, "still on the plateau"
    demo = build(KnockoutDemo, NARROW_KEEP_GOING_STEP, demo)
    assert demo.tracked.solved_at == NARROW_ESCAPE


def test_pruning_to_two_per_column_is_quick_after_the_cliff() -> None:
    """Knockout and retrain (lecture): from a solved wide net, each knockout retrains in a few thousand."""
    demo = KnockoutDemo(seed=7, preset="prune")  # the fastest cliff of seeds 0..15: 61,715
    while not demo.tracked.prune_done() and demo.iteration < 120_000:
        demo.train(5000)
    assert demo.tracked.solved_at == 61_715 and demo.tracked.prune_done()
    assert demo.tracked.alive_per_column() == [2] * 5 and max(demo.tracked.retrain_steps()) < 5000
