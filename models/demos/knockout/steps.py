"""The knockout lecture's steps that need a stated budget or an honest verdict (docs/lessons.md has the numbers):
the narrow net stuck at its budget, the same net going on past it, dropout on this task, and the many-seeds batch.
models/demos/knockout/lesson.py splices them into the lecture; tests/test_lesson_claims.py builds each and checks its
`expect`."""

from __future__ import annotations

from models.demos.knockout.config import KnockoutConfig
from models.lesson import LessonStep

_CFG = KnockoutConfig()
# Seed 5 of two per column: unsolved at the stated budget, solved at 4,003,858 (about 17 x the wide net's slowest).
NARROW_SEED = 5
NARROW_ESCAPE = 4_003_858

NARROW_STEP = LessonStep(
    title="Two per column from scratch: stuck, at this budget",
    note=(f"A fresh net with two neurons per column, trained for {_CFG.stuck_budget:,} iterations: ten times what the "
          f"wide net needed at worst ({_CFG.wide_slowest_solve:,} over 16 seeds). The lecture calls it a local "
          "maximum; here it is stuck at this budget, which is what we can honestly say."),
    expect=f"Not solved after {_CFG.stuck_budget:,} iterations; the error is still on the plateau (about 0.22).",
    preset="narrow", seed=NARROW_SEED, train="solved", until=_CFG.stuck_budget, view={"panel": "chart"},
)

NARROW_KEEP_GOING_STEP = LessonStep(
    title="Keep going: a plateau, not a wall",
    note=(f"Let the same net go on. It falls off its cliff at {NARROW_ESCAPE:,}: a plateau about "
          f"{NARROW_ESCAPE / _CFG.wide_slowest_solve:.0f} times longer than the wide net's, not a local optimum. "
          "Widening does not remove walls here; it shortens plateaus enormously."),
    expect=f"Solved at iteration {NARROW_ESCAPE:,}.",
    continues=True, train="solved", until=_CFG.keep_going_budget, view={"panel": "chart"},
)

DROPOUT_SEED = 1  # solves at 90,612 without dropout
DROPOUT_P = 0.2  # the slider's starting rate
DROPOUT_STEP = LessonStep(
    title="Dropout: on this task it does not help",
    note=("The lecture says dropout keeps the net out of a frozen state. Here, with three examples and a 0.1 margin, "
          f"it does the opposite: this seed solves at 90,612 without dropout; with p = {DROPOUT_P} it is still on the "
          "plateau at 400,000 (over 10 seeds, p = 0.1 leaves most unsolved at 2,411,270). Dropout's other job, "
          "against overfitting, holds in the decision-boundary demo."),
    expect=("With dropout p = 0.2 not solved at 400,000 iterations, where the same seed without dropout solved at "
            "90,612."),
    preset="wide", seed=DROPOUT_SEED, commands=({"type": "dropout", "on": True, "p": DROPOUT_P},),
    train="to", until=400_000, view={"panel": "chart"},
)

# Many seeds at once: seeds 0..9, as docs/lessons.md's sections 8 and 9 ran them (the same numbers: the batch runs
# the CLI's presets). The lecture net trains BATCH_SHARE batch iterations per one of its own (KnockoutConfig's
# batch_share; a test holds the two equal), so BATCH_UNTIL of its iterations let every one of the 2 x 10 runs
# use its whole budget: the batch is done before the step pauses.
BATCH_SEEDS = 10
BATCH_SHARE = 4
BATCH_UNTIL = -(-2 * BATCH_SEEDS * _CFG.stuck_budget // BATCH_SHARE)

BATCH_STEP = LessonStep(
    title=f"Many seeds at once: how often each way gets stuck in {_CFG.stuck_budget:,} iterations",
    note=f"Seeds 0 to {BATCH_SEEDS - 1}, each trained two ways for the same budget: wide, then pruned to two per "
         "column; and two per column from scratch. Not one lucky seed: a count. The runs fill in one after "
         "the other, some 24 million iterations in all; pause whenever the table has said enough.",
    expect=f"all {BATCH_SEEDS} wide-then-pruned nets solve; of the {BATCH_SEEDS} narrow nets from scratch 2 solve "
           f"within the budget (seeds 6 and 9, at 1,835,371 and 1,566,861) and 8 are stuck at "
           f"{_CFG.stuck_budget:,}",
    preset="wide", seed=0, commands=({"type": "batch", "seeds": BATCH_SEEDS, "steps": _CFG.stuck_budget},),
    train="to", until=BATCH_UNTIL, speed=0.0, view={"panel": "seeds"},
)

STEPS: tuple[LessonStep, ...] = (NARROW_STEP, NARROW_KEEP_GOING_STEP, DROPOUT_STEP, BATCH_STEP)
