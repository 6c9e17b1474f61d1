"""The deployment recipe for real: a lecture through nginx in front of two server processes and Redis, one killed."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.helpers import iteration, wait_iteration
from tests.stack import COOKIE, Nginx, Server

pytestmark = pytest.mark.e2e

WEIGHTS = "() => JSON.stringify(document.querySelector('#net').netview.net.weights)"


@pytest.fixture
def stack(redis_url: str, tmp_path: Path) -> Iterator[tuple[Nginx, list[Server]]]:
    servers = [Server(name, redis_url, tmp_path / f"{name}.sqlite3") for name in ("a", "b")]
    nginx = Nginx(servers)
    try:
        for s in servers:
            s.start()
        nginx.start()
        yield nginx, servers
    finally:
        nginx.stop()
        for s in servers:
            s.stop()


def sticky_keys(nginx: Nginx, servers: list[Server]) -> dict[str, str]:
    """A sticky-cookie value for each server (by its port), found by asking nginx: the recipe hashes random keys."""
    found: dict[str, str] = {}
    for i in range(64):
        key = f"student-{i}"
        httpx.get(f"{nginx.url}/healthz", cookies={COOKIE: key}).raise_for_status()
        found.setdefault(nginx.upstream_of(key), key)
        if len(found) == len(servers):
            return {s.name: found[f"127.0.0.1:{s.port}"] for s in servers}
    raise AssertionError(f"64 keys all hashed to {list(found)}: the recipe does not spread browsers")


def open_context(browser: Browser, errors: list[str], who: str, phone: bool = False) -> tuple[BrowserContext, Page]:
    size = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 768}
    ctx = browser.new_context(viewport=size, has_touch=phone, is_mobile=phone)
    pg = ctx.new_page()
    # A killed process drops the page's websocket: the browser logs the failed reconnects (nginx's 503 while the
    # process is down). Those are the point of the test; any other console error is not.
    pg.on("pageerror", lambda e: errors.append(f"{who} page error: {e}"))
    pg.on("console", lambda m: errors.append(f"{who} console error: {m.text}")
          if m.type == "error" and not m.text.startswith("WebSocket connection to") else None)
    return ctx, pg


def saved_at(db: Path, session_id: str, it: int, timeout: float = 60) -> None:
    """Wait until the server's save loop has written this session, at this iteration, to its SQLite file."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as con:
            row = con.execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone()
        con.close()
        if row and json.loads(row[0])["demo_state"]["iteration"] == it:
            return
        time.sleep(0.2)
    raise AssertionError(f"session {session_id} was not saved at iteration {it} in {db} within {timeout} s")


def test_a_lecture_through_nginx_survives_a_killed_process(browser: Browser, stack) -> None:
    nginx, servers = stack
    errors: list[str] = []
    lecturer_ctx, lecturer = open_context(browser, errors, "lecturer")
    contexts = [lecturer_ctx]
    try:
        # The lecturer arrives without the sticky cookie: nginx gives one, and keeps the browser on one process.
        lecturer.goto(f"{nginx.url}/demos/autoencoder")
        expect(lecturer.locator("#conn")).to_have_text("connected")
        (cookie,) = [c for c in lecturer_ctx.cookies() if c["name"] == COOKIE]
        home = nginx.upstream_of(cookie["value"])
        lecturer_server = next(s for s in servers if home == f"127.0.0.1:{s.port}")
        other = next(s for s in servers if s is not lecturer_server)
        lecturer.click("#room-open")
        code = lecturer.locator(".join-code").inner_text()
        lecturer.click("#classroom-close")
        lecturer.click("#play")

        # Two students: a laptop on the lecturer's process, a phone on the other one (rooms cross through Redis).
        keys = sticky_keys(nginx, servers)
        students: dict[str, Page] = {}
        for who, server, phone in (("laptop", lecturer_server, False), ("phone", other, True)):
            ctx, pg = open_context(browser, errors, who, phone)
            contexts.append(ctx)
            ctx.add_cookies([{"name": COOKIE, "value": keys[server.name], "url": nginx.url}])
            pg.goto(f"{nginx.url}/join/{code}")
            frame = pg.wait_for_selector("#stage").content_frame()  # the lecture page shows the demo in a frame
            assert frame is not None
            pg = frame  # type: ignore[assignment]
            expect(pg.locator("#follow-banner")).to_be_visible()
            wait_iteration(pg, 200, timeout_ms=60000)  # the lecturer's network, training live
            fork = pg.locator("#fork-room")
            fork.tap() if phone else fork.click()
            expect(pg.locator("#room-badge")).to_contain_text(f"Room {code}")
            students[who] = pg
        phone = students["phone"]
        assert nginx.upstream_of(keys[other.name]) == f"127.0.0.1:{other.port}", "the phone left its process"

        # The lecturer trains on past the forks, pauses, looks at the gallery (both students, from both processes)
        # and pushes.
        wait_iteration(lecturer, iteration(phone) + 100, timeout_ms=60000)
        lecturer.click("#play")
        expect(lecturer.locator("#play")).to_have_text("Play")
        lecturer_it, lecturer_weights = iteration(lecturer), lecturer.evaluate(WEIGHTS)
        lecturer.click(".room-code")
        with lecturer_ctx.expect_page() as opened:
            lecturer.click("text=Students' dashboard")
        gallery = opened.value
        expect(gallery.locator(".student")).to_have_count(2, timeout=30000)
        gallery.close()
        lecturer.click("text=Push my network to every student")
        expect(lecturer.locator("#toast")).to_contain_text("pushed to 2 student sandboxes")
        for pg in students.values():
            pg.wait_for_function(f"() => ({WEIGHTS})() === {lecturer_weights!r}")
            expect(pg.locator("#iteration")).to_have_text(f"{lecturer_it:,}")
        session = phone.evaluate("() => sessionStorage.getItem('nnp-session-autoencoder')")
        saved_at(Path(other.env["NNP_DB_PATH"]), session, lecturer_it)  # the push, saved: what must come back

        # The phone's process is killed: its page loses the socket; a browser with its cookie is told to wait.
        other.kill()
        expect(phone.locator("#conn")).not_to_have_text("connected", timeout=30000)
        r = httpx.get(f"{nginx.url}/demos/autoencoder", cookies={COOKIE: keys[other.name]})
        assert r.status_code == 503 and "restarting" in r.text, (r.status_code, r.text[:200])
        expect(students["laptop"].locator("#conn")).to_have_text("connected")  # the other process carries on

        # Restarted, the process has the phone's sandbox back as it was saved: the pushed network, same iteration.
        other.start()
        expect(phone.locator("#conn")).to_have_text("connected", timeout=60000)
        phone.wait_for_function(f"() => ({WEIGHTS})() === {lecturer_weights!r}", timeout=30000)
        expect(phone.locator("#iteration")).to_have_text(f"{lecturer_it:,}")
        expect(phone.locator("#room-badge")).to_contain_text(f"Room {code}")
        assert phone.evaluate("() => sessionStorage.getItem('nnp-session-autoencoder')") == session
        # ...and it is still the phone's own sandbox: it trains (a tap), the lecturer's network does not move.
        phone.locator("#play").tap()
        wait_iteration(phone, lecturer_it + 100, timeout_ms=60000)
        assert iteration(lecturer) == lecturer_it
        assert json.loads(lecturer.evaluate(WEIGHTS)) == json.loads(lecturer_weights)
    finally:
        for ctx in contexts:
            ctx.close()
    assert not errors, "the pages logged errors:\n" + "\n".join(errors)
