"""What a student did, as the dashboard's card shows it (from the frame snapshot already built), and the class
aggregates over the cards of one demo."""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

CARD_GRID = 25  # the boundary demo's output plane on a card: 25 x 25 cells (the page's is 100 x 100)
CARD_POINTS = 300  # points drawn on a card at most
SPARK = 40  # loss sparkline points
CARD_IMAGES = 24  # convolution images drawn on a card at most (a class may draw 60)
BINS = 8


def _every(values: list[Any], n: int) -> list[Any]:
    step = max(1, math.ceil(len(values) / n))
    return values[::step]


def _numbers(a: Any, n: int | None = None, digits: int = 4) -> Any:
    """A frame's array (a numpy block, float32 or float64) as the plain rounded list a card sends over HTTP, every
    ceil(len / n)-th entry where `n` is given; None stays None."""
    if a is None:
        return None
    a = np.asarray(a, dtype=np.float64)
    return np.round(a if n is None else _every(a, n), digits).tolist()


def _plane(snap: dict[str, Any]) -> dict[str, Any]:
    plane, pts = snap["plane"], snap["points"]
    size, out = plane["size"], plane["output"]
    data = np.asarray(out["data"], dtype=np.uint8)  # the frame's bytes (uint8)
    channels = int(out["channels"])
    grid = data.reshape(channels, size, size) if channels > 1 else data.reshape(1, size, size)
    step = max(1, size // CARD_GRID)
    small = np.ascontiguousarray(grid[:, ::step, ::step])
    keep = _every(list(range(len(pts["x"]))), CARD_POINTS)
    return {"kind": "plane", "extent": plane["extent"], "size": small.shape[1], "channels": channels,
            "data": base64.b64encode(small.tobytes()).decode(),
            "points": [[round(float(pts["x"][i]), 2), round(float(pts["y"][i]), 2), int(pts["label"][i])]
                       for i in keep]}


def _curve(snap: dict[str, Any]) -> dict[str, Any] | None:
    if snap.get("view") == "neuron" and "neuron" in snap:
        n = snap["neuron"]
        lo, hi = n["range"]
        xs = np.linspace(lo, hi, len(n["curve"]))
        return {"kind": "curve", "x_range": [lo, hi], "y_range": [0, 1], "x": _numbers(xs, 60),
                "y": _numbers(n["curve"], 60), "target": None, "points": [[p["x"], p["label"]] for p in n["points"]]}
    f = snap.get("function")
    if f is None:
        return None
    return {"kind": "curve", "x_range": f["x_range"], "y_range": f["y_range"], "x": _numbers(f["x"], 60),
            "y": _numbers(f["output"], 60), "target": _numbers(f["target_curve"], 60),
            "points": [[p["x"], p["y"]] for p in f["points"]] if f["points"] and isinstance(f["points"][0], dict)
            else f["points"]}


def _table(snap: dict[str, Any]) -> dict[str, Any] | None:
    if "train_outputs" in snap:  # knockout: what the net says for each training shadow
        return {"kind": "table", "rows": snap["training"], "cols": snap["classes"],
                "values": [[round(float(v), 2) for v in row] for row in snap["train_outputs"]]}
    if "columns" in snap:  # autoencoder: the selected sample's output against the desired one
        c = snap["columns"]
        return {"kind": "table", "rows": ["output", "desired"], "cols": [str(i) for i in range(len(c["output"]))],
                "values": [[round(float(v), 2) for v in c["output"]], [round(float(v), 2) for v in c["desired"]]]}
    return None


def _images(snap: dict[str, Any]) -> dict[str, Any]:
    """Convolution: the student's images (81 characters of 0/1 each, with its label and the class the CNN says)
    and the filters it learned (3x3 each)."""
    cnn, images = snap["cnn"], snap["images"]
    keep = _every(list(range(len(images))), CARD_IMAGES)
    said = [int(np.argmax(p)) for p in cnn["probs"]]
    return {"kind": "images", "classes": snap["classes"], "accuracy": cnn["accuracy"],
            "filters": _numbers(cnn["filters"], digits=3),
            "images": [[images[i]["pixels"], images[i]["label"], said[i]] for i in keep]}


def card(snap: dict[str, Any]) -> dict[str, Any] | None:
    """The picture of what the student did: points and boundary, fitted curve, outputs table, or images and
    learned filters."""
    if "plane" in snap and "points" in snap:
        return _plane(snap)
    if "cnn" in snap and "images" in snap:
        return _images(snap)
    return _curve(snap) or _table(snap)


def sparkline(log: list[tuple[int, float]]) -> list[float]:
    return [round(v, 6) for _, v in _every(log, SPARK) if math.isfinite(v)]


def _histogram(values: list[float], log: bool) -> dict[str, Any]:
    vals = [math.log10(v) if log else v for v in values if math.isfinite(v) and (v > 0 or not log)]
    if not vals:
        return {"edges": [], "counts": [], "log": log}
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(vals, bins=BINS, range=(lo, hi))
    return {"edges": [round(e, 4) for e in edges.tolist()], "counts": counts.tolist(), "log": log}


def aggregates(students: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per demo: how many students, how many solved, a histogram of their losses (log10) and of the iteration
    each solved at (where the demo says)."""
    out: dict[str, dict[str, Any]] = {}
    for demo in sorted({e["demo"] for e in students}):
        of = [e for e in students if e["demo"] == demo]
        losses = [e["loss"] for e in of if e.get("loss") is not None]
        solved_at = [e["solved_at"] for e in of if e.get("solved_at") is not None]
        out[demo] = {"students": len(of), "solved": sum(1 for e in of if e.get("solved")),
                     "loss": _histogram(losses, log=True), "solved_at": _histogram(solved_at, log=False)}
    return out
