"""The dashboard's cards for the demos whose pictures are their own: a convolution student's images and learned
filters, and the solved state as the student's own demo decides it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import watched_page

pytestmark = pytest.mark.e2e

# Pixels of the card's picture, in its top (the images) and its bottom 40% (the filters): dark ones above, and
# coloured ones below (the weight colours; the images are grey, a wrongly classified one has a red frame).
INK = """c => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, split = Math.floor(c.height * 0.6);
  let dark = 0, colour = 0;
  for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
    const i = 4 * (y * c.width + x), r = d[i], g = d[i + 1], b = d[i + 2];
    if (d[i + 3] === 0) continue;
    if (y < split && r < 80 && g < 80 && b < 80) dark++;
    if (y >= split && Math.max(r, g, b) - Math.min(r, g, b) > 40) colour++;
  }
  return { dark, colour };
}"""


@pytest.fixture
def student(browser) -> Page:  # noqa: ANN001
    yield from watched_page(browser, viewport={"width": 1280, "height": 800})


@pytest.fixture
def lecturer(browser) -> Page:  # noqa: ANN001
    yield from watched_page(browser, viewport={"width": 1600, "height": 900})


def test_a_convolution_student_on_the_dashboard(lecturer: Page, student: Page, live_server) -> None:  # noqa: ANN001
    url = live_server.url
    lecturer.goto(f"{url}/demos/convolution")
    expect(lecturer.locator("#conn")).to_have_text("connected")
    lecturer.wait_for_function("() => sessionStorage.getItem('nnp-session-convolution')")  # its hello came
    lecturer.click("#room-open")
    code = lecturer.locator(".join-code").inner_text()
    lecturer.click("#classroom-close")
    student.goto(f"{url}/demos/convolution?join={code}")
    expect(student.locator("#room-badge")).to_contain_text(f"Room {code}")

    lecturer.goto(f"{url}/rooms/{code}/gallery")  # the lecturer's browser keeps the key
    card = lecturer.locator(".student")
    expect(card).to_have_count(1, timeout=30000)
    expect(card.locator(".solved-mark")).to_have_text("")
    expect(card.locator("canvas.thumb-net")).to_be_hidden()  # the filters are on the card itself
    lecturer.wait_for_function(f"() => ({INK})(document.querySelector('.student canvas.pic')).colour > 50")
    ink = lecturer.eval_on_selector(".student canvas.pic", INK)
    assert ink["dark"] > 200 and ink["colour"] > 50, f"the card draws the images and the filters: {ink}"

    # The student trains their CNN until every image is classified right: the card says solved.
    student.click("#play")
    expect(card.locator(".solved-mark")).to_have_text("solved", timeout=60000)
    expect(lecturer.locator(".agg-head")).to_contain_text("1 solved")
