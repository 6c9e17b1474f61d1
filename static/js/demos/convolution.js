// Demo 5: convolution. The selected 9x9 image (tap to flip a pixel, drag to draw) through the slides' three
// filters, ReLU and pooling, with any map cell explained; then the tiny CNN trained on every image the class drew.

import { startDemo } from "../controls.js";
import { GridView, fixed2 } from "../grid.js";
import { LayerRows, asPrinted, decode, explain } from "./conv-layers.js";

const $ = (sel) => document.querySelector(sel);
let frame = null;
let drawValue = 1; // what a drag paints: the opposite of the first pixel it touched
let inspected = null; // {side: "slides" | "cnn", k, r, c}
let lastShape = "";
let focusMaps = []; // the slides' rows a lesson step points at

const demo = startDemo("convolution", { onFrame: render, onView: lessonView });
const narrow = window.matchMedia("(max-width: 800px)");
const selected = () => (frame ? frame.demo.selected : 0);

const image = new GridView($("#image"), {
  pixel: true, draggable: true, format: (v) => (v > 0 ? "1" : "-1"),
  onCell: (r, c, kind) => {
    if (!frame || (kind !== "down" && kind !== "move")) return;
    const img = frame.demo.images[selected()];
    const at = r * 9 + c;
    if (kind === "down") drawValue = img.pixels[at] === "1" ? -1 : 1;
    const ch = drawValue > 0 ? "1" : "0";
    if (img.pixels[at] === ch) return;
    img.pixels = img.pixels.slice(0, at) + ch + img.pixels.slice(at + 1); // drawn at once; the next frame agrees
    demo.send({ type: "pixel", image: selected(), row: r, col: c, value: drawValue });
    drawImage();
  },
});

const inspect = (side) => (k, r, c) => { inspected = { side, k, r, c }; if (frame) render(frame); };
const slides = new LayerRows($("#slides-rows"), { prefix: "slides", format: asPrinted, onInspect: inspect("slides") });
const cnn = new LayerRows($("#cnn-rows"), { prefix: "cnn", format: fixed2, autoscale: true, onInspect: inspect("cnn") });
const stimulus = new GridView($("#stimulus"), { format: fixed2 });

// ---------------------------------------------------------------- image editing
$("#new-image").addEventListener("click", () => {
  const n = frame ? frame.demo.images.length : 0;
  demo.send({ type: "add_image", label: Number($("#label").value) || 0 });
  demo.send({ type: "select", sample: n });
});
$("#clear-image").addEventListener("click", () => demo.send({ type: "set_image", image: selected(), pixels: "0".repeat(81) }));
$("#slides-x").addEventListener("click", () => { if (frame) demo.send({ type: "set_image", image: selected(), pixels: frame.demo.slides.x }); });
$("#remove-image").addEventListener("click", () => demo.send({ type: "remove_image", image: selected() }));
$("#label").addEventListener("change", () => demo.send({ type: "label", image: selected(), label: Number($("#label").value) }));
$("#add-class").addEventListener("click", () => {
  const name = $("#class-name").value.trim();
  if (!name) { demo.toast("type a name for the new class first"); return; }
  demo.send({ type: "add_class", name });
  $("#class-name").value = "";
});
$("#configure").addEventListener("click", () => demo.send({
  type: "configure", filters: Number($("#filters").value), hidden: Number($("#hidden").value), init: $("#init").value,
}));
$("#stimulus-close").addEventListener("click", () => demo.send({ type: "inspect", what: "none" }));

function drawImage() {
  const d = frame.demo;
  let highlight = null;
  if (inspected) highlight = { r: inspected.r, c: inspected.c, h: 3, w: 3 };
  image.set(decode(d.images[d.selected].pixels), { highlight });
}

