"""The load test end to end, small: a server subprocess, students and followers on the lean websocket client."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from server.tools import loadtest


def test_a_small_class_runs_and_reports() -> None:
    out: list[dict[str, Any]] = []
    # its own thread: Playwright's sync API (the e2e tests of the same run) keeps an event loop in this one
    t = threading.Thread(target=lambda: out.append(asyncio.run(
        loadtest.classroom(students=3, followers=2, seconds=3.0, demo="autoencoder", fps=None))))
    t.start()
    t.join(120)
    (r,) = out
    assert r["errors"] == 0, r["error_examples"]
    assert r["students"]["clients"] == 3 and r["followers"]["clients"] == 2
    assert r["students"]["fps_min"] > 0 and r["followers"]["fps_min"] > 0, "every client got frames"
    assert r["student_its_per_s"]["min"] > 0, "every student's sandbox trained"
    assert r["server"]["sessions"] == 4 and r["server"]["running"] == 4, "3 students and the lecturer"
    assert r["server"]["rss_mb"] > 0 and r["server"]["processes"] == 1
    table = loadtest.table(r)
    assert "frames/s median" in table and "errors: 0" in table


def test_a_class_whose_room_switches_demo_hears_of_every_switch() -> None:
    out: list[dict[str, Any]] = []
    t = threading.Thread(target=lambda: out.append(asyncio.run(
        loadtest.classroom(students=3, followers=2, seconds=4.0, demo="autoencoder", fps=None, switches=2))))
    t.start()
    t.join(150)
    (r,) = out
    assert r["errors"] == 0, r["error_examples"]
    sw = r["switches"]
    assert sw["moves"] == 2 and sw["pages"] == 5, "3 lecture pages and 2 followers"
    assert sw["seen"] == 10 and sw["missed"] == 0, "every page heard of both switches"
    assert sw["p95_ms"] >= 0 and "demo switches: 2" in loadtest.table(r)
    assert r["followers"]["fps_min"] > 0, "followers kept getting frames across the switches"


def test_the_bounds_are_enforced() -> None:
    import pytest

    for args in ((0, None, 10.0), (2000, None, 10.0), (5, None, 0.0), (5, None, 10_000.0), (5, -1, 10.0)):
        with pytest.raises(SystemExit):
            loadtest.main(*args)
