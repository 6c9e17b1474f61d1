"""The issue's done-when numbers for `nn-playground run sigmoid`, on each preset's default steps."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.test_cli import lines
from tests.tiny_torch import one_torch_thread  # noqa: F401 - an autouse fixture


@pytest.fixture(scope="module")
def final() -> dict[str, dict]:
    return {p: lines("sigmoid", preset=p, steps=None, seed=0)[-1] for p in ("neuron", "noise-point", "sin-2", "sin-30")}


def test_the_neuron_separates_the_lecture_examples(final: dict[str, dict]) -> None:
    neuron = final["neuron"]
    assert {"w", "t", "log_likelihood", "accuracy"} <= set(neuron)
    assert neuron["accuracy"] == 1.0 and neuron["step"] == 2000
    assert -0.1 < neuron["log_likelihood"] < 0


def test_the_noise_point_ends_with_a_smaller_w(final: dict[str, dict]) -> None:
    noisy, clean = final["noise-point"], final["neuron"]
    assert {"w", "t", "log_likelihood", "accuracy"} <= set(noisy)
    assert noisy["w"] < clean["w"]
    assert noisy["log_likelihood"] < clean["log_likelihood"], "no curve makes a noise point probable"


def test_thirty_units_fit_sin_and_fail_outside_the_training_range(final: dict[str, dict]) -> None:
    sin30, sin2 = final["sin-30"], final["sin-2"]
    assert sin30["loss"] < 0.01
    assert sin30["extrapolation_error"] >= 10 * sin30["loss"]
    assert sin30["loss"] < sin2["loss"] / 10, "thirty sigmoids fit far better than two"


def test_the_console_command_prints_the_final_line() -> None:
    done = subprocess.run([sys.executable, "-m", "server.cli", "run", "sigmoid", "--preset", "noise-point",
                           "--seed", "0", "--steps", "300"], capture_output=True, text=True, timeout=120, check=True)
    last = json.loads(done.stdout.splitlines()[-1])
    assert last["final"] and last["preset"] == "noise-point" and last["step"] == 300
    assert {"w", "t", "log_likelihood", "accuracy"} <= set(last)
