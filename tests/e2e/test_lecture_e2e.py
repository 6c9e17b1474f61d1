"""A whole lecture in real Chromium: the lecturer moves one room across three demos while three students on
phones (touch, taps only) follow, take copies, are paused, tap points in and out; the dashboard shows them,
a spotlight puts one on the projector. Once on one server, once on two server processes sharing Redis."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from server.lecture import PAUSED
from tests.e2e.helpers import binary_frames
from tests.test_redis_rooms import two_servers  # noqa: F401 - a fixture (redis_url is in conftest)

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
N_POINTS = "() => document.querySelector('#plane').plane.points.x.length"


class Pages:
    """Every page of the lecture, with the errors any of them logged."""

    def __init__(self, browser: Browser) -> None:
        self.browser, self.errors, self.contexts = browser, [], []

    def open(self, who: str, **ctx: object) -> Page:
        c = self.browser.new_context(**ctx)
        self.contexts.append(c)
        pg = c.new_page()
        self.watch(pg, who)
        return pg

    def watch(self, pg: Page, who: str) -> None:
        pg.on("pageerror", lambda e: self.errors.append(f"{who} page error: {e}"))
        pg.on("console", lambda m: self.errors.append(f"{who} console error: {m.text}") if m.type == "error" else None)

    def close(self) -> None:
        for c in self.contexts:
            c.close()


@pytest.fixture
def pages(browser: Browser) -> Iterator[Pages]:
    p = Pages(browser)
    yield p
    p.close()


def stage(pg: Page, demo: str) -> Frame:
    """The demo page inside a student's lecture page, once it shows `demo` and is connected."""
    pg.wait_for_function(f"() => document.querySelector('#stage').contentWindow.location.pathname === '/demos/{demo}'",
                         timeout=30000)
    frame = pg.query_selector("#stage").content_frame()
    assert frame is not None
    expect(frame.locator("#conn")).to_have_text("connected", timeout=30000)
    return frame


def tap_plane(pg: Page, frame: Frame, x: float, y: float) -> None:
    frame.locator("#plane").scroll_into_view_if_needed()
    p = frame.eval_on_selector("#plane", f"c => c.plane.toPx({x}, {y})")
    box = frame.locator("#plane").bounding_box()  # in the lecture page's viewport, frame offset included
    assert box is not None
    pg.touchscreen.tap(box["x"] + p["x"], box["y"] + p["y"])


