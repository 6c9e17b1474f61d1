"""The deployment recipe as processes a test can kill: nginx with deploy/nginx/, `nn-playground serve`s, a Redis."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.conftest import free_port, wait_http

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "deploy" / "nginx"  # the files compose.yaml mounts into its nginx (tests/test_deploy_files.py)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
COOKIE = "nnp_backend"  # the sticky cookie of deploy/nginx/nn-playground.conf


class Server:
    """One `nn-playground serve` process on a fixed port and database file, so that a restart is the same server."""

    def __init__(self, name: str, redis_url: str, db: Path) -> None:
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "NNP_REDIS_URL": redis_url, "NNP_DB_PATH": str(db), "NNP_DEVICE": "cpu",
                    "NNP_SAVE_EVERY_S": "0.5"}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
                                     cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        # generous: on a machine this busy, importing torch and compiling the kernels can take most of a minute
        wait_http(f"{self.url}/healthz", self.proc, f"server {self.name}", timeout=180)

    def kill(self) -> None:
        """SIGKILL: no shutdown save, no goodbye to the pages, as when the process is killed for memory."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(15)
        self.close_pipe()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.close_pipe()

    def close_pipe(self) -> None:
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()


class Nginx:
    """Debian's nginx running deploy/nginx/nn-playground.conf unprivileged on a free high port.

    Its own main nginx.conf (pid, logs, temp dirs) sits in a fresh folder with the two per-deployment files that
    the recipe includes: listen.conf (the free port) and upstreams.conf (compose's server lines, with these
    servers' addresses). When the test runs as root, nginx runs as nobody, in a folder nobody owns.
    """

    def __init__(self, servers: list[Server]) -> None:
        if not Path(NGINX).exists():
            raise AssertionError("nginx is missing: install Debian's nginx package (the README's test command does)")
        self.dir = Path(tempfile.mkdtemp(prefix="nnp-nginx-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.dir / "access.log"
        (self.dir / "nn-playground").mkdir()
        (self.dir / "nn-playground" / "listen.conf").write_text(f"listen 127.0.0.1:{self.port};\n")
        (self.dir / "nn-playground" / "upstreams.conf").write_text(upstream_lines(servers))
        d = self.dir
        (d / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    # which process served which sticky key: how the test knows where each browser landed
    log_format nnp '$cookie_{COOKIE} $upstream_addr $status "$request"';
    access_log {d}/access.log nnp;
    include {RECIPE / "nn-playground.conf"};
}}
""")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        as_nobody = os.geteuid() == 0
        if as_nobody:
            for p in [self.dir, *self.dir.rglob("*")]:
                os.chown(p, 65534, 65534)

        def drop() -> None:
            if as_nobody:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)

        cmd = [NGINX, "-p", str(self.dir), "-e", str(self.dir / "error.log"), "-c", str(self.dir / "nginx.conf")]
        test = subprocess.run([*cmd, "-t"], capture_output=True, text=True, preexec_fn=drop)
        assert test.returncode == 0, f"nginx -t refused the recipe:\n{test.stderr}"
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=drop)
        deadline = time.monotonic() + 20
        while True:
            assert self.proc.poll() is None, f"nginx exited:\n{self.errors()}"
            try:
                httpx.get(f"{self.url}/healthz", timeout=2)
                return
            except httpx.HTTPError:
                assert time.monotonic() < deadline, f"nginx did not come up:\n{self.errors()}"
                time.sleep(0.1)

    def errors(self) -> str:
        f = self.dir / "error.log"
        return f.read_text() if f.exists() else ""

    def upstream_of(self, key: str) -> str:
        """host:port of the process that served the latest logged request carrying this sticky key.

        nginx writes the access-log line after it has sent the response, so a client can read its answer before
        the line is there: wait for it (a few seconds at most)."""
        deadline = time.monotonic() + 5
        while True:
            for line in reversed(self.log.read_text().splitlines()):
                k, addr, *_ = line.split(" ")
                if k == key and addr != "-":
                    return addr
            if time.monotonic() > deadline:
                raise AssertionError(f"no request with {COOKIE}={key} in nginx's log")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(15)
        shutil.rmtree(self.dir, ignore_errors=True)


def upstream_lines(servers: list[Server]) -> str:
    """The recipe's own upstreams.conf (compose's), each `server HOST:PORT` given one of these servers' address."""
    recipe = (RECIPE / "nn-playground" / "upstreams.conf").read_text()
    lines = [ln for ln in recipe.splitlines() if ln.strip().startswith("server ")]
    assert len(lines) == len(servers), f"the recipe has {len(lines)} server lines, the test {len(servers)} servers"
    return "".join(re.sub(r"server\s+\S+:\d+", f"server 127.0.0.1:{s.port}", ln, count=1) + "\n"
                   for ln, s in zip(lines, servers, strict=True))
