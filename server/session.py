"""One sandbox: a demo plus its clock (running, speed, iteration) and its loss log. Its frames (server.snapshot) and
its persistence (server.persistence) sit beside it, not in it."""

from __future__ import annotations

import math
import secrets
import time

import torch
from pydantic import BaseModel

from models.demo import Demo, Limits
from server.bookmarks import Bookmarks
from server.fairlock import FairLock
from server.pacing import Pace
from server.persistence import Persisted
from server.protocol import Bookmark, Jump, Pause, Play, Preset, Reset, Select, SetParams, Step, Unbookmark
from server.snapshot import Built, Snapshots

LOSS_LOG_MAX = 4000  # points kept for the chart; past it every other one goes, so a 1,000,000-step run still fits
POINTS_PER_SLICE = 4  # loss points recorded per training slice (the chart is sampled, like the frames)
# The chart's labelled markers: a demo command that changes the phase of the story, and what the marker says
MARKS = {"finetune": "fine-tune", "knock": "knockout", "knock_one_per_column": "knockout", "autoprune": "pruning",
         "dropout": "dropout", "add_point": "point added", "configure": "new network", "load_dataset": "new data"}
MARKS_MAX = 40
POINT_GAP_S = 1 / 150  # a slice records its spread of points only this long after the last ones (else just its
# newest): many tiny slices (a full classroom) must not turn every frame into a long list


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


