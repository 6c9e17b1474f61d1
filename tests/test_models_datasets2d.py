"""Demo 4's data: the 2-D datasets (seeded, split, on the plane) and CSV in and out of the boundary demo."""

from __future__ import annotations

import pytest
import torch

from models.data import datasets2d
from models.demos.boundary.commands import AddPoint, ImportCSV, LoadDataset
from models.demos.boundary.demo import BoundaryDemo


# ---------------------------------------------------------------------- datasets and CSV
@pytest.mark.parametrize("name", datasets2d.DATASETS)
def test_datasets_are_seeded_split_and_on_the_plane(name: str) -> None:
    a = datasets2d.generate(name, 300, 0.1, 0.3, seed=7)
    b = datasets2d.generate(name, 300, 0.1, 0.3, seed=7)
    c = datasets2d.generate(name, 300, 0.1, 0.3, seed=8)
    assert torch.equal(a.xy, b.xy) and not torch.equal(a.xy, c.xy)
    assert int(a.test.sum()) == 90 and float(a.xy.abs().max()) <= datasets2d.EXTENT
    assert a.classes == (3 if name == "gauss3" else 2) and len(a.label.unique()) == a.classes


def test_csv_round_trip_through_the_demo() -> None:
    demo = BoundaryDemo(seed=0, preset="default")
    demo.apply(LoadDataset(name="spiral", n=300, noise=0.3, test_ratio=0.2, seed=9))
    demo.apply(AddPoint(x=1.23456, y=-5.5, label=3))
    _, text = demo.download("points.csv")
    other = BoundaryDemo(seed=1, preset="perceptron-linear")
    other.apply(ImportCSV(text=text))
    assert torch.equal(other.points.xy, demo.points.xy) and torch.equal(other.points.label, demo.points.label)
    assert torch.equal(other.points.test, demo.points.test) and other.download("points.csv")[1] == text
    assert other.cfg.output == "softmax", "class D came in with the file"
    assert text.splitlines()[0] == "x1,x2,label,split" and text.splitlines()[-1] == "1.2346,-5.5000,3,train"


def test_hand_made_csv_without_header_or_split() -> None:
    pts = datasets2d.from_csv("1,2,A\n-3.5, 0.25 ,b\n\n# a comment\n0,0,1\n")
    assert pts.xy.tolist() == [[1.0, 2.0], [-3.5, 0.25], [0.0, 0.0]] and pts.label.tolist() == [0, 1, 1]
    assert not pts.test.any()


BAD_CSV = [
    ("", "no rows"),
    ("x1,x2,label\n", "no points"),
    ("x,y,class\n1,2,0\n", "header must be x1,x2,label"),
    ("1,2\n", "line 1: expected 3 or 4 columns"),
    ("x1,x2,label\n1,2,0\n3,4,0,train,extra\n", "line 3: expected 3 or 4 columns"),
    ("1,2,0\nabc,2,0\n", "line 2: x1 must be a number, got 'abc'"),
    ("1,nan,0\n", "line 1: x2 must be a finite number"),
    ("1,inf,0\n", "line 1: x2 must be a finite number"),
    ("7.5,0,0\n", "line 1: x1 = 7.5 is outside the plane"),
    ("1,2,7\n", "line 1: label must be a class index"),
    ("1,2,0.5\n", "line 1: label must be a class index"),
    ("1,2,0,validate\n", "line 1: split must be train or test"),
    ("0,0,0\n" * 2001, "2001 points; at most 2000"),
]


@pytest.mark.parametrize("text,message", BAD_CSV)
def test_bad_csv_is_refused_with_a_clear_message_and_changes_nothing(text: str, message: str) -> None:
    demo = BoundaryDemo(seed=0, preset="default")
    before = demo.points.xy.clone()
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        demo.apply(ImportCSV(text=text))
    assert torch.equal(demo.points.xy, before)


def test_unknown_download_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        BoundaryDemo(seed=0, preset="default").download("weights.bin")

