"""'Stuck' with its budget: the narrow preset stops at a stated budget and says so; the many-seeds batch runs the
same budget for every kind, compares with dropout, and keeps going from where its stuck runs stopped."""

from __future__ import annotations

import io
import json

import pytest

from models.demos.knockout.demo import KeepGoing, KnockoutConfig, KnockoutDemo, RunSeeds, budget_note
from models.demos.knockout.seeds import Batch
from server.runner import run


def final(**kw: object) -> dict:
    out = io.StringIO()
    run("knockout", out=out, **kw)  # type: ignore[arg-type]
    return json.loads(out.getvalue().splitlines()[-1])


def test_the_stated_budget_is_ten_times_the_wide_nets_slowest_solve() -> None:
    cfg = KnockoutConfig()
    assert cfg.stuck_budget == 10 * 241_127 == 2_411_270 and cfg.keep_going_budget == 50 * 241_127
    assert RunSeeds().steps == cfg.stuck_budget, "the page's batch defaults to the same stated budget"


def test_a_run_that_hits_its_budget_says_it_stopped_there_and_what_that_means() -> None:
    f = final(preset="narrow", steps=3000, seed=0, seeds=2)
    assert f["budget"] == 3000 and f["stopped"] == ["budget", "budget"] and f["step"] == [3000, 3000]
    assert f["solved_at"] == [None, None]
    assert "0 of 2 reached the goal; 2 stopped there unsolved. Stuck at this budget only" in f["note"]
    assert "a larger --budget shows whether they escape" in f["note"]


def test_a_solved_run_stops_at_its_solve_not_at_the_budget() -> None:
    demo = KnockoutDemo(seed=7)
    demo.tracked.solved_at = 123  # as if solved: the script's `until` holds from the start
    phase = next(demo.script(5000))
    assert phase.steps == 5000 and phase.until is not None and phase.until()
    assert demo.results()["stopped"] == "solved" and demo.results()["budget"] == 5000


def test_the_note_names_the_stated_rule() -> None:
    cfg = KnockoutConfig()
    note = budget_note([{"stopped": "budget"}, {"stopped": "solved"}], cfg.stuck_budget, cfg)
    assert note.startswith("budget 2,411,270 iterations (10 x the wide net's slowest solve, 241,127): 1 of 2")
    assert budget_note([{"stopped": "solved"}], 400_000, cfg).endswith("1 of 1 reached the goal.")


def test_run_refuses_dropout_for_a_demo_without_it() -> None:
    with pytest.raises(SystemExit, match="autoencoder has no dropout; boundary, knockout have"):
        run("autoencoder", "default", 10, 0, dropout=0.5, out=io.StringIO())


def make(seed: int, preset: str) -> KnockoutDemo:
    return KnockoutDemo(seed=seed, preset=preset)


def test_keep_going_resumes_stuck_runs_exactly_where_a_longer_budget_would_be() -> None:
    short, long = Batch(make, 3, 1, 2000), Batch(make, 3, 1, 5000)
    short.advance(10_000)
    assert [r.status for r in short.runs] == ["stuck", "stuck"] and not short.active
    with pytest.raises(ValueError, match="above the current 2,000"):
        short.keep_going(2000)
    short.keep_going(5000)
    assert short.active and short.summary()["first_steps"] == 2000
    short.advance(100_000)
    long.advance(100_000)
    strip = lambda b: [(r.kind, r.status, r.iteration, r.solved_at) for r in b.runs]  # noqa: E731
    assert strip(short) == strip(long) == [("pruned", "stuck", 5000, None), ("narrow", "stuck", 5000, None)]
    for key, demo in short._parked.items():
        assert demo.net.flat.equal(long._parked[key].net.flat), "resumed from where it stopped, not from scratch"
    assert [r.stuck_at for r in short.runs] == [2000, 2000] and [r.stuck_at for r in long.runs] == [5000, 5000]
    with pytest.raises(ValueError, match="nothing to keep going"):
        Batch(make, 3, 1, 2000).keep_going(5000)


def test_a_batch_with_dropout_adds_the_wide_net_with_dropout_and_survives_a_restore() -> None:
    demo = KnockoutDemo(seed=0)
    demo.apply(RunSeeds(seeds=2, steps=1000, dropout=0.3))
    b = demo.batch
    assert b is not None and [r.kind for r in b.runs] == ["pruned", "narrow", "dropout"] * 2
    b.advance(1500)
    assert b._demo.net.dropout == 0.0 and b.runs[1].status == "running"
    b.advance(1000)
    assert b._demo.net.dropout == 0.3, "the third run of a seed trains the wide net with dropout"
    copy = KnockoutDemo(seed=0)
    copy.load(json.loads(json.dumps(demo.state())))
    assert copy.batch is not None and copy.batch.summary()["dropout"] == 0.3 and copy.batch.kinds == b.kinds
    with pytest.raises(ValueError, match="no many-seeds batch"):
        KnockoutDemo(seed=0).apply(KeepGoing())
