"""Every lesson step's `expect` holds: each step built and trained as the step bar and `run --lesson-step` do."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import torch

from models.data import shadows
from models.demos.autoencoder.demo import AutoencoderDemo
from models.demos.boundary.demo import BoundaryDemo
from models.demos.knockout import steps as knockout_steps
from models.demos.knockout.config import KnockoutConfig
from models.demos.knockout.demo import KnockoutDemo
from models.demos.knockout.lesson import NARROW_BUDGET
from models.demos.knockout.steps import BATCH_STEP, DROPOUT_STEP, NARROW_KEEP_GOING_STEP, NARROW_STEP
from models.demos.sigmoid import lesson as sigmoid_lesson
from models.demos.sigmoid.demo import SigmoidDemo
from models.lesson import LessonStep
from models.nn.probes import max_stimulus
from models.registry import DEMOS
from server import lesson
from server.session import Session


@functools.cache
def ended(name: str, k: int) -> Session:
    """Step k of a demo's lesson, built and trained to where it pauses (cached: later steps replay earlier ones)."""
    s = lesson.build(DEMOS[name], k, "cpu")
    lesson.finish(s)
    assert s.status is None, f"{name} step {k}: {s.status}"
    return s


def started(name: str, k: int) -> Session:
    return lesson.build(DEMOS[name], k, "cpu")


def test_every_demo_has_a_lesson_whose_steps_train_to_a_stated_point() -> None:
    for name in DEMOS:  # every registered demo, not a hard-coded list
        steps = DEMOS[name].lesson
        assert len(steps) >= 5, f"{name} has a lecture of {len(steps)} steps"
        assert not steps[0].continues, f"{name}'s first step must set up a state of its own"
        for st in steps:
            assert isinstance(st, LessonStep) and st.title and st.expect
            assert st.train == "none" or st.until > 0
            for c in st.commands:
                DEMOS[name].commands  # noqa: B018 - every command is valid for the demo:
                lesson.commands(DEMOS[name], st)  # raises on one the page could not send either
                assert c["type"] != "play", "a step starts its training by `train`, not by a play command"


def test_a_bad_step_number_is_refused_with_the_range() -> None:
    with pytest.raises(ValueError, match=r"steps 1\.\.6"):
        lesson.build(AutoencoderDemo, 7, "cpu")
    with pytest.raises(ValueError, match="steps 1"):
        lesson.build(AutoencoderDemo, 0, "cpu")


# ---------------------------------------------------------------------------------------------------- autoencoder
def _outputs(d: AutoencoderDemo) -> torch.Tensor:
    return d.autoencoder.predict(d.x)


def test_autoencoder_untrained_outputs_are_about_a_half() -> None:
    s = ended("autoencoder", 1)
    assert s.demo.iteration == 0 and not s.running
    assert float((_outputs(s.demo) - 0.5).abs().max()) < 0.15


def test_autoencoder_step_2_ends_at_1000_with_every_output_within_0_1() -> None:
    s = started("autoencoder", 2)
    assert s.running and s.speed == 300 and s.pace.stop_at == 1000, "the step starts by itself, at a watching speed"
    s = ended("autoencoder", 2)
    d = s.demo
    assert d.iteration == 1000 and not s.running
    assert float((_outputs(d) - d.x).abs().max()) < 0.1


def _distance_to_animals(pattern: list[float]) -> list[int]:
    return [sum(int(a != b) for a, b in zip(pattern, s.levels, strict=True)) for s in shadows.training_set()]


@pytest.mark.parametrize(("k", "unit"), [(3, 0), (4, 1), (5, 2)])
def test_autoencoder_hidden_neurons_one_like_short_the_others_like_nothing(k: int, unit: int) -> None:
    s = ended("autoencoder", k)
    d = s.demo
    assert d.iteration == 1000 and d.inspected == (1, unit)
    pattern, _, how = max_stimulus(d.autoencoder, 1, unit)
    dist = _distance_to_animals(pattern)
    if unit == 1:
        assert dist[0] <= 1, f"neuron 2 should look like the cheetah's short shadow: {pattern}"
    else:
        assert min(dist) >= 3, f"neuron {unit + 1} should look like no animal: {pattern}, distances {dist}"
    assert how == "exact"


def test_autoencoder_fine_tune_starts_at_a_third_and_is_fast() -> None:
    s = started("autoencoder", 6)
    d = s.demo
    assert d.phase == "finetune" and d.iteration == 1000 and s.running and s.pace.pause_solved
    probs = torch.softmax(d.classifier.predict(d.test_x), dim=1)
    assert float((probs - 1 / 3).abs().max()) < 0.01
    s = ended("autoencoder", 6)
    d = s.demo
    assert d.solved() and not s.running
    assert 0 < d.finetune_steps < 100 and d.iteration == 1000 + d.finetune_steps
    assert d.test_accuracy() == 1.0 and d.encoder_max_change() == 0.0


