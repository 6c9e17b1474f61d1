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
  perLayer: () => $("#per-layer").checked,
  onClick: (layer, unit) => {
    const last = frame ? frame.demo.net.sizes.length - 1 : 6;
    if (layer === 0 || layer === last) { demo.toast("only hidden neurons (columns 1-5) can be knocked out", "info"); return; }
    demo.send({ type: "knock", layer, unit });
  },
});

const demo = startDemo("knockout", { onFrame: render, chart: { label: "error (MSE)" } });

// ------------------------------------------------------------------ tools
$("#per-layer").addEventListener("change", () => net.redraw());
$("#knock-column").addEventListener("click", () => demo.send({ type: "knock_one_per_column" }));
$("#autoprune").addEventListener("click", () => {
  demo.send({ type: "autoprune", to: frame && frame.demo.prune_to ? 0 : 2 });
});
$("#narrow").addEventListener("click", () => demo.send({ type: "narrow", width: Number($("#narrow-width").value) }));
const sendDropout = () => demo.send({ type: "dropout", on: $("#dropout").checked, p: Number($("#dropout-p").value) });
$("#dropout").addEventListener("change", sendDropout);
$("#dropout-p").addEventListener("input", () => { $("#dropout-p-value").textContent = Number($("#dropout-p").value).toFixed(2); });
$("#dropout-p").addEventListener("change", sendDropout);
const playBatch = () => { if (!(frame && frame.running)) demo.send({ type: "play" }); }; // it trains in the session's slices
$("#batch-run").addEventListener("click", () => {
  demo.send({ type: "batch", on: true, seeds: Number($("#batch-seeds").value), steps: Number($("#batch-steps").value),
              dropout: Number($("#batch-dropout").value) });
  playBatch();
});
$("#batch-more").addEventListener("click", () => { demo.send({ type: "batch_more" }); playBatch(); });
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
  renderBatch(d.batch, f.running, d.budgets);
}

function renderSolved(d) {
  const badge = $("#solved");
  const last = d.changes.length ? d.changes[d.changes.length - 1] : null;
  const retraining = last && last.solved_after == null && !last.interrupted;
  // The lecture's own number beside ours: its net solved "after about 160,000 iterations"; ours differ by seed.
  const lecture = d.width === 10 && d.solved_at != null && !d.changes.length ? `; lecture: about ${num(d.lecture_solve)}` : "";
  if (d.solved_at == null) badge.textContent = "not solved yet";
  else if (retraining) badge.textContent = `solved at ${num(d.solved_at)}; retraining since ${num(last.at)}`;
  else badge.textContent = `solved at iteration ${num(d.solved_at)}${lecture}`;
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
    ? `Dropout is on: every update drops each hidden neuron with probability ${d.dropout.p.toFixed(2)}; grey ones were dropped on the last update. `
      + "On this task it does not help (docs/lessons.md): with p = 0.1, 3 of 10 seeds solve within 2.4M iterations; "
      + "without dropout all 10 solve within 241k. The many-seeds batch below can compare them."
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
  if (r.status === "queued") return r.stuck_at ? `stuck at ${fmtIt(r.stuck_at)}, to go on` : "queued";
  if (r.status === "running") return `running, ${fmtIt(r.iteration)}`;
  if (r.kind !== "pruned") {
    if (r.status === "stuck") return `stuck after ${fmtIt(steps)}`;
    return `solved at ${fmtIt(r.solved_at)}` + (r.stuck_at ? ` (stuck at ${fmtIt(r.stuck_at)}: a plateau, not a wall)` : "");
  }
  const done = r.retrain_steps.filter((s) => s != null);
  const longest = done.length ? fmtIt(Math.max(...done)) : "-";
  if (r.status === "solved") return `solved at 2 (wide at ${fmtIt(r.solved_at)}; ${done.length} retrains, longest ${longest})`;
  return r.solved_at == null ? `stuck wide after ${fmtIt(steps)}` : `stuck while pruning (${fmtIt(r.iteration)})`;
}

