"""Demo 5's lecture as steps (DEMOS.md, Lessons): the slides' walk-through, then the tiny CNN from random filters."""

from __future__ import annotations

from models.lesson import LessonStep

# The numbers in `expect` are what tests/test_models_convolution.py recomputes: change one, and the test says so.
LESSON: tuple[LessonStep, ...] = (
    LessonStep(
        title="The X and the first filter",
        note="A feature-map cell is the mean of the nine products of the filter and the patch under it. "
             "Tap the top-left cell of map 1.",
        expect="The top-left 3x3 patch lights up on the image; eight of its nine products are +1 and one is -1, "
               "so the cell is (8 - 1) / 9 = 0.77.",
        preset="slides", view={"stage": "maps", "maps": [0], "cell": [0, 0, 0]},
    ),
    LessonStep(
        title="The three maps",
        note="Slide every filter over every position: three 7x7 maps.",
        expect="Each map reaches 1.00 where its filter's stroke lies on the X: map 1 along the \\ diagonal, map 3 "
               "along the /, map 2 once, at the centre.",
        preset="slides", view={"stage": "maps"},
    ),
    LessonStep(
        title="ReLU",
        note="ReLU(x) = max(0, x): negatives become 0.",
        expect="Map 1 reads 0.77 0 0.11 0.33 0.55 0 0.33 along its top row: every negative cell is now 0.",
        preset="slides", view={"stage": "relu"},
    ),
    LessonStep(
        title="Max pooling",
        note="2x2 windows, stride 2; the seventh row and column have no partner: pooled from what is there.",
        expect="Three 4x4 maps; map 1 is 1.00 0.33 0.55 0.33 / 0.33 1.00 0.33 0.55 / 0.55 0.33 1.00 0.11 / "
               "0.33 0.55 0.11 0.77, as on the slides.",
        preset="slides", view={"stage": "pooled"},
    ),
    LessonStep(
        title="Train from random filters",
        note="Three random 3x3 filters, ReLU, pooling and a softmax read-out, trained on six Xs and six Os.",
        expect="Every one of the 12 images is classified right within 20 iterations: telling X from O is easy.",
        preset="xo", train="solved", until=3000, speed=20, view={"stage": "cnn"},
    ),
    LessonStep(
        title="Learned filters next to the slides'",
        note="Keep training to 3,000 iterations: weight decay wears the random start away and leaves what the task "
             "needs.",
        expect="With seed 0, learned filter 1 correlates 0.84 with the slides' \\ diagonal, and filter 3 is the "
               "slides' X filter with its sign flipped (r = -0.95). Not every seed finds a diagonal: of seeds 0 to 5, "
               "four have a filter above 0.8; in seeds 4 and 5 the clearest filter is the flipped X.",
        continues=True, train="to", until=3000, view={"stage": "compare"},
    ),
)
