"""Pacing under load: late ticks slow every page down to NNP_MIN_FPS (and the training round with them);
overrunning rounds shrink training's share of a round, on-time rounds give it back."""

from __future__ import annotations

from server.engine import MIN_DUTY, Engine
from server.frames import FramePump
from server.pacing import ROUND_SHARE


def test_late_ticks_slow_the_frames_and_the_rounds_and_on_time_ones_bring_them_back() -> None:
    engine = Engine(round_s=1 / 30)
    pump = FramePump(fps=30, min_fps=10, engine=engine)
    assert pump.interval == pump.fastest
    for _ in range(500):  # every tick a tenth of a second late: the loop cannot keep up
        pump.adapt(0.1)
    assert pump.interval == pump.slowest == 0.1, "frames slow down to NNP_MIN_FPS, no further"
    assert engine.round_s == ROUND_SHARE * 0.1, "a round fits in a frame interval: each frame shows a change"
    intervals = []
    for _ in range(2000):  # on time again
        pump.adapt(0.0)
        intervals.append(pump.interval)
    assert intervals == sorted(intervals, reverse=True) and pump.interval == pump.fastest
    assert engine.round_s == ROUND_SHARE * pump.fastest


def test_a_little_lateness_changes_nothing_and_without_a_minimum_the_rate_stays() -> None:
    pump = FramePump(fps=30, min_fps=10)
    for _ in range(500):
        pump.adapt(0.1 * pump.fastest)  # within LATE: jitter, not overload
    assert pump.interval == pump.fastest
    pump = FramePump(fps=20)
    for _ in range(100):
        pump.adapt(1.0)
    assert pump.interval == pump.fastest == 0.05


def test_overrunning_rounds_shrink_trainings_share_and_quick_ones_restore_it() -> None:
    engine = Engine(round_s=0.05)
    for _ in range(100):
        engine.pace(0.2)  # a busy machine: every round four times too long
    assert engine.duty == MIN_DUTY
    for _ in range(100):
        engine.pace(0.02)
    assert engine.duty == 1.0
    engine.pace(0.051)  # within a tenth: on time
    assert engine.duty == 1.0


def test_a_smaller_duty_trains_less_per_round() -> None:
    from models.demos.autoencoder.demo import AutoencoderDemo
    from server.session import Session

    def trained(duty: float) -> int:
        engine = Engine(slice_s=0.05, round_s=0.05)
        engine.duty = duty
        s = Session(AutoencoderDemo(seed=0))
        s.running, s.speed = True, 0.0  # as fast as the duty lets it (the demo's own default is for watching)
        engine.add(s)
        for _ in range(30):  # K settles on the slice's budget
            engine.tick()
        before = s.demo.iteration
        engine.tick()
        return s.demo.iteration - before

    assert trained(0.1) < trained(1.0)
