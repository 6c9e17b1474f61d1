"""Whether a page fits its screen, from its DOM geometry: what the projector tests (and a screenshot script) check
on every lesson step. `FIT_JS` returns a list of problems, empty when the page fits."""

from __future__ import annotations

from playwright.sync_api import Page, expect

# The smallest network and chart (CSS px) a back row can still read at 1280x720: a network's five columns of
# neurons with their 24-px labels, a chart with its 24-px ticks and a curve between them.
MIN_NET = (400, 240)
MIN_CHART = (320, 150)
MIN_PLOT = (300, 160)  # the sigmoid demo's curves and likelihood map

FIT_JS = """([minNet, minChart, minPlot]) => {
  const W = innerWidth, H = innerHeight, out = [];
  const de = document.documentElement;
  if (de.scrollWidth > W || de.scrollHeight > H) out.push(`page scrolls: ${de.scrollWidth}x${de.scrollHeight}`);
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' ? r : null;
  };
  const name = (el) => el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + [...el.classList].join('.');
  const box = (r) => `${r.left | 0},${r.top | 0} to ${r.right | 0},${r.bottom | 0}`;
  const inside = (r) => r.left >= -1 && r.top >= -1 && r.right <= W + 1 && r.bottom <= H + 1;
  const GROUP = '.panel, .lesson-bar, .controls, .top, .bookmarks';
  for (const el of document.querySelectorAll(GROUP)) {
    const r = shown(el);
    if (r && !inside(r)) out.push(`${name(el)} outside the screen: ${box(r)}`);
  }
  // every visible text box and canvas, by the panel it belongs to
  const boxes = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const n = walk.currentNode, el = n.parentElement;
    if (!el || !n.textContent.trim() || !shown(el) || el.closest('option, script, style, .hidden')) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      const text = n.textContent.trim().slice(0, 30);
      if (!inside(r)) out.push(`text "${text}" outside the screen`);
      boxes.push({ r, text, group: el.closest(GROUP) });
    }
  }
  for (const c of document.querySelectorAll('canvas')) {
    const r = shown(c);
    if (r) boxes.push({ r, text: 'canvas ' + name(c), group: c.closest(GROUP) });
  }
  const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.group === b.group || a.group?.contains(b.group) || b.group?.contains(a.group)) continue;
    const where = (x) => `"${x.text}" (${x.group && name(x.group)})`;
    if (hit(a.r, b.r)) out.push(`${where(a)} overlaps ${where(b)}`);
  }
  // a panel whose content overflows its own box (cut off, or spilling over what is below)
  for (const el of document.querySelectorAll('.panel')) {
    if (shown(el) && el.scrollHeight > el.clientHeight + 2) {
      out.push(`${name(el)} overflows: ${el.scrollHeight} > ${el.clientHeight}`);
    }
  }
  // a canvas laid out (it has a width) but squashed: too small to read, or no height at all
  for (const [sel, [w, h]] of [['canvas.net', minNet], ['canvas.chart', minChart], ['canvas.plot', minPlot]]) {
    for (const c of document.querySelectorAll(sel)) {
      const r = c.getBoundingClientRect();
      const small = r.width > 0 && (r.width < w || r.height < h);
      if (small) out.push(`${name(c)} too small: ${r.width | 0}x${r.height | 0} < ${w}x${h}`);
    }
  }
  return out;
}"""


def misfits(page: Page) -> list[str]:
    """What does not fit the page's screen (empty: nothing)."""
    return page.evaluate(FIT_JS, [list(MIN_NET), list(MIN_CHART), list(MIN_PLOT)])


def settle_step(page: Page, k: int) -> None:
    """Step k's panels are shown; its training paused (no waiting for it), the layout settled."""
    bar = page.locator("#lesson-bar")
    expect(bar).to_have_attribute("data-shown", str(k), timeout=120_000)  # a replay (knockout step 6) takes a while
    page.evaluate("() => { const b = document.querySelector('#play'); if (b.textContent === 'Pause') b.click(); }")
    expect(page.locator("#play")).to_have_text("Play")
    page.evaluate("() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)))")
