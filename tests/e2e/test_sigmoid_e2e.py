"""Demo 2 in a real Chromium against a live server: click examples in, train, watch; switch models."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import binary_frames, canvas_png, iteration, wait_iteration
from tests.tiny_torch import one_torch_thread  # noqa: F401 - an autouse fixture

pytestmark = pytest.mark.e2e

NEG = (214, 40, 40)  # colors.js default palette: negative examples
POS = (22, 150, 60)


def open_demo(page: Page, url: str) -> None:
    page.goto(f"{url}/demos/sigmoid")
    expect(page.locator("#conn")).to_have_text("connected")
    page.wait_for_function("() => document.querySelector('#curve').plot.layers.points.length > 0")
    assert binary_frames(page) > 0, "the curve is drawn from binary frames"


def axis(page: Page, sel: str) -> dict:
    """Where the plot's axes are: its drawing area (CSS px inside the canvas), data ranges, canvas box on the page."""
    geo = page.eval_on_selector(sel, "c => ({area: c.plot.area, x: c.plot.opts.x, y: c.plot.opts.y})")
    geo["box"] = page.locator(sel).bounding_box()
    return geo


def page_xy(geo: dict, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of data (x, y), from the axis geometry alone."""
    a, (x0, x1), (y0, y1), box = geo["area"], geo["x"], geo["y"], geo["box"]
    px = a["left"] + (x - x0) / (x1 - x0) * (a["right"] - a["left"])
    py = a["bottom"] - (y - y0) / (y1 - y0) * (a["bottom"] - a["top"])
    return box["x"] + px, box["y"] + py


def pixel_worth(geo: dict) -> float:
    return (geo["x"][1] - geo["x"][0]) / (geo["area"]["right"] - geo["area"]["left"])


def drawn_points(page: Page, sel: str) -> list[dict]:
    return page.eval_on_selector(sel, "c => c.plot.layers.points.filter(q => q.id != null)"
                                      ".map(q => ({x: q.x, y: q.y, text: q.text || ''}))")


def wait_points(page: Page, sel: str, n: int) -> None:
    """Until the plot draws n editable points (the frame with the change has arrived)."""
    page.wait_for_function(f"() => document.querySelector('{sel}').plot.layers.points"
                           f".filter(q => q.id != null).length === {n}")


def colour_at(page: Page, sel: str, px: float, py: float) -> tuple[int, int, int]:
    """The canvas pixel under page point (px, py)."""
    box = page.locator(sel).bounding_box()
    return tuple(page.eval_on_selector(sel, """(c, [x, y]) => {
        const s = c.width / c.getBoundingClientRect().width;
        return Array.from(c.getContext('2d').getImageData(Math.round(x * s), Math.round(y * s), 1, 1).data.slice(0, 3));
    }""", [px - box["x"], py - box["y"]]))


def near(c: tuple[int, ...], ref: tuple[int, int, int], tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c, ref, strict=True))


def click_examples_where_the_pointer_is(page: Page) -> None:
    page.click("#neuron-clear")
    wait_points(page, "#curve", 0)
    geo = axis(page, "#curve")
    wanted = [(2.0, 1, "left"), (-3.0, 0, "right"), (-1.25, 0, "toggle")]
    for k, (x, label, how) in enumerate(wanted):
        if how == "toggle":
            page.click("#neuron-class [data-label='0']")
        px, py = page_xy(geo, x, label)  # on the line the example will be drawn on: it must appear under the pointer
        page.mouse.click(px, py, button="right" if how == "right" else "left")
        wait_points(page, "#curve", k + 1)
        got = drawn_points(page, "#curve")[k]
        assert abs(got["x"] - x) <= pixel_worth(geo), f"clicked at x = {x}, the example landed at {got['x']}"
        assert got["y"] == label
        page.wait_for_timeout(100)  # the next animation frame draws it
        colour = colour_at(page, "#curve", px + 5, py + 5)  # inside the marker, off its +/- glyph
        assert near(colour, POS if label else NEG), f"under the pointer: {colour}"


def test_click_examples_of_both_classes_where_the_pointer_is(page: Page, live_server) -> None:
    open_demo(page, live_server.url)
    click_examples_where_the_pointer_is(page)
    expect(page.locator("#n-points")).to_have_text("3 examples")
    # Click an example to remove it; drag one to move it.
    geo = axis(page, "#curve")
    page.mouse.click(*page_xy(geo, -3.0, 0))
    wait_points(page, "#curve", 2)
    x0, y0 = page_xy(geo, 2.0, 1)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 30, y0, steps=5)
    x1, _ = page_xy(geo, 3.5, 1)
    page.mouse.move(x1, y0, steps=5)
    page.mouse.up()
    page.wait_for_function("() => { const p = document.querySelector('#curve').plot.layers.points"
                           ".filter(q => q.id != null); return p.length === 2 && Math.abs(p[0].x - 3.5) < 0.05; }")


def test_clicks_land_under_the_pointer_on_a_projector_sized_hidpi_window(browser, live_server) -> None:
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, device_scale_factor=2)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        open_demo(page, live_server.url)
        click_examples_where_the_pointer_is(page)
    finally:
        ctx.close()
    assert not errors


def test_play_moves_the_curve_and_the_probabilities_and_a_noise_point_drags_it(page: Page, live_server) -> None:
    open_demo(page, live_server.url)
    probs_before = [float(p["text"]) for p in drawn_points(page, "#curve")]
    assert len(probs_before) == 8
    curve_before, heat_before = canvas_png(page, "#curve"), canvas_png(page, "#heat")
    ll_before = float(page.inner_text("#ll"))
    page.click("#play")
    wait_iteration(page, 400)
    w_trained = float(page.inner_text("#w"))
    assert canvas_png(page, "#curve") != curve_before, "the curve moves as it trains"
    assert canvas_png(page, "#heat") != heat_before, "the path grows across the likelihood"
    assert float(page.inner_text("#ll")) > ll_before
    probs = [float(p["text"]) for p in drawn_points(page, "#curve")]
    assert sum(probs) > sum(probs_before) and all(p > 0.5 for p in probs), "every example grows more probable"
    # The lecture's noise point, while training runs.
    page.click("#noise-point")
    it = iteration(page)
    wait_points(page, "#curve", 9)
    wait_iteration(page, it + 800)
    page.click("#play")
    assert float(page.inner_text("#w")) < w_trained, "a positive among the negatives flattens the curve"
    assert page.eval_on_selector("#heat", "c => c.landscape.path.length") > 3


def test_function_view_shows_one_curve_per_hidden_unit_and_fits(page: Page, live_server) -> None:
    open_demo(page, live_server.url)
    page.click("#views [data-view='function']")
    expect(page.locator("#units-title")).to_contain_text("2 tanh units")
    curves = "() => document.querySelector('#units').plot.layers.lines.filter(l => !l.dash).length"
    assert page.evaluate(curves) == 2
    page.click("#models button:has-text('[20,tanh:5,tanh:1,linear]')")
    expect(page.locator("#units-title")).to_contain_text("5 tanh units")
    assert page.evaluate(curves) == 5
    assert page.eval_on_selector("#net", "c => c.netview.net.sizes") == [1, 20, 5, 1]
    page.fill("#model-text", "[7,sigmoid:1,linear]")
    page.press("#model-text", "Enter")
    expect(page.locator("#units-title")).to_contain_text("7 sigmoid units")
    assert page.evaluate(curves) == 7
    page.fill("#model-text", "[7,tanh]")
    page.press("#model-text", "Enter")
    expect(page.locator("#toast")).to_contain_text("1 unit")
    page.click("#models button:has-text('[30,tanh:1,linear]')")
    expect(page.locator("#units-title")).to_contain_text("30 tanh units")
    # Click a point in, where the pointer is, then train: the fit and the units move.
    geo = axis(page, "#fit")
    page.mouse.click(*page_xy(geo, 4.0, 0.75))
    wait_points(page, "#fit", 1)
    pt = next(p for p in drawn_points(page, "#fit"))
    assert abs(pt["x"] - 4.0) <= pixel_worth(geo) and abs(pt["y"] - 0.75) <= 0.02
    fit_before, units_before = canvas_png(page, "#fit"), canvas_png(page, "#units")
    page.click("#play")
    wait_iteration(page, 1500)
    page.click("#play")
    assert canvas_png(page, "#fit") != fit_before and canvas_png(page, "#units") != units_before
    assert float(page.inner_text("#loss")) < 0.05
