// What every demo page has: play/pause, step, reset, learning rate, speed, seed, the loss chart, the
// iteration count and speed, the palette toggle, and the keyboard (space, s, r). A demo page calls
// startDemo() and gets the socket and a hook for its own part of each frame.

import * as colors from "./colors.js";
import { LossChart, fmtIt } from "./chart.js";
import { DemoSocket } from "./socket.js";
import { classroom } from "./classroom.js";
import { markTouch } from "./touch.js";
import { Look } from "./look.js";

const $ = (sel, root = document) => root.querySelector(sel);

export function startDemo(name, { onFrame, onHello, chart = {} } = {}) {
  markTouch();
  const ui = {
    play: $("#play"), step: $("#step"), reset: $("#reset"), lr: $("#lr"), speed: $("#speed"), seed: $("#seed"),
    iteration: $("#iteration"), rate: $("#rate"), status: $("#status"), conn: $("#conn"), log: $("#log-scale"),
    palette: $("#palette"), toast: $("#toast"),
  };
  const lossChart = new LossChart($("#loss-chart"), { log: ui.log ? ui.log.checked : true, ...chart });
  let last = null;
  let toastTimer = null;
  const look = new Look(name); // a follower's own selection and inspection (look.js)

  const toast = (text, kind = "error") => {
    ui.toast.textContent = text;
    ui.toast.className = `toast ${kind}`;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { ui.toast.className = "toast hidden"; }, 5000);
  };

  let room = null; // the classroom header (link, share, rooms, follower mode)
  const sock = new DemoSocket(name, {
    onHello: (msg) => { if (room) room.onHello(msg); if (onHello) onHello(msg); },
    onError: (msg) => toast(msg.message),
    onInfo: (msg) => { if (room) room.onInfo(msg); },
    onRoom: (msg) => { if (room) room.onRoom(msg); },
    onState: (state) => {
      ui.conn.textContent = { open: "connected", refused: "not connected" }[state] || "reconnecting...";
      ui.conn.className = `conn ${state === "refused" ? "closed" : state}`;
    },
    onFrame: (raw) => {
      const f = sock.following ? look.apply(raw) : raw;
      if (f.restart) lossChart.reset();
      lossChart.add(f.losses);
      ui.iteration.textContent = f.iteration.toLocaleString("en-US");
      ui.rate.textContent = f.its_per_s > 0 ? `${fmtIt(Math.round(f.its_per_s))} it/s` : "idle";
      ui.play.textContent = f.running ? "Pause" : "Play";
      ui.play.classList.toggle("running", f.running);
      ui.play.setAttribute("aria-pressed", String(f.running));
      if (document.activeElement !== ui.lr) ui.lr.value = String(f.lr);
      if (document.activeElement !== ui.seed) ui.seed.value = String(f.seed);
      if (ui.speed && document.activeElement !== ui.speed) ui.speed.value = String(f.speed);
      ui.status.textContent = f.status || "";
      ui.status.classList.toggle("hidden", !f.status);
      last = raw;
      onFrame && onFrame(f);
    },
  });

  room = classroom(sock, { toast });
  const send = (cmd) => {
    if (sock.following && look.take(cmd)) { if (last && onFrame) onFrame(look.apply(last)); return; }
    sock.send(cmd);
  };
  const toggle = () => send({ type: last && last.running ? "pause" : "play" });
  ui.play.addEventListener("click", toggle);
  ui.step.addEventListener("click", () => send({ type: "step", n: 1 }));
  ui.reset.addEventListener("click", () => send({ type: "reset", seed: Number(ui.seed.value) || 0 }));
  ui.lr.addEventListener("change", () => {
    const lr = Number(ui.lr.value);
    if (!(lr > 0) || !Number.isFinite(lr)) { toast("the learning rate must be a number above 0"); return; }
    send({ type: "set", lr });
  });
  ui.seed.addEventListener("change", () => send({ type: "reset", seed: Math.max(0, Math.floor(Number(ui.seed.value) || 0)) }));
  if (ui.speed) ui.speed.addEventListener("change", () => send({ type: "set", speed: Number(ui.speed.value) }));
  if (ui.log) ui.log.addEventListener("change", () => lossChart.setLog(ui.log.checked));
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
    else if (ev.key === "r") send({ type: "reset" });
  });
  return { send, toast, chart: lossChart, last: () => last, socket: sock };
}