function renderThumbs(d) {
  const box = $("#thumbs");
  const pred = d.cnn.probs.map((p) => p.indexOf(Math.max(...p)));
  if (box.childElementCount !== d.images.length) {
    box.replaceChildren(...d.images.map((_, i) => {
      const b = document.createElement("button");
      b.className = "thumb";
      b.dataset.index = String(i);
      b.append(document.createElement("canvas"), document.createElement("span"));
      b.addEventListener("click", () => demo.send({ type: "select", sample: i }));
      return b;
    }));
  }
  [...box.children].forEach((b, i) => {
    const img = d.images[i];
    if (b.dataset.pixels !== img.pixels) { // redrawn only when its pixels change
      b.dataset.pixels = img.pixels;
      const cv = b.querySelector("canvas");
      cv.width = cv.height = 9;
      const ctx = cv.getContext("2d");
      [...img.pixels].forEach((ch, n) => { ctx.fillStyle = ch === "1" ? "#1b1f27" : "#fff"; ctx.fillRect(n % 9, Math.floor(n / 9), 1, 1); });
    }
    const right = pred[i] === img.label;
    b.querySelector("span").textContent = `${d.classes[img.label]}${right ? "" : " \u2717"}`;
    b.classList.toggle("selected", i === d.selected);
    b.classList.toggle("wrong", !right);
    b.title = `image ${i + 1}: labelled ${d.classes[img.label]}, the CNN says ${d.classes[pred[i]]}`;
  });
}

function renderClasses(d, img) {
  const sel = $("#label");
  if (sel.dataset.classes !== d.classes.join("\n")) {
    sel.dataset.classes = d.classes.join("\n");
    sel.replaceChildren(...d.classes.map((name, k) => Object.assign(document.createElement("option"), { value: String(k), textContent: name })));
  }
  if (document.activeElement !== sel) sel.value = String(img.label);
}

function renderProbs(d) {
  const p = d.cnn.probs[d.selected];
  const truth = d.images[d.selected].label;
  const best = p.indexOf(Math.max(...p));
  $("#probs").replaceChildren(...d.classes.map((name, k) => {
    const row = document.createElement("button");
    row.className = "prob" + (k === truth ? " truth" : "") + (k === best ? " best" : "");
    row.title = `show the image that makes ${name} most likely`;
    row.innerHTML = `<span class="name"></span><span class="bar"><i style="width:${(p[k] * 100).toFixed(1)}%"></i></span><span class="num">${p[k].toFixed(3)}</span>`;
    row.querySelector(".name").textContent = name + (k === truth ? " (label)" : "");
    row.addEventListener("click", () => demo.send({ type: "inspect", what: "class", index: k }));
    return row;
  }));
  const wrong = d.cnn.probs.filter((q, i) => q.indexOf(Math.max(...q)) !== d.images[i].label).length;
  $("#accuracy").textContent = `${(d.cnn.accuracy * 100).toFixed(0)}% of the ${d.images.length} images classified right` + (wrong ? ` (${wrong} wrong, marked \u2717)` : "");
}

function renderStimulus(d) {
  const st = d.stimulus;
  $("#stimulus-panel").classList.toggle("hidden", !st);
  if (!st) return;
  const filter = st.what === "filter";
  $("#stimulus-title").textContent = filter ? `Patch that drives learned filter ${st.index + 1} most` : `Image that makes "${d.classes[st.index]}" most likely`;
  stimulus.set(st.pixels);
  $("#stimulus-note").textContent = filter
    ? `exact: +1 where the filter's weight is positive; its map cell there is ${st.value.toFixed(2)}`
    : `found by gradient ascent on the image (not exact: 2^81 images are too many to try), as of iteration ${st.at.toLocaleString("en-US")}; probability ${st.value.toFixed(3)}`;
}

