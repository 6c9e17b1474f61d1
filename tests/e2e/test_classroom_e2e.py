"""A lecturer page and a student page in one browser: follow live, fork, push, gallery, no control of the room,
and a lecturer key kept in the browser that no link replaces."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Frame, Page, expect

from tests.e2e.helpers import binary_frames, canvas_png, iteration, neuron_xy, wait_iteration

pytestmark = pytest.mark.e2e

WEIGHTS = "() => JSON.stringify(document.querySelector('#net').netview.net.weights)"


def new_page(browser, errors: list[str], who: str) -> Page:
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    pg = ctx.new_page()
    pg.on("pageerror", lambda e: errors.append(f"{who} page error: {e}"))
    pg.on("console", lambda m: errors.append(f"{who} console error: {m.text}") if m.type == "error" else None)
    return pg


def stage(student: Page) -> Frame:
    """The demo page inside the student's lecture page (/join/CODE)."""
    frame = student.wait_for_selector("#stage").content_frame()
    assert frame is not None
    return frame


def test_lecturer_and_student(browser, live_server) -> None:
    errors: list[str] = []
    lecturer = new_page(browser, errors, "lecturer")
    student = shell = new_page(browser, errors, "student")
    try:
        lecturer.goto(f"{live_server.url}/demos/autoencoder")
        expect(lecturer.locator("#conn")).to_have_text("connected")
        lecturer.click("#room-open")
        code = lecturer.locator(".join-code").inner_text()
        expect(lecturer.locator(".join-url")).to_contain_text(f"/join/{code}")
        lecturer.click("#classroom-close")

        # The student types the code on the join page and lands in follower mode.
        student.goto(f"{live_server.url}/join")
        student.fill("#code", code.lower())
        student.press("#code", "Enter")
        shell, student = student, stage(student)  # the demo page in the lecture page's frame
        expect(student.locator("#follow-banner")).to_be_visible()
        expect(student.locator("#follow-text")).to_contain_text(code)
        student.wait_for_function("() => document.querySelector('#net').netview.net !== null")
        before_png, before_weights = canvas_png(student, "#net"), student.evaluate(WEIGHTS)

        # The lecturer trains: the student's canvas and iteration follow.
        lecturer.click("#play")
        wait_iteration(student, 500)
        student.wait_for_function(f"() => ({WEIGHTS})() !== {before_weights!r}")
        assert canvas_png(student, "#net") != before_png, "the follower's canvas must redraw as the lecturer trains"
        assert binary_frames(student) > 1 and binary_frames(lecturer) > 1, "both draw from binary frames"
        lecturer.click("#play")  # pause
        expect(lecturer.locator("#play")).to_have_text("Play")
        expect(student.locator("#play")).to_have_text("Play")

        # The student cannot drive the lecturer's network: a clear error, nothing changes.
        lecturer_it = iteration(lecturer)
        student.locator("#net").click(position={"x": 2, "y": 2})  # the keyboard goes to the frame
        shell.keyboard.press(" ")
        expect(student.locator("#toast")).to_contain_text("read-only")
        student.click("#samples button:nth-child(2)")
        assert iteration(lecturer) == lecturer_it and lecturer.locator("#play").inner_text() == "Play"
        expect(lecturer.locator("#samples button:nth-child(1)")).to_have_class("sample selected")
        # ...nor the room: without the key the room API refuses (the lecturer key lives in the lecturer's browser)
        assert student.evaluate(f"() => localStorage.getItem('nnp-room-key-{code}')") is None
        r = httpx.post(f"{live_server.url}/api/rooms/{code}/push", headers={"X-Room-Key": "student"})
        assert r.status_code == 403

        # Fork: the student gets a sandbox with the lecturer's weights, and trains it alone.
        lecturer_weights = lecturer.evaluate(WEIGHTS)
        student.click("#fork-room")
        expect(student.locator("#follow-banner")).to_be_hidden()
        expect(student.locator("#room-badge")).to_contain_text(f"Room {code}")
        assert student.url.endswith("/demos/autoencoder"), "a refresh must reopen the sandbox, not fork again"
        expect(shell.locator(".lecture-mine button")).to_have_text(["My Shadow autoencoder"])
        student.wait_for_function(f"() => ({WEIGHTS})() === {lecturer_weights!r}")
        student.click("#play")
        wait_iteration(student, lecturer_it + 300)
        student.click("#play")
        assert iteration(lecturer) == lecturer_it, "the student's sandbox is not the lecturer's network"

        # The gallery shows the student; a push makes the sandbox a copy of the lecturer's network again.
        lecturer.click(".room-code")
        with lecturer.context.expect_page() as opened:
            lecturer.click("text=Students' dashboard")
        gallery = opened.value
        expect(gallery.locator(".student")).to_have_count(1)
        expect(gallery.locator(".student .who").first).to_contain_text("#")
        gallery.close()
        lecturer.click("text=Push my network to every student")
        expect(student.locator("#toast")).to_contain_text("pushed")
        student.wait_for_function(f"() => ({WEIGHTS})() === {lecturer_weights!r}")
        expect(student.locator("#iteration")).to_have_text(f"{lecturer_it:,}")

        # A refresh keeps the sandbox (same session, same weights), in the lecture page too.
        shell.reload()
        student = stage(shell)
        student.wait_for_function(f"() => document.querySelector('#net').netview.net && ({WEIGHTS})() === "
                                  f"{lecturer_weights!r}")
        expect(student.locator("#room-badge")).to_contain_text(f"Room {code}")
    finally:
        lecturer.context.close()
        shell.context.close()
    assert not errors, "the pages logged errors:\n" + "\n".join(errors)


