"""Projector mode in a real Chromium: on every demo, no visible text under 24 CSS px (DOM and every canvas
fillText), and the page fits the screen with nothing to scroll, at 1920x1080 and 1280x720."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from models.registry import DEMOS

pytestmark = pytest.mark.e2e

# Every text a canvas draws, with the font it was drawn in (installed before the page's scripts run).
HOOK = """
window.__fills = [];
const fillText = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, x, y, max) {
  const m = this.font.match(/([\\d.]+)px/);
  window.__fills.push([String(text), m ? parseFloat(m[1]) : 0, this.canvas.id]);
  return fillText.call(this, text, x, y, max);
};
"""

SMALL_DOM = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const n = walk.currentNode, el = n.parentElement;
    if (!el || !n.textContent.trim() || el.tagName === 'OPTION') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < 24) out.push([n.textContent.trim().slice(0, 40), px]);
  }
  return out;
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
@pytest.mark.parametrize("demo", list(DEMOS))
def test_projector_mode_is_readable_and_fits(browser: Browser, live_server, demo: str, size: tuple[int, int]) -> None:
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(HOOK)
    try:
        page.goto(f"{live_server.url}/demos/{demo}?lesson&projector")
        expect(page.locator("#conn")).to_have_text("connected")
        expect(page.locator("#lesson-bar")).to_have_attribute("data-ready", "true", timeout=60_000)
        assert page.evaluate("() => document.body.classList.contains('projector')")
        # p off and on again: every canvas redraws, now in projector mode, from a clean record of what it drew
        page.keyboard.press("p")
        page.wait_for_function("() => !document.body.classList.contains('projector')")
        page.evaluate("() => { window.__fills = []; }")
        page.keyboard.press("p")
        # every demo but the convolution (maps and filters, their numbers only where a cell holds 24 px) has a
        # network canvas that labels its neurons
        net = demo != "convolution"
        ready = "window.__fills.length > 5" if net else "true"
        page.wait_for_function(f"() => document.body.classList.contains('projector') && {ready}")
        page.wait_for_timeout(500)  # the rest of the canvases' requestAnimationFrame redraws
        fills = page.evaluate("() => window.__fills")
        drawn = {f[2] for f in fills}
        assert not net or "net" in drawn, f"the network canvas drew no text: {drawn}"
        small = [f for f in fills if f[1] < 24]
        assert not small, f"canvas text under 24 px: {small[:10]}"
        assert not page.evaluate(SMALL_DOM), page.evaluate(SMALL_DOM)[:10]
        sh, sw = page.evaluate("() => [document.documentElement.scrollHeight, document.documentElement.scrollWidth]")
        assert sh <= size[1] and sw <= size[0], f"the page needs a scroll: {sw}x{sh} in {size}"
        assert not errors, errors
    finally:
        ctx.close()


def test_hide_flags_and_full_panel(browser: Browser, live_server) -> None:
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = ctx.new_page()
    try:
        page.goto(f"{live_server.url}/demos/autoencoder?hide=header,chart")
        expect(page.locator("#conn")).to_be_attached()
        expect(page.locator(".top")).to_be_hidden()
        expect(page.locator(".chart-panel")).to_be_hidden()
        expect(page.locator("#net")).to_be_visible()
        page.mouse.move(400, 400)
        page.keyboard.press("f")
        box = page.locator(".net-panel").bounding_box()
        assert box is not None and box["width"] >= 1900 and box["height"] >= 1060, box
        page.keyboard.press("f")
        box = page.locator(".net-panel").bounding_box()
        assert box is not None and box["width"] < 1900
    finally:
        ctx.close()
