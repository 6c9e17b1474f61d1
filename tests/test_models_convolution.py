"""Demo 5 on the model: the slides' numbers to the digit, the CNN against them, training, caps, save and load."""

from __future__ import annotations

import io
import itertools
import json

import numpy as np
import pytest
import torch

from models.demo import Limits
from models.demos.convolution import images as conv_images
from models.demos.convolution import slides as conv_slides
from models.demos.convolution.cnn import CNNSpec, TinyCNN
from models.demos.convolution.commands import AddClass, AddImage, Configure, LabelImage, RemoveImage, SetPixel
from models.demos.convolution.demo import ConvolutionDemo
from server.runner import run
from tests import slides_conv
from tests.tiny_torch import one_torch_thread  # noqa: F401 - an autouse fixture


def printed(a: np.ndarray) -> list[list[str]]:
    return [[conv_slides.as_printed(float(v)) for v in row] for row in a]


# ---------------------------------------------------------------------- the slides' walk-through
def test_the_slides_maps_relu_and_pooled_maps_cell_by_cell_as_printed() -> None:
    w = conv_slides.walkthrough(conv_slides.X_IMAGE)
    for k in range(3):
        assert printed(w["maps"][k]) == slides_conv.MAPS[k], f"feature map {k + 1}"
        assert printed(w["pooled"][k]) == slides_conv.POOLED[k], f"pooled map {k + 1}"
    assert printed(w["relu"][0]) == slides_conv.RELU[0]


def test_the_slides_cut_two_decimals_rather_than_round() -> None:
    assert [conv_slides.as_printed(v) for v in (7 / 9, 5 / 9, -1 / 9, 1.0, 0.0, 0.33)] == \
        ["0.77", "0.55", "-0.11", "1.00", "0", "0.33"]


def test_pooling_takes_the_odd_edge_from_what_is_there() -> None:
    maps = -np.ones((1, 7, 7))
    maps[0, 6, 6], maps[0, 6, 0] = 5.0, 4.0  # only the lone last row and column can see these
    pooled = conv_slides.max_pool(maps)
    assert pooled.shape == (1, 4, 4) and pooled[0, 3, 3] == 5.0 and pooled[0, 3, 0] == 4.0


def test_the_torch_cnn_computes_the_slides_numbers_from_the_slides_filters() -> None:
    net = TinyCNN(CNNSpec(init="slides"), seed=0)
    out = net.forward(torch.from_numpy(conv_slides.X_IMAGE).unsqueeze(0))
    w = conv_slides.walkthrough(conv_slides.X_IMAGE)
    for k in ("maps", "relu", "pooled"):
        np.testing.assert_allclose(out[k][0].numpy(), w[k], atol=1e-12, err_msg=k)


def test_run_slides_prints_the_maps_and_pooled_maps_in_its_final_line() -> None:
    out = io.StringIO()
    run("convolution", preset="slides", steps=None, seed=0, out=out)
    final = json.loads(out.getvalue().splitlines()[-1])
    assert np.array(final["maps"]).shape == (3, 7, 7) and np.array(final["pooled"]).shape == (3, 4, 4)
    as_text = lambda a: [[conv_slides.as_printed(v) for v in row] for row in a]  # noqa: E731
    assert [as_text(m) for m in final["maps"]] == slides_conv.MAPS
    assert [as_text(m) for m in final["pooled"]] == slides_conv.POOLED


# ---------------------------------------------------------------------- the tiny CNN
def test_run_xo_trains_to_every_image_right_and_learns_a_diagonal() -> None:
    out = io.StringIO()
    run("convolution", preset="xo", steps=None, seed=0, out=out)
    final = json.loads(out.getvalue().splitlines()[-1])
    assert final["accuracy"] == 1.0 and final["images"] == 12 and final["step"] == 3000
    filters = np.array(final["filters"])
    assert filters.shape == (3, 3, 3)
    corr = [float(np.corrcoef(f.reshape(-1), conv_slides.FILTERS[k].reshape(-1))[0, 1])
            for f in filters for k in (0, 2)]
    assert max(corr) > 0.8 and final["best_diagonal_correlation"] == pytest.approx(max(corr), abs=2e-3)


