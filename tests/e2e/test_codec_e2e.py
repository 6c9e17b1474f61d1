"""The page's reader (static/js/socket.js and frame.js, which every demo page uses) reads a frame as the codec writes
it: the same object, its arrays typed arrays viewing the message."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from server import codec
from tests.test_codec import session_frame

pytestmark = pytest.mark.e2e

# A socket that delivers one binary message as soon as it opens, in place of the browser's WebSocket. The frame
# comes back with its typed arrays as plain arrays (and what they were), for Python to compare.
READ = """async (bytes) => {
  const data = new Uint8Array(bytes).buffer;
  class OneMessage {
    constructor(url) {
      this.url = url;
      this.readyState = 1;
      setTimeout(() => { this.onopen && this.onopen(); this.onmessage({ data }); }, 0);
    }
    send() {}
    close() {}
  }
  OneMessage.OPEN = 1;
  window.WebSocket = OneMessage;
  const { DemoSocket } = await import("/static/js/socket.js");
  const frame = await new Promise((resolve) => {
    setTimeout(() => resolve(null), 5000);  // never read as a frame
    new DemoSocket("autoencoder", { onFrame: (f) => resolve(f) });
  });
  const kinds = new Set();
  const plain = (v) => {
    if (ArrayBuffer.isView(v)) { kinds.add(v.constructor.name); return Array.from(v); }
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  return { frame: plain(frame), kinds: [...kinds],
           weights: frame.demo.net.weights[0][0] instanceof Float64Array,
           inPlace: frame.demo.net.weights[0][0].buffer === data,
           shared: [frame.demo.net.values[2], frame.demo.columns.output, frame.demo.net.alive[0]].map(
             (a) => a.buffer === data && a.byteOffset % 8 === 0) };
}"""


def test_the_pages_reader_reads_the_codecs_frame(page: Page, live_server) -> None:
    _, data = session_frame()
    page.goto(f"{live_server.url}/")  # any page of the server: socket.js from its /static
    got = page.evaluate(READ, list(data))
    frame = got["frame"]
    assert list(frame) == list(codec.KEYS), "the page sees every key the codec writes, in its order"
    assert frame == codec.read(data)
    assert got["weights"] and got["inPlace"], "a weight row is a Float64Array viewing the message, not a copy"
    assert got["shared"] == [True] * 3, "references into the network's one block are views of the message too"
    assert got["kinds"] == ["Float64Array"]
