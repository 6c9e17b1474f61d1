"""The lecture's animals and the shadows they cast: columns of 10 levels, bottom up."""

from __future__ import annotations

from dataclasses import dataclass

import torch

LEVELS = 10
ANIMALS = ("cheetah", "zebra", "giraffe")
HEIGHTS = (3, 6, 9)  # canonical shadow heights, in levels: short, medium, tall


@dataclass(frozen=True)
class Shadow:
    name: str  # "cheetah", "zebra +1", "giraffe (gap at 5)"
    label: int  # index into ANIMALS
    levels: tuple[float, ...]  # LEVELS values in {0, 1}, bottom level first


def column(height: int, gap: int | None = None) -> tuple[float, ...]:
    """Level i is lit when the shadow reaches it; `gap` flips one level off (a noisy reading)."""
    return tuple(0.0 if i == gap else float(i < height) for i in range(LEVELS))


def training_set() -> list[Shadow]:
    return [Shadow(a, k, column(h)) for k, (a, h) in enumerate(zip(ANIMALS, HEIGHTS, strict=True))]


def test_set() -> list[Shadow]:
    """The canonical shadows, each one level shorter and taller, and each with one level flipped off."""
    out = training_set()
    for k, (a, h) in enumerate(zip(ANIMALS, HEIGHTS, strict=True)):
        out.append(Shadow(f"{a} -1", k, column(h - 1)))
        out.append(Shadow(f"{a} +1", k, column(h + 1)))
    for k, (a, h) in enumerate(zip(ANIMALS, HEIGHTS, strict=True)):
        gap = h // 2
        out.append(Shadow(f"{a} (gap at {gap + 1})", k, column(h, gap)))
    return out


def tensors(shadows: list[Shadow], dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (n, LEVELS) and one-hot labels (n, len(ANIMALS))."""
    x = torch.tensor([s.levels for s in shadows], dtype=dtype)
    y = torch.nn.functional.one_hot(torch.tensor([s.label for s in shadows]), len(ANIMALS)).to(dtype)
    return x, y


def frame_view(shadows: list[Shadow]) -> list[dict[str, object]]:
    """The shadows as a frame lists them (built once per demo): their levels as the integers 0 and 1, the same
    numbers as the floats, which JSON prints in a third of the time (12 samples of 10 levels a frame)."""
    return [{"name": s.name, "label": s.label, "levels": [int(v) for v in s.levels]} for s in shadows]
