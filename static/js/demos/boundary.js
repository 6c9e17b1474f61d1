// Demo 4: decision boundaries. Points in the plane, the network's output over it as a heatmap, every neuron's
// own heatmap inside the network drawing, the perceptron's line with its equation.

import { startDemo } from "../controls.js";
import { NetView } from "../netview.js";
import { Heatmap, bytes, classCss } from "../heatmap.js";
import * as colors from "../colors.js";
import { Plane } from "./boundary-plane.js";
import { wireControls, syncControls } from "./boundary-controls.js";

const $ = (sel) => document.querySelector(sel);
const NAMES = ["A", "B", "C", "D"];
const FEATURE_LABELS = { "x1^2": "x1\u00b2", "x2^2": "x2\u00b2", "x1*x2": "x1\u00b7x2", "sin x1": "sin(x1)", "sin x2": "sin(x2)" };
const ZOOM = 220; // CSS pixels of the enlarged neuron heatmap
const HEAT = 0.6; // the output heatmap's strongest colour: lighter than the points, so they stand out on it

let frame = null;
let thumbs = []; // per layer, per unit: a Heatmap
let output = null;
let hover = null; // {layer, unit} under the pointer in the network picture
let pinned = null; // the neuron whose enlarged heatmap stays open
const ui = { cls: 0 };

const net = new NetView($("#net"), {
  maxRadius: 34, // the thumbnails are heatmaps: they need room to be read
  thumb: (l, i) => (thumbs[l] && thumbs[l][i] ? thumbs[l][i].canvas : null),
  marked: (l, i) => !!(pinned && pinned.layer === l && pinned.unit === i),
  onHover: (layer, unit) => { hover = layer == null ? null : { layer, unit }; renderZoom(); },
  onClick: (layer, unit) => {
    pinned = pinned && pinned.layer === layer && pinned.unit === unit ? null : { layer, unit };
    net.redraw();
    renderZoom();
  },
});

const plane = new Plane($("#heatmap"), $("#plane"), {
  onAdd: (x, y, shift) => demo.send({ type: "add_point", x: round(x), y: round(y), label: shift ? 1 : ui.cls,
                                      test: $("#as-test").checked }),
  onRemove: (x, y, radius) => demo.send({ type: "remove_point", x: round(x), y: round(y), radius }),
  onMove: (p) => { $("#where").textContent = p ? `x1 = ${p.x.toFixed(2)}, x2 = ${p.y.toFixed(2)}` : "\u00a0"; },
});

$("#remove-mode").addEventListener("click", () => {
  plane.removeMode = !plane.removeMode;
  $("#remove-mode").setAttribute("aria-pressed", String(plane.removeMode));
  $("#remove-mode").classList.toggle("active", plane.removeMode);
});

const demo = startDemo("boundary", {
  onFrame: render,
  onHello: (msg) => {
    $("#export").href = `/demos/boundary/points.csv?session=${encodeURIComponent(msg.session)}`;
    const sel = $("#preset");
    sel.replaceChildren(...msg.presets.map((p) => new Option(p, p)));
  },
  chart: { series: ["training", "test"], label: "loss" },
});

const rerender = () => frame && render(frame);
wireControls(demo, ui, () => frame, rerender);
colors.onPaletteChange(rerender);

function round(v) { return Math.round(v * 1e4) / 1e4; }

// ---------------------------------------------------------------- heatmaps
function decodeHeatmaps(p, discrete) {
  const data = bytes(p.output.data);
  if (!output || output.size !== p.size) output = new Heatmap(p.size);
  if (p.output.channels === 1) output.signed(data, { strength: HEAT, discrete });
  else output.classes(data, p.output.channels, { strength: HEAT, discrete });
  thumbs = p.neurons.map((layer, l) => layer.map((b64, i) => {
    const old = thumbs[l] && thumbs[l][i];
    const h = old && old.size === p.thumb ? old : new Heatmap(p.thumb);
    return h.signed(bytes(b64));
  }));
}

