"""A demo's lecture as data: ordered steps a presenter walks with one key, each one a state and how it trains."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# How a step trains once its state is set up: not at all, to an iteration and pause, or until the demo says it is
# solved (its `solved()`), with `budget` as the most it may take, then pause.
Training = Literal["none", "to", "solved"]


@dataclass(frozen=True)
class LessonStep:
    """One moment of a lecture. Building a step is deterministic: the same step always gives the same numbers.

    A step either starts afresh (`preset` and `seed`) or, with `continues=True`, from the state the previous step
    ends in (rebuilt by replaying the steps before it, so going back to a step gives it exactly)."""

    title: str  # "Train to 1,000 iterations": shown on the step bar
    note: str  # the speaker note: what to say, a sentence or two
    expect: str  # what the class should see; the lesson's own tests check that it is true
    preset: str = "default"
    seed: int = 0
    continues: bool = False  # start from where the previous step ended instead of from `preset`/`seed`
    commands: tuple[dict[str, Any], ...] = ()  # applied after the state is built, exactly as a page would send them
    train: Training = "none"
    # train == "to": the iteration to stop at; "solved": the budget (stop there if not solved). Both count from the
    # iteration the step starts at: 0 for a fresh step, where the previous step ended for one that `continues`.
    until: int = 0
    speed: float = 0.0  # iterations per second while the step trains, slow enough for the class (0: as fast as can)
    view: dict[str, Any] = field(default_factory=dict)  # page-only state: selected sample, inspected neuron, panel

    def __post_init__(self) -> None:
        assert self.title and self.note and self.expect, "a lesson step needs a title, a note and what it shows"
        assert self.train == "none" or self.until > 0, f"step {self.title!r} trains but has no `until`"
        assert self.speed >= 0, f"step {self.title!r}: speed must not be negative"

    def public(self) -> dict[str, Any]:
        """The step as `GET /api/lessons/{demo}` lists it (plain JSON types)."""
        return {"title": self.title, "note": self.note, "expect": self.expect, "preset": self.preset,
                "seed": self.seed, "continues": self.continues, "commands": list(self.commands),
                "train": self.train, "until": self.until, "speed": self.speed, "view": dict(self.view)}
