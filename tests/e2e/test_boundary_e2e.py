"""Demo 4 in a real Chromium against a live server: click points in, train, read the heatmap under them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import binary_frames, neuron_xy, wait_iteration

pytestmark = pytest.mark.e2e

N_POINTS = "() => document.querySelector('#plane').plane.points.x.length"


def open_page(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/demos/boundary")
    expect(page.locator("#conn")).to_have_text("connected")
    page.wait_for_function("() => document.querySelector('#plane').plane.points !== null")
    assert binary_frames(page) > 0, "the plane is drawn from binary frames"


def plane_xy(page: Page, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of the plane point (x, y), from the mapping the page draws with."""
    p = page.eval_on_selector("#plane", f"c => c.plane.toPx({x}, {y})")
    box = page.locator("#plane").bounding_box()
    assert box is not None
    return box["x"] + p["x"], box["y"] + p["y"]


def heat_rgb(page: Page, x: float, y: float) -> list[int]:
    """The heatmap's own pixel at plane point (x, y): read from the heatmap canvas, under the drawn point."""
    return page.eval_on_selector("#heatmap", f"""c => {{
        const p = document.querySelector('#plane').plane.toPx({x}, {y}), dpr = c.width / c.clientWidth;
        return Array.from(c.getContext('2d').getImageData(Math.round(p.x * dpr), Math.round(p.y * dpr), 1, 1).data);
    }}""")


def test_clicked_points_of_both_classes_are_learnt_under_the_heatmap(page: Page, live_server) -> None:
    open_page(page, live_server)
    page.click("#clear")
    page.wait_for_function(f"() => ({N_POINTS})() === 0")
    # XOR by hand: A at two opposite corners (plain click), B at the other two (shift-click).
    a_points = [(-3.0, 3.0), (-3.5, 2.5), (3.0, -3.0), (2.5, -3.5)]
    b_points = [(3.0, 3.0), (3.5, 2.5), (-3.0, -3.0), (-2.5, -3.5)]
    for x, y in a_points:
        page.mouse.click(*plane_xy(page, x, y))
    for x, y in b_points:
        page.keyboard.down("Shift")
        page.mouse.click(*plane_xy(page, x, y))
        page.keyboard.up("Shift")
    page.wait_for_function(f"() => ({N_POINTS})() === 8")
    pts = page.eval_on_selector("#plane", "c => c.plane.points")
    tol = 12 / page.locator("#plane").bounding_box()["width"]  # one pixel, in plane units
    for i, (x, y) in enumerate(a_points + b_points):
        assert abs(pts["x"][i] - x) <= tol and abs(pts["y"][i] - y) <= tol, "a click lands where the pointer is"
        assert pts["label"][i] == (0 if i < 4 else 1)
    page.fill("#lr", "0.3")
    page.press("#lr", "Enter")
    page.click("#play")
    expect(page.locator("#train-acc")).to_have_text("100.0%", timeout=30000)
    page.wait_for_function("() => Number(document.querySelector('#train-loss').textContent) < 0.01", timeout=30000)
    page.click("#play")
    expect(page.locator("#play")).to_have_text("Play")
    for x, y in a_points:
        r, g, _, _ = heat_rgb(page, x, y)
        assert g > r + 40, f"the heatmap under A at ({x}, {y}) must be green, got {(r, g)}"
    for x, y in b_points:
        r, g, _, _ = heat_rgb(page, x, y)
        assert r > g + 40, f"the heatmap under B at ({x}, {y}) must be red, got {(r, g)}"


def test_right_click_removes_the_point_under_the_pointer(page: Page, live_server) -> None:
    open_page(page, live_server)
    page.click("#clear")
    page.wait_for_function(f"() => ({N_POINTS})() === 0")
    page.click('#classes button[data-class="2"]')  # class C: a third class makes the output a softmax
    page.mouse.click(*plane_xy(page, 1.0, 1.0))
    page.mouse.click(*plane_xy(page, -4.0, 2.0))
    page.wait_for_function(f"() => ({N_POINTS})() === 2")
    expect(page.locator("#net-title")).to_contain_text("3 outputs (softmax)")
    page.mouse.click(*plane_xy(page, 1.05, 0.95), button="right")
    page.wait_for_function(f"() => ({N_POINTS})() === 1")
    left = page.eval_on_selector("#plane", "c => [c.plane.points.x[0], c.plane.points.y[0]]")
    assert left == pytest.approx([-4.0, 2.0], abs=0.05), "the other point stays"


