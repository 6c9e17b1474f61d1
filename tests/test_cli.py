"""`nn-playground run`: JSON lines, a final line with the demo's results, same seed same numbers."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from server.runner import run


def lines(demo: str, **kw: object) -> list[dict]:
    out = io.StringIO()
    run(demo, out=out, **kw)  # type: ignore[arg-type]
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_run_prints_progress_then_a_final_line() -> None:
    out = lines("autoencoder", preset="default", steps=400, seed=0)
    assert all("step" in o and "loss" in o for o in out[:-1])
    assert out[-1]["final"] is True and out[-1]["step"] == 400
    steps = [o["step"] for o in out[:-1]]
    assert steps == sorted(steps) and steps[-1] == 400


def test_same_seed_same_numbers() -> None:
    a = lines("autoencoder", preset="default", steps=300, seed=3)
    b = lines("autoencoder", preset="default", steps=300, seed=3)
    c = lines("autoencoder", preset="default", steps=300, seed=4)
    strip = lambda xs: [{k: v for k, v in x.items() if k != "wall_s"} for x in xs]  # noqa: E731
    assert strip(a) == strip(b)
    assert strip(a) != strip(c)


def test_finetune_preset_reaches_full_accuracy_with_the_encoder_untouched() -> None:
    final = lines("autoencoder", preset="finetune", steps=3000, seed=0)[-1]
    assert final["accuracy"] == 1.0 and final["encoder_max_change"] == 0.0
    assert 0 < final["finetune_steps"] < 200


def test_console_script_runs() -> None:
    done = subprocess.run([sys.executable, "-m", "server.cli", "run", "autoencoder", "--steps", "50"],
                          capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.splitlines()[-1])["final"] is True
    bad = subprocess.run([sys.executable, "-m", "server.cli", "run", "autoencoder", "--preset", "nope"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "no preset 'nope'" in bad.stderr


def test_asking_for_a_gpu_that_is_not_there_says_so() -> None:
    import pytest
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    for cmd in (["serve", "--port", "1"], ["run", "autoencoder"]):
        p = subprocess.run([sys.executable, "-m", "server.cli", *cmd, "--device", "cuda"], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode != 0 and "sees no CUDA GPU" in p.stderr, p.stderr
