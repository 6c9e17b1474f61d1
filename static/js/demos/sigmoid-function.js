// The sigmoid demo's second view: a network written in the slides' notation fits y = f(x) on [-pi, pi].
// Top plot: target and output over [-2 pi, 2 pi] (training range shaded, so the failure outside shows);
// bottom plot: every unit of the last hidden layer as its own curve.

import { Plot1D, autoTicks, piTicks } from "../plot1d.js";
import { editPoints, throttle } from "../pointedit.js";

const $ = (sel) => document.querySelector(sel);
const TARGET = "#222";
const OUTPUT = "#1b5fb0";
const POINT = "#e07000";
const unitColour = (k) => `hsl(${(k * 137.5 + 20) % 360}, 70%, 40%)`; // golden-angle hues: neighbours differ
const Y_RANGES = { tanh: [-1.1, 1.1], sigmoid: [-0.1, 1.1] };

export class FunctionPanel {
  constructor(demo) {
    this.demo = demo;
    this.part = null;
    this.drag = null; // {id, x, y, until}
    this.modelKey = "";
    const range = [-2 * Math.PI, 2 * Math.PI];
    this.fit = new Plot1D($("#fit"), { x: range, y: [-1.6, 1.6], xTicks: piTicks(range), xLabel: "x", yLabel: "y" });
    this.units = new Plot1D($("#units"), { x: range, y: [-1.1, 1.1], xTicks: piTicks(range), xLabel: "x",
                                           yLabel: "unit output" });
    const sendMove = throttle((i, x, y) => demo.send({ type: "move_point", index: i, x, y }), 70);
    editPoints(this.fit, {
      clamp: (x, y) => this.clamp(x, y),
      onAdd: (x, y) => demo.send({ type: "add_point", x: round(x), y: round(y) }),
      onMove: (i, x, y, done) => {
        this.drag = { id: i, x: round(x), y: round(y), until: done ? performance.now() + 1000 : Infinity };
        if (done) { sendMove.cancel(); demo.send({ type: "move_point", index: i, x: round(x), y: round(y) }); }
        else sendMove(i, round(x), round(y));
        this.draw();
      },
      onRemove: (i) => demo.send({ type: "remove_point", index: i }),
    });
    // Hovering a plot shows every neuron's value at that x on the network canvas (the frame's "selected").
    const select = throttle((i) => demo.send({ type: "select", sample: i }), 120);
    // On a touch screen a tap probes, and so does a sideways drag (pan-y: the page still scrolls up and down).
    for (const plot of [this.fit, this.units]) {
      const probe = (ev) => {
        const p = plot.surface.point(ev);
        if (!this.part || !plot.inside(p)) return;
        const xs = this.part.x, x = plot.dataX(p.x);
        const i = Math.round(((x - xs[0]) / (xs[xs.length - 1] - xs[0])) * (xs.length - 1));
        if (i !== this.part.probe) select(Math.max(0, Math.min(xs.length - 1, i)));
      };
      plot.canvas.style.touchAction = "pan-y";
      plot.canvas.addEventListener("pointermove", probe);
      plot.canvas.addEventListener("pointerdown", probe);
    }
    $("#model-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const spec = $("#model-text").value.trim();
      if (spec) demo.send({ type: "model", spec });
      $("#model-text").blur();
    });
    $("#target").addEventListener("change", () => demo.send({ type: "target", name: $("#target").value }));
    $("#fn-clear").addEventListener("click", () => demo.send({ type: "clear_points" }));
  }

  clamp(x, y) {
    const [x0, x1] = this.part ? this.part.x_range : [-2 * Math.PI, 2 * Math.PI];
    const [y0, y1] = this.part ? this.part.y_range : [-1.5, 1.5];
    return [Math.min(x1, Math.max(x0, x)), Math.min(y1, Math.max(y0, y))];
  }

  render(part) {
    this.part = part;
    const d = this.drag;
    if (d && d.until !== Infinity) {
      const p = part.points[d.id];
      if (performance.now() > d.until || (p && Math.abs(p.x - d.x) < 1e-9 && Math.abs(p.y - d.y) < 1e-9)) this.drag = null;
    }
    this.renderControls(part);
    $("#loss").textContent = fmt(part.loss);
    $("#extra").textContent = fmt(part.extrapolation_error);
    const ratio = part.loss > 0 && part.extrapolation_error != null ? part.extrapolation_error / part.loss : null;
    $("#ratio").textContent = ratio == null ? "" : `(${ratio >= 100 ? Math.round(ratio).toLocaleString("en-US") : ratio.toFixed(1)}\u00d7 as much)`;
    this.draw();
  }

  renderControls(part) {
    const key = part.models.join("|") + part.model;
    if (key !== this.modelKey) { // rebuild only on change, so a button is never replaced under the pointer
      this.modelKey = key;
      $("#models").replaceChildren(...part.models.map((m) => {
        const b = document.createElement("button");
        b.textContent = m;
        b.className = "model" + (m === part.model ? " active" : "");
        b.setAttribute("aria-pressed", String(m === part.model));
        b.addEventListener("click", () => this.demo.send({ type: "model", spec: m }));
        return b;
      }));
      if (document.activeElement !== $("#model-text")) $("#model-text").value = part.model;
    }
    const sel = $("#target");
    if (sel.options.length !== part.targets.length) {
      sel.replaceChildren(...part.targets.map((t) => new Option(t.label, t.name)));
    }
    if (document.activeElement !== sel) sel.value = part.target;
    $("#fn-points").textContent = `(${part.points.length})`;
  }

  draw() {
    const part = this.part;
    if (!part) return;
    const xs = part.x;
    const [a, b] = part.train_range;
    const shade = [{ from: a, to: b, fill: "rgba(27,95,176,0.09)", label: "training range" }];
    const probe = [{ x: xs[part.probe], stroke: "#8a93a3", label: `network at x = ${xs[part.probe].toFixed(2)}` }];
    const lines = [];
    if (part.target_curve) lines.push({ x: xs, y: part.target_curve, stroke: TARGET, width: 2.5 });
    lines.push({ x: xs, y: part.output, stroke: OUTPUT, width: 3.5 });
    const points = [];
    for (let k = 0; k < part.samples; k++) { // the target's training samples
      const x = a + ((b - a) * k) / (part.samples - 1);
      const i = Math.round(((x - xs[0]) / (xs[xs.length - 1] - xs[0])) * (xs.length - 1));
      if (part.target_curve) points.push({ x, y: interp(xs, part.target_curve, x, i), r: 2.5, fill: "#777" });
    }
    part.points.forEach((p, i) => {
      const moving = this.drag && this.drag.id === i;
      points.push({ x: moving ? this.drag.x : p.x, y: moving ? this.drag.y : p.y, r: 8, fill: POINT, stroke: "#fff",
                    strokeWidth: 2, id: i });
    });
    this.fit.set({ shade, lines, points, marks: probe });

    const act = part.hidden_activation;
    const yr = Y_RANGES[act] || autoRange(part.hidden);
    this.units.setRange({ y: yr });
    this.units.opts.yTicks = autoTicks(yr, 4);
    const unitLines = part.hidden.map((ys, k) => ({ x: xs, y: ys, stroke: unitColour(k), width: part.hidden.length > 12 ? 1.6 : 2.6 }));
    if (part.target_curve) unitLines.unshift({ x: xs, y: part.target_curve, stroke: "#b8bec8", width: 2, dash: [6, 5] });
    this.units.set({ shade, lines: unitLines, marks: [{ ...probe[0], label: "" }] });
    $("#units-title").textContent = part.hidden.length
      ? `Last hidden layer: ${part.hidden.length} ${act} unit${part.hidden.length === 1 ? "" : "s"}, one curve each`
      : "No hidden layer: the output is a straight line";
  }
}

function interp(xs, ys, x, i) {
  const j = Math.max(0, Math.min(xs.length - 2, xs[i] > x ? i - 1 : i));
  const f = (x - xs[j]) / (xs[j + 1] - xs[j]);
  return ys[j] + f * (ys[j + 1] - ys[j]);
}

function autoRange(rows) {
  let lo = Infinity, hi = -Infinity;
  for (const r of rows) for (const v of r) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!Number.isFinite(lo)) return [-1.1, 1.1];
  const pad = Math.max(0.05, (hi - lo) * 0.08);
  return [lo - pad, hi + pad];
}

function round(x) { return Math.round(x * 1000) / 1000; }
function fmt(v) { return v == null ? "-" : v < 0.001 && v > 0 ? v.toExponential(2) : v.toFixed(4); }
