"""`nn-playground bench --page`: how smooth a real page stays while its network trains flat out.

A headless Chromium (Debian's, through Playwright: the test extra) opens a demo against a server subprocess,
builds the network to measure, presses play and counts for a few seconds: frames received from the server, the
page's animation frames (requestAnimationFrame, which stalls while the main thread is busy drawing), and the
longest gap between two of them. The largest decision-boundary network draws the most: 96 hidden neurons, each
with its own heatmap, plus the output heatmap, every frame.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from server import codec

CHROMIUM = os.environ.get("NNP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ALL_FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2"]
CASES = [  # (name, demo, configure command or None)
    ("boundary, 6 x 16 hidden, 7 features", "boundary",
     {"type": "configure", "hidden": [16] * 6, "features": ALL_FEATURES, "activation": "tanh"}),
    ("boundary, 8 x 12 hidden, 7 features", "boundary",
     {"type": "configure", "hidden": [12] * 8, "features": ALL_FEATURES, "activation": "tanh"}),
    ("knockout, 10 -> 5 x 10 -> 3", "knockout", None),
]

# Counts what arrives and what is drawn; keeps the page's socket so the bench can send it a command.
COUNTER = """
(() => {
  const Native = window.WebSocket;
  window.__nnp = { frames: 0, ws: null, gaps: [], last: 0, counting: false };
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    window.__nnp.ws = ws;
    ws.addEventListener("message", (e) => {
      const frame = typeof e.data !== "string" && e.data.byteLength >= 4 &&
        String.fromCharCode(...new Uint8Array(e.data, 0, 4)) === MAGIC;  // binary: socket.js asks for ArrayBuffers
      if (window.__nnp.counting && frame) window.__nnp.frames++;
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { OPEN: Native.OPEN, CLOSED: Native.CLOSED, CONNECTING: Native.CONNECTING });
  const tick = (t) => {
    const n = window.__nnp;
    if (n.counting && n.last) n.gaps.push(t - n.last);
    n.last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


def measure(url: str, demo: str, configure: dict[str, Any] | None, seconds: float) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            page.add_init_script(COUNTER.replace("MAGIC", json.dumps(codec.MAGIC.decode())))  # the codec's frames
            page.goto(f"{url}/demos/{demo}")
            page.wait_for_function("() => window.__nnp.ws && window.__nnp.ws.readyState === 1")
            if configure is not None:
                page.evaluate(f"() => window.__nnp.ws.send({json.dumps(json.dumps(configure))})")
            page.evaluate("() => window.__nnp.ws.send(JSON.stringify({type: 'set', speed: 0}))")  # flat out
            page.evaluate("() => window.__nnp.ws.send(JSON.stringify({type: 'play'}))")
            time.sleep(2.0)  # the first frames of the new network, kernels compiled
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.evaluate("() => { Object.assign(window.__nnp, {counting: true, frames: 0, gaps: [], last: 0}); }")
            t0, busy0 = time.perf_counter(), _busy(cdp)
            time.sleep(seconds)
            n = page.evaluate("() => { window.__nnp.counting = false; return window.__nnp; }")
            dt, busy = time.perf_counter() - t0, _busy(cdp) - busy0
            iteration = int(page.inner_text("#iteration").replace(",", ""))
        finally:
            browser.close()
    gaps = sorted(n["gaps"]) or [float("nan")]
    return {"frames_received_per_s": n["frames"] / dt, "animation_frames_per_s": len(n["gaps"]) / dt,
            "main_thread_busy": busy / dt,
            "p95_gap_ms": gaps[int(0.95 * (len(gaps) - 1))], "longest_gap_ms": gaps[-1], "iteration": iteration}


def _busy(cdp: Any) -> float:
    """Seconds the page's main thread has spent on tasks (scripts, style, layout, paint) so far."""
    return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "TaskDuration")


def run(seconds: float = 5.0) -> dict[str, dict[str, float]]:
    from server.tools.harness import ServerProcess

    out = {}
    for name, demo, configure in CASES:
        with ServerProcess() as srv:
            out[name] = measure(f"http://127.0.0.1:{srv.port}", demo, configure, seconds)
    return out


def table(r: dict[str, dict[str, float]]) -> str:
    lines = ["| page (1920 x 1080, training flat out) | frames received/s | animation frames/s | p95 / longest gap "
             "| page's main thread busy |", "|---|---:|---:|---:|---:|"]
    for name, m in r.items():
        lines.append(f"| {name} | {m['frames_received_per_s']:.1f} | {m['animation_frames_per_s']:.1f} | "
                     f"{m['p95_gap_ms']:.0f} / {m['longest_gap_ms']:.0f} ms | {m['main_thread_busy']:.0%} |")
    return "\n".join(lines)
