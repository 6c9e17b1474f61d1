"""Demo 5, convolution: the slides' X through their three filters, then a tiny CNN the class trains on drawn images."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import torch
from pydantic import BaseModel

from models.demo import Demo, Script, Train
from models.demos.convolution import images as conv_images
from models.demos.convolution import slides as conv_slides
from models.demos.convolution.cnn import MAX_CLASSES, CNNSpec, TinyCNN
from models.demos.convolution.commands import (
    COMMANDS,
    AddClass,
    AddImage,
    Configure,
    Inspect,
    LabelImage,
    RemoveImage,
    SetImage,
    SetPixel,
)
from models.demos.convolution.lesson import LESSON


@dataclass
class ConvolutionConfig:
    lr: float = 0.5  # full-batch SGD on the mean cross-entropy: 100% of the X/O set in a few hundred iterations
    # L2 weight decay: it wears away what is left of the random start, so a filter keeps only what telling X from
    # O needs; without it the task is solved long before the filters show any shape
    decay: float = 0.01
    steps: int = 3000  # `run --preset xo`: long enough for the decay to settle the filters


STIMULUS_EVERY_S = 2.0  # how stale a class's most stimulating image may get while the network trains


def correlations(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)): the Pearson correlation of every filter in a with every filter in b, over their nine
    weights (1: the same pattern, whatever the scale; 0 where a filter is flat)."""
    a = a.reshape(len(a), -1) - a.reshape(len(a), -1).mean(axis=1, keepdims=True)
    b = b.reshape(len(b), -1) - b.reshape(len(b), -1).mean(axis=1, keepdims=True)
    den = np.sqrt(np.outer((a * a).sum(axis=1), (b * b).sum(axis=1)))
    return np.divide(a @ b.T, den, out=np.zeros_like(den), where=den > 0)


def rounded(a: np.ndarray, digits: int = 4) -> list:
    return np.round(a, digits).tolist()


