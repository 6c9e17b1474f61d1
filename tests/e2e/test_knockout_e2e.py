"""Demo 3 in a real Chromium against a live server: train, knock a neuron out by clicking it, see it dead."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import binary_frames, canvas_png, iteration, neuron_xy, wait_iteration

pytestmark = pytest.mark.e2e

DEAD_FILL = [228, 228, 228]  # netview's fill for a knocked-out neuron (#e4e4e4)


def pixel_at_neuron(page: Page, layer: int, unit: int) -> list[int]:
    """A canvas pixel inside a neuron, right of its centre (clear of the cross a dead one gets), in device pixels."""
    js = f"""c => {{
        const v = c.netview, p = v.positions[{layer}][{unit}], k = c.width / c.getBoundingClientRect().width;
        const x = Math.round((p.x + 0.6 * v.radius) * k), y = Math.round(p.y * k);
        return Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data);
    }}"""
    return page.eval_on_selector("#net", js)[:3]


def test_knock_a_neuron_out_by_clicking_it(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/knockout")
    expect(page.locator("#conn")).to_have_text("connected")
    page.wait_for_function("() => document.querySelector('#net').netview.net !== null")
    expect(page.locator("#solved")).to_have_text("not solved yet")
    expect(page.locator("#alive")).to_have_text("alive per column: 10 \u00b7 10 \u00b7 10 \u00b7 10 \u00b7 10")

    page.click("#play")
    wait_iteration(page, 30)
    assert binary_frames(page) > 1, "the network is drawn from binary frames"
    alive_png = canvas_png(page, "#net")
    assert pixel_at_neuron(page, 2, 3) != DEAD_FILL

    # Click neuron 4 of column 2: the server knocks it out, the canvas draws it dead with its lines gone.
    x, y = neuron_xy(page, 2, 3)
    page.mouse.click(x, y)
    page.wait_for_function("() => document.querySelector('#net').netview.net.alive[1][3] === 0")
    expect(page.locator("#alive")).to_have_text("alive per column: 10 \u00b7 9 \u00b7 10 \u00b7 10 \u00b7 10")
    expect(page.locator("#changes li").first).to_contain_text("knocked out neuron 4 of column 2")
    page.wait_for_timeout(300)  # a frame or two for the redraw
    assert pixel_at_neuron(page, 2, 3) == DEAD_FILL, "a knocked-out neuron is drawn dead"
    assert canvas_png(page, "#net") != alive_png
    # Training goes on past the knockout.
    after = iteration(page)
    wait_iteration(page, after + 30)
    expect(page.locator("#play")).to_have_text("Pause")

    # Knock out one per column with the button; then bring the clicked neuron back.
    page.click("#knock-column")
    expect(page.locator("#alive")).to_have_text("alive per column: 9 \u00b7 8 \u00b7 9 \u00b7 9 \u00b7 9")
    x, y = neuron_xy(page, 2, 3)
    page.mouse.click(x, y)
    expect(page.locator("#alive")).to_have_text("alive per column: 9 \u00b7 9 \u00b7 9 \u00b7 9 \u00b7 9")
    page.click("#play")
    expect(page.locator("#play")).to_have_text("Play")


def test_outputs_are_not_clickable_and_say_why(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/knockout")
    page.wait_for_function("() => document.querySelector('#net').netview.net !== null")
    x, y = neuron_xy(page, 6, 0)
    page.mouse.click(x, y)
    expect(page.locator("#toast")).to_contain_text("only hidden neurons")


def test_narrow_net_dropout_and_the_many_seeds_panel(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/knockout")
    page.wait_for_function("() => document.querySelector('#net').netview.net !== null")
    page.select_option("#narrow-width", "2")
    page.click("#narrow")
    page.wait_for_function("() => document.querySelector('#net').netview.net.sizes[1] === 2")
    expect(page.locator("#net-title")).to_contain_text("5 columns of 2")

    page.check("#dropout")
    page.click("#step")
    wait_iteration(page, 1)
    page.wait_for_function("() => document.querySelector('#net').netview.dropped !== null")
    expect(page.locator("#net-hint")).to_contain_text("Dropout is on")
    expect(page.locator("#net-hint")).to_contain_text("On this task it does not help")
    page.uncheck("#dropout")
    page.wait_for_function("() => document.querySelector('#net').netview.dropped === null")

    page.select_option("#batch-seeds", "4")
    page.select_option("#batch-steps", "100000")
    page.click("#batch-run")
    expect(page.locator("#batch-grid .seed-card")).to_have_count(4)
    expect(page.locator("#batch-grid .run.running")).to_have_count(1)
    expect(page.locator("#play")).to_have_text("Pause")
    page.click("#batch-stop")
    expect(page.locator("#batch-summary")).to_contain_text("stopped")
    page.click("#play")