function renderExplain(d, img) {
  const box = $("#explain");
  if (!inspected || inspected.k >= (inspected.side === "slides" ? 3 : d.cnn.filters.length)) {
    box.classList.add("hidden");
    return;
  }
  const { side, k, r, c } = inspected;
  const layers = side === "slides" ? d.slides : d.cnn;
  // On a phone the image is screens away from the map that was tapped: the note goes right under that map's row
  const rows = $(side === "slides" ? "#slides-rows" : "#cnn-rows");
  const home = narrow.matches ? rows.children[k] : $("#image-explain-home");
  if (home && box.previousElementSibling !== home) home.after(box);
  const name = side === "slides" ? `Slides' filter ${k + 1} (${d.slides.names[k]})` : `Learned filter ${k + 1}`;
  explain(box, {
    image: img, filter: layers.filters[k], bias: side === "cnn" ? d.cnn.bias[k] : 0, r, c, value: layers.maps[k][r][c],
    format: side === "slides" ? asPrinted : fixed2,
    title: `${name}, map row ${r + 1}, column ${c + 1}: the lit patch times the filter`,
  });
}

// A lesson step's view (models/demos/convolution/lesson.py): which stage to look at (its column outlined), which maps, which
// cell explained; a step without a cell clears the one before.
const STAGE_PANEL = { maps: ".slides-panel", relu: ".slides-panel", pooled: ".slides-panel", cnn: ".cnn-panel", compare: ".cnn-panel" };
function lessonView(view) {
  const [k, r, c] = view.cell || [];
  inspected = view.cell ? { side: "slides", k, r, c } : null;
  focusMaps = view.maps || [];
  for (const sel of [".slides-panel", ".cnn-panel"]) $(sel).dataset.stage = STAGE_PANEL[view.stage] === sel ? view.stage : "";
  const panel = STAGE_PANEL[view.stage] && $(STAGE_PANEL[view.stage]);
  if (panel) panel.classList.add("lesson-focus"); // the page scrolls to it (controls.js)
  if (frame) render(frame);
}

function render(f) {
  frame = f;
  const d = f.demo;
  const img = decode(d.images[d.selected].pixels);
  $("#image-title").textContent = `Image ${d.selected + 1} of ${d.images.length}: ${d.classes[d.images[d.selected].label]}`;
  drawImage();
  renderThumbs(d);
  renderClasses(d, d.images[d.selected]);
  slides.inspected = inspected && inspected.side === "slides" ? inspected : null;
  cnn.inspected = inspected && inspected.side === "cnn" ? inspected : null;
  slides.set(d.slides, d.slides.names.map((n, k) => `${k + 1}: ${n}`));
  [...$("#slides-rows").children].forEach((row, k) => row.classList.toggle("focus", focusMaps.includes(k)));
  const names = d.slides.names;
  const symbol = names.map((n) => n.replace("diagonal ", ""));
  cnn.set(d.cnn, d.cnn.correlation.map((row, k) => `${k + 1}: r with\n${row.map((v, j) => `${symbol[j]} ${v.toFixed(2)}`).join("\n")}`));
  document.querySelectorAll("#cnn-rows .part.filter canvas").forEach((cv, k) => {
    cv.onclick = () => demo.send({ type: "inspect", what: "filter", index: k });
    cv.title = `learned filter ${k + 1}: click for the patch that drives it most`;
  });
  const sp = d.cnn.spec;
  $("#cnn-title").textContent = `Tiny CNN: ${sp.filters} filter${sp.filters > 1 ? "s" : ""} 3\u00d73 \u2192 ReLU \u2192 2\u00d72 max pool \u2192 ${sp.hidden ? `${sp.hidden} tanh \u2192 ` : ""}softmax over ${d.classes.length} classes`;
  const shape = JSON.stringify(sp); // the inputs follow the network only when it changes: a half-typed shape stays
  if (shape !== lastShape) {
    lastShape = shape;
    for (const [id, v] of [["#filters", sp.filters], ["#hidden", sp.hidden], ["#init", sp.init]]) $(id).value = String(v);
  }
  renderProbs(d);
  renderStimulus(d);
  renderExplain(d, img);
}
