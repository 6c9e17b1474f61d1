"""The knockout demo's hyperparameters and budgets: the lecture's numbers, and the stated budgets behind "stuck"."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class KnockoutConfig:
    width: int = 10  # neurons per hidden column (lecture: "each one of them has nine or ten neurons")
    columns: int = 5  # hidden columns (lecture: "we'll put five layers in there")
    narrow_width: int = 2  # the narrow net (lecture: "knock out all but two neurons in each column")
    init_scale: float = 0.3  # weights and biases uniform in [-0.3, 0.3]: untrained, every output is about 0.5
    lr: float = 0.1  # full-batch gradient descent on 0.5 * squared error summed over the three shadows
    tol: float = 0.1  # solved: every output within this of its one-hot target on the three training shadows
    prune_to: int = 2  # the prune preset knocks out one per column, retraining each time, down to this many
    dropout_p: float = 0.2  # the dropout slider's starting probability
    wide_steps: int = 400_000  # default budget of the wide and prune presets (the cliff comes at ~60k-250k)
    # "Stuck" is only honest at a stated budget: two-per-column nets do escape, after plateaus tens of times longer
    # than the wide net's (docs/lessons.md). The budget is the wide net's slowest first solve over seeds 0..15
    # (measured: `nn-playground run knockout --preset wide --seeds 16`) times stuck_factor.
    wide_slowest_solve: int = 241_127
    stuck_factor: int = 10
    keep_going_factor: int = 50  # "keep going" in the batch: the plateau this many times the wide net's, not a wall
    batch_share: int = 4  # while a many-seeds batch runs, it trains this many iterations per lecture-net one

    @property
    def stuck_budget(self) -> int:
        """The narrow preset's budget: what the wide net needed at worst, `stuck_factor` times over."""
        return self.wide_slowest_solve * self.stuck_factor

    @property
    def keep_going_budget(self) -> int:
        return self.wide_slowest_solve * self.keep_going_factor


LECTURE_SOLVE = 160_000  # lecture: "after about 160,000 iterations it seems to have got it"
MAX_BATCH_STEPS = 25_000_000  # a batch run's budget at most (the slowest narrow escape measured: 18.4M)
