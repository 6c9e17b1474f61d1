"""Deployment settings from NNP_* variables (server/config.py, pydantic-settings): the names and defaults as
documented, an empty variable as unset (but NNP_DB_PATH empty: nothing saved), and a wrong value refused with the
variable's name."""

from __future__ import annotations

import subprocess
import sys

import pytest

from server.config import Settings


def test_each_field_is_read_from_its_nnp_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings.from_env()
    assert (defaults.port, defaults.fps, defaults.db_path, defaults.max_sessions) == (
        8000, 30.0, "nn-playground.sqlite3", 500)
    monkeypatch.setenv("NNP_PORT", "9001")
    monkeypatch.setenv("NNP_FPS", "60")
    monkeypatch.setenv("NNP_ALLOWED_ORIGINS", "https://a.example,https://b.example")
    monkeypatch.setenv("NNP_HOST", "")  # empty: unset, as before pydantic-settings read them
    s = Settings.from_env()
    assert (s.port, s.fps, s.allowed_origins, s.host) == (9001, 60.0, "https://a.example,https://b.example",
                                                          "127.0.0.1")
    monkeypatch.setenv("NNP_DB_PATH", "")  # the one exception, as the README says: empty saves nothing
    assert Settings.from_env().db_path == ""
    assert Settings.from_env(port=7000, host=None).port == 7000, "the command line's value wins; None is not given"


def test_a_wrong_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNP_MAX_SESSIONS", "lots")
    monkeypatch.setenv("NNP_FPS", "fast")
    with pytest.raises(ValueError) as e:
        Settings.from_env()
    assert "NNP_MAX_SESSIONS" in str(e.value) and "'lots'" in str(e.value)
    assert "NNP_FPS" in str(e.value) and "'fast'" in str(e.value)


def test_serve_stops_with_the_variables_name() -> None:
    env = {"NNP_PORT": "eighty", "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "server.cli", "serve"], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode != 0 and "nn-playground: NNP_PORT: Input should be a valid integer" in r.stderr
    assert "Traceback" not in r.stderr


def test_replace_checks_the_new_values() -> None:
    s = Settings(port=1234)
    assert s.replace(fps=10).fps == 10.0 and s.replace(fps=10).port == 1234 and s.fps == 30.0
    with pytest.raises(ValueError, match="fps"):
        s.replace(fps="often")