def lecture(pages: Pages, lecturer_url: str, student_url: str) -> None:
    lecturer = pages.open("lecturer", viewport={"width": 1920, "height": 1080})
    lecturer.goto(f"{lecturer_url}/demos/autoencoder")
    expect(lecturer.locator("#conn")).to_have_text("connected")
    lecturer.click("#room-open")
    code = lecturer.locator(".join-code").inner_text()
    lecturer.click("#classroom-close")

    # Three students join on phones: one types the code, two open the link (as from the QR code).
    students = [pages.open(f"student {i}", **PHONE) for i in range(3)]
    students[0].goto(f"{student_url}/join")
    students[0].locator("#code").tap()
    students[0].keyboard.type(code.lower())
    students[0].locator(".join-form button").tap()
    for st in students[1:]:
        st.goto(f"{student_url}/join/{code}")
    for st in students:
        expect(st.locator("#lecture-status")).to_contain_text("Shadow autoencoder")
        expect(stage(st, "autoencoder").locator("#follow-text")).to_contain_text(code)
        st.evaluate("() => { window.stayed = true; }")  # gone if the lecture page ever reloads

    # The lecturer opens the knockout demo: the room goes along, every follower switches without a reload.
    lecturer.goto(f"{lecturer_url}/demos/knockout")
    expect(lecturer.locator("#room-badge")).to_contain_text(code)
    for st in students:
        expect(stage(st, "knockout").locator("#follow-text")).to_contain_text(code)
        assert st.evaluate("() => window.stayed === true"), "the lecture page must not reload"
        follower = stage(st, "knockout")  # on the other process too: the frames crossed Redis as the same bytes
        follower.wait_for_function("() => document.querySelector('#net').netview.net !== null")
        assert binary_frames(follower) > 0, "the follower draws from binary frames"
    # Two students take a copy of the lecturer's knockout network; the third keeps watching.
    for st in students[:2]:
        stage(st, "knockout").locator("#fork-room").tap()
        expect(st.locator(".lecture-mine button")).to_have_text(["My Neuron knockout"])
        expect(stage(st, "knockout").locator("#room-badge")).to_contain_text(f"Room {code}")

    # On to the boundary demo: the watcher switches; the two in a sandbox are offered a copy and keep the old one.
    lecturer.goto(f"{lecturer_url}/demos/boundary")
    expect(lecturer.locator("#room-badge")).to_contain_text(code)
    stage(students[2], "boundary").locator("#fork-room").tap()
    for st in students[:2]:
        expect(st.locator("#lecture-offer")).to_contain_text("The lecturer moved to Decision boundaries")
        st.locator("#lecture-take").tap()
    for st in students:
        expect(st.locator(".lecture-mine button.active")).to_have_text("My Decision boundaries")
        assert st.evaluate("() => window.stayed === true"), "the lecture page must not reload"
    students[0].locator(".lecture-mine button", has_text="My Neuron knockout").tap()
    expect(stage(students[0], "knockout").locator("#room-badge")).to_contain_text(f"Room {code}")
    students[0].locator(".lecture-mine button", has_text="My Decision boundaries").tap()
    stage(students[0], "boundary")

    # Pause class: a student's Play is refused, with the reason on the page.
    lecturer.click(".room-code")
    lecturer.click("text=Pause class")
    expect(lecturer.locator(".room-actions .pace")).to_have_text("Resume class")
    lecturer.click("#classroom-close")
    held = stage(students[1], "boundary")
    expect(held.locator(".hold-banner")).to_have_text(PAUSED)
    held.locator("#play").tap()
    expect(held.locator("#toast")).to_have_text(PAUSED)
    expect(held.locator("#play")).to_have_text("Play")

    # Students tap points in (looking and editing stay allowed while paused) and remove one in remove mode.
    for i, st in enumerate(students):
        f = stage(st, "boundary")
        f.wait_for_function("() => document.querySelector('#plane').plane.points !== null")
        f.locator("#clear").tap()
        f.wait_for_function(f"() => ({N_POINTS})() === 0")
        for x, y in [(-3.0, 3.0), (3.0, -3.0), (3.0, 3.0 - i)]:
            tap_plane(st, f, x, y)
        f.wait_for_function(f"() => ({N_POINTS})() === 3")
        f.locator("#remove-mode").tap()
        tap_plane(st, f, 3.0, -3.0)
        f.wait_for_function(f"() => ({N_POINTS})() === 2")
        f.locator("#remove-mode").tap()
    lecturer.click(".room-code")
    lecturer.click("text=Resume class")
    expect(lecturer.locator(".room-actions .pace")).to_have_text("Pause class")
    for st in students:
        f = stage(st, "boundary")
        expect(f.locator(".hold-banner")).to_have_count(0)
        f.locator("#step").tap()
        expect(f.locator("#iteration")).not_to_have_text("0")

    # The dashboard shows each student's points and boundary, and the class aggregate counts three.
    with lecturer.context.expect_page() as opened:
        lecturer.click("text=Students' dashboard")
    dash = opened.value
    pages.watch(dash, "dashboard")
    dash.locator("#dash-demos button", has_text="boundary").click()
    expect(dash.locator(".student")).to_have_count(3, timeout=30000)
    expect(dash.locator(".agg-count")).to_have_text("3 students")
    expect(dash.locator("#dash-aggregate figcaption", has_text="3 boundaries on one plane")).to_be_visible()
    key = dash.evaluate(f"() => localStorage.getItem('nnp-room-key-{code}')")
    gallery = httpx.get(f"{lecturer_url}/api/rooms/{code}/gallery", headers={"X-Room-Key": key}).json()
    boundary = [s for s in gallery["students"] if s["demo"] == "boundary"]
    assert len(boundary) == 3 and all(len(s["card"]["points"]) == 2 for s in boundary), boundary
    assert gallery["aggregates"]["boundary"]["students"] == 3
    drawn = dash.eval_on_selector_all(".student canvas.pic", """cs => cs.map(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0; for (let i = 3; i < d.length; i += 4) ink += d[i] > 0; return ink; })""")
    assert len(drawn) == 3 and min(drawn) > 100, f"every card draws the student's plane: {drawn}"

    # Spotlight: one student's network on a follower's page (the third student goes back to watching), and back.
    watcher = students[2]
    watcher.locator("#lecture-watch").tap()
    w = stage(watcher, "boundary")
    w.wait_for_function(f"() => document.querySelector('#plane').plane.points && ({N_POINTS})() > 100")
    dash.locator(".student").first.click()
    seat = dash.locator("#dash-big-title").inner_text().split(" ")[0]
    dash.click("#dash-big-spot")
    expect(w.locator("#follow-text")).to_contain_text(f"Spotlight on student {seat}")
    w.wait_for_function(f"() => ({N_POINTS})() === 2")
    dash.click("#dash-big-spot")
    expect(w.locator("#follow-text")).to_contain_text("Following the lecturer")
    w.wait_for_function(f"() => ({N_POINTS})() > 100")
    assert watcher.evaluate("() => window.stayed === true")

    # The lecturer's lesson step reaches the follower view and a student's own sandbox (a step bar listens).
    listen = "() => { window.steps = []; addEventListener('nnp-room', (e) => window.steps.push(e.detail.step)); }"
    sandbox = stage(students[0], "boundary")
    for f in (w, sandbox):
        f.evaluate(listen)
    assert httpx.post(f"{lecturer_url}/api/rooms/{code}/step", json={"step": 2},
                      headers={"X-Room-Key": key}).json()["step"] == 2
    for f in (w, sandbox):
        f.wait_for_function("() => window.steps.includes(2)")
    # "Follow my step": the lecturer's step bar (PageDown) moves the follower's bar and the student's own sandbox.
    lecturer.keyboard.press("Escape")
    lecturer.click(".room-code")
    lecturer.click(".room-actions .follow-step")
    expect(lecturer.locator(".room-actions .follow-step")).to_have_text("Students follow my step: on")
    lecturer.keyboard.press("Escape")
    lecturer.keyboard.press("l")
    expect(lecturer.locator("#lesson-bar")).to_have_attribute("data-step", "1")
    for f in (w, sandbox):
        expect(f.locator("#lesson-bar")).to_have_attribute("data-step", "1")
    lecturer.keyboard.press("PageDown")
    expect(lecturer.locator("#lesson-bar")).to_have_attribute("data-step", "2")
    for f in (w, sandbox):
        expect(f.locator("#lesson-bar")).to_be_visible()
        expect(f.locator("#lesson-bar")).to_have_attribute("data-step", "2")
    sandbox.wait_for_function("() => window.demoFrame.lesson === 2")  # the student's own session went there
    expect(students[0].locator("#lecture-status")).to_contain_text("step 2")
    assert not pages.errors, "the pages logged errors:\n" + "\n".join(pages.errors)


def test_a_lecture_on_one_server(pages: Pages, live_server) -> None:
    lecture(pages, live_server.url, live_server.url)


def test_a_lecture_on_two_server_processes(pages: Pages, two_servers: tuple[str, str]) -> None:  # noqa: F811
    lecture(pages, *two_servers)
