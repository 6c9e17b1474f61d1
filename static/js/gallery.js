// The lecturer's dashboard: every student sandbox of the room as a card (what the student did, a small live
// network, a loss sparkline, iteration and solved state), per demo, sorted and filtered; a card enlarges and can
// be put in the spotlight; the class aggregates (loss histogram, solve iterations, every boundary on one plane).
// Polls once a second with the lecturer key this browser keeps for the room.

import { NetView } from "./netview.js";
import { adoptKey, api } from "./roomkeys.js";
import { followStepButton, paceButton } from "./lecturer.js";
import { drawCard, drawHistogram, drawOverlay, drawSpark } from "./cards.js";

const $ = (sel) => document.querySelector(sel);
const main = $(".gallery-page");
const code = main.dataset.code;
let key = null;
let data = null; // the newest /gallery answer
let demo = main.dataset.demo; // the demo whose cards are shown
let big = null; // the seat enlarged
const cards = new Map(); // seat -> {root, view, who, stats, pic, spark}
const bigNet = new NetView($("#dash-big-net"), {});

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

const fmtLoss = (v) => (v == null ? "-" : v < 1e-3 ? v.toExponential(1) : v.toFixed(4));
const label = (s) => (s.name ? `${s.seat} ${s.name}` : s.seat); // names only come when not anonymized

function card(seat) {
  const who = el("div", { className: "who" }), stats = el("div", { className: "who" });
  const pic = el("canvas", { className: "pic" }), net = el("canvas", { className: "thumb-net" }), spark = el("canvas", { className: "spark" });
  pic.setAttribute("aria-label", `what student ${seat} did`);
  net.setAttribute("aria-label", `network of student ${seat}`);
  const pics = el("div", { className: "pics" }, pic, net);
  const root = el("button", { className: "student", type: "button" }, who, pics, spark, stats);
  root.dataset.seat = seat;
  root.addEventListener("click", () => { big = seat; renderBig(); });
  return { root, view: new NetView(net, {}), who, stats, pics, pic, spark };
}

function sorted(list) {
  const by = $("#dash-sort").value;
  const loss = (s) => (s.loss == null ? Infinity : s.loss);
  const cmp = {
    seat: (a, b) => a.seat.localeCompare(b.seat),
    loss: (a, b) => loss(a) - loss(b),
    solved: (a, b) => (b.solved - a.solved) || loss(a) - loss(b),
    active: (a, b) => b.active - a.active,
  }[by];
  return [...list].sort(cmp);
}

function renderDemos() {
  const demos = [...new Set([data.room.demo, ...data.students.map((s) => s.demo)])];
  if (!demos.includes(demo)) demo = data.room.demo;
  $("#dash-demos").replaceChildren(...demos.map((d) => {
    const n = data.students.filter((s) => s.demo === d).length;
    const b = el("button", { className: `view${d === demo ? " active" : ""}`, textContent: `${d} (${n})`, role: "tab" });
    b.setAttribute("aria-selected", String(d === demo));
    b.addEventListener("click", () => { demo = d; render(); });
    return b;
  }));
}

function renderAggregate(students) {
  const agg = data.aggregates[demo];
  const box = $("#dash-aggregate");
  if (!agg) { box.replaceChildren(el("p", { className: "hint", textContent: `No student sandbox of ${demo} yet.` })); return; }
  const parts = [el("div", { className: "agg-head" },
    el("b", { className: "agg-count", textContent: `${agg.students} student${agg.students === 1 ? "" : "s"}` }),
    el("span", { textContent: ` · ${agg.solved} solved` }))];
  const hist = (h, what) => {
    const c = el("canvas", { className: "agg-hist" });
    c.setAttribute("aria-label", what);
    parts.push(el("figure", {}, c, el("figcaption", { textContent: what })));
    requestAnimationFrame(() => drawHistogram(c, h, ""));
  };
  if (agg.loss.counts.length) hist(agg.loss, "losses (log scale)");
  if (agg.solved_at.counts.length) hist(agg.solved_at, "iteration each solved at");
  const planes = students.map((s) => s.card).filter((c) => c && c.kind === "plane");
  if (planes.length) {
    const c = el("canvas", { className: "agg-overlay" });
    c.setAttribute("aria-label", "every student's boundary on one plane");
    parts.push(el("figure", {}, c, el("figcaption", { textContent: `${planes.length} boundaries on one plane` })));
    requestAnimationFrame(() => drawOverlay(c, planes));
  }
  box.replaceChildren(...parts);
}

