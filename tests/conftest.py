"""Shared fixtures: a live uvicorn server on a free loopback port, and a Playwright-driven Debian Chromium."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from server.app import create_app
from server.config import Settings
from tests.e2e.helpers import watched_page

CHROMIUM = "/usr/bin/chromium"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn in a background thread; `url` is its http://127.0.0.1:PORT."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=settings.port,
                                                    log_level="warning", ws="websockets-sansio",
                                                    ws_max_size=settings.max_message_bytes))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{settings.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the live server did not start within 20 s"
            time.sleep(0.05)
        # The first training call in a process waits for the compiled kernels, which the server's warm-up thread
        # builds at start-up (tens of seconds of CPU on a cold numba cache, as in a fresh CI clone): a test's own
        # timeouts are for what it tests, so wait for the warm-up here.
        for t in threading.enumerate():
            if t.name == "nnp-warm-up":
                t.join(timeout=300)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def wait_http(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 60) -> None:
    """Wait for a server subprocess to answer 200 at url; its output in the failure if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{what} exited: {proc.stdout.read().decode() if proc.stdout else ''}"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not come up")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A throwaway redis-server on a free loopback port, nothing saved to disk."""
    if not Path(REDIS).exists():
        pytest.fail("redis-server is missing: install Debian's redis-server package (the README's test command does)")
    port = free_port()
    proc = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(port=port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not come up"
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(port=free_port(), db_path=str(tmp_path / "sessions.sqlite3"), device="cpu")


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (the README's test command does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page with a laptop-sized viewport; console errors fail the test.

    It asks for the live server so that pytest stops the server only after the page has closed: the other way
    round, the page saw its socket drop, tried to reconnect, and logged the refused connection as an error.
    """
    yield from watched_page(browser, viewport={"width": 1366, "height": 768})
