// The sigmoid demo's first view: one neuron z = 1 / (1 + e^-(w x - t)) as the probability of a class, the
// examples a user clicks in, each one's probability, and the likelihood over (w, t) with the ascent's path.

import * as colors from "../colors.js";
import { Landscape } from "../landscape.js";
import { Plot1D } from "../plot1d.js";
import { editPoints, throttle } from "../pointedit.js";

const $ = (sel) => document.querySelector(sel);
const rgb = (c) => `rgb(${c.map(Math.round).join(",")})`;
const NOISE_X = -2; // the lecture's noise point: a positive example among the negatives

export class NeuronPanel {
  constructor(demo) {
    this.demo = demo;
    this.part = null;
    this.cls = 1; // what a left click adds; a right click adds the other class
    this.drag = null; // {id, x, until}: where a dragged point is drawn until the server has it
    this.plot = new Plot1D($("#curve"), {
      x: [-5, 5], y: [-0.14, 1.14], xLabel: "x", yLabel: "z = P(positive | x)",
      yTicks: [{ v: 0, label: "0" }, { v: 0.5, label: "0.5" }, { v: 1, label: "1" }],
    });
    this.heat = new Landscape($("#heat"), { xLabel: "w (steepness)", yLabel: "t (threshold)",
                                            legend: "likelihood per example" });
    const sendMove = throttle((i, x) => demo.send({ type: "move_point", index: i, x }), 70);
    editPoints(this.plot, {
      clamp: (x, y) => [this.clampX(x), y],
      onAdd: (x, _y, button) => {
        const label = button === 2 ? 1 - this.cls : this.cls;
        demo.send({ type: "add_point", x: round(x), label });
      },
      onMove: (i, x, _y, done) => {
        this.drag = { id: i, x: round(x), until: done ? performance.now() + 1000 : Infinity };
        if (done) { sendMove.cancel(); demo.send({ type: "move_point", index: i, x: round(x) }); }
        else sendMove(i, round(x));
        this.draw();
      },
      onRemove: (i) => demo.send({ type: "remove_point", index: i }),
    });
    document.querySelectorAll("#neuron-class button").forEach((b) => b.addEventListener("click", () => {
      this.cls = Number(b.dataset.label);
      this.showClass();
    }));
    $("#noise-point").addEventListener("click", () => demo.send({ type: "add_point", x: NOISE_X, label: 1 }));
    $("#neuron-clear").addEventListener("click", () => demo.send({ type: "clear_points" }));
    $("#neuron-lecture").addEventListener("click", () => demo.send({ type: "preset", name: "neuron" }));
    colors.onPaletteChange(() => this.draw());
    this.showClass();
  }

  clampX(x) {
    const [a, b] = this.part ? this.part.range : [-5, 5];
    return Math.min(b, Math.max(a, x));
  }

  showClass() {
    document.querySelectorAll("#neuron-class button").forEach((b) => {
      const on = Number(b.dataset.label) === this.cls;
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", String(on));
    });
  }

  render(part) {
    this.part = part;
    const d = this.drag;
    if (d && d.until !== Infinity) { // released: drawn where it was let go until the server has it there
      const p = part.points[d.id];
      if (performance.now() > d.until || (p && Math.abs(p.x - d.x) < 1e-9)) this.drag = null;
    }
    this.plot.setRange({ x: part.range });
    $("#w").textContent = fmt(part.w);
    $("#t").textContent = fmt(part.t);
    $("#ll").textContent = part.points.length ? fmt(part.log_likelihood) : "-";
    $("#acc").textContent = part.accuracy == null ? "-" : `${Math.round(part.accuracy * 100)}%`;
    $("#n-points").textContent = `${part.points.length} example${part.points.length === 1 ? "" : "s"}`;
    this.heat.set(part.heatmap, part.path);
    this.draw();
  }

  draw() {
    const part = this.part;
    if (!part) return;
    const pal = colors.palette();
    const [a, b] = part.range;
    const n = part.curve.length; // a Float32Array (a frame's block): its own .map would give float32 x's
    const xs = Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
    const lines = [{ x: xs, y: part.curve, stroke: "#1b5fb0", width: 3.5 }];
    const dots = [], markers = [];
    const many = part.points.length > 24; // numbers would overlap: the gaps still show each probability
    part.points.forEach((p, i) => {
      const x = this.drag && this.drag.id === i ? this.drag.x : p.x;
      const z = p.label === 1 ? p.p : 1 - p.p;
      const col = rgb(p.label === 1 ? pal.pos : pal.neg);
      // The dashed gap from the example to the curve is 1 - its probability: it shrinks as the fit improves.
      lines.push({ x: [x, x], y: [p.label, z], stroke: col, width: 2, dash: [5, 4] });
      dots.push({ x, y: z, r: 4, fill: col });
      markers.push({ x, y: p.label, r: 10, fill: col, stroke: "#fff", strokeWidth: 2, id: i,
                     glyph: p.label === 1 ? "+" : "\u2212", text: many ? "" : p.p.toFixed(2),
                     textBelow: p.label === 0, textColor: col });
    });
    this.plot.set({ lines, points: dots.concat(markers),
                    marks: part.w !== 0 ? [this.threshold(part)] : [] });
  }

  // The line where z = 1/2, labelled on the side where the curve is low (the label then sits clear of it).
  threshold(part) {
    return { x: part.t / part.w, stroke: "#9aa4b2", label: "z = \u00bd at x = t / w", labelY: 0.72,
             side: part.w > 0 ? "left" : "right" };
  }
}

function round(x) { return Math.round(x * 1000) / 1000; }
function fmt(v) { return v == null ? "-" : Math.abs(v) >= 1000 ? v.toExponential(2) : v.toFixed(3); }