class Session(Snapshots, Persisted):
    """All access goes through `lock`: the engine thread trains, the event loop's helpers read frames."""

    def __init__(self, demo: Demo, session_id: str | None = None, limits: Limits | None = None) -> None:
        self.id = session_id or secrets.token_urlsafe(9)
        self.limits = limits or demo.limits
        demo.limits = self.limits
        self.demo = demo
        self.lock = FairLock()
        self.running = False
        self.pending_steps = 0  # iterations asked for by "step", trained by the engine while paused
        self.speed = demo.default_speed  # iterations per second; 0 = as fast as the engine can
        self.allowance = 0.0  # iterations earned at `speed` and not yet trained
        self.selected = 0
        self.version = 0  # bumped on every change a frame would show
        self.cmd_version = 0  # bumped by commands: their effect must show in the very next frame
        self.epoch = 0  # bumped when the run starts over (reset, preset, a push): watchers' charts restart
        self.room: str | None = None  # the room this sandbox was forked from (a student's); pushes reach it
        self.status: str | None = None  # a message for the page: "diverged ..."
        self.loss_log: list[tuple[int, float]] = []
        self.pace = Pace()  # stop at an iteration, pause when solved; the real training speed
        self.lesson: int | None = None  # the lesson step (1-based) this session was last set to, for the step bar
        self.marks: list[tuple[int, str]] = []  # (iteration, label): the chart's markers at phase changes
        self.bookmarks = Bookmarks()  # moments to jump back to (server.bookmarks); they outlive resets and steps
        self.k = 1  # iterations per slice, adapted so a slice fits the engine's time budget
        self.last_seen = time.monotonic()  # a page last opened or left it (server.connections counts them)
        self._built: Built | None = None
        self._last_point_t = 0.0
        self.saved_version = -1
        self.name: str | None = None  # the display name a student gave (the dashboard shows it unless anonymized)
        self.active_at = time.time()  # the last command: the dashboard sorts by it
        self.hold: str | None = None  # why this sandbox may not train now (the lecturer paused the class)
        self.notice: str | None = None  # said once to the next page that opens the session (why it is paused)
        self.problem: str | None = None  # an error said once to the next page (its saved session was unreadable)
        self.save_problem: str | None = None  # why the last save of it failed, if it did (its pages were told)

    # ---------------------------------------------------------------- commands
    @property
    def runnable(self) -> bool:
        return self.running or self.pending_steps > 0

    def apply(self, cmd: BaseModel) -> None:
        """Apply one validated command between training slices. Raises ValueError and changes nothing if
        the command cannot be carried out."""
        with self.lock:
            self.active_at = time.time()
            if self.hold and isinstance(cmd, Play | Step):
                raise ValueError(self.hold)
            match cmd:
                case Play(n=n):
                    if self.status:
                        raise ValueError(f"{self.status}: reset before playing again")
                    if n is not None:  # "Train N": on from here, at the set speed, pausing N iterations later
                        self.pace.stop_at = self.demo.iteration + n
                    self.pace.start(self.demo)
                    self.running, self.notice = True, None
                case Pause():
                    self.running, self.pending_steps = False, 0
                case Step(n=n):
                    if self.status:
                        raise ValueError(f"{self.status}: reset before stepping again")
                    self.running = False
                    self.pending_steps += n
                case Reset(seed=seed):
                    self.demo.reset(seed)
                    self._restart()
                case SetParams():
                    self._set(cmd)
                case Select(sample=sample):
                    self.selected = sample
                case Preset(name=name):
                    if name not in self.demo.presets:
                        raise ValueError(f"unknown preset {name!r}; expected one of {', '.join(self.demo.presets)}")
                    self.demo = self.new_demo(type(self.demo), self.demo.seed, name)
                    self._restart()
                case Bookmark() | Jump() | Unbookmark():
                    self.bookmarks.apply(self, cmd)
                case _:
                    self._demo_command(cmd)
            self.version += 1
            self.cmd_version += 1

    def _set(self, cmd: SetParams) -> None:
        if cmd.lr is not None:
            self.demo.set_lr(cmd.lr)
        if cmd.speed is not None:
            self.speed, self.allowance = cmd.speed, 0.0
        if cmd.stop_at is not None:  # 0: no stop
            self.pace.stop_at = cmd.stop_at or None
        if cmd.pause_solved is not None:
            self.pace.pause_solved = cmd.pause_solved
            self.pace.was_solved = cmd.pause_solved and self.demo.solved()

    def _demo_command(self, cmd: BaseModel) -> None:
        if self.demo.apply(cmd):  # the demo started over (another network): so do the clock and the chart
            self._restart()
        label = MARKS.get(getattr(cmd, "type", ""))
        if label is not None:
            self.mark(label)
        # Its data or network may have changed, and with them the cost of an iteration: K, tuned to the old cost,
        # could make one slice run for minutes (K grows to 10^6 while a step costs nothing, e.g. fitting no points).
        # Start small again; K regrows fourfold per slice.
        self.k = 1

    def pause_unwatched(self, after_s: float) -> None:
        with self.lock:
            if not self.runnable:
                return
            self.running, self.pending_steps = False, 0
            self.notice = (f"Training paused at iteration {self.demo.iteration:,}: no page showed it for "
                           f"{after_s:g} s. Press play to go on.")
            self.version += 1

    def mark(self, label: str) -> None:
        """A labelled marker on the chart at this iteration (several at one iteration are one)."""
        if self.marks and self.marks[-1][0] == self.demo.iteration:
            if label not in self.marks[-1][1].split(", "):
                self.marks[-1] = (self.demo.iteration, f"{self.marks[-1][1]}, {label}")
        else:
            self.marks.append((self.demo.iteration, label))
        del self.marks[:-MARKS_MAX]

    def hold_training(self, reason: str | None) -> bool:
        """Stop training and refuse play and step while `reason` holds (None lets it train again); True if the
        hold changed."""
        with self.lock:
            if reason == self.hold:
                return False
            self.hold = reason
            if reason:
                self.running, self.pending_steps = False, 0
            self.version += 1
            self.cmd_version += 1
            return True

    def _restart(self) -> None:
        self.running, self.pending_steps, self.status, self.k = False, 0, None, 1
        self.pace.stop_at = None  # an iteration of the old run means nothing to the new one
        self.loss_log.clear()
        self.marks = []
        self.epoch += 1

    def new_demo(self, cls: type[Demo], seed: int, preset: str) -> Demo:
        """A demo built under this session's limits (a preset, a restore, a push)."""
        demo = cls(seed=seed, device=self.demo.device, preset=preset)
        demo.limits = self.limits
        return demo

    # ---------------------------------------------------------------- training (engine thread)
    def train_slice(self, budget_s: float, cap: int | None = None) -> int:
        """Train up to one slice; returns the iterations trained. K adapts toward `budget_s` per slice.
        Whoever is waiting for the session (a frame, a command) goes first."""
        with self.lock.for_training():
            n = self.slice_size(cap)
            if n <= 0:
                return 0
            # K is sized by this thread's CPU time, not the wall clock: on a busy server a slice also waits for the
            # GIL (each torch call and the kernel hand it over), and those waits, counted as training, shrank K to 1
            # iteration per slice, each paying ~40 us of Python for ~1 us of training.
            t0 = time.thread_time()
            self.demo.halt_on_solve = self.pace.pause_solved
            losses = self.demo.train(n)
            dt = time.thread_time() - t0
            n = len(losses)  # fewer than asked where the demo stopped at its solve (Demo.solve_every)
            if n == 0:
                self.running, self.pending_steps = False, 0
                self.version += 1
                return 0
            self.record(losses, n, dt, budget_s)
            return n

    def slice_size(self, cap: int | None = None) -> int:
        """The iterations the next slice may train (lock held): K, within a step's count, the speed limit's
        allowance and `cap`; 0 when the session may not train now."""
        if not self.runnable or self.status:
            return 0
        n = self.k
        if self.pending_steps > 0 and not self.running:
            n = min(n, self.pending_steps)
        if self.speed > 0 and self.running:
            n = min(n, int(self.allowance))
        n = self.pace.cap(self.demo, n)
        return max(0, min(n, cap) if cap is not None else n)

    def earn(self, dt: float) -> None:
        """Speed limit: a running session earns `speed` iterations per second, at most one second's worth."""
        if self.speed > 0 and self.running:
            self.allowance = min(self.allowance + self.speed * dt, max(self.speed, 1.0))

    def record(self, losses: torch.Tensor, n: int, dt: float, budget_s: float) -> None:
        """After n iterations trained in dt seconds (lock held): the clock, K for the next slice, the loss chart."""
        if self.speed > 0 and self.running:
            self.allowance -= n
        if self.pending_steps > 0 and not self.running:
            self.pending_steps -= n
        self.pace.count(n)
        # From n, what actually ran: a slice cut short by the speed limit or a step says nothing about a full one,
        # and growing K from it would make the first slice at "max" speed run for minutes.
        self.k = max(1, min(1_000_000, int(n * min(4.0, max(0.25, budget_s / max(dt, 1e-9))))))
        end = self.demo.iteration
        # a view for the usual CPU tensor: indexing it costs no torch call; and no detach() or cpu() before it when
        # they would do nothing (each torch op hands the GIL over, and a busy loop keeps it for milliseconds)
        plain = losses.device.type == "cpu" and not losses.requires_grad
        arr = losses.numpy() if plain else losses.detach().cpu().numpy()
        last = float(arr[-1])
        now = time.monotonic()
        if now - self._last_point_t >= POINT_GAP_S or not self.runnable or not math.isfinite(last):
            self._last_point_t = now
            m = min(n, POINTS_PER_SLICE)
            # evenly spread over the slice, its last iteration always included (as torch.linspace(0, n-1, m).round())
            idx = list(range(n)) if m == n else sorted({round(j * (n - 1) / (m - 1)) for j in range(m)})
            self.loss_log.extend(zip([end - n + i + 1 for i in idx], arr[idx].tolist(), strict=True))
        else:  # only the newest: the log's last point is always this iteration's loss (`run` reports it)
            self.loss_log.append((end, last))
        if len(self.loss_log) > LOSS_LOG_MAX:
            self.loss_log = thin(self.loss_log, LOSS_LOG_MAX // 2)
        if not math.isfinite(last):
            self.running, self.pending_steps = False, 0
            self.status = "diverged: the loss became infinite or NaN (learning rate too high?)"
        elif self.pace.reached(self.demo):
            self.running, self.pending_steps = False, 0
        self.version += 1
