"""`bench --tfp DIR`: TensorFlow Playground's engine under Node, side by side with ours (timings never asserted)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from server.cli import main
from server.tools import bench, bench_tfp

BUILD = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "tfp-engine" / "build.sh"


@pytest.fixture(scope="module")
def tfp_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the harness: NNP_TFP_DIR if set, else built here; the tests skip without Node or the harness."""
    if os.environ.get("NNP_TFP_DIR"):
        return Path(os.environ["NNP_TFP_DIR"])
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node and npm are not installed: the side-by-side bench cannot run here")
    if not BUILD.is_file():
        pytest.skip(f"no harness at {BUILD}")
    out = tmp_path_factory.mktemp("tfp-engine")
    built = subprocess.run(["bash", str(BUILD), str(out)], capture_output=True, text=True, timeout=300, check=False)
    if built.returncode != 0:  # typescript comes from the npm registry, which a CI runner may not reach
        pytest.skip(f"the harness did not build: {built.stderr.strip()[-300:]}")
    return out


@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_tfp_and_ours_are_timed_in_one_run(tfp_dir: Path, clock: str) -> None:
    rows = bench_tfp.side_by_side(tfp_dir, seconds=0.1, rounds=2, names=["autoencoder"], clock=clock)
    r = rows["autoencoder"]
    assert r["tfp_epochs_per_s"] > 0 and r["epochs_per_s"] > 0 and len(r["ratios"]) == 2
    assert min(r["ratios"]) <= r["ratio"] <= max(r["ratios"])
    text = bench_tfp.table(rows, 2)
    assert f"{r['tfp_epochs_per_s']:,.0f}" in text and f"{r['ratio']:.1f}" in text


def test_a_directory_without_the_build_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(bench_tfp.HarnessMissing) as e:
        bench_tfp.harness(tmp_path)
    assert ("Node" in str(e.value)) if shutil.which("node") is None else ("build.sh" in str(e.value))
    with pytest.raises(SystemExit) as done:  # the command stops before it measures anything
        main(["bench", "--tfp", str(tmp_path)])
    assert "nn-playground bench:" in str(done.value.code)


def test_without_tfp_the_table_says_its_figures_are_recorded() -> None:
    workloads, source = bench.training_speed(0.02)
    assert source == f"recorded on {bench.TF_PLAYGROUND_ON}, not measured now"
    for name, w in workloads.items():
        assert w["tf_playground_epochs_per_s"] == bench.TF_PLAYGROUND[name]
        assert w["vs_tf_playground"] == pytest.approx(w["epochs_per_s"] / bench.TF_PLAYGROUND[name])
