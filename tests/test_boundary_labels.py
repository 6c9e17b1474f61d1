"""What the boundary page labels from its frame stays true: the dataset after Clear or an import, and whether
the set-up is still the preset's (the "lesson" label) after configure, new data or clicked points."""

from __future__ import annotations

from models.demos.boundary.commands import AddPoint, ClearPoints, Configure, ImportCSV, LoadDataset
from models.demos.boundary.demo import BoundaryDemo


def config(demo: BoundaryDemo) -> dict:
    return demo.snapshot(0)["config"]


def test_a_fresh_preset_is_unchanged_and_each_edit_says_so() -> None:
    for preset in BoundaryDemo.presets:
        assert not config(BoundaryDemo(preset=preset))["changed"], preset
    for edit in (Configure(hidden=[3]), Configure(activation="relu"), AddPoint(x=1.0, y=1.0, label=0),
                 LoadDataset(name="spiral"), ClearPoints()):
        demo = BoundaryDemo(preset="xor")
        demo.apply(edit)
        assert config(demo)["changed"], edit


def test_clear_and_import_name_what_the_points_are() -> None:
    demo = BoundaryDemo(preset="circle")
    assert (config(demo)["dataset"], config(demo)["n"]) == ("circle", 400)
    demo.apply(ClearPoints())
    assert (config(demo)["dataset"], config(demo)["n"]) == ("none", 0)
    demo.apply(ImportCSV(text="x1,x2,label\n0.5,0.5,0\n-0.5,-0.5,1\n1,1,0\n"))
    assert (config(demo)["dataset"], config(demo)["n"]) == ("csv", 3)
    demo.apply(LoadDataset(name="xor", n=40))
    assert (config(demo)["dataset"], config(demo)["n"]) == ("xor", 40)
    assert demo.results()["dataset"] == "xor"
