// Demo 3: neuron knockout. The wide net's plateau and cliff, knocking neurons out (click, or one per column),
// a narrow net from scratch that gets stuck, dropout, and many seeds of both experiments at once.

import { startDemo } from "../controls.js";
import { NetView } from "../netview.js";
import { fmtIt } from "../chart.js";
import { renderSamples } from "../samples.js";
import * as colors from "../colors.js";

const $ = (sel) => document.querySelector(sel);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};
const num = (n) => Number(n).toLocaleString("en-US");
let frame = null;

const net = new NetView($("#net"), {
  bottomUp: [true, false, false, false, false, false, false], // shadow levels bottom-up, like the shadow itself
  captions: ["shadow", "column 1", "column 2", "column 3", "column 4", "column 5", "output"],
  onClick: (layer, unit) => {
    const last = frame ? frame.demo.net.sizes.length - 1 : 6;
    if (layer === 0 || layer === last) { demo.toast("only hidden neurons (columns 1-5) can be knocked out", "info"); return; }
    demo.send({ type: "knock", layer, unit });
  },
});

const demo = startDemo("knockout", { onFrame: render, chart: { label: "error (MSE)" } });

// ------------------------------------------------------------------ tools
$("#knock-column").addEventListener("click", () => demo.send({ type: "knock_one_per_column" }));
$("#autoprune").addEventListener("click", () => {
  demo.send({ type: "autoprune", to: frame && frame.demo.prune_to ? 0 : 2 });
});
$("#narrow").addEventListener("click", () => demo.send({ type: "narrow", width: Number($("#narrow-width").value) }));
const sendDropout = () => demo.send({ type: "dropout", on: $("#dropout").checked, p: Number($("#dropout-p").value) });
$("#dropout").addEventListener("change", sendDropout);
$("#dropout-p").addEventListener("input", () => { $("#dropout-p-value").textContent = Number($("#dropout-p").value).toFixed(2); });
$("#dropout-p").addEventListener("change", sendDropout);
$("#batch-run").addEventListener("click", () => {
  demo.send({ type: "batch", on: true, seeds: Number($("#batch-seeds").value), steps: Number($("#batch-steps").value) });
  if (!(frame && frame.running)) demo.send({ type: "play" }); // the batch trains in the session's slices
});
$("#batch-stop").addEventListener("click", () => demo.send({ type: "batch", on: false }));

// ------------------------------------------------------------------ frame
function render(f) {
  frame = f;
  const d = f.demo;
  net.set(d.net, { dropped: d.dropped });
  $("#net-title").textContent = `10 levels \u2192 5 columns of ${d.width} \u2192 cheetah / zebra / giraffe`;
  renderSolved(d);
  renderTools(d);
  renderOutputs(d);
  renderSamples($("#samples"), d, d.selected, (i) => demo.send({ type: "select", sample: i }));
  renderChanges(d);
  renderBatch(d.batch, f.running);
}

function renderSolved(d) {
  const badge = $("#solved");
  const last = d.changes.length ? d.changes[d.changes.length - 1] : null;
  const retraining = last && last.solved_after == null && !last.interrupted;
  if (d.solved_at == null) badge.textContent = "not solved yet";
  else if (retraining) badge.textContent = `solved at ${num(d.solved_at)}; retraining since ${num(last.at)}`;
  else badge.textContent = `solved at iteration ${num(d.solved_at)}`;
  badge.className = "solved-badge" + (d.solved && !retraining ? " yes" : "");
}

function renderTools(d) {
  const pruning = d.prune_to != null;
  $("#autoprune").textContent = pruning ? `Stop pruning (target ${d.prune_to} per column)` : "Prune to 2 per column";
  $("#autoprune").classList.toggle("active", pruning);
  $("#knock-column").disabled = Math.max(...d.alive) <= 1;
  $("#autoprune").disabled = !pruning && Math.max(...d.alive) <= 2;
  if (document.activeElement !== $("#dropout-p")) {
    $("#dropout").checked = d.dropout.on;
    $("#dropout-p").value = String(d.dropout.p);
    $("#dropout-p-value").textContent = d.dropout.p.toFixed(2);
  }
  $("#net-hint").textContent = d.dropout.on
    ? `Dropout is on: every update drops each hidden neuron with probability ${d.dropout.p.toFixed(2)}; grey ones were dropped on the last update.`
    : "Click a hidden neuron to knock it out (its lines vanish) or bring it back. Green weights are positive, red negative.";
}

