"""The honest lessons in a real Chromium: dropout in the boundary demo (greyed neurons, kept across a reload, on a
phone too), and the knockout batch's stated budget with its 'keep going'."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import wait_iteration

pytestmark = pytest.mark.e2e

# the first dropped and the first kept hidden neuron of the last frame, and the canvas pixel at each one's centre
PIXELS = """c => {
  const v = c.netview, dpr = c.width / c.clientWidth, ctx = c.getContext('2d'), out = {};
  v.dropped.forEach((layer, l) => layer.forEach((d, i) => {
    const key = d ? 'dropped' : 'kept';
    if (out[key]) return;
    const p = v.positions[l + 1][i];
    out[key] = Array.from(ctx.getImageData(Math.round(p.x * dpr), Math.round(p.y * dpr), 1, 1).data);
  }));
  return out;
}"""


def test_boundary_dropout_greys_dropped_neurons_and_survives_a_reload(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/boundary")
    expect(page.locator("#conn")).to_have_text("connected")
    page.wait_for_function("() => document.querySelector('#preset').options.length > 1")
    page.select_option("#preset", "overfit")
    expect(page.locator("#net-title")).to_contain_text("16 \u2192 16 \u2192 16")
    page.check("#dropout")
    page.click("#step")
    wait_iteration(page, 1)
    page.wait_for_function("() => document.querySelector('#net').netview.dropped !== null")
    expect(page.locator("#net-hint")).to_contain_text("Dropout is on")
    px = page.eval_on_selector("#net", PIXELS)
    r, g, b, _ = px["dropped"]
    assert max(r, g, b) - min(r, g, b) < 30 and min(r, g, b) > 170, f"a dropped neuron is drawn grey, got {px}"
    page.reload()
    expect(page.locator("#conn")).to_have_text("connected")
    expect(page.locator("#dropout")).to_be_checked()
    expect(page.locator("#dropout-p-out")).to_have_text("0.50")


def test_dropout_toggles_by_touch_on_a_phone(browser, live_server) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = ctx.new_page()
    try:
        page.goto(f"{live_server.url}/demos/boundary")
        expect(page.locator("#conn")).to_have_text("connected")
        page.tap("#dropout")
        expect(page.locator("#dropout")).to_be_checked()
        page.tap("#step")
        page.wait_for_function("() => document.querySelector('#net').netview.dropped !== null")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"
    finally:
        ctx.close()


def test_the_batch_states_its_budget_and_keeps_going_from_where_runs_stuck(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/knockout")
    expect(page.locator("#conn")).to_have_text("connected")
    expect(page.locator("#batch-steps")).to_have_value("2411270")  # the stated budget is the default
    page.select_option("#batch-seeds", "4")
    page.select_option("#batch-steps", "100000")
    page.select_option("#batch-dropout", "0.1")
    page.click("#batch-run")
    expect(page.locator("#batch-grid .seed-card")).to_have_count(4)
    expect(page.locator("#batch-grid .seed-card").first.locator(".run")).to_have_count(3)  # + wide with dropout
    expect(page.locator("#batch-more")).to_be_visible(timeout=240_000)
    verdict = page.locator("#batch-verdict")
    expect(verdict).to_contain_text("within 100k")
    expect(verdict).to_contain_text("keep going to see whether it is a wall or a long plateau")
    expect(page.locator("#batch-more")).to_contain_text("Keep going to 12.1M (50 \u00d7 the wide net's slowest solve)")
    page.click("#batch-more")
    expect(page.locator("#batch-summary")).to_contain_text("budget 12.1M iterations a run, first 100k")
    expect(page.locator("#batch-grid .run.running")).to_have_count(1)
    page.click("#batch-stop")
    expect(page.locator("#batch-summary")).to_contain_text("stopped")
    page.click("#play")


def test_again_runs_the_next_seed_and_colour_per_layer_rescales_each_layer(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/knockout")
    expect(page.locator("#conn")).to_have_text("connected")
    expect(page.locator("#again")).to_have_text("Again: seed 1")
    page.click("#again")
    expect(page.locator("#seed")).to_have_value("1")
    expect(page.locator("#play")).to_have_text("Pause")
    expect(page.locator("#again")).to_have_text("Again: seed 2")
    page.click("#play")  # pause: the weights hold still while the drawing is compared with them
    expect(page.locator("#play")).to_have_text("Play")
    shared = page.eval_on_selector("#net", "c => c.netview.scales")
    assert len(set(shared)) == 1, "by default every layer shares one scale"
    page.check("#per-layer")
    page.wait_for_function("() => new Set(document.querySelector('#net').netview.scales).size > 1")
    scales, weights = page.eval_on_selector("#net", "c => [c.netview.scales, c.netview.net.weights]")
    assert scales == [max(abs(v) for row in w for v in row) for w in weights], "each layer's own strongest weight"
