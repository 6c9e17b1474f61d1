"""Points in the plane for the decision-boundary demo: seeded datasets, a train/test split, CSV in and out."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np
import torch

EXTENT = 6.0  # the plane is [-6, 6]^2, as in TensorFlow Playground (sin x1 does something there)
MAX_POINTS = 2000  # per session: enough for any lecture, small enough to draw and send every frame
MAX_CLASSES = 4  # A, B, C, D
CLASS_NAMES = ("A", "B", "C", "D")
# Class A is the positive class: a binary network's output (sigmoid or step) is P(A), and "output 1" means A.
DATASETS = ("linear", "gauss", "xor", "quadrants", "circle", "spiral", "gauss3")


@dataclass
class PointSet:
    """All points of a session, training and test together, in the order they were made."""

    xy: torch.Tensor  # (N, 2) float64, inside [-EXTENT, EXTENT]^2
    label: torch.Tensor  # (N,) int64 class index, 0 = A
    test: torch.Tensor  # (N,) bool: held out from training

    def __post_init__(self) -> None:
        # Coordinates live on a 1e-4 grid, so the 4 decimals of the CSV export give the very same points back.
        self.xy = torch.round(self.xy.to(torch.float64) * 1e4) / 1e4

    @classmethod
    def empty(cls) -> PointSet:
        return cls(torch.zeros((0, 2), dtype=torch.float64), torch.zeros(0, dtype=torch.int64),
                   torch.zeros(0, dtype=torch.bool))

    def __len__(self) -> int:
        return int(self.xy.shape[0])

    @property
    def classes(self) -> int:
        """How many outputs a softmax needs: the highest label present plus one, at least two."""
        return max(2, int(self.label.max()) + 1) if len(self) else 2

    def add(self, x: float, y: float, label: int, test: bool = False) -> None:
        check_point(x, y, label)
        if len(self) >= MAX_POINTS:
            raise ValueError(f"the plane already holds {MAX_POINTS} points, the most it takes; remove some first")
        self.xy = torch.cat([self.xy, torch.round(torch.tensor([[x, y]], dtype=torch.float64) * 1e4) / 1e4])
        self.label = torch.cat([self.label, torch.tensor([label])])
        self.test = torch.cat([self.test, torch.tensor([test])])

    def nearest(self, x: float, y: float, radius: float) -> int | None:
        """Index of the point closest to (x, y) within `radius`, or None."""
        if not len(self):
            return None
        d = ((self.xy - torch.tensor([x, y], dtype=torch.float64)) ** 2).sum(dim=1)
        i = int(torch.argmin(d))
        return i if float(d[i]) <= radius * radius else None

    def remove(self, index: int) -> None:
        if not 0 <= index < len(self):
            raise ValueError(f"no point {index}: there are {len(self)} points")
        keep = torch.ones(len(self), dtype=torch.bool)
        keep[index] = False
        self.xy, self.label, self.test = self.xy[keep], self.label[keep], self.test[keep]

    def subset(self, test: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """(xy, label) of the training (test=False) or the test points."""
        m = self.test == test
        return self.xy[m], self.label[m]

    def arrays(self) -> dict[str, np.ndarray]:
        """The points as a frame sends them, typed blocks (server/codec.py): x and y float64 (the very numbers of
        the 1e-4 grid, as the CSV export writes them), label and test uint8; copies, as the frame keeps them."""
        xy = self.xy.numpy()
        return {"x": np.ascontiguousarray(xy[:, 0]), "y": np.ascontiguousarray(xy[:, 1]),
                "label": self.label.numpy().astype(np.uint8), "test": self.test.numpy().astype(np.uint8)}

    def state(self) -> dict[str, list]:
        return {"xy": self.xy.tolist(), "label": self.label.tolist(), "test": self.test.tolist()}

    @classmethod
    def from_state(cls, s: dict[str, list]) -> PointSet:
        if not s["label"]:
            return cls.empty()
        return cls(torch.tensor(s["xy"], dtype=torch.float64), torch.tensor(s["label"], dtype=torch.int64),
                   torch.tensor(s["test"], dtype=torch.bool))


def check_point(x: float, y: float, label: int) -> None:
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"a point needs finite coordinates, got ({x}, {y})")
    if abs(x) > EXTENT or abs(y) > EXTENT:
        raise ValueError(f"({x:g}, {y:g}) is outside the plane [-{EXTENT:g}, {EXTENT:g}]^2")
    if not 0 <= label < MAX_CLASSES:
        raise ValueError(f"label must be a class index 0..{MAX_CLASSES - 1} (A..{CLASS_NAMES[-1]}), got {label}")


# -------------------------------------------------------------------- datasets
def generate(name: str, n: int = 400, noise: float = 0.0, test_ratio: float = 0.5, seed: int = 0) -> PointSet:
    """`n` points of dataset `name`; `noise` in [0, 0.5] blurs the classes (0: clean); a `test_ratio` share of
    them, picked at random, is held out for testing. Same arguments, same points."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
    if not 4 <= n <= MAX_POINTS:
        raise ValueError(f"n must be in 4..{MAX_POINTS}, got {n}")
    if not (0.0 <= noise <= 0.5 and 0.0 <= test_ratio <= 0.9):
        raise ValueError(f"noise must be in [0, 0.5] and test_ratio in [0, 0.9], got {noise} and {test_ratio}")
    gen = torch.Generator().manual_seed(seed)
    xy, label = _MAKERS[name](n, noise, gen)
    xy = xy.clamp(-EXTENT, EXTENT)  # noise may push a point off the plane; keep it at the edge
    test = torch.zeros(n, dtype=torch.bool)
    test[torch.randperm(n, generator=gen)[: round(n * test_ratio)]] = True
    return PointSet(xy, label, test)