class ConvolutionDemo(Demo):
    name = "convolution"
    title = "Convolution"
    blurb = "The slides' X through three filters, ReLU and pooling; a tiny CNN trains live."
    order = 5
    default_lr = ConvolutionConfig.lr
    max_lr = 10.0
    presets: ClassVar[tuple[str, ...]] = ("default", "xo", "slides")  # default = xo: random filters
    commands: ClassVar[tuple[type[BaseModel], ...]] = COMMANDS
    lesson = LESSON

    def build(self) -> None:
        self.cfg = ConvolutionConfig()
        if not hasattr(self, "images"):  # a reset keeps what the class drew, and the network's shape
            self.images = conv_images.ImageSet()
            for img, label in conv_images.starting_set():
                self.images.images.append(img)
                self.images.labels.append(label)
            self.spec = CNNSpec(init="slides" if self.preset == "slides" else "random")
        self.new_net()
        self.inspected: tuple[str, int] | None = None
        self._walk: tuple[tuple[int, int], dict[str, Any]] | None = None
        self._stimulus: tuple[tuple[int, int], int, float, dict[str, Any]] | None = None

    def new_net(self) -> None:
        self.generation = getattr(self, "generation", 0) + 1  # which network: cached views of an older one are stale
        self.net = TinyCNN(replace(self.spec, classes=len(self.images.classes)), self.seed)
        self._tensors: tuple[int, torch.Tensor, torch.Tensor] | None = None

    # ------------------------------------------------------------------ data
    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self._tensors is None or self._tensors[0] != self.images.version:
            self._tensors = (self.images.version, *self.images.tensors())
        return self._tensors[1], self._tensors[2]

    def check_image_count(self, n: int) -> None:
        if n > conv_images.MAX_IMAGES:
            raise ValueError(f"at most {conv_images.MAX_IMAGES} images; remove some first")
        self.check_points(n)

    def apply(self, command: BaseModel) -> bool | None:
        imgs = self.images
        match command:
            case SetPixel():
                imgs.check_index(command.image)
                imgs.images[command.image][command.row, command.col] = float(command.value)
            case SetImage():
                imgs.check_index(command.image)
                imgs.images[command.image] = conv_images.decode(command.pixels)
            case AddImage():
                self.check_image_count(len(imgs) + 1)
                imgs.check_label(command.label)
                pixels = command.pixels or "0" * conv_slides.SIZE ** 2
                imgs.images.append(conv_images.decode(pixels))
                imgs.labels.append(command.label)
            case LabelImage():
                imgs.check_index(command.image)
                imgs.check_label(command.label)
                imgs.labels[command.image] = command.label
            case RemoveImage():
                imgs.check_index(command.image)
                if len(imgs) == 1:
                    raise ValueError("the last image stays: the network needs something to train on")
                del imgs.images[command.image], imgs.labels[command.image]
            case AddClass():
                return self.add_class(command.name.strip())
            case Configure():
                spec = CNNSpec(filters=command.filters, hidden=command.hidden, init=command.init,
                               classes=len(imgs.classes))
                self.check_neurons(spec.sizes())
                self.spec = spec
                self.iteration = 0
                self.new_net()
                self.inspected = None
                return True
            case Inspect():
                limit = {"filter": self.spec.filters, "class": len(imgs.classes), "none": 1}[command.what]
                if command.index >= limit:
                    raise ValueError(f"no {command.what} {command.index}: there are {limit}")
                self.inspected = None if command.what == "none" else (command.what, command.index)
                return None
            case _:
                return super().apply(command)
        imgs.version += 1
        return None

    def add_class(self, name: str) -> bool:
        classes = self.images.classes
        if not name:
            raise ValueError("a class needs a name")
        if len(classes) >= MAX_CLASSES:
            raise ValueError(f"at most {MAX_CLASSES} classes")
        if name.lower() in (c.lower() for c in classes):
            raise ValueError(f"there is a class {name!r} already")
        classes.append(name)
        self.images.version += 1
        self.iteration = 0
        self.new_net()  # one more softmax output: a new read-out, and training starts over
        self.inspected = None
        return True

    # ------------------------------------------------------------------ training
    def train(self, n: int) -> torch.Tensor:
        x, y = self.tensors()
        losses = self.net.fit(x, y, n, self.lr, self.cfg.decay)
        self.iteration += n
        return losses

    def accuracy(self) -> float:
        x, y = self.tensors()
        return float((self.net.probs(x).argmax(dim=1) == y).double().mean())

    def solved(self) -> bool:
        return self.accuracy() == 1.0

    # ------------------------------------------------------------------ views
    def correlations(self) -> list[list[float]]:
        """(F, 3): each filter's correlation with each of the slides' three filters."""
        return correlations(self.net.conv_w.numpy(), conv_slides.FILTERS).tolist()

    def walkthrough(self, selected: int) -> dict[str, Any]:
        """The slides' filters on the selected image, cached: it changes only when that image does."""
        key = (selected, self.images.version)
        if self._walk is None or self._walk[0] != key:
            w = conv_slides.walkthrough(self.images.images[selected])
            # float64 blocks (server/codec.py): the page prints these as the slides do, two decimals cut, so 7/9
            # must stay 0.777...; kept until the image changes, so none is ever written to
            self._walk = (key, {"x": conv_images.encode(conv_slides.X_IMAGE),
                                "filters": conv_slides.FILTERS, "names": list(conv_slides.FILTER_NAMES), **w})
        return self._walk[1]

    def snapshot(self, selected: int) -> dict[str, Any]:
        selected = min(max(selected, 0), len(self.images) - 1)
        x, y = self.tensors()
        with torch.no_grad():
            out = self.net.forward(x[selected: selected + 1])
            probs = self.net.probs(x).numpy()
        pred = probs.argmax(axis=1)
        # The learned filters and maps as float32 blocks (server/codec.py; copies, so training never writes into a
        # frame's arrays): the page draws them and prints two decimals. The probabilities stay float64: the page
        # marks an image wrong by their argmax, which must agree with the server's accuracy even at a near tie.
        f32 = lambda t: t.numpy().astype(np.float32)  # noqa: E731
        net: dict[str, Any] = {
            "spec": {"filters": self.spec.filters, "hidden": self.spec.hidden, "init": self.spec.init},
            "filters": f32(self.net.conv_w), "bias": f32(self.net.conv_b),
            "maps": f32(out["maps"][0]), "relu": f32(out["relu"][0]), "pooled": f32(out["pooled"][0]),
            "probs": probs, "accuracy": float((pred == y.numpy()).mean()),
            "correlation": rounded(np.array(self.correlations()), 3),
        }
        snap: dict[str, Any] = {
            "images": self.images.view(), "classes": list(self.images.classes), "selected": selected,
            "max_images": min(conv_images.MAX_IMAGES, self.limits.max_points),
            "slides": self.walkthrough(selected),
            "cnn": net, "stimulus": None,
        }
        if self.inspected is not None:
            snap["stimulus"] = self.stimulus(*self.inspected)
        return snap

    def stimulus(self, what: str, index: int) -> dict[str, Any]:
        if what == "filter":  # exact and cheap: every frame
            patch, value = self.net.filter_stimulus(index)
            return {"what": what, "index": index, "pixels": patch.tolist(), "value": value, "method": "exact",
                    "at": self.iteration}
        # A class's takes tens of gradient steps: while training, redone at most every STIMULUS_EVERY_S (the frame
        # says at which iteration it was found), not in every frame
        key, now = (index, self.generation), time.monotonic()
        c = self._stimulus
        if c is None or c[0] != key or (c[1] != self.iteration and now - c[2] >= STIMULUS_EVERY_S):
            image, prob = self.net.class_stimulus(index)
            c = self._stimulus = (key, self.iteration, now, {
                "what": what, "index": index, "pixels": image.astype(np.float32), "value": prob,
                "method": "gradient ascent", "at": self.iteration})
        return c[3]

    # ------------------------------------------------------------------ lesson
    def results(self) -> dict[str, Any]:
        x, y = self.tensors()
        corr = self.correlations()
        slides = conv_slides.walkthrough(conv_slides.X_IMAGE)
        return {
            "accuracy": self.accuracy(), "images": len(self.images), "init": self.spec.init,
            "filters": rounded(self.net.conv_w.numpy(), 3),
            "correlation": [[round(c, 3) for c in row] for row in corr],
            "best_diagonal_correlation": round(max(max(row[0], row[2]) for row in corr), 3),
            # the slides' walk-through, as the slides print the numbers (two decimals cut, not rounded)
            "maps": conv_slides.printed(slides["maps"]), "relu": conv_slides.printed(slides["relu"]),
            "pooled": conv_slides.printed(slides["pooled"]),
        }

    def script(self, steps: int | None) -> Script:
        yield Train(steps if steps is not None else (0 if self.preset == "slides" else self.cfg.steps))

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        out = super().state()
        out["images"] = self.images.state()
        out["spec"] = {"filters": self.spec.filters, "hidden": self.spec.hidden, "init": self.spec.init}
        out["net"] = self.net.state()
        out["inspected"] = list(self.inspected) if self.inspected else None
        return out

    def load(self, state: dict[str, Any]) -> None:
        self.seed, self.preset = state["seed"], state["preset"]
        self.images = conv_images.ImageSet()
        self.images.load(state["images"])
        self.spec = CNNSpec(**state["spec"])
        self.build()
        self.lr, self.iteration = state["lr"], state["iteration"]
        self.net.load(state["net"])
        self.inspected = tuple(state["inspected"]) if state["inspected"] else None