function render() {
  if (!data) return;
  renderDemos();
  const online = $("#dash-online").checked;
  const of = data.students.filter((s) => s.demo === demo);
  const shown = sorted(of.filter((s) => !online || s.online));
  $("#gallery-count").textContent = `${data.students.length} student sandbox${data.students.length === 1 ? "" : "es"}`;
  $("#dash-anon").checked = data.room.anonymous;
  const spot = data.room.spotlight;
  $("#dash-spot").classList.toggle("hidden", !spot);
  $("#dash-spot-text").textContent = spot ? `Spotlight on ${spot}` : "";
  renderAggregate(of);
  const box = $("#gallery");
  if (!shown.length) {
    box.replaceChildren(el("p", { className: "gallery-empty", textContent: of.length ? "Nobody online in this demo." : `No student sandboxes of ${demo} yet: students open /join/${code} and press "Fork into my sandbox".` }));
    return;
  }
  for (const s of shown) {
    let c = cards.get(s.seat);
    if (!c) { c = card(s.seat); cards.set(s.seat, c); }
    c.root.classList.toggle("offline", !s.online);
    c.root.classList.toggle("diverged", !!s.status);
    c.root.classList.toggle("solved", !!s.solved);
    c.root.classList.toggle("spotlit", spot === s.seat);
    c.who.replaceChildren(el("b", { textContent: label(s) }),
      el("span", { textContent: s.status ? "diverged" : s.online ? (s.running ? "training" : "paused") : "offline" }));
    c.stats.replaceChildren(el("span", { textContent: `it ${s.iteration.toLocaleString("en-US")}` }),
      el("span", { className: "solved-mark", textContent: s.solved ? "solved" : "" }),
      el("span", { textContent: `loss ${fmtLoss(s.loss)}` }));
    if (s.net && s.net.sizes) c.view.set(s.net);
    c.pics.classList.toggle("single", !(s.net && s.net.sizes)); // convolution: its filters are on the card itself
  }
  box.replaceChildren(...shown.map((s) => cards.get(s.seat).root));
  requestAnimationFrame(() => shown.forEach((s) => { const c = cards.get(s.seat); drawCard(c.pic, s.card); drawSpark(c.spark, s.spark || []); }));
  renderBig();
}

function renderBig() {
  const s = big && data && data.students.find((x) => x.seat === big);
  $("#dash-big").classList.toggle("hidden", !s);
  if (!s) return;
  $("#dash-big-title").textContent = `${label(s)} · ${s.demo}`;
  $("#dash-big-stats").textContent = `iteration ${s.iteration.toLocaleString("en-US")} · loss ${fmtLoss(s.loss)}${s.solved ? " · solved" : ""}`;
  $("#dash-big-spot").textContent = data.room.spotlight === s.seat ? "Back to my network" : "Spotlight to the class";
  if (s.net && s.net.sizes) bigNet.set(s.net);
  requestAnimationFrame(() => drawCard($("#dash-big-card"), s.card));
}

const note = (text) => { $("#gallery-note").textContent = text; };

async function spotlight(seat) {
  try {
    data.room = await api("POST", `/api/rooms/${code}/spotlight`, { seat }, key);
    render();
  } catch (e) { note(`spotlight failed: ${e.message}`); }
}

$("#dash-big-close").addEventListener("click", () => { big = null; renderBig(); });
$("#dash-big-spot").addEventListener("click", () => spotlight(data.room.spotlight === big ? null : big));
$("#dash-spot-off").addEventListener("click", () => spotlight(null));
$("#dash-sort").addEventListener("change", render);
$("#dash-online").addEventListener("change", render);
$("#dash-anon").addEventListener("change", async (ev) => {
  try { data.room = await api("POST", `/api/rooms/${code}/anonymous`, { on: ev.target.checked }, key); poll(false); }
  catch (e) { note(`anonymize failed: ${e.message}`); }
});
document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") { big = null; renderBig(); } });

async function poll(again = true) {
  try {
    data = await api("GET", `/api/rooms/${code}/gallery`, undefined, key);
    render();
  } catch (e) {
    note(e.status ? e.message : `cannot reach the server (${e.message}); retrying`);
  }
  if (again) setTimeout(poll, 1000);
}

(async () => {
  key = await adoptKey(code);
  if (!key) { note(`This browser does not have the lecturer key of room ${code}: open the dashboard from the lecturer's page.`); return; }
  $("#dash-pace").replaceChildren(paceButton(code, key, { toast: (t) => note(t) }),
    followStepButton(code, key, { toast: (t) => note(t) }));
  poll();
})();
