// What every demo page has: play/pause, step, reset, learning rate, speed, seed, "train N", "stop at", "pause
// when solved", the loss chart, the iteration count and speed, the palette toggle, the lesson bar, the shortcut
// list, bookmarks and the previous run's ghost curve, and the keyboard (space, s, r, x, m, l, ?). A demo page calls startDemo() and gets the socket and a hook for
// its own part of each frame.

import * as colors from "./colors.js";
import { LossChart, fmtIt } from "./chart.js";
import { DemoSocket } from "./socket.js";
import { classroom } from "./classroom.js";
import { LessonBar } from "./lesson.js";
import { BookmarkBar } from "./bookmarks.js";
import * as look from "./projector.js";
import { markTouch } from "./touch.js";
import { Look } from "./look.js";

const $ = (sel, root = document) => root.querySelector(sel);
// How the page was asked to look (?lesson, ...), read before the socket tidies the URL.
export const pageFlags = new URLSearchParams(location.search);

export function startDemo(name, { onFrame, onHello, onView, chart = {} } = {}) {
  markTouch();
  const ui = {
    play: $("#play"), step: $("#step"), reset: $("#reset"), lr: $("#lr"), speed: $("#speed"), seed: $("#seed"),
    again: $("#again"), iteration: $("#iteration"), rate: $("#rate"), status: $("#status"), conn: $("#conn"),
    log: $("#log-scale"), palette: $("#palette"), toast: $("#toast"), max: $("#speed-max"), trainN: $("#train-n"), trainGo: $("#train-go"),
    stopAt: $("#stop-at"), pauseSolved: $("#pause-solved"), help: $("#help"), helpOverlay: $("#help-overlay"),
  };
  const lossChart = new LossChart($("#loss-chart"), { log: ui.log ? ui.log.checked : true, ...chart });
  let last = null;
  let toastTimer = null;
  const ghostClear = $("#ghost-clear");
  lossChart.onGhost = (g) => {
    if (!ghostClear) return;
    ghostClear.classList.toggle("hidden", !g);
    if (g) ghostClear.textContent = `clear ${g.label}`;
  };
  if (ghostClear) ghostClear.addEventListener("click", () => lossChart.setGhost(null));
  const own = new Look(name); // a follower's own selection and inspection (look.js)

  const toast = (text, kind = "error") => {
    ui.toast.textContent = text;
    ui.toast.className = `toast ${kind}`;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { ui.toast.className = "toast hidden"; }, 5000);
  };

  let room = null; // the classroom header (link, share, rooms, follower mode)
  const sock = new DemoSocket(name, {
    onHello: (msg) => { if (room) room.onHello(msg); if (onHello) onHello(msg); },
    onError: (msg) => {
      toast(msg.message);
      // A refused value must not stay in its box as if it were in force: show what the session trains with.
      if (msg.command === "set" && last) showParams(last, true);
    },
    onInfo: (msg) => { if (room) room.onInfo(msg); },
    onRoom: (msg) => { if (room) room.onRoom(msg); },
    onState: (state) => {
      ui.conn.textContent = { open: "connected", refused: "not connected" }[state] || "reconnecting...";
      ui.conn.className = `conn ${state === "refused" ? "closed" : state}`;
    },
    onFrame: (raw) => {
      const f = sock.following ? own.apply(raw) : raw;
      if (f.restart) lossChart.reset();
      lossChart.add(f.losses);
      lossChart.setMarks(f.marks);
      bookmarks.onFrame(f);
      ui.iteration.textContent = f.iteration.toLocaleString("en-US");
      ui.rate.textContent = f.its_per_s > 0 ? `${fmtIt(Math.round(f.its_per_s))} it/s` : "idle";
      ui.play.textContent = f.running ? "Pause" : "Play";
      ui.play.classList.toggle("running", f.running);
      ui.play.setAttribute("aria-pressed", String(f.running));
      showParams(f, false);
      if (ui.again) ui.again.textContent = `Again: seed ${f.seed + 1}`;
      ui.status.textContent = f.status || "";
      ui.status.classList.toggle("hidden", !f.status);
      last = raw;
      window.demoFrame = f; // what the page shows now, for tests and the console
      if (lesson) {
        if (firstFrame && pageFlags.has("lesson")) lesson.show(f.lesson);
        lesson.onFrame(f);
      }
      firstFrame = false;
      onFrame && onFrame(f);
    },
  });

  // The boxes show what the session trains with; one being typed in is left alone unless `force`.
  function showParams(f, force) {
    const free = (el) => el && (force || document.activeElement !== el);
    if (free(ui.lr)) ui.lr.value = String(f.lr);
    if (free(ui.seed)) ui.seed.value = String(f.seed);
    if (free(ui.speed)) {
      if (![...ui.speed.options].some((o) => Number(o.value) === f.speed)) {
        ui.speed.add(new Option(`${fmtIt(f.speed)} it/s`, String(f.speed)), ui.speed.options.length - 1);
      }
      ui.speed.value = String(f.speed);
    }
    if (f.speed > 0) slowSpeed = f.speed;
    if (ui.max) ui.max.classList.toggle("active", f.speed === 0);
    if (free(ui.stopAt)) ui.stopAt.value = f.stop_at ? String(f.stop_at) : "";
    if (ui.pauseSolved) ui.pauseSolved.checked = !!f.pause_solved;
  }
  if (pageFlags.has("projector")) look.set(true);
  if (pageFlags.get("hide")) look.hide(pageFlags.get("hide").split(","));
  let firstFrame = true;
  let slowSpeed = null; // the speed "max" goes back to
  // A lesson step's view (models/lesson.py): `panel` is outlined and scrolled to, `sample` selected; the demo's
  // own keys (a map cell, a stage) go to its onView.
  const showView = (view, f) => {
    document.querySelectorAll(".lesson-focus").forEach((el) => el.classList.remove("lesson-focus"));
    const panel = view.panel && $(`.${view.panel}-panel`);
    if (panel) panel.classList.add("lesson-focus");
    if (Number.isInteger(view.sample) && view.sample !== f.selected) send({ type: "select", sample: view.sample });
    if (onView) onView(view, f);
    requestAnimationFrame(() => reveal($(".lesson-focus"))); // once the step's frame is drawn: its final height
  };
  const lesson = $("#lesson-bar") ? new LessonBar(name, (cmd) => sock.send(cmd), showView) : null;

  room = classroom(sock, { toast });
  // The lecturer's lesson step (classroom.js fires `nnp-room` with the room's state): a follower's step bar shows
  // it; a student's own sandbox goes there when "follow my step" is on and the step (or the setting) changed.
  let roomBefore = null;
  window.addEventListener("nnp-room", ({ detail: r }) => {
    const before = roomBefore;
    roomBefore = r;
    if (!lesson || r.step < 1) return;
    if (sock.following) { if (!r.spotlight && r.shown_demo === name) lesson.follow(r.step, false); return; }
    const moved = !before || before.step !== r.step || !before.follow_step;
    if (r.follow_step && moved && r.demo === name) lesson.follow(r.step, !last || last.lesson !== r.step);
  });
  const send = (cmd) => {
    if (sock.following && own.take(cmd)) { if (last && onFrame) onFrame(own.apply(last)); return; }
    sock.send(cmd);
  };
  const bookmarks = new BookmarkBar(send, lossChart);
  // A new run (reset, a new seed, "again"): the one on the chart now stays as a faint curve, for comparison.
  const rerun = (seed) => {
    if (last && !sock.following) lossChart.keepGhost(`seed ${last.seed}`);
    send(seed === undefined ? { type: "reset" } : { type: "reset", seed });
  };
  const toggle = () => send({ type: last && last.running ? "pause" : "play" });
  ui.play.addEventListener("click", toggle);
  ui.step.addEventListener("click", () => send({ type: "step", n: 1 }));
  ui.reset.addEventListener("click", () => rerun(Number(ui.seed.value) || 0));
  ui.lr.addEventListener("change", () => {
    const lr = Number(ui.lr.value);
    if (!(lr > 0) || !Number.isFinite(lr)) {
      toast("the learning rate must be a number above 0");
      if (last) showParams(last, true);
      return;
    }
    send({ type: "set", lr });
  });
  const toggleMax = () => {
    if (!last) return;
    send({ type: "set", speed: last.speed === 0 ? (slowSpeed || 1000) : 0 });
  };
  if (ui.max) ui.max.addEventListener("click", toggleMax);
  if (ui.trainGo) ui.trainGo.addEventListener("click", () => {
    const n = Math.floor(Number(ui.trainN.value));
    if (!(n >= 1 && n <= 100000)) { toast("train 1 to 100,000 iterations at a time"); return; }
    send({ type: "play", n });
  });
  if (ui.stopAt) ui.stopAt.addEventListener("change", () => {
    const v = ui.stopAt.value.trim() === "" ? 0 : Math.floor(Number(ui.stopAt.value));
    if (!(v >= 0)) { toast("stop at an iteration: a whole number, or empty for never"); if (last) showParams(last, true); return; }
    send({ type: "set", stop_at: v });
  });
  if (ui.pauseSolved) ui.pauseSolved.addEventListener("change", () => send({ type: "set", pause_solved: ui.pauseSolved.checked }));
  const help = (on) => ui.helpOverlay && ui.helpOverlay.classList.toggle("hidden", !on);
  if (ui.help) ui.help.addEventListener("click", () => help(ui.helpOverlay.classList.contains("hidden")));
  const more = $("#controls-more"); // a phone shows Play, Step, Reset and the speed; the rest behind this
  if (more) more.addEventListener("click", () => {
    const open = more.closest(".controls").classList.toggle("open");
    more.setAttribute("aria-expanded", String(open));
    more.textContent = open ? "Less" : "More";
  });
  const helpClose = $("#help-close");
  if (helpClose) helpClose.addEventListener("click", () => help(false));
  // "Run it again, to see it is no fluke" (lecture): the next seed and play, in one click.
  if (ui.again) ui.again.addEventListener("click", () => {
    rerun((last ? last.seed : Number(ui.seed.value) || 0) + 1);
    send({ type: "play" });
  });
  ui.seed.addEventListener("change", () => rerun(Math.max(0, Math.floor(Number(ui.seed.value) || 0))));
  if (ui.speed) ui.speed.addEventListener("change", () => send({ type: "set", speed: Number(ui.speed.value) }));
  if (ui.log) ui.log.addEventListener("change", () => lossChart.setLog(ui.log.checked));
  const logX = $("#log-x");
  if (logX) logX.addEventListener("change", () => lossChart.setLogX(logX.checked));
  if (ui.palette) {
    const label = () => { ui.palette.textContent = `Colours: ${colors.palette().name}`; };
    label();
    ui.palette.addEventListener("click", () => { colors.togglePalette(); label(); });
  }
  // A clicked button keeps focus, and space would then press it a second time: hand focus back to the page.
  document.addEventListener("click", (ev) => { if (ev.target.closest && ev.target.closest("button")) ev.target.closest("button").blur(); });
  // Enter commits a typed value and hands the keyboard back to the shortcuts.
  document.querySelectorAll(".controls input").forEach((el) => el.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") el.blur();
  }));
  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === " ") { ev.preventDefault(); toggle(); }
    else if (ev.key === "s") send({ type: "step", n: 1 });
    else if (ev.key === "r") rerun();
    else if (ev.key === "x") toggleMax();
    else if (ev.key === "m") bookmarks.mark();
    else if (ev.key === "p") look.toggle();
    else if (ev.key === "f") look.fullPanel();
    else if (ev.key === "?") help(ui.helpOverlay.classList.contains("hidden"));
    else if (ev.key === "Escape") help(false);
    else if (ev.key === "l" && lesson) (lesson.shown ? lesson.hide() : lesson.show(last && last.lesson));
  });
  return { send, toast, chart: lossChart, last: () => last, socket: sock, lesson };
}

// Scroll a lesson step's panel into view, as little as it takes, not past the panel's own top, and not past the
// step bar's top unless the panel would stay mostly out of sight: the class keeps the step's title in view.
function reveal(panel, tries = 10) {
  if (!panel) return;
  const r = panel.getBoundingClientRect();
  // not laid out yet (a panel the step's first frames fill in, as the knockout's seeds): look again shortly
  if (!r.height) { if (tries > 0) setTimeout(() => reveal(panel, tries - 1), 200); return; }
  if (r.top >= 0 && r.bottom <= innerHeight) return;
  const bar = $("#lesson-bar");
  let y = scrollY + r.top - 8; // above the view: up to its top
  if (r.top >= 0) {
    const barTop = bar && !bar.classList.contains("hidden") ? scrollY + bar.getBoundingClientRect().top - 4 : Infinity;
    y = Math.min(scrollY + r.bottom - innerHeight + 8, y);
    // keep the step bar on screen when that still shows a good part of the panel; else the panel comes first
    if (y > barTop && scrollY + r.top < barTop + innerHeight * 0.6) y = barTop;
  }
  if (Math.abs(y - scrollY) > 1) window.scrollTo({ top: Math.max(0, y) });
}
