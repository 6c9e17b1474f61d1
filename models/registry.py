"""Which demos exist: adding a demo is one line here (plus its module, template and page script)."""

from __future__ import annotations

from models.demo import Demo
from models.demos.autoencoder.demo import AutoencoderDemo
from models.demos.boundary.demo import BoundaryDemo
from models.demos.convolution.demo import ConvolutionDemo
from models.demos.knockout.demo import KnockoutDemo
from models.demos.sigmoid.demo import SigmoidDemo

DEMOS: dict[str, type[Demo]] = {}


def register(cls: type[Demo]) -> None:
    assert cls.name not in DEMOS, f"two demos are called {cls.name!r}"
    DEMOS[cls.name] = cls


register(AutoencoderDemo)
register(SigmoidDemo)
register(BoundaryDemo)
register(KnockoutDemo)
register(ConvolutionDemo)

# The index page lists these in lecture order; a slug without a class yet is shown as coming soon.
PLANNED: tuple[tuple[str, str, str], ...] = (
    ("autoencoder", "Shadow autoencoder", "Recognise animals from the height of their shadow; look inside the neck."),
    ("sigmoid", "Sigmoid fitting", "One neuron as a probability, and sums of sigmoids approximating a function."),
    ("knockout", "Neuron knockout", "Why wide nets train: the plateau, the cliff, knockouts and dropout."),
    ("boundary", "Decision boundaries", "Click points in the plane; perceptron lines, hidden layers and XOR."),
    ("convolution", "Convolution", "The slides' X through three filters, ReLU and pooling; a tiny CNN trains live."),
)


def warm_up(device: str = "cpu") -> None:
    """Train every demo's presets for two iterations: the first training call in a process loads the compiled
    kernels (about 0.3 s on a 2-core machine), and it is better paid at start-up than on a lecturer's first Play."""
    for cls in list(DEMOS.values()):  # a copy: a test may register a demo while a server's warm-up still runs
        for preset in cls.presets:
            cls(seed=0, device=device, preset=preset).train(2)
