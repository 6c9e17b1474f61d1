"""One sandbox: a demo plus its clock (running, speed, iteration), its loss log and its frames."""

from __future__ import annotations

import json
import math
import secrets
import threading
import time
from typing import Any

import torch
from pydantic import BaseModel

from models.demo import Demo
from server import protocol
from server.protocol import Pause, Play, Preset, Reset, Select, SetParams, Step

LOSS_LOG_MAX = 4000  # points kept for the chart; past it every other one goes, so a 1,000,000-step run still fits
POINTS_PER_SLICE = 4  # loss points recorded per training slice (the chart is sampled, like the frames)


def thin(points: list[tuple[int, float]], keep: int) -> list[tuple[int, float]]:
    """About `keep` of the points, evenly spread over the iterations, first and newest kept. The chart's x is
    linear in iterations, so an early cliff must stay as sharp as a late one: halving only the older half at
    every overflow blurred the start of a long run a little more each time."""
    gap = (points[-1][0] - points[0][0]) / keep
    out = [points[0]]
    for p in points[1:-1]:
        if p[0] - out[-1][0] >= gap:
            out.append(p)
    return out + [points[-1]]


class Session:
    """All access goes through `lock`: the engine thread trains, the event loop's helpers read frames."""

    def __init__(self, demo: Demo, session_id: str | None = None) -> None:
        self.id = session_id or secrets.token_urlsafe(9)
        self.demo = demo
        self.lock = threading.RLock()
        self.running = False
        self.pending_steps = 0  # iterations asked for by "step", trained by the engine while paused
        self.speed = demo.default_speed  # iterations per second; 0 = as fast as the engine can
        self.allowance = 0.0  # iterations earned at `speed` and not yet trained
        self.selected = 0
        self.version = 0  # bumped on every change a frame would show
        self.status: str | None = None  # a message for the page: "diverged ..."
        self.loss_log: list[tuple[int, float]] = []
        self.its_per_s = 0.0  # measured training speed, smoothed
        self.k = 1  # iterations per slice, adapted so a slice fits the engine's time budget
        self.last_seen = time.monotonic()
        self.watchers = 0
        self._cache: tuple[int, str] | None = None  # (version, encoded snapshot)
        self.saved_version = -1

    # ---------------------------------------------------------------- commands
    @property
    def runnable(self) -> bool:
        return self.running or self.pending_steps > 0

    def apply(self, cmd: BaseModel) -> None:
        """Apply one validated command between training slices. Raises ValueError and changes nothing if
        the command cannot be carried out."""
        with self.lock:
            if isinstance(cmd, Play):
                if self.status:
                    raise ValueError(f"{self.status}: reset before playing again")
                self.running = True
            elif isinstance(cmd, Pause):
                self.running, self.pending_steps = False, 0
            elif isinstance(cmd, Step):
                if self.status:
                    raise ValueError(f"{self.status}: reset before stepping again")
                self.running = False
                self.pending_steps += cmd.n
            elif isinstance(cmd, Reset):
                self.demo.reset(cmd.seed)
                self._restart()
            elif isinstance(cmd, SetParams):
                if cmd.lr is not None:
                    self.demo.set_lr(cmd.lr)
                if cmd.speed is not None:
                    self.speed, self.allowance = cmd.speed, 0.0
            elif isinstance(cmd, Select):
                self.selected = cmd.sample
            elif isinstance(cmd, Preset):
                if cmd.name not in self.demo.presets:
                    raise ValueError(f"unknown preset {cmd.name!r}; expected one of {', '.join(self.demo.presets)}")
                self.demo = type(self.demo)(seed=self.demo.seed, device=self.demo.device, preset=cmd.name)
                self._restart()
            else:
                if self.demo.apply(cmd):  # the demo started over (another network): so do the clock and the chart
                    self._restart()
                # Its data or network may have changed, and with them the cost of an iteration: K, tuned to the
                # old cost, could make one slice run for minutes (K grows to 10^6 while a step costs nothing,
                # e.g. fitting no points). Start small again; K regrows fourfold per slice.
                self.k = 1
            self.version += 1

    def _restart(self) -> None:
        self.running, self.pending_steps, self.status, self.k = False, 0, None, 1
        self.loss_log.clear()

    # ---------------------------------------------------------------- training (engine thread)
    def train_slice(self, budget_s: float, cap: int | None = None) -> int:
        """Train up to one slice; returns the iterations trained. K adapts toward `budget_s` per slice."""
        with self.lock:
            if not self.runnable or self.status:
                return 0
            n = self.k
            if self.pending_steps > 0 and not self.running:
                n = min(n, self.pending_steps)
            if self.speed > 0 and self.running:
                n = min(n, int(self.allowance))
                if n <= 0:
                    return 0
            if cap is not None:
                n = min(n, cap)
            t0 = time.perf_counter()
            losses = self.demo.train(n)
            dt = time.perf_counter() - t0
            self._record(losses, n, dt, budget_s)
            return n

    def earn(self, dt: float) -> None:
        """Speed limit: a running session earns `speed` iterations per second, at most one second's worth."""
        if self.speed > 0 and self.running:
            self.allowance = min(self.allowance + self.speed * dt, max(self.speed, 1.0))

    def _record(self, losses: torch.Tensor, n: int, dt: float, budget_s: float) -> None:
        if self.speed > 0 and self.running:
            self.allowance -= n
        if self.pending_steps > 0 and not self.running:
            self.pending_steps -= n
        rate = n / max(dt, 1e-9)
        self.its_per_s = rate if self.its_per_s == 0 else 0.8 * self.its_per_s + 0.2 * rate
        # From n, what actually ran: a slice cut short by the speed limit or a step says nothing about a full one,
        # and growing K from it would make the first slice at "max" speed run for minutes.
        self.k = max(1, min(1_000_000, int(n * min(4.0, max(0.25, budget_s / max(dt, 1e-9))))))
        end = self.demo.iteration
        idx = sorted({int(i) for i in torch.linspace(0, n - 1, min(n, POINTS_PER_SLICE)).round().tolist()})
        for i in idx:
            self.loss_log.append((end - n + i + 1, float(losses[i])))
        if len(self.loss_log) > LOSS_LOG_MAX:
            self.loss_log = thin(self.loss_log, LOSS_LOG_MAX // 2)
        last = float(losses[-1])
        if not math.isfinite(last):
            self.running, self.pending_steps = False, 0
            self.status = "diverged: the loss became infinite or NaN (learning rate too high?)"
        self.version += 1

    # ---------------------------------------------------------------- frames
    def frame(self, since: int) -> tuple[str, int]:
        """The newest frame for a watcher that has seen losses up to iteration `since`; returns (json, last)."""
        with self.lock:
            if self._cache is None or self._cache[0] != self.version:
                snap = self.demo.snapshot(self.selected)
                self._cache = (self.version, protocol.encode(snap))
            losses = [p for p in self.loss_log if p[0] > since] if since >= 0 else list(self.loss_log)
            if since > self.demo.iteration:  # a reset: the watcher's chart must start again
                losses = list(self.loss_log)
            meta = {
                "type": "frame",
                "version": self.version,
                "iteration": self.demo.iteration,
                "running": self.running,
                "pending": self.pending_steps,
                "its_per_s": self.its_per_s if self.runnable else 0.0,
                "speed": self.speed,
                "lr": self.demo.lr,
                "seed": self.demo.seed,
                "preset": self.demo.preset,
                "selected": self.selected,
                "status": self.status,
                "restart": since < 0 or since > self.demo.iteration,
                "losses": losses,
            }
            text = protocol.encode(meta)[:-1] + ',"demo":' + self._cache[1] + "}"
            return text, self.demo.iteration

    # ---------------------------------------------------------------- persistence
    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "id": self.id,
                "demo": self.demo.name,
                "speed": self.speed,
                "selected": self.selected,
                "loss_log": self.loss_log,
                "status": self.status,
                "demo_state": self.demo.state(),
            }

    @classmethod
    def restore(cls, demo_cls: type[Demo], state: dict[str, Any], device: str) -> Session:
        demo = demo_cls(seed=state["demo_state"]["seed"], device=device, preset=state["demo_state"]["preset"])
        demo.load(state["demo_state"])
        s = cls(demo, state["id"])
        s.speed, s.selected, s.status = state["speed"], state["selected"], state["status"]
        s.loss_log = [tuple(p) for p in state["loss_log"]]
        return s

    def dumps(self) -> str:
        return json.dumps(self.state())
