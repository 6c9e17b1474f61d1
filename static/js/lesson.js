// The lesson bar: the demo's lecture as steps, walked with one key. A presenter remote sends PageDown / PageUp
// (some also "." and "b"); the arrow keys do the same. The server rebuilds each step's state and pauses its
// training where the step says (server/lesson.py): the page only asks for a step and shows the frames, then sets
// up the step's `view` (what to look at: a panel, a sample, a map cell) through `onView` once the step is built.

const $ = (sel) => document.querySelector(sel);

export class LessonBar {
  constructor(demo, send, onView = null) {
    this.demo = demo;
    this.send = send;
    this.onView = onView;
    this.steps = [];
    this.k = 0; // the step the page asked for (1-based); 0: none yet
    this.shown = false;
    this.el = $("#lesson-bar");
    this.ui = {
      where: $("#lesson-where"), title: $("#lesson-title"), note: $("#lesson-note"), expect: $("#lesson-expect"),
      prev: $("#lesson-prev"), next: $("#lesson-next"), close: $("#lesson-close"), state: $("#lesson-state"),
    };
    this.ready = fetch(`/api/lessons/${demo}`).then((r) => r.json()).then((body) => { this.steps = body.steps || []; });
    this.ui.prev.addEventListener("click", () => this.go(this.k - 1));
    this.ui.next.addEventListener("click", () => this.go(this.k + 1));
    this.ui.close.addEventListener("click", () => this.hide());
    const button = $("#lesson-toggle");
    if (button) button.addEventListener("click", () => (this.shown ? this.hide() : this.show()));
    document.addEventListener("keydown", (ev) => this.key(ev));
  }

  key(ev) {
    const t = ev.target;
    if (!this.shown || (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA"))) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const next = ["PageDown", "ArrowRight", "ArrowDown", "."].includes(ev.key);
    const prev = ["PageUp", "ArrowLeft", "ArrowUp", "b"].includes(ev.key);
    if (!next && !prev) return;
    ev.preventDefault();
    this.go(this.k + (next ? 1 : -1));
  }

  // Show the bar; go to step 1 unless the session is already at a step (a refresh keeps its place).
  async show(atStep = null) {
    await this.ready;
    if (!this.steps.length) return;
    this.reveal();
    if (atStep) { this.k = atStep; this.render(null); } else this.go(1);
  }

  reveal() {
    this.shown = true;
    this.el.classList.remove("hidden");
    document.body.classList.add("lesson-on");
  }

  // The room's lecturer is at step k (the page's `nnp-room` event; controls.js). `drive`: this page's own
  // session goes there too ("follow my step"); else the bar only shows it (a follower watches the lecturer's
  // session, already at k).
  async follow(k, drive) {
    await this.ready;
    if (k < 1 || k > this.steps.length) return;
    if (!this.shown) this.reveal();
    if (drive) { this.go(k); return; }
    this.k = k;
    this.pending = false;
    this.el.dataset.shown = String(k);
    this.render(null);
  }

  hide() {
    this.shown = false;
    this.el.classList.add("hidden");
    document.body.classList.remove("lesson-on");
  }

  go(k) {
    if (k < 1 || k > this.steps.length) return;
    this.k = k;
    this.pending = true;
    this.send({ type: "lesson", step: k });
    this.render(null);
  }

  // Every frame: the step bar says whether the step is being prepared, training, or done.
  onFrame(f) {
    if (!this.shown) return;
    if (this.pending && f.lesson === this.k && f.restart) {
      this.pending = false;
      const step = this.steps[this.k - 1];
      if (this.onView) this.onView(step.view || {}, f);
      this.el.dataset.shown = String(this.k); // the step's panels are set up (tests lay them out from here)
    }
    this.render(f);
  }

  render(f) {
    const s = this.steps[this.k - 1];
    if (!s) return;
    this.ui.where.textContent = `step ${this.k} / ${this.steps.length}`;
    this.ui.title.textContent = s.title;
    this.ui.note.textContent = s.note;
    this.ui.expect.textContent = `The class should see: ${s.expect}`;
    this.ui.prev.disabled = this.k <= 1;
    this.ui.next.disabled = this.k >= this.steps.length;
    let state = "";
    if (this.pending || !f) state = s.continues && this.k > 1 ? "rebuilding (replaying the steps before)..." : "setting up...";
    else if (f.running) state = s.train === "solved" ? "training until solved..." : `training to ${(f.stop_at || 0).toLocaleString("en-US")}...`;
    else if (s.train !== "none") state = "paused where the step ends";
    this.ui.state.textContent = state;
    this.el.dataset.step = String(this.k);
    this.el.dataset.ready = String(!!f && !this.pending && !f.running);
  }
}
