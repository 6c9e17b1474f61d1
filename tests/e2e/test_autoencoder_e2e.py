"""Demo 1 in a real Chromium against a live server: the four steps of the lesson, clicked through."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from models.registry import DEMOS
from tests.e2e.helpers import binary_frames, canvas_png, iteration, neuron_xy, wait_iteration

pytestmark = pytest.mark.e2e


def test_index_lists_every_demo(page: Page, live_server) -> None:
    page.goto(live_server.url)
    for slug in DEMOS:
        expect(page.locator(f'a[href="/demos/{slug}"]')).to_be_visible()


def test_the_autoencoder_lesson(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/autoencoder")
    expect(page.locator("#conn")).to_have_text("connected")
    page.wait_for_function("() => document.querySelector('#net').netview.net !== null")
    # 1. Untrained: every output near 0.5.
    outputs = page.eval_on_selector("#net", "c => c.netview.net.values[2]")
    assert all(abs(v - 0.5) < 0.15 for v in outputs)
    weights_before = canvas_png(page, "#net")
    chart_before = canvas_png(page, "#loss-chart")

    # 2. Train: weights recolour, the loss falls, output matches desired.
    page.keyboard.press(" ")  # space = play
    wait_iteration(page, 1500)
    assert binary_frames(page) > 1, "the network is drawn from binary frames"
    page.click("#play")  # pause
    expect(page.locator("#play")).to_have_text("Play")
    assert canvas_png(page, "#net") != weights_before, "the weights must be redrawn as they train"
    assert canvas_png(page, "#loss-chart") != chart_before, "the loss chart must draw"
    outputs = page.eval_on_selector("#net", "c => c.netview.net.values[2]")
    inputs = page.eval_on_selector("#net", "c => c.netview.net.values[0]")
    assert all(abs(o - i) < 0.3 for o, i in zip(outputs, inputs, strict=True)), "output must match desired"

    # Click a test sample: the columns switch to it.
    page.click("#samples button:nth-child(3)")
    expect(page.locator("#columns-title")).to_have_text("Selected: giraffe")
    page.wait_for_function("() => document.querySelector('#net').netview.net.values[0].filter(v => v > 0).length === 9")

    # 3. Click a hidden neuron: its most stimulating input appears.
    x, y = neuron_xy(page, 1, 0)
    page.mouse.click(x, y)
    expect(page.locator("#stimulus-panel")).to_be_visible()
    # beside the network, on screen in a laptop-sized window without scrolling: the class sees neuron and pattern
    expect(page.locator("#stimulus-panel")).to_be_in_viewport(ratio=1)
    expect(page.locator("#stimulus-title")).to_contain_text("hidden 1")
    expect(page.locator("#stimulus-note")).to_contain_text("exact")

    # 4. Fine-tune: frozen encoder, softmax head, probabilities about a third, then right.
    it_before = iteration(page)
    page.click("#finetune")
    expect(page.locator("#probs")).to_be_visible()
    probs = page.locator("#probs .num").all_inner_texts()
    assert len(probs) == 3 and all(abs(float(p) - 1 / 3) < 0.05 for p in probs)
    page.fill("#lr", "1")
    page.press("#lr", "Enter")  # commits, and gives the keyboard back to the shortcuts
    page.keyboard.press("s")  # one step by keyboard
    wait_iteration(page, it_before + 1)
    frozen_scale = page.eval_on_selector("#net", "c => c.netview.scales[0]")
    page.click("#play")
    wait_iteration(page, it_before + 200)
    page.click("#play")
    # The head grows strong while the frozen encoder keeps its weights: its lines must keep their colours.
    scales = page.eval_on_selector("#net", "c => c.netview.scales")
    assert scales[0] == frozen_scale and scales[1] != frozen_scale, scales
    expect(page.locator("#probs .hint")).to_contain_text("test accuracy 100%")
    expect(page.locator("#probs .hint")).to_contain_text("frozen weight: 0")
    best = page.locator("#probs .prob.best .name").inner_text()
    assert best.startswith("giraffe")


def test_reset_restores_the_same_initial_weights(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/autoencoder")
    page.wait_for_function("() => document.querySelector('#net').netview.net !== null")
    initial = page.eval_on_selector("#net", "c => JSON.stringify(c.netview.net.weights)")
    page.click("#step")
    wait_iteration(page, 1)
    page.wait_for_function(f"() => JSON.stringify(document.querySelector('#net').netview.net.weights) !== {initial!r}")
    page.keyboard.press("r")
    page.wait_for_function("() => document.querySelector('#iteration').textContent === '0'")
    page.wait_for_function(f"() => JSON.stringify(document.querySelector('#net').netview.net.weights) === {initial!r}")


def test_bad_learning_rate_shows_an_error_and_training_goes_on(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/autoencoder")
    expect(page.locator("#conn")).to_have_text("connected")
    page.fill("#lr", "-3")
    page.press("#lr", "Enter")
    expect(page.locator("#toast")).to_contain_text("learning rate")
    page.click("#play")
    wait_iteration(page, 50)


def test_loss_chart_survives_a_loss_of_exactly_zero(page: Page, live_server) -> None:
    """All-zero losses on a log axis once hung the page (infinite axis bounds); it must draw and stay live."""
    page.goto(f"{live_server.url}/demos/autoencoder")
    page.wait_for_function("() => document.querySelector('#net').netview.net !== null")
    page.evaluate("""async () => {
        const { LossChart } = await import('/static/js/chart.js');
        const c = document.createElement('canvas');
        c.style.width = '300px'; c.style.height = '150px';
        document.body.append(c);
        const chart = new LossChart(c, { log: true });
        chart.add([[1, 0], [2, 0], [3, 0]]);
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        window.__chartDrawn = true;
    }""")
    assert page.evaluate("() => window.__chartDrawn") is True
    page.click("#step")
    wait_iteration(page, 1)
