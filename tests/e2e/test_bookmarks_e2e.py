"""Bookmarks and the ghost curve in a real Chromium: mark a moment, train on, jump back (the iteration and the
network drawing return); "Again" keeps the run before as a second, faint curve, labelled with its seed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import canvas_png, iteration

pytestmark = pytest.mark.e2e


def connected(page: Page, url: str, demo: str = "autoencoder") -> None:
    page.goto(f"{url}/demos/{demo}")
    expect(page.locator("#conn")).to_have_text("connected")
    page.wait_for_function("() => window.demoFrame != null")


def train(page: Page, n: int, until: int) -> None:
    page.fill("#train-n", str(n))
    page.click("#train-go")
    expect(page.locator("#iteration")).to_have_text(f"{until:,}", timeout=30_000)
    expect(page.locator("#play")).to_have_text("Play")


def test_mark_train_on_and_jump_back(page: Page, live_server) -> None:
    connected(page, live_server.url)
    page.select_option("#speed", "0")
    train(page, 200, 200)
    page.wait_for_function("() => !window.demoFrame.running && window.demoFrame.iteration === 200")
    page.wait_for_timeout(300)  # the last frame drawn
    marked = canvas_png(page, "#net")
    page.keyboard.press("m")
    jump = page.locator("#bookmarks button.jump")
    expect(jump).to_have_text("\u21a9 at 200 iterations")
    train(page, 300, 500)
    page.wait_for_timeout(300)
    assert canvas_png(page, "#net") != marked, "training on changed the drawing"
    jump.click()
    expect(page.locator("#iteration")).to_have_text("200")
    page.wait_for_function("() => window.demoFrame.iteration === 200 && !window.demoFrame.running")
    page.wait_for_function("([png]) => document.querySelector('#net').toDataURL() === png", arg=[marked])
    assert iteration(page) == 200
    page.click("#bookmark")  # the button marks too
    expect(jump).to_have_count(2)
    page.locator("#bookmarks button.forget").first.click()
    expect(jump).to_have_count(1)


def test_again_keeps_the_run_before_as_a_second_curve(page: Page, live_server) -> None:
    connected(page, live_server.url)
    page.select_option("#speed", "0")
    train(page, 300, 300)
    chart = page.locator("#loss-chart")
    expect(chart).to_have_attribute("data-curves", "1")
    page.click("#again")  # seed 1, training
    page.wait_for_function("() => window.demoFrame.seed === 1 && window.demoFrame.iteration > 20")
    expect(chart).to_have_attribute("data-curves", "2")
    clear = page.locator("#ghost-clear")
    expect(clear).to_have_text("clear seed 0")
    page.click("#play")  # pause
    clear.click()
    expect(chart).to_have_attribute("data-curves", "1")
    expect(clear).to_be_hidden()