function renderOutputs(d) {
  const s = d.samples[d.selected];
  const out = d.net.values[d.net.values.length - 1];
  $("#outputs-title").textContent = `Outputs for ${s.name}`;
  $("#tol").textContent = String(d.tol);
  $("#outputs").replaceChildren(...d.classes.map((name, k) => {
    const target = k === s.label ? 1 : 0;
    const row = el("div", "ko-out" + (target ? " truth" : ""));
    const bar = el("span", "bar");
    const fill = el("i");
    fill.style.width = `${(out[k] * 100).toFixed(1)}%`;
    fill.style.background = colors.signed(out[k] - 0.5, 0.5); // below a half the neuron says "no": red (lecture)
    const mark = el("b", "target");
    mark.style.left = `${target * 100}%`;
    bar.append(fill, mark);
    const ok = Math.abs(out[k] - target) < d.tol;
    row.append(el("span", "name", name), bar, el("span", "num", out[k].toFixed(3) + (ok ? " \u2713" : "")));
    return row;
  }));
  const table = $("#train-table");
  const head = el("tr");
  head.append(el("th", null, "shadow"), ...d.classes.map((c) => el("th", null, c)));
  const rows = d.train_outputs.map((outs, i) => {
    const tr = el("tr");
    tr.append(el("th", null, d.training[i]));
    outs.forEach((v, k) => {
      const target = k === i ? 1 : 0; // training shadow i is class i
      tr.append(el("td", Math.abs(v - target) < d.tol ? "ok" : "off", v.toFixed(2)));
    });
    return tr;
  });
  table.replaceChildren(head, ...rows);
}

function renderChanges(d) {
  $("#alive").textContent = `alive per column: ${d.alive.join(" \u00b7 ")}`;
  const items = d.changes.slice().reverse().map((c) => {
    const li = el("li");
    const when = c.solved_after != null ? `solved again after ${num(c.solved_after)} iterations`
      : c.interrupted ? "changed again before it was solved" : "retraining\u2026";
    li.append(el("span", "at", `it ${num(c.at)}`), ` ${c.what} \u2192 ${c.alive.join("\u00b7")}; `,
      el("span", c.solved_after != null ? "good" : "muted", when));
    return li;
  });
  if (!items.length) items.push(el("li", "muted none", "none yet: click a hidden neuron, or knock out 1 per column"));
  $("#changes").replaceChildren(...items);
}

function runText(r, steps) {
  if (r.status === "queued") return "queued";
  if (r.status === "running") return `running, ${fmtIt(r.iteration)}`;
  if (r.kind === "narrow") return r.status === "solved" ? `solved at ${fmtIt(r.solved_at)}` : `stuck after ${fmtIt(steps)}`;
  const done = r.retrain_steps.filter((s) => s != null);
  const longest = done.length ? fmtIt(Math.max(...done)) : "-";
  if (r.status === "solved") return `solved at 2 (wide at ${fmtIt(r.solved_at)}; ${done.length} retrains, longest ${longest})`;
  return r.solved_at == null ? `stuck wide after ${fmtIt(steps)}` : `stuck while pruning (${fmtIt(r.iteration)})`;
}

function renderBatch(b, running) {
  $("#batch-stop").disabled = !(b && b.active);
  if (!b) return;
  const c = b.counts;
  const half = b.total / 2;
  const tally = (k) => `${c[k].solved} solved, ${c[k].stuck} stuck` +
    (c[k].solved + c[k].stuck < half ? `, ${half - c[k].solved - c[k].stuck} to go` : "");
  let text = `Wide, then pruned to 2 per column: ${tally("pruned")} \u00b7 2 per column from scratch: ` +
    `${tally("narrow")} (budget ${fmtIt(b.steps)} iterations a run)`;
  if (b.active && !running) text += " \u2014 paused: press Play to go on";
  if (b.cancelled) text += " \u2014 stopped";
  $("#batch-summary").textContent = text;
  const grid = $("#batch-grid");
  const cards = [];
  for (let i = 0; i < half; i++) {
    const [p, n] = [b.runs[2 * i], b.runs[2 * i + 1]];
    const card = el("div", "seed-card");
    card.append(el("b", null, `seed ${p.seed}`));
    for (const [label, r] of [["wide \u2192 2", p], ["2 from scratch", n]]) {
      const row = el("div", `run ${r.status}`);
      row.append(el("span", "kind", label), el("span", "what", runText(r, b.steps)));
      if (r.retrain_steps.length) row.title = `iterations each retraining took: ${r.retrain_steps.join(", ")}`;
      card.append(row);
    }
    cards.push(card);
  }
  grid.replaceChildren(...cards);
}
