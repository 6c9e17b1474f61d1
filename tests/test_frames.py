"""The frame pump's pacing: late ticks slow every page down to NNP_MIN_FPS, no further; on time, back up."""

from __future__ import annotations

from server.engine import Engine
from server.frames import FramePump


def test_late_ticks_slow_the_frames_to_the_minimum_and_on_time_ones_bring_them_back() -> None:
    engine = Engine(round_s=1 / 30)
    pump = FramePump(fps=30, min_fps=10, engine=engine)
    assert pump.interval == pump.fastest
    for _ in range(500):  # every tick a tenth of a second late: the loop cannot keep up
        pump.adapt(0.1)
    assert pump.interval == pump.slowest == 0.1, "frames slow down to NNP_MIN_FPS, no further"
    assert engine.round_s == 0.1, "a training round lasts a frame interval"
    intervals = []
    for _ in range(2000):  # on time again
        pump.adapt(0.0)
        intervals.append(pump.interval)
    assert intervals == sorted(intervals, reverse=True) and pump.interval == pump.fastest == engine.round_s


def test_a_little_lateness_changes_nothing_and_without_a_minimum_the_rate_stays() -> None:
    pump = FramePump(fps=30, min_fps=10)
    for _ in range(500):
        pump.adapt(0.1 * pump.fastest)  # within LATE: jitter, not overload
    assert pump.interval == pump.fastest
    pump = FramePump(fps=20)
    for _ in range(100):
        pump.adapt(1.0)
    assert pump.interval == pump.fastest == 0.05
