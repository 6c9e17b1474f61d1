// The page's websocket: one session per tab (its id survives a refresh), reconnects on its own.
// What it connects to comes from the URL: ?follow=CODE follows a room read-only, ?join=CODE opens a student
// sandbox copying the room's lecturer, ?fork=ID opens a copy
// of a shared session, ?session=ID (or this tab's stored id) reopens one; forkRoom() turns a follower into a
// student with a sandbox of their own. Frames come as binary messages (static/js/frame.js reads them), everything
// else as JSON text.

import { isFrame, readFrame } from "./frame.js";

// What this page's sockets received: binary frames, and JSON text messages by type (the browser tests read it)
export const received = { frames: 0, text: {} };

function initialParams(demo, key) {
  const q = new URLSearchParams(location.search);
  if (q.get("follow")) return { follow: q.get("follow") }; // a lecture page's view of the room
  if (q.get("join")) return { join: q.get("join") }; // a new student sandbox of the room
  if (q.get("fork")) return { fork: q.get("fork") };
  const sid = q.get("session") || sessionStorage.getItem(key);
  return sid ? { session: sid } : {};
}

export class DemoSocket {
  constructor(demo, handlers) {
    this.demo = demo;
    this.h = handlers; // onHello(msg), onFrame(frame), onError(msg), onInfo(msg), onRoom(msg), onState("open" | "closed" | "refused")
    this.key = `nnp-session-${demo}`;
    this.params = initialParams(demo, this.key);
    this.delay = 250;
    this.ws = null;
    this.queue = [];
    this.hello = null;
    this.connect();
  }

  get sessionId() { return this.hello && this.hello.mode === "sandbox" ? this.hello.session : null; }
  get following() { return !!this.params.follow; }

  connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const q = new URLSearchParams(this.params).toString();
    const ws = new WebSocket(`${proto}://${location.host}/ws/${this.demo}` + (q ? `?${q}` : ""));
    ws.binaryType = "arraybuffer"; // a frame's blocks are viewed in place as typed arrays
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 250;
      this.h.onState && this.h.onState("open");
      for (const m of this.queue.splice(0)) ws.send(m);
    };
    ws.onmessage = (ev) => {
      if (isFrame(ev.data)) {
        received.frames++;
        this.h.onFrame(readFrame(ev.data));
        return;
      }
      const msg = JSON.parse(ev.data);
      received.text[msg.type] = (received.text[msg.type] || 0) + 1;
      if (msg.type === "hello") this.welcome(msg);
      else if (msg.type === "error") this.h.onError && this.h.onError(msg);
      else if (msg.type === "info") this.h.onInfo && this.h.onInfo(msg);
      else if (msg.type === "room") this.h.onRoom && this.h.onRoom(msg);
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return; // a socket replaced on purpose (a fork)
      // Refused (no such room, server full): a follower has nothing to come back to; a sandbox tries again later.
      if (ev.code === 1008 && this.following) { this.h.onState && this.h.onState("refused"); return; }
      if (ev.code === 1000 && this.following) { this.h.onState && this.h.onState("refused"); return; }
      this.h.onState && this.h.onState("closed");
      setTimeout(() => this.connect(), ev.code === 1008 ? 5000 : this.delay);
      this.delay = Math.min(5000, this.delay * 2);
    };
  }

  welcome(msg) {
    this.hello = msg;
    if (msg.mode === "sandbox") {
      sessionStorage.setItem(this.key, msg.session);
      // Another id than asked for: the old one was never changed (so not kept) or could not be read back.
      if (!this.params.session || this.params.session !== msg.session) {
        // A fork or a new student sandbox: from now on this tab is that session; the URL says so no longer
        // (a refresh must not fork again), the tab's storage does.
        this.params = { session: msg.session };
        // Page flags (?lesson, ?projector, hide flags) stay: they say how to show the page, not which session.
        const q = new URLSearchParams(location.search);
        for (const which of ["fork", "session", "follow", "join"]) q.delete(which);
        const url = `/demos/${this.demo}` + (q.toString() ? `?${q.toString().replace(/=(&|$)/g, "$1")}` : "");
        if (location.pathname + location.search !== url) history.replaceState(null, "", url);
      }
    }
    this.h.onHello && this.h.onHello(msg);
  }

  // Follower -> student: a sandbox copying the lecturer's network, in the room.
  forkRoom() {
    if (!this.following) return;
    this.params = { join: this.params.follow };
    this.queue = [];
    const old = this.ws;
    this.ws = null;
    if (old) old.close();
    this.connect();
  }

  // true once sent (or queued until the socket opens); false when refused here, the page told why
  send(cmd) {
    const text = JSON.stringify(cmd);
    // The server closes the connection (1009) on a larger message, before reading it: refuse it here, with words.
    const max = this.hello && this.hello.max_message_bytes;
    const bytes = max && text.length * 3 > max ? new TextEncoder().encode(text).length : 0;
    if (max && bytes > max) {
      this.h.onError && this.h.onError({ type: "error", command: cmd.type,
        message: `too large to send (${bytes.toLocaleString()} bytes; this server takes ${max.toLocaleString()}, NNP_MAX_MESSAGE_BYTES)` });
      return false;
    }
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
    else this.queue.push(text);
    return true;
  }
}
