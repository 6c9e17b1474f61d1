"""Demo 5's lesson steps (models/demos/convolution/lesson.py): what each step says the class will see, recomputed."""

from __future__ import annotations

import numpy as np
import pytest

from models.demos.convolution import slides as conv_slides
from models.demos.convolution.demo import ConvolutionDemo
from models.lesson import LessonStep
from tests.tiny_torch import one_torch_thread  # noqa: F401 - an autouse fixture

LESSON = ConvolutionDemo.lesson


def built(step: LessonStep) -> ConvolutionDemo:
    demo = ConvolutionDemo(seed=step.seed, preset=step.preset)
    assert not step.commands, "these steps set their state by preset alone"
    return demo


def train_until_solved(demo: ConvolutionDemo, budget: int) -> int:
    while demo.iteration < budget and not demo.solved():
        demo.train(1)
    return demo.iteration


def ones(a: np.ndarray) -> set[tuple[int, int]]:
    return {(int(r), int(c)) for r, c in zip(*np.nonzero(np.isclose(a, 1.0)), strict=True)}


def test_six_steps_as_demos_md_lists_them() -> None:
    assert [s.title for s in LESSON] == ["The X and the first filter", "The three maps", "ReLU", "Max pooling",
                                         "Train from random filters", "Learned filters next to the slides'"]
    assert LESSON[5].continues and LESSON[4].train == "solved"


def test_steps_1_to_4_the_walkthrough_numbers() -> None:
    demo = built(LESSON[0])
    slides = demo.snapshot(0)["slides"]
    assert LESSON[0].view["cell"] == [0, 0, 0]
    products = conv_slides.X_IMAGE[0:3, 0:3] * conv_slides.FILTERS[0]
    assert (products > 0).sum() == 8 and (products < 0).sum() == 1  # "eight of its nine products are +1"
    assert conv_slides.as_printed(slides["maps"][0][0][0]) == "0.77" and "0.77" in LESSON[0].expect
    maps = np.array(slides["maps"])
    assert ones(maps[0]) == {(1, 1), (2, 2), (4, 4), (5, 5)}  # along the \ diagonal
    assert ones(maps[1]) == {(3, 3)}  # once, at the centre
    assert ones(maps[2]) == {(1, 5), (2, 4), (4, 2), (5, 1)}  # along the /
    relu_row = " ".join(conv_slides.as_printed(v) for v in slides["relu"][0][0])
    assert relu_row in LESSON[2].expect and np.min(slides["relu"]) == 0
    pooled = " / ".join(" ".join(conv_slides.as_printed(v) for v in row) for row in slides["pooled"][0])
    assert pooled in LESSON[3].expect


def test_steps_5_and_6_train_from_random_filters() -> None:
    step5, step6 = LESSON[4], LESSON[5]
    demo = built(step5)
    assert demo.spec.init == "random"
    at = train_until_solved(demo, step5.until)
    assert demo.solved() and at <= 20, f"solved at {at}"
    demo.train(step6.until - demo.iteration)  # continues from step 5 to iteration 3000
    corr = np.array(demo.correlations())
    assert f"{corr[0, 0]:.2f}" == "0.84" and "0.84" in step6.expect
    assert f"{corr[2, 1]:.2f}" == "-0.95" and "-0.95" in step6.expect
    assert demo.accuracy() == 1.0


def test_step_6_how_many_seeds_find_a_diagonal() -> None:
    found, flipped_x = [], []
    for seed in range(6):
        demo = ConvolutionDemo(seed=seed, preset="xo")
        demo.train(3000)
        corr = np.array(demo.correlations())
        found.append(bool((corr[:, [0, 2]] > 0.8).any()))
        flipped_x.append(bool((corr[:, 1] < -0.8).any()))
    assert found == [True, True, True, True, False, False]  # "four have a filter above 0.8"
    assert flipped_x[4] and flipped_x[5]  # "in seeds 4 and 5 the clearest filter is the flipped X"


@pytest.mark.slow
def test_docs_lessons_eight_of_ten_seeds_learn_a_diagonal() -> None:
    """docs/lessons.md, Convolution 2: over seeds 0..9, every seed at 100% and 8 of 10 with a diagonal above 0.8."""
    found = []
    for seed in range(10):
        demo = ConvolutionDemo(seed=seed, preset="xo")
        demo.train(3000)
        assert demo.accuracy() == 1.0, f"seed {seed}"
        found.append(bool((np.array(demo.correlations())[:, [0, 2]] > 0.8).any()))
    assert sum(found) == 8 and not found[4] and not found[5]
