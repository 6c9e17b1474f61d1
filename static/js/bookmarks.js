// Bookmarks: "Mark" (or m) keeps this moment on the server (server/bookmarks.py: the whole network, the chart, the
// iteration); each one is listed here and drawn on the chart, and "jump back" returns to it exactly, paused.

const $ = (sel) => document.querySelector(sel);

export class BookmarkBar {
  constructor(send, chart) {
    this.send = send;
    this.chart = chart;
    this.list = $("#bookmarks");
    this.items = [];
    const mark = $("#bookmark");
    if (mark) mark.addEventListener("click", () => this.mark());
    if (this.list) this.list.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-index]");
      if (!b) return;
      const index = Number(b.dataset.index);
      this.send(b.classList.contains("forget") ? { type: "unbookmark", index } : { type: "jump", index });
    });
  }

  mark() { this.send({ type: "bookmark" }); }

  onFrame(f) {
    const next = f.bookmarks || [];
    if (JSON.stringify(next) === JSON.stringify(this.items)) return;
    this.items = next;
    this.chart.setBookmarks(next);
    if (!this.list) return;
    this.list.classList.toggle("hidden", !next.length);
    this.list.replaceChildren(...next.map(([it, name], i) => {
      const item = document.createElement("span");
      item.className = "bookmark";
      const jump = document.createElement("button");
      jump.dataset.index = String(i);
      jump.className = "jump";
      jump.title = `jump back to iteration ${it.toLocaleString("en-US")} exactly (paused)`;
      jump.textContent = `\u21a9 ${name}`;
      const forget = document.createElement("button");
      forget.dataset.index = String(i);
      forget.className = "forget ghost";
      forget.setAttribute("aria-label", `forget ${name}`);
      forget.textContent = "\u00d7";
      item.append(jump, forget);
      return item;
    }));
  }
}
