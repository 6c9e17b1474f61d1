"""Build a LessonStep without a browser, as the page would: its preset and seed, its commands, then its training."""

from __future__ import annotations

from models.demo import Demo
from models.lesson import LessonStep
from server import protocol


def build(cls: type[Demo], step: LessonStep, demo: Demo | None = None) -> Demo:
    """The demo in the state `step` ends in; a step that `continues` goes on from `demo`, the previous one's."""
    if step.continues:
        assert demo is not None, f"step {step.title!r} continues: give it the previous step's demo"
    else:
        demo = cls(seed=step.seed, preset=step.preset)
    for cmd in step.commands:
        demo.apply(protocol.parse(cls, protocol.encode(cmd)))
    if step.train == "to":
        demo.train(step.until - demo.iteration)
    elif step.train == "solved":
        while demo.iteration < step.until and not demo.solved():
            demo.train(min(10_000, step.until - demo.iteration))
    return demo
