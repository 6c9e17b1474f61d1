// The page's websocket: one session per tab (its id survives a refresh), reconnects on its own.

export class DemoSocket {
  constructor(demo, handlers) {
    this.demo = demo;
    this.h = handlers; // onHello(msg), onFrame(frame), onError(msg), onState("open" | "closed")
    this.key = `nnp-session-${demo}`;
    this.delay = 250;
    this.ws = null;
    this.queue = [];
    this.connect();
  }

  get sessionId() {
    const fromUrl = new URLSearchParams(location.search).get("session");
    return fromUrl || sessionStorage.getItem(this.key);
  }

  connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const sid = this.sessionId;
    const url = `${proto}://${location.host}/ws/${this.demo}` + (sid ? `?session=${encodeURIComponent(sid)}` : "");
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 250;
      this.h.onState && this.h.onState("open");
      for (const m of this.queue.splice(0)) ws.send(m);
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.type === "frame") this.h.onFrame(msg);
      else if (msg.type === "hello") {
        sessionStorage.setItem(this.key, msg.session);
        this.h.onHello && this.h.onHello(msg);
      } else if (msg.type === "error") this.h.onError && this.h.onError(msg);
    };
    ws.onclose = () => {
      this.h.onState && this.h.onState("closed");
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(5000, this.delay * 2);
    };
  }

  send(cmd) {
    const text = JSON.stringify(cmd);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
    else this.queue.push(text);
  }
}