def test_a_filters_most_stimulating_patch_is_exact() -> None:
    net = TinyCNN(CNNSpec(), seed=3)
    patches = np.array(list(itertools.product((-1.0, 1.0), repeat=9))).reshape(-1, 3, 3)
    for f in range(3):
        best, value = net.filter_stimulus(f)
        w = net.conv_w[f].numpy()
        brute = (patches * w).mean(axis=(1, 2)).max()
        assert value == pytest.approx(brute) and (best * w).mean() == pytest.approx(brute)


def test_a_class_stimulus_beats_every_drawn_image_of_that_class() -> None:
    demo = ConvolutionDemo(seed=0, preset="xo")
    demo.train(300)
    x, y = demo.tensors()
    probs = demo.net.probs(x)
    for c in range(2):
        image, p = demo.net.class_stimulus(c)
        assert image.min() >= -1 and image.max() <= 1
        assert p >= float(probs[y == c, c].max()) - 1e-9


# ---------------------------------------------------------------------- commands, caps, persistence
def test_drawn_images_labels_and_a_class_of_their_own_survive_save_and_load() -> None:
    demo = ConvolutionDemo(seed=2, preset="xo")
    demo.apply(AddImage(label=1))
    demo.apply(SetPixel(image=12, row=4, col=4, value=1))
    assert demo.apply(AddClass(name="plus")) is True
    demo.apply(LabelImage(image=12, label=2))
    demo.apply(RemoveImage(image=0))
    demo.train(20)
    state = json.loads(json.dumps(demo.state()))
    again = ConvolutionDemo(seed=0, preset="default")
    again.load(state)
    assert again.images.classes == ["X", "O", "plus"] and len(again.images) == 12
    assert again.images.labels[-1] == 2 and again.images.images[-1][4, 4] == 1.0
    assert again.iteration == 20 and again.net.spec.classes == 3
    x, _ = demo.tensors()
    torch.testing.assert_close(again.net.probs(x), demo.net.probs(x))
    again.reset()
    assert len(again.images) == 12, "a reset keeps what the class drew"


def test_bad_commands_change_nothing() -> None:
    demo = ConvolutionDemo(seed=0)
    before = json.dumps(demo.state())
    for cmd, words in ((SetPixel(image=40, row=0, col=0, value=1), "no image 40"),
                       (LabelImage(image=0, label=5), "no class 5"),
                       (AddImage(label=2), "no class 2"),
                       (AddClass(name="x"), "already"),
                       (Configure(filters=8, hidden=32), "NNP_MAX_NEURONS")):
        demo.limits = Limits(max_neurons=400)
        with pytest.raises(ValueError, match=words):
            demo.apply(cmd)
    assert json.dumps(demo.state()) == before


def test_image_count_is_capped() -> None:
    demo = ConvolutionDemo(seed=0)
    demo.limits = Limits(max_points=13)
    demo.apply(AddImage(label=0))
    with pytest.raises(ValueError, match="NNP_MAX_POINTS"):
        demo.apply(AddImage(label=0))
    demo.limits = Limits()
    while len(demo.images) < conv_images.MAX_IMAGES:
        demo.apply(AddImage(label=1))
    with pytest.raises(ValueError, match=f"at most {conv_images.MAX_IMAGES} images"):
        demo.apply(AddImage(label=1))


def test_configure_builds_the_asked_network_and_starts_over() -> None:
    demo = ConvolutionDemo(seed=0)
    demo.train(5)
    assert demo.apply(Configure(filters=5, hidden=8, init="slides")) is True
    assert demo.iteration == 0 and demo.net.conv_w.shape == (5, 3, 3)
    np.testing.assert_array_equal(demo.net.conv_w[:3].numpy(), conv_slides.FILTERS)
    assert len(demo.net.dense) == 2
    snap = demo.snapshot(0)
    assert np.array(snap["cnn"]["maps"]).shape == (5, 7, 7) and np.array(snap["cnn"]["pooled"]).shape == (5, 4, 4)
    demo.train(200)
    assert demo.solved()
