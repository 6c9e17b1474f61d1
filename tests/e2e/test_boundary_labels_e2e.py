"""The boundary page's labels in a real Chromium stay true: the chart's title names the loss it shows, and the
dataset, the point count and the lesson (preset) name follow Clear, configure and a new dataset."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def connected(page: Page, url: str) -> None:
    page.goto(f"{url}/demos/boundary")
    expect(page.locator("#conn")).to_have_text("connected")
    page.wait_for_function("() => window.demoFrame != null")


def chosen(page: Page, sel: str) -> str:
    return page.eval_on_selector(sel, "s => s.options[s.selectedIndex].textContent")


def test_the_chart_title_names_the_loss_in_use(page: Page, live_server) -> None:
    connected(page, live_server.url)
    title = page.locator("#chart-title")
    expect(title).to_have_text("Squared error of the output (it trains on cross-entropy)")
    page.select_option("#output", "sigmoid-mse")
    expect(title).to_have_text("Squared error of the output (the loss it trains on)")
    page.select_option("#preset", "perceptron-linear")
    expect(title).to_have_text("Error rate: the share of points on the wrong side")
    page.select_option("#preset", "spiral")
    page.select_option("#output", "softmax")
    expect(title).to_have_text("Squared error of the probabilities (it trains on cross-entropy)")


def test_clear_and_configure_update_the_dataset_count_and_lesson_labels(page: Page, live_server) -> None:
    connected(page, live_server.url)
    count, preset = page.locator("#data-count"), page.locator("#preset")
    expect(count).to_have_text("400 points: 200 training, 200 test")
    page.wait_for_function("() => document.querySelector('#preset').options.length > 0")
    assert chosen(page, "#preset") == "default" and chosen(page, "#dataset") == "circle"
    page.click("#clear")
    expect(count).to_have_text("no points: click the plane to add some")
    page.wait_for_function("() => document.querySelector('#dataset').value === 'none'")
    assert chosen(page, "#dataset") == "none: your own points"
    expect(preset.locator("option:checked")).to_have_text("default (changed)")
    page.select_option("#preset", "xor")
    expect(preset.locator("option:checked")).to_have_text("xor")
    expect(preset.locator("option[value=default]")).to_have_text("default")
    expect(count).to_have_text("400 points: 200 training, 200 test")
    page.select_option("#activation", "relu")  # configure
    expect(preset.locator("option:checked")).to_have_text("xor (changed)")
    page.select_option("#dataset", "gauss")
    page.wait_for_function("() => window.demoFrame.demo.config.dataset === 'gauss'")
    assert chosen(page, "#dataset") == "two gaussians"
    page.fill("#npoints", "100")
    page.locator("#npoints").press("Enter")
    expect(count).to_have_text("100 points: 50 training, 50 test")