def _u(gen: torch.Generator, *shape: int, lo: float = -1.0, hi: float = 1.0) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(shape, generator=gen, dtype=torch.float64)


def _g(gen: torch.Generator, *shape: int) -> torch.Tensor:
    return torch.randn(shape, generator=gen, dtype=torch.float64)


def _halves(n: int) -> torch.Tensor:
    return (torch.arange(n) >= n // 2).to(torch.int64)  # first half A, second half B


def _linear(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    # Uniform points labelled by the line x2 = 0.5 x1 + 0.5, none closer to it than 0.6: separable with a margin.
    pts = []
    while sum(len(p) for p in pts) < n:
        p = _u(gen, 2 * n, 2, lo=-5, hi=5)
        d = (p[:, 1] - 0.5 * p[:, 0] - 0.5) / math.sqrt(1.25)
        pts.append(p[d.abs() > 0.6])
    xy = torch.cat(pts)[:n]
    label = (xy[:, 1] - 0.5 * xy[:, 0] - 0.5 < 0).to(torch.int64)  # A above the line
    return xy + _g(gen, n, 2) * noise * 3, label


def _gauss(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    label = _halves(n)
    centre = torch.where(label[:, None] == 0, 2.0, -2.0).to(torch.float64)  # A around (2, 2), B around (-2, -2)
    return centre + _g(gen, n, 2) * (0.5 + 3 * noise), label


def _xor(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    # The truth table with 0 -> -3 and 1 -> +3: four blobs at the corners; A where the inputs differ (XOR = 1).
    corner = torch.arange(n) % 4  # as many points at each corner: the best line gets 3 corners of 4 right
    sx, sy = (corner % 2) * 2 - 1, (corner // 2) * 2 - 1
    r, a = 1.5 * torch.sqrt(_u(gen, n, lo=0, hi=1)), _u(gen, n, lo=0, hi=2 * math.pi)
    xy = torch.stack([3.0 * sx + r * torch.cos(a), 3.0 * sy + r * torch.sin(a)], dim=1)
    return xy + _g(gen, n, 2) * noise * 3, (sx == sy).to(torch.int64)


def _quadrants(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    # TensorFlow Playground's XOR: uniform over the square, 0.3 away from the axes, A where x1 x2 < 0.
    xy = _u(gen, n, 2, lo=-5, hi=5)
    xy = xy + torch.sign(xy) * 0.3
    label = (xy[:, 0] * xy[:, 1] > 0).to(torch.int64)
    return xy + _g(gen, n, 2) * noise * 3, label


def _circle(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    # A inside radius 2.5, B in the ring 3.5..5; noise blurs the label by where a jittered copy of the point falls.
    label = _halves(n)
    r = torch.where(label == 0, _u(gen, n, lo=0, hi=2.5), _u(gen, n, lo=3.5, hi=5.0))
    a = _u(gen, n, lo=0, hi=2 * math.pi)
    xy = torch.stack([r * torch.cos(a), r * torch.sin(a)], dim=1)
    jitter = xy + _u(gen, n, 2, lo=-5, hi=5) * noise
    label = (jitter.norm(dim=1) > 3.0).to(torch.int64)
    return xy, label


def _spiral(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    # Two interleaved arms, as in TensorFlow Playground: radius grows to 5 over 1.75 turns.
    label = _halves(n)
    i = (torch.arange(n) - label * (n // 2)).to(torch.float64)  # position along its own arm
    m = n - n // 2  # points on the longer arm
    r = i / m * 5.0
    t = 1.75 * i / m * 2 * math.pi + label * math.pi
    xy = torch.stack([r * torch.sin(t), r * torch.cos(t)], dim=1).to(torch.float64)
    return xy + _u(gen, n, 2) * noise * 2, label


def _gauss3(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    # Three classes (A, B, C) around the corners of a triangle: more than one output class.
    label = torch.arange(n) % 3
    angle = math.pi / 2 + label * 2 * math.pi / 3
    centre = torch.stack([3 * torch.cos(angle), 3 * torch.sin(angle)], dim=1).to(torch.float64)
    return centre + _g(gen, n, 2) * (0.6 + 3 * noise), label


_MAKERS = {"linear": _linear, "gauss": _gauss, "xor": _xor, "quadrants": _quadrants, "circle": _circle,
           "spiral": _spiral, "gauss3": _gauss3}


# -------------------------------------------------------------------- CSV
HEADER = ("x1", "x2", "label", "split")


def to_csv(points: PointSet) -> str:
    """`x1,x2,label,split` with a header; label is the class index (0 = A), split is train or test."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for (x, y), lab, t in zip(points.xy.tolist(), points.label.tolist(), points.test.tolist(), strict=True):
        w.writerow((f"{x:.4f}", f"{y:.4f}", lab, "test" if t else "train"))
    return out.getvalue()


def from_csv(text: str) -> PointSet:
    """Parse what `to_csv` writes (and hand-made variants: no header, no split column, labels A..D).

    Raises ValueError naming the line and the problem; nothing is half-imported.
    """
    rows = [(i, r) for i, r in enumerate(csv.reader(io.StringIO(text)), start=1)
            if r and any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if not rows:
        raise ValueError("the CSV has no rows; expected columns x1,x2,label[,split]")
    first = [c.strip().lower() for c in rows[0][1]]
    if not _is_number(first[0]):
        if first[:3] != list(HEADER[:3]) or len(first) > 4 or (len(first) == 4 and first[3] != "split"):
            raise ValueError(f"line {rows[0][0]}: the header must be x1,x2,label[,split], got {','.join(first)}")
        rows = rows[1:]
    if len(rows) > MAX_POINTS:
        raise ValueError(f"the CSV has {len(rows)} points; at most {MAX_POINTS} fit on the plane")
    xy, labels, tests = [], [], []
    for line, r in rows:
        if len(r) not in (3, 4):
            raise ValueError(f"line {line}: expected 3 or 4 columns (x1,x2,label[,split]), got {len(r)}")
        x, y = _coordinate(r[0], "x1", line), _coordinate(r[1], "x2", line)
        labels.append(_label(r[2], line))
        split = r[3].strip().lower() if len(r) == 4 else "train"
        if split not in ("train", "test", ""):
            raise ValueError(f"line {line}: split must be train or test, got {r[3].strip()!r}")
        xy.append((x, y))
        tests.append(split == "test")
    if not xy:
        raise ValueError("the CSV has a header but no points")
    return PointSet(torch.tensor(xy, dtype=torch.float64), torch.tensor(labels, dtype=torch.int64),
                    torch.tensor(tests, dtype=torch.bool))


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _coordinate(s: str, name: str, line: int) -> float:
    try:
        v = float(s)
    except ValueError:
        raise ValueError(f"line {line}: {name} must be a number, got {s.strip()!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"line {line}: {name} must be a finite number, got {s.strip()!r}")
    if abs(v) > EXTENT:
        raise ValueError(f"line {line}: {name} = {v:g} is outside the plane [-{EXTENT:g}, {EXTENT:g}]")
    return v


def _label(s: str, line: int) -> int:
    s = s.strip()
    if s.upper() in CLASS_NAMES:
        return CLASS_NAMES.index(s.upper())
    if s.isdigit() and int(s) < MAX_CLASSES:
        return int(s)
    raise ValueError(f"line {line}: label must be a class index 0..{MAX_CLASSES - 1} or a letter "
                     f"A..{CLASS_NAMES[-1]}, got {s!r}")
