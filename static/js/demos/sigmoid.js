// Demo 2: sigmoid fitting. Two views of one page, switched by tabs (the server keeps each view's points):
// one neuron as a probability, and a sum of sigmoids approximating a function.

import { startDemo } from "../controls.js";
import { NetView } from "../netview.js";
import { FunctionPanel } from "./sigmoid-function.js";
import { NeuronPanel } from "./sigmoid-neuron.js";

const $ = (sel) => document.querySelector(sel);
const CHART = { neuron: "\u2212log likelihood of the examples", function: "Mean squared error on the training data" };

const net = new NetView($("#net"));
const demo = startDemo("sigmoid", { onFrame: render, chart: { label: "\u2212log L" } });
const neuron = new NeuronPanel(demo);
const fn = new FunctionPanel(demo);
let view = null;

document.querySelectorAll("#views [data-view]").forEach((b) => b.addEventListener("click", () => {
  if (b.dataset.view !== view) demo.send({ type: "view", view: b.dataset.view });
}));

function showView(v) {
  view = v;
  $("#sigmoid-grid").className = `grid sg ${v}`;
  document.querySelectorAll("#views [data-view]").forEach((b) => {
    const on = b.dataset.view === v;
    b.classList.toggle("active", on);
    b.setAttribute("aria-selected", String(on));
  });
  $(".chart-panel h2").textContent = CHART[v];
  demo.chart.label = v === "neuron" ? "\u2212log L" : "error";
  demo.chart.surface.redraw();
}

function captions(d) {
  if (d.view === "neuron") return ["x", "z"];
  const m = d.function.model.replace(/^\[|\]$/g, "").split(":").map((l) => l.split(","));
  return ["x", ...m.slice(0, -1).map(([n, a]) => `${n} ${a}`), `y (${m[m.length - 1][1]})`];
}

function render(f) {
  const d = f.demo;
  if (d.view !== view) showView(d.view);
  net.opts.captions = captions(d);
  net.set(d.net);
  if (d.view === "neuron") neuron.render(d.neuron);
  else fn.render(d.function);
}