// ---------------------------------------------------------------- the enlarged neuron
function renderZoom() {
  const box = $("#zoom");
  const target = hover || pinned;
  const h = target && thumbs[target.layer] && thumbs[target.layer][target.unit];
  if (!h || !frame) { box.classList.add("hidden"); return; }
  const d = frame.demo, L = d.net.sizes.length - 1;
  const { layer, unit } = target;
  const what = layer === 0 ? `input ${d.inputs[unit]}`
    : layer === L ? (d.config.output === "softmax" ? `output: P(${NAMES[unit]})` : "output: P(A)")
      : `hidden layer ${layer}, neuron ${unit + 1} (${d.config.activation})`;
  const scale = d.plane.scales[layer][unit];
  $("#zoom-caption").textContent = what + (scale !== 1 ? `, largest |value| ${scale.toPrecision(3)}` : "");
  const c = $("#zoom-canvas");
  const dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(ZOOM * dpr)) { c.width = c.height = Math.round(ZOOM * dpr); }
  const ctx = c.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(h.canvas, 0, 0, ZOOM, ZOOM);
  const pts = d.points, E = d.plane.extent;
  for (let i = 0; i < pts.x.length; i++) {
    if (pts.test[i]) continue;
    ctx.beginPath();
    ctx.arc(((pts.x[i] + E) / (2 * E)) * ZOOM, ((E - pts.y[i]) / (2 * E)) * ZOOM, 2.5, 0, 2 * Math.PI);
    ctx.fillStyle = classCss(pts.label[i]);
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1;
    ctx.stroke();
  }
  // Beside the neuron, inside the network panel.
  const pos = net.positions[layer] && net.positions[layer][unit];
  const wrap = $("#net-wrap"), cv = $("#net");
  if (pos) {
    const left = cv.offsetLeft + pos.x + net.radius + 14;
    const flip = left + ZOOM + 24 > wrap.clientWidth;
    box.style.left = `${flip ? cv.offsetLeft + pos.x - net.radius - 14 - ZOOM - 16 : left}px`;
    box.style.top = `${Math.max(0, Math.min(wrap.clientHeight - ZOOM - 40, pos.y - ZOOM / 2))}px`;
  }
  box.classList.remove("hidden");
}

// ---------------------------------------------------------------- overlays that follow the network drawing
let stripKey = "";
function placeOverlays() {
  if (!frame || !net.positions.length) return;
  const d = frame.demo, sizes = d.net.sizes, cv = $("#net");
  const labels = $("#input-labels");
  if (labels.childElementCount !== d.inputs.length || labels.dataset.key !== d.inputs.join("|")) {
    labels.dataset.key = d.inputs.join("|");
    labels.replaceChildren(...d.inputs.map((name) => Object.assign(document.createElement("span"),
      { textContent: FEATURE_LABELS[name] || name })));
  }
  [...labels.children].forEach((el, i) => { el.style.top = `${net.positions[0][i].y}px`; });
  const strip = $("#layer-strip");
  const key = sizes.join(",");
  if (key !== stripKey) {
    stripKey = key;
    strip.replaceChildren(...sizes.slice(1, -1).map((n, k) => {
      const g = document.createElement("span");
      g.className = "stepper small";
      g.innerHTML = `<button aria-label="fewer neurons in layer ${k + 1}">&minus;</button><b>${n}</b><button aria-label="more neurons in layer ${k + 1}">+</button>`;
      const [minus, plus] = g.querySelectorAll("button");
      minus.addEventListener("click", () => resize(k, -1));
      plus.addEventListener("click", () => resize(k, +1));
      return g;
    }));
  }
  [...strip.children].forEach((g, k) => { g.style.left = `${cv.offsetLeft + net.positions[k + 1][0].x}px`; });
}

function resize(k, delta) {
  const hidden = frame.demo.config.hidden.slice();
  hidden[k] = Math.max(1, Math.min(frame.demo.limits.width, hidden[k] + delta));
  demo.send({ type: "configure", hidden });
}

