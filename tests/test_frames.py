"""The frame pump's pacing: frames slow down to NNP_MIN_FPS first, then training yields; both come back."""

from __future__ import annotations

from server.engine import Engine
from server.frames import FramePump


def test_late_ticks_slow_frames_then_make_training_yield_and_both_recover() -> None:
    engine = Engine(round_s=0.05)
    pump = FramePump(fps=30, min_fps=10, engine=engine)
    assert pump.interval == pump.fastest
    for _ in range(500):  # every tick a tenth of a second late: the loop cannot keep up
        pump.adapt(0.1)
    assert pump.interval == pump.slowest == 0.1, "frames slow down to NNP_MIN_FPS, no further"
    assert engine.backoff_s == engine.round_s, "then the engine yields, up to a round's length per round"
    trace = []
    for _ in range(5000):  # on time again
        pump.adapt(0.0)
        trace.append((engine.backoff_s, pump.interval))
    assert engine.backoff_s == 0.0 and pump.interval == pump.fastest
    first_faster = next(i for i, (_, interval) in enumerate(trace) if interval < pump.slowest)
    assert trace[first_faster - 1][0] == 0.0, "training gets its time back before frames speed up again"


def test_without_an_engine_only_the_frame_rate_adapts() -> None:
    pump = FramePump(fps=30, min_fps=15)
    for _ in range(500):
        pump.adapt(1.0)
    assert pump.interval == pump.slowest
    pump = FramePump(fps=20)  # no minimum: the rate never drops below NNP_FPS
    for _ in range(100):
        pump.adapt(1.0)
    assert pump.interval == pump.fastest == 0.05
