"""`nn-playground run --plot`: every seed's loss curve, with solves and knockouts marked, in a small PNG."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from server.runner import run
from server.tools import plot


def test_the_run_returns_each_seeds_curve_and_the_plot_marks_it(tmp_path: Path, monkeypatch) -> None:
    final = run("knockout", "prune", 3000, 0, 2, out=io.StringIO(), curves=True)
    curves = final["curves"]
    assert [c["seed"] for c in curves] == [0, 1] and all(c["loss"][-1][0] == 3000 for c in curves)
    curves[0]["result"]["solved_at"], curves[0]["result"]["knocked_at"] = 1500, [1500, 2000]  # marks to draw
    drawn: list[tuple[str, list]] = []
    import matplotlib.axes

    real = matplotlib.axes.Axes.plot
    monkeypatch.setattr(matplotlib.axes.Axes, "plot",
                        lambda self, *a, **kw: drawn.append((kw.get("label"), a)) or real(self, *a, **kw))
    plot.draw(final, str(tmp_path / "p.png"))
    labels = [d[0] for d in drawn]
    assert labels.count("solved") == 1 and labels.count("knockout") == 1 and "seed 1" in labels
    assert [d[1][0] for d in drawn if d[1][-1] == "x"] == [[1500], [2000]], "a cross at each knockout"
    png = (tmp_path / "p.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 150_000


def test_the_cli_writes_the_plot_and_refuses_bad_options(tmp_path: Path) -> None:
    out = tmp_path / "ae.png"
    done = subprocess.run([sys.executable, "-m", "server.cli", "run", "boundary", "--preset", "overfit", "--steps",
                           "40", "--seeds", "2", "--dropout", "0.5", "--plot", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:4] == b"\x89PNG" and f"wrote {out}" in done.stderr
    for bad, says in ((["--budget", "5", "--steps", "5"], "not both"), (["--dropout", "1.5"], "--dropout must be")):
        p = subprocess.run([sys.executable, "-m", "server.cli", "run", "knockout", *bad], capture_output=True,
                           text=True, timeout=120)
        assert p.returncode != 0 and says in p.stderr
