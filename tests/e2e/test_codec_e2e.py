"""The page's reader (static/js/socket.js, which every demo page uses) reads a frame as the codec writes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from server import codec
from tests.test_codec import session_frame

pytestmark = pytest.mark.e2e

# A socket that delivers one message as soon as it opens, in place of the browser's WebSocket
READ = """async (text) => {
  class OneMessage {
    constructor(url) {
      this.url = url;
      this.readyState = 1;
      setTimeout(() => { this.onopen && this.onopen(); this.onmessage({ data: text }); }, 0);
    }
    send() {}
    close() {}
  }
  OneMessage.OPEN = 1;
  window.WebSocket = OneMessage;
  const { DemoSocket } = await import("/static/js/socket.js");
  return await new Promise((resolve) => {
    setTimeout(() => resolve(null), 5000);  // never read as a frame
    new DemoSocket("autoencoder", { onFrame: (f) => resolve(f) });
  });
}"""


def test_the_pages_reader_reads_the_codecs_frame(page: Page, live_server) -> None:
    _, text = session_frame()
    page.goto(f"{live_server.url}/")  # any page of the server: socket.js from its /static
    frame = page.evaluate(READ, text)
    assert list(frame) == list(codec.KEYS), "the page sees every key the codec writes, in its order"
    assert frame == codec.read(text)
