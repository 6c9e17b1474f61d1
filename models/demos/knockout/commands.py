"""What the knockout page can send: knockouts, pruning, a narrow net, the many-seeds batch and more budget for it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from models.command import Command
from models.demos.knockout.config import MAX_BATCH_STEPS, KnockoutConfig


class Knock(Command):
    """Knock a hidden neuron out, or bring it back (a toggle); layer 1 is the first hidden column."""

    type: Literal["knock"] = "knock"
    layer: int = Field(ge=1, le=5)
    unit: int = Field(ge=0, le=9)


class KnockOnePerColumn(Command):
    """Knock out the weakest live neuron (smallest outgoing weights) of every column with more than one left."""

    type: Literal["knock_one_per_column"] = "knock_one_per_column"


class AutoPrune(Command):
    """On every solve, knock out one per column and retrain, until `to` are left per column; 0 turns it off."""

    type: Literal["autoprune"] = "autoprune"
    to: int = Field(default=2, ge=0, le=9)


class Narrow(Command):
    """A fresh net with `width` neurons per column, nothing knocked out, trained from scratch (10 = wide again)."""

    type: Literal["narrow"] = "narrow"
    width: int = Field(ge=1, le=10)


class RunSeeds(Command):
    """Start (or stop) the many-seeds batch: wide-then-pruned and narrow-from-scratch for `seeds` seeds, each for
    the same budget (by default the stated one, KnockoutConfig.stuck_budget); with `dropout`, also the wide net
    from scratch with that dropout rate."""

    type: Literal["batch"] = "batch"
    on: bool = True
    seeds: int = Field(default=8, ge=1, le=32)
    steps: int = Field(default=KnockoutConfig().stuck_budget, ge=1000, le=MAX_BATCH_STEPS)
    dropout: float = Field(default=0.0, ge=0.0, le=0.9, allow_inf_nan=False)


class KeepGoing(Command):
    """Give the batch's stuck runs a larger budget (default: KnockoutConfig.keep_going_factor times the wide net's
    slowest solve); they resume where they stopped."""

    type: Literal["batch_more"] = "batch_more"
    steps: int | None = Field(default=None, ge=1000, le=MAX_BATCH_STEPS)
