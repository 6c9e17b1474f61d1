"""Phones are first-class: at 390x844 with touch no page scrolls sideways, and every control a finger uses is at
least 32 CSS px both ways (a checkbox or radio counts with its label, and a network's neuron with its cell: on
a touch screen a tap anywhere in the cell hits it, see NetView.hit)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Frame, Page, expect

from models.registry import DEMOS

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
MIN_PX = 32

# Every visible control, measured as a finger meets it. A checkbox or radio inside a <label> is hit through the
# label; a label that only points at a control (for=...) is no extra target. Networks: each neuron's cell.
MEASURE = """(min) => {
  const small = [];
  const seen = (r, cs) => r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
  for (const e of document.querySelectorAll('button, a[href], input, select, textarea, summary')) {
    if (e.type === 'hidden') continue;
    const box = (['checkbox', 'radio'].includes(e.type) && e.closest('label')) || e;
    const r = box.getBoundingClientRect();
    if (!seen(r, getComputedStyle(e))) continue;
    if (r.width < min - 0.5 || r.height < min - 0.5)
      small.push(`${e.tagName.toLowerCase()}#${e.id} "${(e.textContent || e.value || '').trim().slice(0, 24)}" ` +
                 `${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  for (const c of document.querySelectorAll('canvas')) {
    const v = c.netview, r = c.getBoundingClientRect();
    if (!v || !v.net || !seen(r, getComputedStyle(c))) continue;
    if (v.rowGap < min || v.colGap < min)
      small.push(`neurons of canvas#${c.id}: cells ${Math.round(v.colGap)}x${Math.round(v.rowGap)}`);
  }
  return {width: document.scrollingElement.scrollWidth, small};
}"""


def check(where: Page | Frame, name: str) -> list[str]:
    where.wait_for_timeout(300)  # a layout pass after the first frame
    got = where.evaluate(MEASURE, MIN_PX)
    problems = [f"{name}: {s}" for s in got["small"]]
    if got["width"] > 390:
        problems.append(f"{name}: scrolls sideways ({got['width']} px wide at 390)")
    return problems


def test_no_phone_page_scrolls_sideways_and_every_target_is_a_finger_wide(browser, live_server) -> None:
    url = live_server.url
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    problems: list[str] = []
    try:
        for path in ("/", "/join"):
            page.goto(url + path)
            problems += check(page, path)
        for demo in DEMOS:
            page.goto(f"{url}/demos/{demo}")
            expect(page.locator("#conn")).to_have_text("connected")
            page.wait_for_function("() => document.querySelector('#iteration').textContent !== ''")
            assert page.evaluate("() => document.body.classList.contains('touch')"), "a phone is a touch screen"
            problems += check(page, f"/demos/{demo}")
            hints = page.eval_on_selector_all(".hint", "hs => hs.filter(h => h.offsetParent).map(h => h.innerText)")
            problems += [f"/demos/{demo}: a hint speaks of the mouse: {h!r}" for h in hints
                         if any(w in h.lower() for w in ("click", "hover"))]
        # The lecture page and the follower view inside it; the dashboard (a lecturer may check it on a phone).
        page.goto(f"{url}/demos/boundary")  # the room's session: an open page (an untouched one left is dropped)
        expect(page.locator("#conn")).to_have_text("connected")
        sid = page.evaluate("() => sessionStorage.getItem('nnp-session-boundary')")
        room = httpx.post(f"{url}/api/rooms", json={"session": sid}).json()
        page.goto(f"{url}/join/{room['code']}")
        frame = page.wait_for_selector("#stage").content_frame()
        assert frame is not None
        expect(frame.locator("#follow-banner")).to_be_visible()
        problems += check(page, "/join/CODE") + check(frame, "/join/CODE follower view")
        page.evaluate(f"() => localStorage.setItem('nnp-room-key-{room['code']}', {room['key']!r})")
        page.goto(f"{url}/rooms/{room['code']}/gallery")
        expect(page.locator("#dash-aggregate")).to_contain_text("No student sandbox")
        problems += check(page, "/rooms/CODE/gallery")
    finally:
        ctx.close()
    assert not problems, "on a 390x844 touch screen:\n" + "\n".join(problems)


def test_a_tap_in_a_neurons_cell_knocks_it_out(browser, live_server) -> None:
    """The knockout net's neurons are drawn smaller than a finger; a tap off the circle, in its cell, still hits."""
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    try:
        page.goto(f"{live_server.url}/demos/knockout")
        expect(page.locator("#conn")).to_have_text("connected")
        page.wait_for_function("() => document.querySelector('#net').netview.net !== null")
        page.locator("#net").scroll_into_view_if_needed()
        v = page.eval_on_selector("#net", "c => ({p: c.netview.positions[1][3], r: c.netview.radius, "
                                         "gy: c.netview.rowGap})")
        assert v["gy"] / 2 > v["r"] + 4, "the cell reaches beyond the drawn neuron"
        box = page.locator("#net").bounding_box()
        assert box is not None
        page.touchscreen.tap(box["x"] + v["p"]["x"], box["y"] + v["p"]["y"] + (v["r"] + v["gy"] / 2) / 2)
        page.wait_for_function("() => !document.querySelector('#net').netview.alive(1, 3)")  # layer 1, unit 3
        expect(page.locator("#alive")).to_have_text("alive per column: 9 \u00b7 10 \u00b7 10 \u00b7 10 \u00b7 10")
    finally:
        ctx.close()
