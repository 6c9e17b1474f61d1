"""Oversized messages never reach memory: 40 sockets each sending 16 MB against a server subprocess (its own
memory, measured) while three bystander sessions train; their frame rate is printed beside their own rate before."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from tests.conftest import free_port
from tests.live import Client

ROOT = Path(__file__).resolve().parent.parent
MB = 1 << 20
# Bystanders are measured over this long before the attack, and from its start (the attack itself is over in well
# under a second; what it costs, the window shows)
WINDOW_S = 6.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class Bystander(threading.Thread):
    """A page training its own session; records when each frame came."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.c = Client(f"{url}/ws/autoencoder")
        self.c.next_of("hello")
        self.c.send({"type": "play"})
        self.times: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if self.c.recv(timeout=5)["type"] == "frame":
                    self.times.append(time.monotonic())
            except TimeoutError:
                continue

    def rate(self, t0: float, t1: float) -> float:
        return sum(1 for t in self.times if t0 <= t < t1) / (t1 - t0)


def test_forty_sixteen_megabyte_messages_leave_memory_and_bystanders_alone(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "NNP_DB_PATH": str(tmp_path / "s.sqlite3"), "NNP_DEVICE": "cpu"}
    log = (tmp_path / "server.log").open("wb")  # a file, not a pipe: nothing reads a pipe while the test runs
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        bystanders = [Bystander(url) for _ in range(3)]
        for b in bystanders:
            b.start()
        deadline = time.monotonic() + 90  # warm up: kernels compiled, frames flowing to every bystander
        while min(len(b.times) for b in bystanders) < 60:
            assert time.monotonic() < deadline, "the bystanders' frames never started flowing"
            time.sleep(0.1)
        time.sleep(1)
        before_mb = rss_mb(proc.pid)
        t0 = time.monotonic()
        time.sleep(WINDOW_S)
        t1 = time.monotonic()

        peak, sampling = [before_mb], threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak.append(rss_mb(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        attacker = subprocess.run([sys.executable, "-m", "tests.attack", str(port), "40", str(16 * MB)], cwd=ROOT,
                                  capture_output=True, timeout=180)
        t2 = max(time.monotonic(), t1 + WINDOW_S)  # at least as long a window as the one before
        while time.monotonic() < t2:
            time.sleep(0.05)
        sampling.set()
        sampler.join(5)
        for b in bystanders:
            b.stop.set()
        for b in bystanders:
            b.join(10)
            b.c.ws.close()

        growth = max(peak) - before_mb
        ratios = [b.rate(t1, t2) / b.rate(t0, t1) for b in bystanders]
        print(f"\nserver memory {before_mb:.0f} MB -> peak {max(peak):.0f} MB (+{growth:.1f} MB); "
              f"bystander frame rates before {[round(b.rate(t0, t1), 1) for b in bystanders]}/s, during "
              f"{[round(b.rate(t1, t2), 1) for b in bystanders]}/s, ratios {[round(r, 2) for r in ratios]}")
        assert attacker.stdout.split() == [b"40"], ("each oversized message is answered with a close frame, code "
                                                    f"1009: {attacker.stdout!r} {attacker.stderr[-500:]!r}")
        assert growth < 100, f"the server grew by {growth:.0f} MB"
        # The bystanders' frame rate is printed, not held to a ratio: on this shared 2-core machine it swings with
        # the other processes' load, and forty ordinary connections at once cost the same dip as these forty
        # attackers (measured: 0.46-0.52 of the rate before for both, at a load average of 12; 0.93-1.0 with the
        # machine quieter). What is held: no bystander starves, each keeps getting frames through the window.
        for b in bystanders:
            gaps = [y - x for x, y in zip([t1, *b.times], [*b.times, t2], strict=True) if t1 <= y <= t2]
            assert b.rate(t1, t2) >= 1.0 and max(gaps) < 5.0, (b.rate(t1, t2), max(gaps))
        urllib.request.urlopen(f"{url}/healthz", timeout=10).read()
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()
