"""`run` and `loadtest` draw a progress bar on a terminal's stderr, and print nothing but their results otherwise."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = [sys.executable, "-m", "server.cli", "run", "sigmoid", "--preset", "sin-2", "--steps", "20000"]


def with_terminal_stderr(cmd: list[str], timeout: float = 240) -> tuple[str, bytes]:
    """(stdout, what the terminal got) of cmd run with stderr on a pseudo-terminal 100 columns wide."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a width: tqdm needs one
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=slave) as proc:
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the process closed its end
                break
            if not chunk:
                break
            seen += chunk
        out = proc.stdout.read().decode() if proc.stdout else ""
        proc.wait(timeout)
    os.close(master)
    assert proc.returncode == 0, seen.decode(errors="replace")
    return out, seen


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_run_draws_a_bar_on_a_terminal() -> None:
    out, terminal = with_terminal_stderr(RUN)
    assert b"sigmoid sin-2:" in terminal and b"20000/20000" in terminal, terminal[-300:]
    lines = json_lines(out)  # stdout stays JSON lines, untouched by the bar
    assert lines[-1]["final"] is True and lines[-1]["step"] == 20000


def test_run_is_quiet_when_stderr_is_not_a_terminal() -> None:
    done = subprocess.run(RUN, cwd=ROOT, capture_output=True, text=True, timeout=240, check=True)
    assert "20000/20000" not in done.stderr and "\r" not in done.stderr, done.stderr[-300:]
    assert json_lines(done.stdout)[-1]["final"] is True


def test_loadtest_draws_a_bar_on_a_terminal() -> None:
    out, terminal = with_terminal_stderr([sys.executable, "-m", "server.cli", "loadtest", "--students", "2",
                                          "--seconds", "2", "--json"])
    assert b"2 students, 2 followers:" in terminal and b"100%" in terminal, terminal[-300:]
    (result,) = json_lines(out)
    assert result["students"]["clients"] == 2
