"""A demo's lesson played on a session: step k's state rebuilt exactly (replaying the steps it continues from at
full speed), then its own training armed to pause where the step says. The page and `run --lesson-step` share it."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from models.demo import Demo, Limits
from models.lesson import LessonStep
from server import protocol
from server.session import Session

REPLAY_SLICE_S = 0.05  # slices of a replay (nobody watches it train: long slices, little overhead)


def steps_of(cls: type[Demo]) -> tuple[LessonStep, ...]:
    if not cls.lesson:
        raise ValueError(f"{cls.name} has no lesson")
    return cls.lesson


def check_step(cls: type[Demo], k: int) -> LessonStep:
    steps = steps_of(cls)
    if not 1 <= k <= len(steps):
        raise ValueError(f"{cls.name}'s lesson has steps 1..{len(steps)}, not {k}")
    return steps[k - 1]


def commands(cls: type[Demo], step: LessonStep) -> list[BaseModel]:
    """The step's commands, validated exactly as a page's would be."""
    adapter = protocol.adapter(cls)
    return [adapter.validate_python(c) for c in step.commands]


def arm(s: Session, step: LessonStep) -> None:
    """Set up how step trains from where `s` is now: speed, where it pauses; started unless it trains not at all."""
    # a step that does not train leaves the demo's own watching speed for whoever presses play
    s.speed, s.allowance = step.speed if step.train != "none" else type(s.demo).default_speed, 0.0
    s.pace.stop_at = s.demo.iteration + step.until if step.train != "none" else None
    s.pace.pause_solved = step.train == "solved"
    s.pace.start(s.demo)
    # a step that trains until solved and finds it solved already (nothing to do) stays paused
    s.running = step.train != "none" and not (s.pace.pause_solved and s.pace.was_solved)


def finish(s: Session, progress: Callable[[], None] | None = None) -> None:
    """Train the armed step to its end at full speed, on this thread (a replay, or the command line)."""
    s.speed = 0.0
    reports = 0
    while s.running and not s.status:
        s.train_slice(REPLAY_SLICE_S)
        if progress is not None and s.demo.iteration // 10_000 > reports:  # a progress line every 10,000 or so
            reports = s.demo.iteration // 10_000
            progress()


def build(cls: type[Demo], k: int, device: str, limits: Limits | None = None,
          progress: Callable[[], None] | None = None) -> Session:
    """A new session at the start of step k (1-based): the state it sets up, its training armed, not yet run.
    A step that `continues` starts where the one before it ends: the steps back to the last fresh one are
    replayed, each trained to its end, so the same k always gives the same numbers."""
    check_step(cls, k)
    steps = steps_of(cls)
    first = k - 1
    while first > 0 and steps[first].continues:
        first -= 1
    assert not steps[first].continues, f"{cls.name}'s lesson starts with a step that continues from nothing"
    s = Session(cls(seed=steps[first].seed, device=device, preset=steps[first].preset), limits=limits)
    for i in range(first, k):
        if i > first:
            finish(s, progress)
        for cmd in commands(cls, steps[i]):
            s.apply(cmd)
        s.mark(f"step {i + 1}")
        arm(s, steps[i])
    s.lesson = k
    return s


def go_to(s: Session, k: int) -> None:
    """Put a live session at step k, exactly as `build` makes it; the engine then trains the step at its speed.
    Called off the event loop: a replay may train for seconds. Raises ValueError (nothing changed) for a bad k."""
    cls = type(s.demo)
    built = build(cls, k, s.demo.device, s.limits)
    s.take_over(built)
