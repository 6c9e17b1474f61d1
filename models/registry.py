"""Which demos exist: every package in models/demos/ whose `demo` module defines a Demo subclass. Each class
carries its slug (`name`), `title`, `blurb` and `order` on the index page; nothing else lists the demos."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np

from models import demos
from models.demo import Demo
from models.nn import view
from models.nn.mlp import MLP, MLPSpec

DEMOS: dict[str, type[Demo]] = {}  # by slug, in the slugs' alphabetical order (ordered(): the lecture's)


def register(cls: type[Demo]) -> type[Demo]:
    """Add a demo class (discover() does, for every package in models/demos/; a test may for one of its own)."""
    assert cls.name not in DEMOS, f"two demos are called {cls.name!r}"
    for attr in ("name", "title", "blurb"):
        assert isinstance(getattr(cls, attr, None), str), f"demo {cls.__name__} needs a str {attr!r}"
    DEMOS[cls.name] = cls
    for name in sorted(DEMOS):
        DEMOS[name] = DEMOS.pop(name)  # re-inserted in order: the same order on every machine
    return cls


def ordered() -> list[type[Demo]]:
    """The demos in the lecture's order (their `order`, ties by slug): the index page's list."""
    return sorted(DEMOS.values(), key=lambda cls: (cls.order, cls.name))


def discover() -> None:
    """Register the Demo classes defined in each models/demos/<slug>/demo.py (again: those not yet registered)."""
    for pkg in pkgutil.iter_modules(demos.__path__):
        if not pkg.ispkg:
            continue
        module = importlib.import_module(f"models.demos.{pkg.name}.demo")
        for obj in vars(module).values():
            if (isinstance(obj, type) and issubclass(obj, Demo) and obj.__module__ == module.__name__
                    and not inspect.isabstract(obj) and DEMOS.get(obj.name) is not obj):
                register(obj)


discover()


def warm_up(device: str = "cpu") -> None:
    """Train every demo's presets for two iterations: the first training call in a process loads the compiled
    kernels (about 0.3 s on a 2-core machine), and it is better paid at start-up than on a lecturer's first Play."""
    for cls in list(DEMOS.values()):  # a copy: a test may register a demo while a server's warm-up still runs
        for preset in cls.presets:
            cls(seed=0, device=device, preset=preset).train(2)
    view.packed(MLP.create(MLPSpec([1, 1], ["sigmoid"]), 0), np.zeros(1))  # the frames' compiled copy, likewise
