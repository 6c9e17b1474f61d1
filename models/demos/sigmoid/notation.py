"""The slides' model notation: `[20,tanh:3,tanh:1,linear]` is 20 tanh units, then 3 tanh units, then 1 linear output.

Each `:`-separated layer is `units,activation`; the last one is the output layer (one unit: the network maps
x to y). The input layer (one x) is implied. Parsing never builds anything: it returns sizes and activations,
or raises ValueError with a message a student can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.nn.activations import ACTIVATIONS

MAX_HIDDEN_NEURONS = 400  # all hidden layers together; beyond this the page cannot draw the net legibly
MAX_LAYERS = 8  # hidden layers plus the output layer
MAX_TEXT = 200
_LAYER = re.compile(r"^\s*(\d+)\s*,\s*([a-z]+)\s*$")


@dataclass(frozen=True)
class Model:
    """A parsed model: `hidden` is [(units, activation)] per hidden layer; the output is one unit."""

    hidden: tuple[tuple[int, str], ...]
    output: str  # the output unit's activation

    @property
    def sizes(self) -> list[int]:
        """Neurons per layer, the input first: [1, 20, 3, 1]."""
        return [1, *(n for n, _ in self.hidden), 1]

    @property
    def activations(self) -> list[str]:
        return [*(a for _, a in self.hidden), self.output]

    def text(self) -> str:
        """The canonical notation: `[20,tanh:3,tanh:1,linear]`."""
        return "[" + ":".join(f"{n},{a}" for n, a in [*self.hidden, (1, self.output)]) + "]"


def parse(text: str) -> Model:
    """`[20,tanh:3,tanh:1,linear]` -> Model; brackets and spaces are optional, activations any case."""
    if len(text) > MAX_TEXT:
        raise ValueError(f"a model is at most {MAX_TEXT} characters, got {len(text)}")
    body = text.strip()
    if body.startswith("[") != body.endswith("]"):
        raise ValueError(f"unbalanced brackets in {text!r}; write a model like [20,tanh:3,tanh:1,linear]")
    body = body.strip("[]").strip().lower()
    if not body:
        raise ValueError("empty model; write layers as units,activation separated by ':', e.g. [30,tanh:1,linear]")
    layers = []
    for k, part in enumerate(body.split(":"), start=1):
        m = _LAYER.match(part)
        if m is None:
            raise ValueError(f"layer {k} is {part.strip()!r}; each layer is units,activation such as 20,tanh "
                             f"(activations: {', '.join(ACTIVATIONS)})")
        units, act = int(m.group(1)), m.group(2)
        if act not in ACTIVATIONS:
            raise ValueError(f"layer {k}: unknown activation {act!r}; use one of {', '.join(ACTIVATIONS)}")
        if units < 1:
            raise ValueError(f"layer {k}: a layer needs at least one unit, got {units}")
        layers.append((units, act))
    if len(layers) > MAX_LAYERS:
        raise ValueError(f"at most {MAX_LAYERS} layers (hidden plus output), got {len(layers)}")
    *hidden, (out_units, out_act) = layers
    if out_units != 1:
        raise ValueError(f"the last layer is the output and must have 1 unit (y is one number), got {out_units}: "
                         f"end the model with 1,linear")
    total = sum(n for n, _ in hidden)
    if total > MAX_HIDDEN_NEURONS:
        raise ValueError(f"{total} hidden neurons is too many; at most {MAX_HIDDEN_NEURONS} in all")
    return Model(tuple(hidden), out_act)
