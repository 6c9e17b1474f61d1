"""What a dashboard card says of a student: each demo's own "solved" criterion (boundary, sigmoid), and the
convolution card with the student's images and learned filters."""

from __future__ import annotations

import json

import numpy as np
import pytest

from models.demos.boundary.commands import AddPoint
from models.demos.boundary.demo import BoundaryDemo
from models.demos.convolution.demo import ConvolutionDemo
from models.demos.sigmoid.demo import SetTarget, SigmoidDemo
from server import cards
from tests.tiny_torch import one_torch_thread  # noqa: F401 - an autouse fixture


def train(demo, n: int, chunk: int = 100) -> list[bool]:  # noqa: ANN001
    """Train n iterations; whether the demo counted as solved after each chunk."""
    seen = []
    for _ in range(n // chunk):
        demo.train(chunk)
        seen.append(demo.solved())
    return seen


def test_a_boundary_is_solved_when_every_training_point_is_on_its_side() -> None:
    d = BoundaryDemo(seed=0, preset="perceptron-linear")
    assert any(train(d, 100, chunk=5)), "the perceptron separates separable points"
    assert d.results()["accuracy"] == 1.0
    xy, label = d.points.subset(test=False)
    d.apply(AddPoint(x=xy[0, 0].item(), y=xy[0, 1].item(), label=1 - int(label[0])))
    assert not d.solved(), "a point on top of another of the other class cannot be on its side"
    xor = BoundaryDemo(seed=0, preset="perceptron-xor")
    assert not any(train(xor, 200, chunk=10)), "no line separates XOR"
    assert xor.results()["accuracy"] < 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_neuron_is_solved_when_every_example_is_at_least_0_9_probable(seed: int) -> None:
    d = SigmoidDemo(seed=seed, preset="neuron")
    x, y = d.neuron.data()
    assert not d.solved(), "a fresh neuron is not that sure of every example"
    assert any(train(d, 1500)), "the separable examples get there"
    z = d.neuron.neuron.probability(x)
    assert float((z * y + (1 - z) * (1 - y)).min()) >= 0.9
    noisy = SigmoidDemo(seed=seed, preset="noise-point")
    assert not any(train(noisy, 2000)), "with a noise point no neuron puts every example on its side"


def test_a_sum_of_sigmoids_is_solved_within_0_1_of_every_training_value() -> None:
    d = SigmoidDemo(seed=0, preset="sin-30")
    assert not d.solved()
    seen = train(d, 3000)
    assert seen[-1], "30 sigmoids fit sin within 0.1"
    x, y = d.function.data()
    assert float((d.function.net.predict(x) - y).abs().max()) <= 0.1
    assert not any(train(SigmoidDemo(seed=0, preset="sin-2"), 3000)), "two sigmoids cannot follow sin that closely"
    d.apply(SetTarget(name="none"))
    assert not d.solved(), "nothing to fit is nothing solved"


def test_a_convolution_card_shows_the_images_and_the_learned_filters() -> None:
    d = ConvolutionDemo(seed=0, preset="xo")
    d.train(300)
    snap = d.snapshot(0)
    card = cards.card(snap)
    assert card is not None and card["kind"] == "images"
    assert len(card["filters"]) == d.spec.filters and isinstance(card["filters"], list), "plain JSON for HTTP"
    assert np.abs(np.array(card["filters"]) - d.net.conv_w.numpy()).max() <= 5e-4 + 1e-6, "the filters, to 3 places"
    assert all(len(f) == 3 and all(len(row) == 3 for row in f) for f in card["filters"])
    assert [im[:2] for im in card["images"]] == [[i["pixels"], i["label"]] for i in snap["images"]]
    said = [max(range(len(p)), key=p.__getitem__) for p in snap["cnn"]["probs"]]
    assert [im[2] for im in card["images"]] == said
    assert card["accuracy"] == snap["cnn"]["accuracy"] and card["classes"] == ["X", "O"]


@pytest.mark.parametrize("preset,target", [("neuron", None), ("sin-30", None), ("sin-30", "none")])
def test_a_sigmoid_card_is_plain_json_from_the_frame_s_float32_curves(preset: str, target: str | None) -> None:
    d = SigmoidDemo(seed=0, preset=preset)
    if target is not None:
        d.apply(SetTarget(name=target))
    d.train(50)
    snap = d.snapshot(0)
    card = cards.card(snap)
    assert card is not None and card["kind"] == "curve"
    json.dumps(card, allow_nan=True)  # no numpy in it: the dashboard gets it over HTTP
    curve = snap["neuron"]["curve"] if preset == "neuron" else snap["function"]["output"]
    step = -(-len(curve) // 60)
    assert curve.dtype == np.float32 and card["y"] == pytest.approx(curve[::step].tolist(), abs=6e-5)
    assert len(card["x"]) == len(card["y"]) and (card["target"] is None) == (target == "none" or preset == "neuron")
