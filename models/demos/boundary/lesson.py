"""The decision-boundary lesson (slides): a perceptron's line, XOR beyond it, a hidden layer, the class's points."""

from __future__ import annotations

from models.demos.boundary.overfit import OVERFIT_STEPS
from models.lesson import LessonStep

LESSON: tuple[LessonStep, ...] = (
    LessonStep(
        title="A perceptron on separable points: a line",
        note="No hidden layer, a step output: 1 where W0 I0 + W1 I1 - t > 0. Rosenblatt's rule moves the line "
             "until every point is on its side; the line is drawn with its equation.",
        expect="pauses once every training point is classified right (100%); the line's equation is shown",
        preset="perceptron-linear", train="solved", until=100, speed=2.0, view={"panel": "plane"}),
    LessonStep(
        title="The same perceptron on XOR: it fails",
        note="No line separates XOR: the rule keeps cycling, and a line gets at most three of the four corners.",
        expect="after 50 epochs the training accuracy is still at most 80%",
        preset="perceptron-xor", train="to", until=50, speed=10.0, view={"panel": "plane"}),
    LessonStep(
        title="A hidden layer of two: XOR solved",
        note="Two hidden neurons draw two lines (their own small heatmaps in the network drawing); the output "
             "keeps the band between them: several decision regions.",
        expect="pauses once every training point is classified right (100%)",
        preset="xor", train="solved", until=500, speed=20.0, view={"panel": "net"}),
    LessonStep(
        title="Your turn: click points in",
        note="An empty plane: left click adds class A, right click (or the class toggle) class B. Press play "
             "to train the net on the class's points.",
        expect="no points in the plane; nothing trains until someone adds points and presses play",
        preset="circle", commands=({"type": "clear"},), view={"panel": "plane"}),
    LessonStep(
        title="The spiral with a deep net",
        note="Every feature, six layers of eight ReLUs: TensorFlow Playground's largest net, on the spiral.",
        expect="pauses once every training point is classified right (100%), within 2,000 epochs",
        preset="spiral", train="solved", until=2000, speed=50.0, view={"panel": "plane"}),
) + OVERFIT_STEPS  # dropout where its claim holds: overfitting (docs/lessons.md)