def test_going_back_to_a_step_rebuilds_it_exactly() -> None:
    a = ended("autoencoder", 2).demo.autoencoder.flat.clone()
    s = lesson.build(AutoencoderDemo, 2, "cpu")
    s.speed = 0.0  # trained in slices of another size than the cached run: the same numbers regardless
    while s.running:
        assert s.train_slice(0.001, cap=37) > 0
    assert s.demo.iteration == 1000
    assert torch.equal(s.demo.autoencoder.flat, a)


# ---------------------------------------------------------------------------------------------------- sigmoid
def _wt(s: Session) -> tuple[float, float]:
    assert isinstance(s.demo, SigmoidDemo)
    return s.demo.neuron.wt()


def _z(s: Session, x: float) -> float:
    w, t = _wt(s)
    return float(torch.sigmoid(torch.tensor(w * x - t)))


def test_sigmoid_neuron_steps() -> None:
    s1 = ended("sigmoid", 1)
    assert s1.demo.iteration == 0 and len(s1.demo.neuron.points) == 8
    s2 = ended("sigmoid", 2)
    r1, r2 = s1.demo.results(), s2.demo.results()
    assert s2.demo.iteration == 2000 and r2["accuracy"] == 1.0 and r2["log_likelihood"] > r1["log_likelihood"]
    s3 = ended("sigmoid", 3)
    assert s3.demo.iteration == 3000 and len(s3.demo.neuron.points) == 9
    assert all(abs(a - b) < 1 for a, b in zip(_wt(s2), _wt(s3), strict=True)), "a far negative: not much happens"
    s4 = ended("sigmoid", 4)
    assert _wt(s4)[0] < _wt(s3)[0] / 2, "the noise point: a dramatic shift"
    s5 = ended("sigmoid", 5)
    assert _wt(s5)[0] > _wt(s4)[0], "more negatives steepen it again"
    assert _z(s5, -2.0) < _z(s4, -2.0), "and the noise point becomes less probable"


def test_sigmoid_function_steps() -> None:
    r6, r7, r8 = (ended("sigmoid", k).demo.results() for k in (6, 7, 8))
    assert r6["model"] == "[2,tanh:1,linear]" and r6["loss"] > 0.01
    assert r7["loss"] < r6["loss"]
    assert r8["model"] == "[30,tanh:1,linear]" and r8["extrapolation_error"] > 10 * r8["loss"]


# ---------------------------------------------------------------------------------------------------- knockout
def test_knockout_untrained_outputs_are_about_a_half() -> None:
    d = ended("knockout", 1).demo
    assert isinstance(d, KnockoutDemo)
    assert float((d.tracked.outputs() - 0.5).abs().max()) < 0.2


@pytest.mark.parametrize(("k", "seed", "at"), [(2, 0, 241_127), (3, 1, 90_612)])
def test_knockout_trains_to_the_cliff_and_pauses_exactly_at_the_solve(k: int, seed: int, at: int) -> None:
    s = ended("knockout", k)
    d = s.demo
    assert d.seed == seed and d.tracked.solved_at == at and d.iteration == at and not s.running
    assert bool(((d.tracked.outputs() - d.y).abs() < 0.1).all())


def test_knockout_pruned_to_two_per_column_retrains_fast() -> None:
    s = ended("knockout", 4)
    d = s.demo
    assert d.tracked.alive_per_column() == [2] * 5 and d.solved() and not s.running
    first = 90_612
    retrains = d.tracked.retrain_steps()
    assert len(retrains) == 8 and all(r is not None and r < first / 10 for r in retrains)


def test_knockout_narrow_net_is_stuck_at_its_budget() -> None:
    s = ended("knockout", 5)
    d = s.demo
    assert d.width == 2 and d.iteration == NARROW_BUDGET and d.tracked.solved_at is None
    assert d.net.error(d.x, d.y) > 0.1, "the error is still on the plateau"


def test_knockout_splices_its_budgeted_steps_in() -> None:
    """The narrow net going on past its budget, dropout's verdict and the many-seeds batch are lesson steps (their
    claims: tests/test_lesson_claims.py), after the narrow net they continue and the greyed-out dropout step."""
    lesson = KnockoutDemo.lesson
    assert len(lesson) == 9 and lesson[4] is NARROW_STEP and lesson[5] is NARROW_KEEP_GOING_STEP
    assert lesson[7] is DROPOUT_STEP and lesson[8] is BATCH_STEP
    assert NARROW_STEP.until == NARROW_BUDGET and NARROW_KEEP_GOING_STEP.continues


def test_knockout_dropout_draws_neurons_dropped_and_does_not_solve() -> None:
    s = ended("knockout", 7)
    d = s.demo
    assert d.dropout_on and d.iteration == 60_000 and d.tracked.solved_at is None
    assert d.tracked.dropped is not None, "the frame says which neurons the last update dropped"
    drops = 0
    for _ in range(40):  # p = 0.02 of 50 neurons: about one dropped per update, so most updates grey one out
        d.train(1)
        drops += any(any(col) for col in d.tracked.dropped)
    assert drops >= 10


