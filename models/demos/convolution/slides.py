"""The course slides' convolution example (002, "CNNs: Convolution"): the 9x9 X, three filters, maps, ReLU, pooling."""

from __future__ import annotations

import math

import numpy as np

SIZE = 9  # the slides' image is 9x9 pixels
K = 3  # their filters are 3x3
MAP = SIZE - K + 1  # 7x7 feature maps (no padding, stride 1)
POOL = 2  # 2x2 max pooling, stride 2
POOLED = math.ceil(MAP / POOL)  # 4x4: the last row and column are pooled from what is there ("padding problem!")

# +1 stroke, -1 background; the X of the slides: both diagonals of the inner 7x7, the border all background
X_IMAGE = np.full((SIZE, SIZE), -1.0)
for _i in range(1, SIZE - 1):
    X_IMAGE[_i, _i] = X_IMAGE[_i, SIZE - 1 - _i] = 1.0

# The slides' filters 1, 2 and 3 (green, orange, purple): the diagonal from top left, the X, the other diagonal
FILTERS = np.array([
    [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]],
    [[1, -1, 1], [-1, 1, -1], [1, -1, 1]],
    [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]],
], dtype=np.float64)
FILTER_NAMES = ("diagonal \\", "X", "diagonal /")


def feature_maps(image: np.ndarray, filters: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """(F, 7, 7): each cell the mean of the nine products of a filter and the patch under it (a perfect match of
    +1/-1 pixels is 1.00, as on the slides), plus the filter's bias."""
    f, k, _ = filters.shape
    # every k x k patch as a row: (n, n, k, k) -> the nine products summed against each filter
    patches = np.lib.stride_tricks.sliding_window_view(image, (k, k))
    out = np.einsum("ijab,fab->fij", patches, filters) / (k * k)
    if bias is not None:
        out = out + bias.reshape(f, 1, 1)
    return out


def relu(maps: np.ndarray) -> np.ndarray:
    return np.maximum(maps, 0.0)


def max_pool(maps: np.ndarray, size: int = POOL) -> np.ndarray:
    """2x2 max pooling with stride 2; an odd edge is pooled from the cells that are there (no padding values)."""
    f, n, _ = maps.shape
    m = math.ceil(n / size)
    padded = np.full((f, m * size, m * size), -np.inf)  # -inf never wins a max: the edge window is what is there
    padded[:, :n, :n] = maps
    return padded.reshape(f, m, size, m, size).max(axis=(2, 4))


def as_printed(v: float) -> str:
    """A number as the slides print it: two decimals cut off, not rounded (7/9 = 0.777... is "0.77", 5/9 is
    "0.55"), and an exact zero after ReLU as "0"."""
    if v == 0:
        return "0"
    cut = math.trunc(round(v * 100, 6)) / 100  # round(.., 6) first: 0.33 * 100 is 32.999... in binary
    return f"{cut:.2f}"


def printed(a: np.ndarray) -> list:
    """A nested list of numbers as the slides print them, back as floats (0.77, -0.11, 1.0, 0.0)."""
    return np.vectorize(lambda v: float(as_printed(float(v))))(a).tolist()


def walkthrough(image: np.ndarray) -> dict[str, np.ndarray]:
    """The slides' pipeline on one image: the three maps, ReLU, pooled (the slides' numbers for their X)."""
    maps = feature_maps(image, FILTERS)
    rect = relu(maps)
    return {"maps": maps, "relu": rect, "pooled": max_pool(rect)}
