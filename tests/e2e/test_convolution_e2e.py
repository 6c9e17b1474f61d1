"""Demo 5 in a real Chromium against a live server: the slides' numbers on the page, a map cell explained, an image
drawn by taps, labelled and trained on (laptop and phone)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests import slides_conv
from tests.e2e.helpers import binary_frames, canvas_png, wait_iteration, watched_page

pytestmark = pytest.mark.e2e

PLUS = ((2, 4), (3, 4), (4, 2), (4, 3), (4, 4), (4, 5), (4, 6), (5, 4), (6, 4))  # a "+" in the middle


def open_demo(page: Page, url: str) -> None:
    page.goto(f"{url}/demos/convolution")
    expect(page.locator("#conn")).to_have_text("connected")
    page.wait_for_function("() => { const c = document.querySelector('#slides-map-0'); "
                           "return c && c.grid.values.length; }")
    assert binary_frames(page) > 0, "the maps are drawn from binary frames"


def texts(page: Page, selector: str) -> list[list[str]]:
    return page.eval_on_selector(selector, "c => c.grid.texts")


def cell_xy(page: Page, selector: str, r: int, c: int) -> tuple[float, float]:
    xy = page.eval_on_selector(selector, f"c => c.grid.cellXY({r}, {c})")
    return xy["x"], xy["y"]


def pixels(page: Page) -> list[list[float]]:
    return page.eval_on_selector("#image", "c => c.grid.values")


def test_the_page_shows_the_slides_numbers_and_explains_a_map_cell(page: Page, live_server) -> None:
    open_demo(page, live_server.url)
    for k in range(3):
        assert texts(page, f"#slides-map-{k}") == slides_conv.MAPS[k], f"map {k + 1}"
        assert texts(page, f"#slides-pooled-{k}") == slides_conv.POOLED[k], f"pooled map {k + 1}"
    assert texts(page, "#slides-relu-0") == slides_conv.RELU[0]
    assert texts(page, "#slides-filter-1") == [["1.00", "-1.00", "1.00"], ["-1.00", "1.00", "-1.00"],
                                               ["1.00", "-1.00", "1.00"]]
    # hover the top-left cell of map 1: the patch lights up on the image, the nine products and their mean
    page.mouse.move(*cell_xy(page, "#slides-map-0", 0, 0))
    expect(page.locator("#explain")).to_contain_text("(8 \u2212 1) / 9 = 0.77")
    assert page.locator("#explain .products span").count() == 9
    assert page.eval_on_selector("#image", "c => c.grid.highlight") == {"r": 0, "c": 0, "h": 3, "w": 3}
    # another cell of another map: the centre of map 2 is a perfect match
    page.mouse.move(*cell_xy(page, "#slides-map-1", 3, 3))
    expect(page.locator("#explain")).to_contain_text("(9 \u2212 0) / 9 = 1.00")
    assert page.eval_on_selector("#image", "c => c.grid.highlight") == {"r": 3, "c": 3, "h": 3, "w": 3}
    # flip the centre pixel: the maps change; "The slides' X" brings the slides' numbers back
    page.mouse.click(*cell_xy(page, "#image", 4, 4))
    page.wait_for_function("() => document.querySelector('#slides-map-1').grid.texts[3][3] !== '1.00'")
    assert texts(page, "#slides-map-1")[3][3] == "0.77"  # one product of nine turned: (8 - 1) / 9
    page.locator("#slides-x").click()
    page.wait_for_function("() => document.querySelector('#slides-map-1').grid.texts[3][3] === '1.00'")
    assert texts(page, "#slides-map-0") == slides_conv.MAPS[0]


def draw_label_and_train(page: Page, touch: bool) -> None:
    """Add a class "plus", a new image of it drawn by taps, then train: the filters and maps change."""

    def tap(selector: str, r: int, c: int) -> None:
        page.locator(selector).scroll_into_view_if_needed()  # a tap off screen would miss
        x, y = cell_xy(page, selector, r, c)
        (page.touchscreen.tap if touch else page.mouse.click)(x, y)

    page.fill("#class-name", "plus")
    page.locator("#add-class").click()
    expect(page.locator("#label option")).to_have_count(3)
    page.locator("#new-image").click()  # of the selected image's class (X), at the end, selected
    expect(page.locator("#image-title")).to_have_text("Image 13 of 13: X")
    page.locator("#label").select_option("2")
    expect(page.locator("#image-title")).to_have_text("Image 13 of 13: plus")
    expect(page.locator("#thumbs .thumb").first).to_contain_text("X")  # the slides' X kept its label
    assert all(v == -1 for row in pixels(page) for v in row), "a new image starts blank"
    for r, c in PLUS:
        tap("#image", r, c)
    page.wait_for_function("() => document.querySelector('#image').grid.values.flat().filter(v => v > 0).length === 9")
    page.wait_for_timeout(300)
    on = [(r, c) for r, row in enumerate(pixels(page)) for c, v in enumerate(row) if v > 0]
    assert sorted(on) == sorted(PLUS)
    # relabelled as X, then back to plus: the server keeps what the page says
    page.locator("#label").select_option("0")
    expect(page.locator("#image-title")).to_have_text("Image 13 of 13: X")
    page.locator("#label").select_option("2")
    expect(page.locator("#image-title")).to_have_text("Image 13 of 13: plus")
    filters_before = page.eval_on_selector("#cnn-filter-0", "c => c.grid.values")
    maps_before = canvas_png(page, "#cnn-map-0")
    page.locator("#play").click()
    wait_iteration(page, 300, timeout_ms=60000)
    page.locator("#play").click()
    page.wait_for_function("() => document.querySelector('#accuracy').textContent.startsWith('100%')", timeout=60000)
    assert page.eval_on_selector("#cnn-filter-0", "c => c.grid.values") != filters_before
    assert canvas_png(page, "#cnn-map-0") != maps_before
    expect(page.locator("#probs .prob.best")).to_contain_text("plus")
    # inspect a learned map cell: its products, with the learned weights and the bias
    tap("#cnn-map-0", 2, 2)
    expect(page.locator("#explain")).to_contain_text("Learned filter 1")
    expect(page.locator("#explain")).to_contain_text("(bias)")


def test_a_drag_draws_a_stroke_and_a_second_pass_erases_it(page: Page, live_server) -> None:
    open_demo(page, live_server.url)
    page.locator("#new-image").click()
    expect(page.locator("#image-title")).to_have_text("Image 13 of 13: X")
    row = [(8, c) for c in range(1, 8)]  # the bottom row, left to right
    page.mouse.move(*cell_xy(page, "#image", *row[0]))
    page.mouse.down()
    for r, c in row[1:]:
        page.mouse.move(*cell_xy(page, "#image", r, c), steps=3)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('#thumbs .thumb:last-child').dataset.pixels"
                           ".slice(72).split('').filter(ch => ch === '1').length === 7")  # the server's frame says so
    assert [pixels(page)[8][c] for c in range(9)] == [-1, 1, 1, 1, 1, 1, 1, 1, -1]
    # a drag that starts on a stroke pixel erases
    page.mouse.move(*cell_xy(page, "#image", 8, 2))
    page.mouse.down()
    page.mouse.move(*cell_xy(page, "#image", 8, 5), steps=4)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('#thumbs .thumb:last-child').dataset.pixels.slice(72)"
                           " === '010000110'")
    assert [pixels(page)[8][c] for c in range(9)] == [-1, 1, -1, -1, -1, -1, 1, 1, -1]


def test_draw_an_image_by_clicks_label_it_train_and_inspect(page: Page, live_server) -> None:
    open_demo(page, live_server.url)
    draw_label_and_train(page, touch=False)


@pytest.fixture
def phone(browser, live_server) -> Iterator[Page]:
    yield from watched_page(browser, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)


def test_on_a_phone_taps_draw_label_and_train(phone: Page, live_server) -> None:
    open_demo(phone, live_server.url)
    draw_label_and_train(phone, touch=True)