# ---------------------------------------------------------------------------------------------------- boundary
def test_boundary_steps() -> None:
    s1 = ended("boundary", 1)
    r1 = s1.demo.results()
    assert r1["accuracy"] == 1.0 and r1["line"].startswith("I1 =") and s1.demo.iteration <= 100
    r2 = ended("boundary", 2).demo.results()
    assert r2["dataset"] == "xor" and r2["hidden"] == [] and r2["accuracy"] <= 0.8
    s3 = ended("boundary", 3)
    assert s3.demo.results()["accuracy"] == 1.0 and s3.demo.iteration < 500
    s4 = ended("boundary", 4)
    assert isinstance(s4.demo, BoundaryDemo) and len(s4.demo.points.label) == 0 and not s4.running
    s5 = ended("boundary", 5)
    assert s5.demo.results()["accuracy"] == 1.0 and s5.demo.iteration < 2000


def test_boundary_overfit_steps_end_with_dropout_lowering_the_test_loss() -> None:
    plain, dropped = ended("boundary", 6).demo, ended("boundary", 7).demo
    assert plain.preset == dropped.preset == "overfit" and not plain.cfg.dropout_on and dropped.cfg.dropout_on
    assert plain.iteration == dropped.iteration == 2000
    r0, r1 = plain.results(), dropped.results()
    assert r0["loss"] < 1e-3 and r0["accuracy"] == 1.0, "without dropout the net learns the noise"
    assert r1["test_loss"] < r0["test_loss"] - 0.1, "with dropout the test loss stays well below"


def test_the_narrow_steps_budget_is_the_one_docs_lessons_states() -> None:
    from models.demos.knockout.demo import KnockoutConfig

    assert NARROW_BUDGET == KnockoutConfig().stuck_budget


def test_every_steps_view_names_a_panel_of_its_page_and_a_sample_it_has() -> None:
    """A step's `view` (what the page outlines and selects) must name what is there: a panel the demo's page has
    (`.NAME-panel`), and for the sigmoid's noise-point steps the noise point itself."""
    from fastapi.testclient import TestClient

    from server.app import create_app
    from server.config import Settings

    with TestClient(create_app(Settings(db_path=":memory:", device="cpu"))) as client:
        for name, cls in DEMOS.items():
            page = client.get(f"/demos/{name}").text
            for st in cls.lesson:
                assert set(st.view) <= {"panel", "sample", "stage", "maps", "cell"}, st.view
                if "panel" in st.view:
                    assert f'{st.view["panel"]}-panel' in page, f"{name}: no {st.view['panel']} panel"
    for k in (4, 5):
        s = started("sigmoid", k)
        pts = s.demo.neuron.points
        at = (pts.xs[sigmoid_lesson.NOISE_INDEX], pts.ys[sigmoid_lesson.NOISE_INDEX])
        assert at == (sigmoid_lesson.NOISE_X, 1), "the step selects the noise point"


def _docs_table(heading: str) -> list[list[str]]:
    """The per-seed rows of docs/lessons.md's first table under `heading`."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "lessons.md").read_text()
    body = text[text.index(heading):]
    body = body[: body.index("The rest of the final line")]
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in body.splitlines()
            if re.match(r"\| \d+ \|", line)]


def test_knockout_many_seeds_step_runs_docs_measurement_and_says_its_numbers() -> None:
    """Step 9 starts the many-seeds batch on docs/lessons.md's seeds and budget (the batch runs the CLI's presets,
    so it gives the numbers measured there), lets every run use its whole budget before it pauses, and its
    `expect` says what those tables say (the tables themselves: test_lesson_claims and the CLI)."""
    cfg = KnockoutConfig()
    s = started("knockout", 9)
    b = s.demo.batch
    assert b is not None and (b.seed0, b.seeds, b.steps) == (0, knockout_steps.BATCH_SEEDS, cfg.stuck_budget)
    assert b.kinds == ("pruned", "narrow") and knockout_steps.BATCH_SHARE == cfg.batch_share
    assert s.running and s.speed == 0
    assert (s.pace.stop_at - s.demo.iteration) * cfg.batch_share >= len(b.runs) * b.steps
    pruned, narrow = _docs_table("### 8. Knock out"), _docs_table("### 9. Two per column")
    seeds = [str(k) for k in range(b.seeds)]
    assert [r[0] for r in pruned] == seeds == [r[0] for r in narrow]
    assert all(r[1] != "-" and r[3] == "2 2 2 2 2" for r in pruned), "every pruned run solves at two per column"
    solved = {r[0]: r[1] for r in narrow if r[2] == "solved"}
    expect = KnockoutDemo.lesson[8].expect
    assert f"all {b.seeds} wide-then-pruned nets solve" in expect
    assert f"{len(solved)} solve" in expect and f"{b.seeds - len(solved)} are stuck at {b.steps:,}" in expect
    assert f"seeds {' and '.join(solved)}" in expect and all(at in expect for at in solved.values())