def test_link_and_share(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/autoencoder")
    expect(page.locator("#conn")).to_have_text("connected")
    page.click("#step")
    wait_iteration(page, 1)
    page.click("#link")
    link = page.locator(".copy-url").input_value()
    assert "/demos/autoencoder?session=" in link
    page.click("#classroom-close")
    page.click("#share")
    expect(page.locator("#classroom-title")).to_have_text("Share a copy")
    share = page.locator(".copy-url").input_value()
    assert "?fork=shr_" in share and link.split("session=")[1] not in share
    other = page.context.browser.new_context().new_page()
    try:
        other.goto(share)
        other.wait_for_function("() => document.querySelector('#iteration').textContent === '1'")
        assert "fork=" not in other.url
        other.click("#step")
        wait_iteration(other, 2)
    finally:
        other.context.close()
    page.goto(link)
    page.wait_for_function("() => document.querySelector('#iteration').textContent === '1'")


def test_a_link_never_replaces_the_lecturer_key(page: Page, live_server, browser) -> None:
    """Keys of several rooms coexist; a crafted #key= leaves the stored key; a link's key is checked first."""
    url = live_server.url
    codes, keys = [], []
    for demo in ("autoencoder", "sigmoid"):
        if codes:  # a second room: the next page must not take the first room along (it would move it)
            page.evaluate("() => localStorage.removeItem('nnp-lecture')")
        page.goto(f"{url}/demos/{demo}")
        expect(page.locator("#conn")).to_have_text("connected")
        page.click("#room-open")
        codes.append(page.locator(".join-code").inner_text())
        keys.append(page.evaluate(f"() => localStorage.getItem('nnp-room-key-{codes[-1]}')"))
    assert all(keys) and keys[0] != keys[1]
    assert httpx.get(f"{url}/api/rooms/{codes[0]}").json()["demo"] == "autoencoder", "each room kept its demo"

    page.goto(f"{url}/rooms/{codes[0]}/gallery#key=anything")
    expect(page.locator("#dash-aggregate")).to_contain_text("No student sandbox")  # it works with the kept key
    assert "#key" not in page.url, "the key leaves the address bar"
    stored = page.evaluate(f"() => [localStorage.getItem('nnp-room-key-{codes[0]}'), "
                           f"localStorage.getItem('nnp-room-key-{codes[1]}')]")
    assert stored == keys, "a crafted link must leave every stored key as it was"

    other = browser.new_context().new_page()
    try:
        other.goto(f"{url}/rooms/{codes[0]}/gallery#key=anything")  # a browser without a key: not kept
        expect(other.locator("#gallery-note")).to_contain_text("does not have the lecturer key")
        assert other.evaluate(f"() => localStorage.getItem('nnp-room-key-{codes[0]}')") is None
        other.goto("about:blank")  # (a new #key= alone would not load the page again)
        other.goto(f"{url}/rooms/{codes[0]}/gallery#key={keys[0]}")  # the right key: checked, then kept
        expect(other.locator("#dash-aggregate")).to_contain_text("No student sandbox")
        assert other.evaluate(f"() => localStorage.getItem('nnp-room-key-{codes[0]}')") == keys[0]
    finally:
        other.context.close()


NET = "() => document.querySelector('#net').netview.net"


@pytest.mark.parametrize("demo", ["autoencoder", "knockout"])
def test_a_follower_selects_and_inspects_without_touching_the_lecturer(browser, live_server, demo: str) -> None:
    """What the follower computes for its own selection is what the server computes for the lecturer's."""
    errors: list[str] = []
    lecturer, follower = new_page(browser, errors, "lecturer"), new_page(browser, errors, "follower")
    try:
        lecturer.goto(f"{live_server.url}/demos/{demo}")
        expect(lecturer.locator("#conn")).to_have_text("connected")
        lecturer.click("#step")
        wait_iteration(lecturer, 1)
        code = httpx.post(f"{live_server.url}/api/rooms", json={"session": lecturer.evaluate(
            f"() => sessionStorage.getItem('nnp-session-{demo}')")}).json()["code"]
        follower.goto(f"{live_server.url}/demos/{demo}?follow={code}")
        follower.wait_for_function(f"() => ({NET})() && ({NET})().values")
        follower.click("#samples button:nth-child(4)")
        expect(follower.locator("#samples button:nth-child(4)")).to_have_class(re.compile(r"\bselected\b"))
        mine = follower.evaluate(f"() => ({NET})().values")
        if demo == "autoencoder":  # and the most stimulating input of hidden neuron 2
            x, y = neuron_xy(follower, 1, 1)
            follower.mouse.click(x, y)
            expect(follower.locator("#stimulus-panel")).to_be_visible()
            stim = follower.evaluate("() => document.querySelector('#stimulus-note').textContent")
        expect(lecturer.locator("#samples button:nth-child(1)")).to_have_class(re.compile(r"\bselected\b"))
        assert not follower.locator("#toast.error").is_visible(), "looking is not refused as read-only"

        lecturer.click("#samples button:nth-child(4)")  # the server's own answer for the same sample
        lecturer.wait_for_function(f"() => ({NET})().values && document.querySelector('#samples button:nth-child(4)')"
                                   ".classList.contains('selected')")
        theirs = lecturer.evaluate(f"() => ({NET})().values")
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs, strict=True):
            assert a == pytest.approx(b, abs=1e-9)
        if demo == "autoencoder":
            x, y = neuron_xy(lecturer, 1, 1)
            lecturer.mouse.click(x, y)
            expect(lecturer.locator("#stimulus-note")).to_have_text(stim)
    finally:
        lecturer.context.close()
        follower.context.close()
    assert not errors, "the pages logged errors:\n" + "\n".join(errors)


