"""Demo 5's images: 9x9 grids of -1/+1 pixels with a class each, the X and O set to start, and the user's own."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from models.demos.convolution import slides as conv_slides

N = conv_slides.SIZE
MAX_IMAGES = 60  # a class drawing together: enough for a dozen of each class, and a frame that stays small
MAX_NAME = 24  # characters of a class name


def x_image(size: int, top: int, left: int) -> np.ndarray:
    """An X of both diagonals in a size x size box at (top, left), on background -1."""
    img = np.full((N, N), -1.0)
    for i in range(size):
        img[top + i, left + i] = img[top + i, left + size - 1 - i] = 1.0
    return img


def o_image(size: int, top: int, left: int) -> np.ndarray:
    """An O: the ring of a size x size box with its corners cut, so it reads as round, not square."""
    img = np.full((N, N), -1.0)
    last = size - 1
    for i in range(size):
        for j in range(size):
            edge = i in (0, last) or j in (0, last)
            corner = i in (0, last) and j in (0, last)
            if edge and not corner:
                img[top + i, left + j] = 1.0
    return img


def starting_set() -> list[tuple[np.ndarray, int]]:
    """The slides' X first (the walk-through's image), then Xs and Os of two sizes in different places."""
    xs = [conv_slides.X_IMAGE.copy(), x_image(7, 0, 0), x_image(7, 2, 2), x_image(5, 2, 2), x_image(5, 0, 4),
          x_image(5, 4, 0)]
    os = [o_image(7, 1, 1), o_image(7, 0, 2), o_image(7, 2, 0), o_image(5, 2, 2), o_image(5, 0, 0),
          o_image(5, 4, 4)]
    return [(x, 0) for x in xs] + [(o, 1) for o in os]


def encode(img: np.ndarray) -> str:
    """A grid as 81 characters, row by row: "1" a stroke (+1), "0" background (-1): a frame carries every image."""
    return "".join("1" if v > 0 else "0" for v in img.reshape(-1))


def decode(text: str) -> np.ndarray:
    assert len(text) == N * N and set(text) <= {"0", "1"}, f"an image is {N * N} characters of 0 and 1"
    return np.array([1.0 if c == "1" else -1.0 for c in text]).reshape(N, N)


@dataclass
class ImageSet:
    """The images in order with their labels and the class names; `version` moves on every change."""

    images: list[np.ndarray] = field(default_factory=list)  # each (9, 9) of -1/+1
    labels: list[int] = field(default_factory=list)
    classes: list[str] = field(default_factory=lambda: ["X", "O"])
    version: int = 0
    _view: tuple[int, list[dict[str, object]]] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.images)

    def check_index(self, i: int) -> None:
        if not 0 <= i < len(self.images):
            raise ValueError(f"no image {i}: there are {len(self.images)} (indices 0..{len(self.images) - 1})")

    def check_label(self, label: int) -> None:
        if not 0 <= label < len(self.classes):
            names = ", ".join(f"{k} {c}" for k, c in enumerate(self.classes))
            raise ValueError(f"no class {label}: the classes are {names}")

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        """x (N, 9, 9) float64, y (N,) int64."""
        x = torch.from_numpy(np.stack(self.images)) if self.images else torch.zeros(0, N, N, dtype=torch.float64)
        return x, torch.tensor(self.labels, dtype=torch.int64)

    def view(self) -> list[dict[str, object]]:
        """Every image as the frame carries it; rebuilt only after a change (a frame is drawn up to NNP_FPS times a
        second, the images change when someone draws)."""
        if self._view is None or self._view[0] != self.version:
            self._view = (self.version, [{"pixels": encode(img), "label": lab}
                                         for img, lab in zip(self.images, self.labels, strict=True)])
        return self._view[1]

    def state(self) -> dict[str, object]:
        return {"images": [encode(i) for i in self.images], "labels": list(self.labels), "classes": list(self.classes)}

    def load(self, state: dict[str, object]) -> None:
        images, labels, classes = state["images"], state["labels"], state["classes"]
        assert isinstance(images, list) and isinstance(labels, list) and isinstance(classes, list)
        assert len(images) == len(labels), "every saved image needs its label"
        self.images = [decode(t) for t in images]
        self.labels = [int(v) for v in labels]
        self.classes = [str(c) for c in classes]
        self.version += 1
