"""The tools' one server process: `nn-playground serve` in a subprocess on a free loopback port, so that whoever
measures it never shares its GIL; its own store in a temporary folder, its memory and CPU read from /proc."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]  # the checkout (or site-packages): `python -m server.cli` runs from here
# The tools measure training flat out, as docs/performance.md reports: a demo's own default speed is for watching
FLAT_OUT = json.dumps({"type": "set", "speed": 0})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(method: str, url: str, body: dict[str, Any] | None = None, key: str | None = None) -> dict[str, Any]:
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json", **({"X-Room-Key": key} if key else {})})
    with urllib.request.urlopen(req, timeout=10) as r:
        result: dict[str, Any] = json.loads(r.read())
        return result


class ServerProcess:
    """A server subprocess with NNP_* settings from `env`. `start` launches it, `wait_up` waits for /healthz (both
    apart, so that several servers start at once), `stop` ends it; as a context manager, all three."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="nnp-tool-")
        # the server's log goes to a file: a pipe nobody reads fills up and stops the server mid-run
        self._log = Path(self._dir.name) / "server.log"
        self.env = {**os.environ, "NNP_DB_PATH": str(Path(self._dir.name) / "sessions.sqlite3"), **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"ws://{self.base}"

    def start(self) -> ServerProcess:
        with open(self._log, "wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
                                         cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        return self

    def wait_up(self, timeout: float = 120) -> None:
        assert self.proc is not None, "start the server before waiting for it"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited: {self._log.read_text(errors='replace')}")
            try:
                http("GET", f"http://{self.base}/healthz")
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"the server did not come up within {timeout:g} s")

    def status(self) -> dict[str, int]:
        """VmRSS / VmHWM in kB and CPU ticks (utime + stime) of the server, from /proc."""
        assert self.proc is not None, "the server is not started"
        out: dict[str, int] = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line.split(":")[0]] = int(line.split()[1])
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        out["ticks"] = int(fields[11]) + int(fields[12])
        return out

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._dir.cleanup()

    def __enter__(self) -> ServerProcess:
        self.start()
        try:
            self.wait_up()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
