"""Projector mode on every lesson step of every demo, at 1280x720 and 1920x1080: the page fits its screen (no
scroll, every visible panel and text inside it, no two panels' texts overlapping, the network and the chart no
smaller than a back row can read: tests/e2e/fit.py), and at 1920x1080 no text under 24 CSS px. Each step is
checked once its panels are shown, its training paused: the layout, not the numbers."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from models.registry import DEMOS
from tests.e2e.fit import misfits, settle_step
from tests.e2e.test_projector_e2e import SMALL_DOM

pytestmark = pytest.mark.e2e

SIZES = [(1280, 720), (1920, 1080)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("demo", list(DEMOS))
def test_every_lesson_step_fits_the_projector(browser: Browser, live_server, demo: str, size: tuple[int, int]) -> None:
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{live_server.url}/demos/{demo}?projector")  # free play first
        expect(page.locator("#conn")).to_have_text("connected")
        page.wait_for_function("() => window.demoFrame")  # its first frame drawn
        assert misfits(page) == [], "free play"
        page.goto(f"{live_server.url}/demos/{demo}?lesson&projector")
        expect(page.locator("#conn")).to_have_text("connected")
        for k in range(1, len(DEMOS[demo].lesson) + 1):
            if k > 1:
                page.keyboard.press("PageDown")
            settle_step(page, k)
            assert misfits(page) == [], f"step {k}"
            if size[1] >= 1080:
                assert page.evaluate(SMALL_DOM) == [], f"step {k}: text under 24 px"
        assert not errors, errors
    finally:
        ctx.close()


def test_the_checks_see_a_page_that_does_not_fit(browser: Browser, live_server) -> None:
    """The fit checks can fail: the full page (projector mode off) at 1280x720 scrolls and has panels off screen."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    try:
        page.goto(f"{live_server.url}/demos/knockout")
        expect(page.locator("#conn")).to_have_text("connected")
        page.wait_for_function("() => window.demoFrame")
        found = misfits(page)
        assert any(m.startswith("page scrolls") for m in found), found
        assert any("outside the screen" in m for m in found), found
    finally:
        ctx.close()
