"""A lesson step sets up what to look at (its `view`): the convolution's first step explains map 1's top-left
cell on its own, a later step clears it; the sigmoid's noise-point step selects the noise point; every step
outlines the panel it is about."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from models.demos.sigmoid.lesson import NOISE_INDEX
from tests.e2e.test_lessons_e2e import at_step, next_step, open_lesson

pytestmark = pytest.mark.e2e


def test_the_convolution_steps_show_their_cell_and_stage(page: Page, live_server) -> None:
    open_lesson(page, live_server.url, "convolution")
    explain = page.locator("#explain")
    expect(explain).to_be_visible()  # nobody tapped: the step did
    expect(explain).to_contain_text("map row 1, column 1")
    expect(explain).to_contain_text("(8 \u2212 1) / 9 = 0.77")
    slides = page.locator(".slides-panel")
    expect(slides).to_have_class("panel slides-panel lesson-focus")
    expect(slides).to_have_attribute("data-stage", "maps")
    expect(page.locator("#slides-rows .layer-row.focus")).to_have_count(1)
    next_step(page)
    at_step(page, 2)
    expect(explain).to_be_hidden()
    next_step(page)
    at_step(page, 3)
    expect(slides).to_have_attribute("data-stage", "relu")
    for k in (4, 5):
        next_step(page)
        at_step(page, k)
    expect(page.locator(".cnn-panel")).to_have_class("panel cnn-panel lesson-focus")
    expect(slides).not_to_have_class("panel slides-panel lesson-focus")


def test_the_sigmoid_noise_point_step_selects_the_noise_point(page: Page, live_server) -> None:
    open_lesson(page, live_server.url, "sigmoid")
    expect(page.locator(".curve-panel")).to_have_class("panel curve-panel only-neuron lesson-focus")
    next_step(page)
    at_step(page, 2)
    expect(page.locator(".heat-panel")).to_have_class("panel heat-panel only-neuron lesson-focus")
    assert page.evaluate("() => window.demoFrame.selected") == 0
    for k in (3, 4):
        next_step(page)
        at_step(page, k)
    expect(page.locator(".curve-panel")).to_have_class("panel curve-panel only-neuron lesson-focus")
    page.wait_for_function(f"() => window.demoFrame.selected === {NOISE_INDEX}")
    next_step(page)
    at_step(page, 5)
    expect(page.locator(".net-panel")).to_have_class("panel net-panel lesson-focus")
    page.wait_for_function(f"() => window.demoFrame.selected === {NOISE_INDEX}")
