// The lecturer's gallery: every student sandbox of the room as a small live network (green / red weights),
// with its iteration and loss. Polls once a second with the lecturer key this browser keeps for the room.

import { NetView } from "./netview.js";
import { roomKey } from "./classroom.js";

const $ = (sel) => document.querySelector(sel);
const main = $(".gallery-page");
const code = main.dataset.code;
const fromHash = new URLSearchParams(location.hash.slice(1)).get("key");
if (fromHash) localStorage.setItem(`nnp-room-key-${code}`, fromHash);
const key = roomKey(code);
const cards = new Map(); // seat -> {root, view, who, stats}

function card(seat) {
  const root = document.createElement("div");
  root.className = "student";
  root.dataset.seat = seat;
  const canvas = document.createElement("canvas");
  canvas.setAttribute("aria-label", `network of student ${seat}`);
  const who = document.createElement("div");
  who.className = "who";
  const stats = document.createElement("div");
  stats.className = "who";
  root.append(who, canvas, stats);
  return { root, view: new NetView(canvas, {}), who, stats };
}

function fmtLoss(v) { return v == null ? "-" : v < 1e-3 ? v.toExponential(1) : v.toFixed(4); }

function render(students) {
  $("#gallery-count").textContent = `${students.length} student${students.length === 1 ? "" : "s"}`;
  const box = $("#gallery");
  if (!students.length) {
    box.replaceChildren(Object.assign(document.createElement("p"), {
      className: "gallery-empty", textContent: `No student sandboxes yet: students open /join/${code} and press "Fork into my sandbox".` }));
    cards.clear();
    return;
  }
  const seen = new Set();
  for (const s of students) {
    seen.add(s.seat);
    let c = cards.get(s.seat);
    if (!c) { c = card(s.seat); cards.set(s.seat, c); }
    c.root.classList.toggle("offline", !s.online);
    c.root.classList.toggle("diverged", !!s.status);
    c.who.innerHTML = "<b></b><span></span>";
    c.who.firstChild.textContent = s.seat;
    c.who.lastChild.textContent = s.status ? "diverged" : s.online ? (s.running ? "training" : "paused") : "offline";
    c.stats.innerHTML = "<span></span><span></span>";
    c.stats.firstChild.textContent = `it ${s.iteration.toLocaleString("en-US")}`;
    c.stats.lastChild.textContent = `loss ${fmtLoss(s.loss)}`;
    if (s.net && s.net.sizes) c.view.set(s.net);
  }
  for (const [seat, c] of cards) if (!seen.has(seat)) cards.delete(seat);
  box.replaceChildren(...students.map((s) => cards.get(s.seat).root));
}

async function poll() {
  try {
    const r = await fetch(`/api/rooms/${code}/gallery`, { headers: { "X-Room-Key": key || "" } });
    const data = await r.json();
    if (!r.ok) { $("#gallery-note").textContent = data.detail || `error ${r.status}`; return; }
    render(data.students);
  } catch (e) {
    $("#gallery-note").textContent = `cannot reach the server (${e.message}); retrying`;
  }
  setTimeout(poll, 1000);
}

if (!key) $("#gallery-note").textContent = `This browser does not have the lecturer key of room ${code}: open the gallery from the lecturer's page.`;
else poll();
