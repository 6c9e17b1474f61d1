"""What the end-to-end tests share: reading canvases and clicking where a neuron is drawn."""

from __future__ import annotations

from collections.abc import Iterator

from playwright.sync_api import Page


def canvas_png(page: Page, selector: str) -> str:
    return page.eval_on_selector(selector, "c => c.toDataURL()")


def neuron_xy(page: Page, layer: int, unit: int, selector: str = "#net") -> tuple[float, float]:
    """Page coordinates of a neuron, from the positions the canvas last drew it at."""
    pos = page.eval_on_selector(selector, f"c => c.netview.positions[{layer}][{unit}]")
    box = page.locator(selector).bounding_box()
    assert box is not None and pos is not None, f"neuron {layer}:{unit} is not drawn"
    return box["x"] + pos["x"], box["y"] + pos["y"]


def iteration(page: Page) -> int:
    return int(page.inner_text("#iteration").replace(",", ""))


def wait_iteration(page: Page, at_least: int, timeout_ms: int = 20000) -> None:
    js = f"() => Number(document.querySelector('#iteration').textContent.replace(/,/g, '')) >= {at_least}"
    page.wait_for_function(js, timeout=timeout_ms)


def watched_page(browser, **context: object) -> Iterator[Page]:
    """A page in a new browser context (`context`: Playwright's new_context options); after the test, its console
    errors fail it. For fixtures: `yield from watched_page(browser, ...)`."""
    ctx = browser.new_context(**context)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    pg.on("console", lambda m: errors.append(f"console error: {m.text}") if m.type == "error" else None)
    yield pg
    ctx.close()
    assert not errors, "the page logged errors:\n" + "\n".join(errors)


def binary_frames(page) -> int:  # noqa: ANN001 - a Page or a Frame (an iframe of the lecture page)
    """How many frames this page's sockets read (static/js/socket.js's counters): every one binary, as the server
    writes them; a frame that came as JSON text fails the test."""
    got = page.evaluate('async () => (await import("/static/js/socket.js")).received')
    assert "frame" not in got["text"], f"frames came as JSON text: {got}"
    return int(got["frames"])
