"""Pacing in free play in a real Chromium: the it/s readout at a set speed, Train N (tapped on a phone), stop at,
a refused learning rate, and the shortcut list."""

from __future__ import annotations

import re
import statistics

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import iteration

pytestmark = pytest.mark.e2e


def connected(page: Page, url: str, demo: str = "autoencoder") -> None:
    page.goto(f"{url}/demos/{demo}")
    expect(page.locator("#conn")).to_have_text("connected")
    page.wait_for_function("() => window.demoFrame != null")


def test_the_rate_readout_shows_the_set_speed(page: Page, live_server) -> None:
    connected(page, live_server.url)
    expect(page.locator("#speed")).to_have_value("300")  # the demo's own speed: 1,000 iterations in seconds
    page.select_option("#speed", "100")
    page.click("#play")
    page.wait_for_timeout(2500)  # past the readout's first window
    rates = []
    for _ in range(8):
        text = page.inner_text("#rate")
        m = re.fullmatch(r"([\d.]+)(k?) it/s", text)
        assert m, f"the readout says {text!r}"
        rates.append(float(m.group(1)) * (1000 if m.group(2) else 1))
        page.wait_for_timeout(300)
    assert 90 <= statistics.median(rates) <= 110, rates
    page.click("#play")
    expect(page.locator("#rate")).to_have_text("idle")


def test_train_n_tapped_on_a_phone_pauses_exactly(browser: Browser, live_server) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = ctx.new_page()
    try:
        connected(page, live_server.url)
        page.tap("#controls-more")  # a phone keeps Train N and stop at behind More
        page.fill("#train-n", "250")
        page.tap("#train-go")
        expect(page.locator("#iteration")).to_have_text("250", timeout=30_000)
        expect(page.locator("#play")).to_have_text("Play")
        page.fill("#stop-at", "400")
        page.locator("#stop-at").press("Enter")
        page.wait_for_function("() => window.demoFrame.stop_at === 400")
        page.tap("#play")
        expect(page.locator("#iteration")).to_have_text("400", timeout=30_000)
        expect(page.locator("#play")).to_have_text("Play")
        assert iteration(page) == 400
    finally:
        ctx.close()


def test_a_refused_learning_rate_goes_back_to_the_rate_in_force(page: Page, live_server) -> None:
    connected(page, live_server.url)
    expect(page.locator("#lr")).to_have_value("1")
    page.fill("#lr", "1000")  # above the autoencoder's max_lr of 100: the server refuses it
    page.locator("#lr").press("Enter")
    expect(page.locator("#toast")).to_contain_text("learning rate")
    expect(page.locator("#lr")).to_have_value("1")


def test_question_mark_lists_every_shortcut(page: Page, live_server) -> None:
    connected(page, live_server.url)
    page.keyboard.press("?")
    overlay = page.locator("#help-overlay")
    expect(overlay).to_be_visible()
    for key in ("space", "PageDown", "p", "f", "m", "?"):
        expect(overlay.locator("kbd", has_text=key).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()