def test_a_sigmoid_follower_probes_the_curve_without_touching_the_lecturer(browser, live_server) -> None:
    """Hovering the fit probes it on the follower's own page: every neuron's value at that x, as the server gives
    the lecturer for the same x, and the lecturer's probe stays where it was."""
    errors: list[str] = []
    lecturer, follower = new_page(browser, errors, "lecturer"), new_page(browser, errors, "follower")
    probe = "() => { const m = document.querySelector('#fit').plot.layers.marks; return m.length ? m[0].x : null; }"

    def hover(pg: Page) -> None:
        box = pg.locator("#fit").bounding_box()
        assert box is not None
        pg.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.5)

    try:
        lecturer.goto(f"{live_server.url}/demos/sigmoid")
        expect(lecturer.locator("#conn")).to_have_text("connected")
        lecturer.click("#views [data-view='function']")
        lecturer.click("#step")
        wait_iteration(lecturer, 1)
        code = httpx.post(f"{live_server.url}/api/rooms", json={"session": lecturer.evaluate(
            "() => sessionStorage.getItem('nnp-session-sigmoid')")}).json()["code"]
        follower.goto(f"{live_server.url}/demos/sigmoid?follow={code}")
        follower.wait_for_function(f"() => ({probe})() !== null && ({NET})().values")
        before = lecturer.evaluate(probe)
        hover(follower)
        follower.wait_for_function(f"() => ({probe})() !== {before}")
        mine, at = follower.evaluate(f"() => ({NET})().values"), follower.evaluate(probe)
        assert not follower.locator("#toast.error").is_visible(), "probing is not refused as read-only"
        assert lecturer.evaluate(probe) == before, "the lecturer's probe stays where it was"

        hover(lecturer)  # the server's own answer for the same x
        lecturer.wait_for_function(f"() => ({probe})() === {at}")
        theirs = lecturer.evaluate(f"() => ({NET})().values")
        assert [len(layer) for layer in mine] == [len(layer) for layer in theirs] == [1, 2, 1]
        for a, b in zip(mine, theirs, strict=True):
            assert a == pytest.approx(b, abs=1e-9)
    finally:
        lecturer.context.close()
        follower.context.close()
    assert not errors, "the pages logged errors:\n" + "\n".join(errors)