// ---------------------------------------------------------------- frames
const pct = (v) => (v == null ? "-" : `${(v * 100).toFixed(1)}%`);
const num = (v) => (v == null ? "-" : v !== 0 && v < 0.001 ? v.toExponential(1) : v.toFixed(4));
let lastTest = -1;

const NET_HINT = $("#net-hint").textContent;
// What the chart shows, by output: the squared error of what the net outputs (whatever it trains on), or for the
// perceptron rule's step the share of points on the wrong side (the same number: outputs and targets are 0 or 1).
const CHART_TITLE = {
  step: ["Error rate: the share of points on the wrong side", "error rate"],
  sigmoid: ["Squared error of the output (it trains on cross-entropy)", "loss"],
  "sigmoid-mse": ["Squared error of the output (the loss it trains on)", "loss"],
  softmax: ["Squared error of the probabilities (it trains on cross-entropy)", "loss"],
};

function renderLabels(f) {
  const d = f.demo, c = d.config;
  const [title, axis] = CHART_TITLE[c.output] || CHART_TITLE.sigmoid;
  $("#chart-title").textContent = title;
  if (demo.chart.label !== axis) { demo.chart.label = axis; demo.chart.surface.redraw(); }
  const n = d.points.x.length, test = d.points.test.reduce((a, t) => a + t, 0);
  $("#data-count").textContent = n ? `${n.toLocaleString("en-US")} points: ${(n - test).toLocaleString("en-US")} training, ${test.toLocaleString("en-US")} test`
    : "no points: click the plane to add some";
  for (const o of $("#preset").options) o.textContent = o.value + (o.value === f.preset && c.changed ? " (changed)" : "");
}

function render(f) {
  frame = f;
  const d = f.demo;
  const discrete = $("#discretize").checked;
  decodeHeatmaps(d.plane, discrete);
  const L = d.net.sizes.length - 1;
  net.opts.captions = d.net.sizes.map((n, l) => (l === 0 ? "inputs" : l === L ? "output" : ""));
  net.set(d.net, { dropped: d.dropped });
  $("#net-hint").textContent = d.dropped
    ? `Dropout is on: every update drops each hidden neuron with probability ${d.dropout.p.toFixed(2)} (grey: dropped `
      + "on the last update); the heatmaps and losses use the whole net, as after training."
    : NET_HINT;
  plane.set({ heat: output, discrete, points: d.points, showTest: $("#show-test").checked, line: d.line,
              extent: d.plane.extent });
  requestAnimationFrame(placeOverlays); // after the network has been laid out in this animation frame
  renderZoom();
  const m = d.metrics;
  $("#train-loss").textContent = num(m.train_loss);
  $("#test-loss").textContent = num(m.test_loss);
  $("#train-acc").textContent = pct(m.train_accuracy);
  $("#test-acc").textContent = pct(m.test_accuracy);
  if (m.test_loss != null && f.iteration !== lastTest) {
    demo.chart.add([[f.iteration, null, m.test_loss]]);
    lastTest = f.iteration;
  }
  const c = d.config;
  const shape = d.net.sizes.slice(1, -1).join(" \u2192 ");
  $("#net-title").textContent = `${d.inputs.length} inputs \u2192 ${shape ? shape + ` (${c.activation}) \u2192 ` : ""}`
    + `${d.net.sizes[L]} output${d.net.sizes[L] > 1 ? "s" : ""} (${c.output})`;
  const note = $("#line-note");
  note.classList.toggle("hidden", !d.line);
  if (d.line) {
    const ln = d.line, side = { above: "above", below: "below", right: "right of", left: "left of" }[ln.positive];
    note.textContent = `Boundary ${ln.equation}: W0 = ${ln.w0.toFixed(3)}, W1 = ${ln.w1.toFixed(3)}, `
      + `t = ${ln.t.toFixed(3)}; output 1 (class A) ${side} the line.`;
  }
  syncControls(f, ui);
  renderLabels(f);
}
