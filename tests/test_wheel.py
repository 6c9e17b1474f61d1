"""The wheel runs: built from a copy of the checkout, installed into a new venv, served from outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from models.registry import DEMOS
from tests.conftest import free_port, wait_http
from tests.live import Client

ROOT = Path(__file__).resolve().parent.parent
SOURCE_IGNORE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                       ".pytest_cache", ".ruff_cache", "*.sqlite3*", "shots")


def build_wheel(dest: Path) -> Path:
    """`pip wheel .` on a copy of the tree a fresh clone has (no build/ left over from an editable install)."""
    src = dest / "src"
    shutil.copytree(ROOT, src, ignore=SOURCE_IGNORE)
    # No build isolation: the build backend (setuptools) is the one this venv already has, so no index is needed.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(dest / "dist"), str(src)], check=True, cwd=dest)
    (wheel,) = (dest / "dist").glob("nn_playground-*.whl")
    return wheel


def make_venv(dest: Path, wheel: Path) -> Path:
    """A new venv holding the wheel. Its dependencies (torch alone is most of a gigabyte) are this test's own,
    reached through a .pth line; a .pth line only adds a path (the editable checkout's own .pth files in there are
    not run), so `server` and `models` can only come from the wheel, which the test checks."""
    venv = dest / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, cwd=dest)
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "nnp-test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`nn-playground serve` from the installed wheel, started in a folder outside the checkout."""
    dest = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(dest)
    venv = make_venv(dest, wheel)
    where = json.loads(subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import json, server, models; "
         "print(json.dumps([server.__file__, models.__file__]))"],
        check=True, capture_output=True, text=True, cwd=dest).stdout)
    for f in where:
        assert Path(f).is_relative_to(venv), f"{f} is not the installed wheel's"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {
        "NNP_DB_PATH": str(dest / "sessions.sqlite3"), "NNP_DEVICE": "cpu"}
    url = f"http://127.0.0.1:{port}"
    log = dest / "server.log"  # a file, not a pipe nobody reads: a full pipe would stop the server mid-test
    with log.open("wb") as out, subprocess.Popen([str(venv / "bin" / "nn-playground"), "serve", "--port", str(port)],
                                                 cwd=dest, env=env, stdout=out, stderr=subprocess.STDOUT) as proc:
        try:
            wait_http(f"{url}/healthz", proc, "the installed server")
            # A fresh install compiles its kernels at start-up (tens of seconds of CPU on a busy machine); pages
            # are driven once /healthz says the warm-up is done, as a deployment's readiness probe would wait.
            deadline = time.monotonic() + 300
            while not httpx.get(f"{url}/healthz", timeout=5).json()["warm"]:
                assert proc.poll() is None and time.monotonic() < deadline, (
                    f"the installed server never finished its warm-up: {log.read_text()[-2000:]}")
                time.sleep(0.5)
            yield url, wheel
        finally:
            proc.terminate()
            proc.wait(15)


def test_the_wheel_holds_every_static_file_and_template(installed: tuple[str, Path]) -> None:
    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("static", "templates"):
        files = [p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()]
        assert files, f"no files in {folder}/"
        missing = [f for f in files if f"server/{f}" not in names]
        assert not missing, f"the wheel lacks {missing}"


def watch(page: Page) -> list[str]:
    """Console errors and failed responses of a page (a missing module or stylesheet is one)."""
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def test_every_page_and_a_websocket_from_the_installed_wheel(installed: tuple[str, Path], browser) -> None:
    url, _ = installed
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    problems = watch(page)
    try:
        page.goto(url + "/")
        expect(page.locator("a[href='/demos/autoencoder']").first).to_be_visible()
        for slug, title in ((c.name, c.title) for c in DEMOS.values()):
            page.goto(f"{url}/demos/{slug}")
            expect(page.locator("#conn")).to_have_text("connected")
            page.wait_for_function("() => document.querySelector('#iteration').textContent !== ''")
            assert title in page.title() or title in page.content(), f"/demos/{slug} does not show {title!r}"
        # A room: the autoencoder page leads it; /join, /join/CODE (a follower) and the gallery.
        page.goto(f"{url}/demos/autoencoder")
        expect(page.locator("#conn")).to_have_text("connected")
        # a frame: the hello came before it, and with it this tab's session id (the one the first visit stored may
        # be gone: a session nobody changed leaves when its page does)
        page.wait_for_function("() => document.querySelector('#net').netview.net !== null")
        sid = page.evaluate("() => sessionStorage.getItem('nnp-session-autoencoder')")
        room = httpx.post(f"{url}/api/rooms", json={"session": sid}).raise_for_status().json()
        page.goto(f"{url}/join")
        expect(page.locator("#code")).to_be_visible()
        page.goto(url + room["join"])
        stage = page.wait_for_selector("#stage").content_frame()  # the lecture page shows the demo in a frame
        assert stage is not None
        expect(stage.locator("#follow-banner")).to_be_visible()
        expect(stage.locator("#conn")).to_have_text("connected")
        page.goto(f"{url}{room['gallery']}#key={room['key']}")
        expect(page.locator("#gallery-code")).to_have_text(room["code"])
        expect(page.locator("#gallery-count")).to_have_text("0 student sandboxes")  # gallery.js ran and asked the API
    finally:
        ctx.close()
    assert not problems, "the installed server's pages had problems:\n" + "\n".join(problems)

    # The websocket itself: a hello, then frames of a training network.
    with Client(f"{url}/ws/sigmoid") as c:
        assert c.next_of("hello")["mode"] == "sandbox"
        c.send({"type": "play"})
        c.frame_where(lambda f: f["iteration"] > 0, timeout=60)