// What the batch shows, said plainly with its numbers: "stuck" at a stated budget, and what keeping going found.
function renderVerdict(b, budgets) {
  const v = $("#batch-verdict");
  v.hidden = !b || b.active || b.cancelled;
  if (v.hidden) return;
  const c = b.counts, n = b.seeds;
  const parts = [`Pruned to 2 per column: ${c.pruned.solved} of ${n} solved; 2 per column from scratch: `
    + `${c.narrow.solved} of ${n} within ${fmtIt(b.steps)}.`];
  if (b.steps !== b.first_steps) {
    const was = c.narrow.escaped + c.narrow.stuck;
    parts.push(c.narrow.escaped
      ? `${c.narrow.escaped} of the ${was} narrow nets stuck at ${fmtIt(b.first_steps)} solved by ${fmtIt(b.steps)}: `
        + `a plateau ${Math.round(b.steps / budgets.wide_slowest)} times longer than the wide net's, not a wall.`
      : `None of the ${was} narrow nets stuck at ${fmtIt(b.first_steps)} solved by ${fmtIt(b.steps)}.`);
  } else if (c.narrow.stuck) {
    parts.push(`"Stuck" holds at this budget (${(b.steps / budgets.wide_slowest).toFixed(1)} \u00d7 the wide net's `
      + "slowest solve); keep going to see whether it is a wall or a long plateau.");
  }
  if (c.dropout) {
    const wide = b.runs.filter((r) => r.kind === "pruned" && r.solved_at != null).length;
    const drop = c.dropout.solved;
    const median = (kind) => {
      const xs = b.runs.filter((r) => r.kind === kind && r.solved_at != null).map((r) => r.solved_at).sort((x, y) => x - y);
      return xs.length ? xs[Math.floor((xs.length - 1) / 2)] : null;
    };
    const [mw, md] = [median("pruned"), median("dropout")];
    const times = mw != null && md != null ? ` (median solve ${fmtIt(mw)} without, ${fmtIt(md)} with)` : "";
    parts.push(`Wide nets: ${wide} of ${n} solved without dropout, ${drop} of ${n} with dropout ${b.dropout}${times}. `
      + (!wide && !drop ? "Neither solved within this budget: no comparison yet."
        : drop < wide || (md != null && mw != null && md > mw)
          ? "Here dropout does not keep the net out of a frozen state: it delays or prevents the solve."
          : "Here dropout did not hurt."));
  }
  v.textContent = parts.join(" ");
}

function renderBatch(b, running, budgets) {
  $("#batch-stop").disabled = !(b && b.active);
  const more = $("#batch-more");
  more.hidden = !(b && !b.active && Object.values(b.counts).some((c) => c.stuck > 0));
  if (b) {
    const next = Math.max(budgets.keep_going, 5 * b.steps);
    more.textContent = `Keep going to ${fmtIt(next)} (${Math.round(next / budgets.wide_slowest)} × the wide net's slowest solve)`;
  }
  renderVerdict(b, budgets);
  if (!b) return;
  // the boxes say what the batch on show ran with (a lesson step or another page may have started it)
  for (const [id, v] of [["#batch-seeds", b.seeds], ["#batch-steps", b.first_steps], ["#batch-dropout", b.dropout]]) {
    const el = $(id);
    if (document.activeElement !== el && [...el.options].some((o) => Number(o.value) === v)) el.value = String(v);
  }
  const c = b.counts;
  const half = b.seeds;
  const tally = (k) => `${c[k].solved} solved, ${c[k].stuck} stuck` +
    (c[k].solved + c[k].stuck < half ? `, ${half - c[k].solved - c[k].stuck} to go` : "");
  let text = `Wide, then pruned to 2 per column: ${tally("pruned")} \u00b7 2 per column from scratch: ` +
    `${tally("narrow")}` + (c.dropout ? ` \u00b7 wide with dropout ${b.dropout}: ${tally("dropout")}` : "") +
    ` (budget ${fmtIt(b.steps)} iterations a run` + (b.steps !== b.first_steps ? `, first ${fmtIt(b.first_steps)})` : ")");
  if (b.active && !running) text += " \u2014 paused: press Play to go on";
  if (b.cancelled) text += " \u2014 stopped";
  $("#batch-summary").textContent = text;
  const grid = $("#batch-grid");
  const cards = [];
  for (let i = 0; i < half; i++) {
    const k = b.kinds.length;
    const runs = b.runs.slice(k * i, k * i + k);
    const card = el("div", "seed-card");
    card.append(el("b", null, `seed ${runs[0].seed}`));
    const labels = { pruned: "wide \u2192 2", narrow: "2 from scratch", dropout: `wide, dropout ${b.dropout}` };
    for (const r of runs) {
      const label = labels[r.kind];
      const row = el("div", `run ${r.status}`);
      row.append(el("span", "kind", label), el("span", "what", runText(r, b.steps)));
      if (r.retrain_steps.length) row.title = `iterations each retraining took: ${r.retrain_steps.join(", ")}`;
      card.append(row);
    }
    cards.push(card);
  }
  grid.replaceChildren(...cards);
}