def test_hovering_a_hidden_neuron_enlarges_its_heatmap(page: Page, live_server) -> None:
    open_page(page, live_server)
    page.click("#clear")  # no points drawn over the enlarged heatmap: its pixels are the neuron's alone
    page.wait_for_function(f"() => ({N_POINTS})() === 0")
    page.click("#step")
    wait_iteration(page, 1)
    expect(page.locator("#zoom")).to_be_hidden()
    page.mouse.move(*neuron_xy(page, 1, 2))
    expect(page.locator("#zoom")).to_be_visible()
    expect(page.locator("#zoom-caption")).to_contain_text("hidden layer 1, neuron 3 (tanh)")
    size = page.eval_on_selector("#zoom-canvas", "c => c.getBoundingClientRect().width")
    radius = page.eval_on_selector("#net", "c => c.netview.radius")
    assert size > 3 * 2 * radius, "the enlarged heatmap is several times the neuron's own"
    # It is that neuron's heatmap: the zoom's centre pixel has the colour of the thumbnail's centre cell.
    same = page.evaluate("""() => {
        const z = document.querySelector('#zoom-canvas'), zc = z.getContext('2d');
        const a = zc.getImageData(z.width / 2, z.height / 2 - z.height / 8, 1, 1).data;
        const t = document.querySelector('#net').netview.opts.thumb(1, 2);
        const b = t.getContext('2d').getImageData(t.width / 2, t.height / 2 - t.height / 8, 1, 1).data;
        return Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]);
    }""")
    assert same < 60
    # A click keeps it open after the pointer leaves; another click closes it.
    page.mouse.click(*neuron_xy(page, 1, 2))
    page.mouse.move(5, 5)
    expect(page.locator("#zoom")).to_be_visible()
    page.mouse.click(*neuron_xy(page, 1, 2))
    page.mouse.move(5, 5)
    expect(page.locator("#zoom")).to_be_hidden()


def test_perceptron_draws_its_line_with_the_equation(page: Page, live_server) -> None:
    open_page(page, live_server)
    page.wait_for_function("() => document.querySelector('#preset').options.length > 1")
    page.select_option("#preset", "perceptron-linear")
    expect(page.locator("#net-title")).to_contain_text("2 inputs \u2192 1 output (step)")
    page.click("#play")
    expect(page.locator("#train-acc")).to_have_text("100.0%", timeout=20000)
    page.click("#play")
    expect(page.locator("#line-note")).to_contain_text("Boundary I1 = ")
    ln = page.eval_on_selector("#plane", "c => c.plane.line")
    w = page.eval_on_selector("#net", "c => c.netview.net.weights[0][0]")
    assert (ln["w0"], ln["w1"]) == (w[0], w[1])
    assert ln["equation"] in page.inner_text("#line-note")
    # Adding a hidden layer leaves perceptron mode: no line any more, a sigmoid output.
    page.click("#layer-plus")
    expect(page.locator("#line-note")).to_be_hidden()
    expect(page.locator("#output")).to_have_value("sigmoid")


def test_csv_export_then_import_and_bad_csv_says_why(page: Page, live_server, tmp_path) -> None:
    open_page(page, live_server)
    page.select_option("#dataset", "spiral")
    page.wait_for_function("() => document.querySelector('#plane').plane.points.y[0] === 0")  # a spiral starts at 0
    with page.expect_download() as dl:
        page.click("#export")
    path = tmp_path / "points.csv"
    dl.value.save_as(path)
    text = path.read_text()
    assert text.startswith("x1,x2,label,split\n") and len(text.splitlines()) == 401
    page.click("#clear")
    page.wait_for_function(f"() => ({N_POINTS})() === 0")
    page.set_input_files("#csv-file", str(path))
    page.wait_for_function(f"() => ({N_POINTS})() === 400")
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,0\n1,two,1\n")
    page.set_input_files("#csv-file", str(bad))
    expect(page.locator("#toast")).to_contain_text("line 3: x2 must be a number, got 'two'")
    assert page.evaluate(N_POINTS) == 400


def test_layer_and_neuron_buttons_and_features_rebuild_the_network(page: Page, live_server) -> None:
    open_page(page, live_server)
    sizes = "() => document.querySelector('#net').netview.net.sizes.join(',')"
    page.click("#layer-plus")
    page.wait_for_function(f"() => ({sizes})() === '2,4,2,2,1'")
    page.locator("#layer-strip .stepper").nth(0).locator("button").nth(1).click()
    page.wait_for_function(f"() => ({sizes})() === '2,5,2,2,1'")
    page.check('#features input[value="x1*x2"]')
    page.wait_for_function(f"() => ({sizes})() === '3,5,2,2,1'")
    expect(page.locator("#input-labels")).to_contain_text("x1\u00b7x2")
    page.select_option("#activation", "relu")
    expect(page.locator("#net-title")).to_contain_text("(relu)")


def test_a_file_over_the_message_limit_is_refused_by_the_page_and_the_connection_stays(
        page: Page, live_server, tmp_path) -> None:
    open_page(page, live_server)
    big = tmp_path / "big.csv"
    big.write_text("x1,x2,label\n" + "0.12345,0.54321,0\n" * 4000)  # 76 KB: over the 64 KiB websocket limit
    page.set_input_files("#csv-file", str(big))
    expect(page.locator("#toast")).to_contain_text("too large to send (76,044 bytes; this server takes 65,536")
    assert page.evaluate(N_POINTS) == 400
    page.click("#clear")  # the same socket still carries commands: nothing was sent that would close it
    page.wait_for_function(f"() => ({N_POINTS})() === 0")
    expect(page.locator("#conn")).to_have_text("connected")
