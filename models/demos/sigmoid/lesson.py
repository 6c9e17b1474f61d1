"""The sigmoid demo's lecture: one neuron as a probability (6.034), then sums of sigmoids fitting sin(x) (slides)."""

from __future__ import annotations

from models.lesson import LessonStep

NOISE_X = -2.0  # the positive example among the negatives (lecture: "that's probably a noise point")
FAR_NEGATIVE_X = -4.5  # a negative example far out on the negative side: "not much is going to happen"
MORE_NEGATIVES = (-2.5, -1.75, -1.25)  # around the noise point, to pull the curve back
NOISE_INDEX = 9  # the noise point's place among the examples (8 of the preset, the far negative, then it)


def _add(x: float, label: int) -> dict[str, object]:
    return {"type": "add_point", "x": x, "label": label}


def _fit(title: str, preset: str, note: str, expect: str) -> LessonStep:
    return LessonStep(title=title, note=note, expect=expect, preset=preset, train="to", until=3000, speed=1000.0,
                      view={"panel": "fit"})


LESSON: tuple[LessonStep, ...] = (
    LessonStep(
        title="One neuron as a probability: the curve untrained",
        note="z = 1 / (1 + e^-(w x - t)) is the probability that x is a positive example. Four negatives on the "
             "left, four positives on the right; w and t start at random.",
        expect="8 examples (4 negative, 4 positive); iteration 0",
        preset="neuron", view={"panel": "curve"}),
    LessonStep(
        title="Gradient ascent on the likelihood",
        note="Adjust w and t to make the examples we have as probable as possible: the positives' probability "
             "goes up, the negatives' goes down. The path climbs the (w, t) surface.",
        expect="paused at iteration 2,000; every example more probable than not (accuracy 100%); the "
               "log-likelihood risen",
        continues=True, train="to", until=2000, speed=1000.0, view={"panel": "heat"}),
    LessonStep(
        title="A negative example far out: not much happens",
        note="\"If we put a negative example there, not much is going to happen\": the curve already says no there.",
        expect="w and t each move by less than 1 over 1,000 more iterations",
        continues=True, commands=(_add(FAR_NEGATIVE_X, 0),), train="to", until=1000, speed=1000.0,
        view={"panel": "curve"}),
    LessonStep(
        title="A positive among the negatives: the noise point",
        note="\"Then we're going to start seeing some dramatic shifts in the shape of the curve... that's probably "
             "a noise point.\"",
        expect="the steepness w falls to less than half of what it was",
        continues=True, commands=(_add(NOISE_X, 1),), train="to", until=2000, speed=1000.0,
        view={"panel": "curve", "sample": NOISE_INDEX}),
    LessonStep(
        title="More negatives pull the curve back",
        note="\"We can put some more negative examples in there and see how that adjusts the curve.\"",
        expect="the steepness w grows again and the noise point's probability falls",
        continues=True, commands=tuple(_add(x, 0) for x in MORE_NEGATIVES), train="to", until=2000,
        speed=1000.0, view={"panel": "net", "sample": NOISE_INDEX}),  # the net's output: the noise point's z
    _fit("Sum of sigmoids: [2,tanh:1,linear] is crude", "sin-2",
         "Two tanh units summed by a linear output: the best they can do with sin(x) is a crude S.",
         "after 3,000 iterations the squared error is still above 0.01"),
    _fit("[20,tanh:3,tanh:1,linear]", "sin-20-3",
         "Twenty units, then three: the fit gets close on the training range.",
         "after 3,000 iterations the squared error is below the two-unit net's"),
    _fit("[30,tanh:1,linear]: fits inside the range, fails outside it", "sin-30",
         "One hidden layer with enough units suffices inside [-pi, pi]; outside it the net just carries on "
         "straight: out-of-range inputs show the limitation.",
         "after 3,000 iterations the error inside the range is small and outside it many times larger"),
)
