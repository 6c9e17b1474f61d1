// Demo 5's layer rows: a filter, its feature map, ReLU and the pooled map side by side, one row per filter, for
// the slides' hand-made filters and for the CNN's learned ones; and the note that explains one map cell.

import { GridView, fixed2 } from "../grid.js";

const SIZE = 9;
const K = 3;

// As the slides print numbers: two decimals cut off, not rounded (7/9 is 0.77, 5/9 is 0.55); ReLU's zeros as "0".
export function asPrinted(v) {
  if (v === 0) return "0";
  const cut = Math.trunc(Math.round(v * 1e8) / 1e6) / 100;
  return cut.toFixed(2);
}

const signedInt = (v) => (v > 0 ? "1" : "-1");

// The largest |v| of a (F, n, n) stack (at least 1e-6): its rows are typed arrays (a frame's blocks), which have
// no .flat, so they are walked.
function largest(stack) {
  let top = 1e-6;
  for (const grid of stack) for (const row of grid) for (const v of row) top = Math.max(top, Math.abs(v));
  return top;
}

// pixels: 81 characters "0"/"1" -> 9x9 of -1/+1
export function decode(pixels) {
  const out = [];
  for (let r = 0; r < SIZE; r++) out.push([...pixels.slice(r * SIZE, (r + 1) * SIZE)].map((ch) => (ch === "1" ? 1 : -1)));
  return out;
}

// A block of rows (filter | map | ReLU | pooled) in `box`; onInspect(k, r, c) when a map cell is hovered or tapped.
export class LayerRows {
  // autoscale: full colour at the largest |value| of each kind (learned weights and maps are not in [-1, 1])
  constructor(box, { prefix, format, autoscale = false, onInspect }) {
    Object.assign(this, { box, prefix, format, autoscale, onInspect });
    this.rows = [];
    this.inspected = null; // {k, r, c}
  }

  ensure(n) {
    if (this.rows.length === n) return;
    this.box.replaceChildren();
    this.rows = [];
    for (let k = 0; k < n; k++) {
      const row = document.createElement("div");
      row.className = "layer-row";
      const make = (part, opts) => {
        const cell = document.createElement("div");
        cell.className = `part ${part}`;
        cell.dataset.label = { filter: "filter", map: "feature map", relu: "ReLU", pooled: "max pool" }[part];
        const canvas = document.createElement("canvas");
        canvas.id = `${this.prefix}-${part}-${k}`;
        cell.append(canvas);
        row.append(cell);
        return { cell, view: new GridView(canvas, opts) };
      };
      const inspect = (r, c, kind) => { if (kind !== "leave" && kind !== "up") this.onInspect(k, r, c); };
      const filter = make("filter", { format: fixed2 });
      const caption = document.createElement("p");
      caption.className = "caption";
      filter.cell.append(caption);
      this.rows.push({
        filter: filter.view, caption,
        map: make("map", { format: this.format, onCell: inspect }).view,
        relu: make("relu", { format: this.format, onCell: inspect }).view,
        pooled: make("pooled", { format: this.format }).view,
      });
      this.box.append(row);
    }
  }

  // layers: {filters (F,3,3), maps, relu, pooled}; captions: a line under each filter
  set(layers, captions) {
    this.ensure(layers.filters.length);
    const insp = this.inspected;
    const top = (a) => (this.autoscale ? largest(a) : 1);
    const scales = { filter: top(layers.filters), map: top(layers.maps), pooled: top(layers.pooled) };
    this.rows.forEach((row, k) => {
      const mine = insp && insp.k === k;
      row.filter.set(layers.filters[k], { scale: scales.filter });
      row.caption.textContent = captions[k] || "";
      row.map.set(layers.maps[k], { selected: mine ? { r: insp.r, c: insp.c } : null, scale: scales.map });
      row.relu.set(layers.relu[k], { selected: mine ? { r: insp.r, c: insp.c } : null, scale: scales.map });
      row.pooled.set(layers.pooled[k], {
        selected: mine ? { r: Math.floor(insp.r / 2), c: Math.floor(insp.c / 2) } : null, scale: scales.pooled,
      });
    });
  }
}

// The nine products of a patch and a filter, their mean (plus the bias) and what the map shows: the sum written
// out so the room can check it, e.g. "(8 - 1) / 9 = 0.77".
export function explain(box, { image, filter, bias = 0, r, c, value, format, title }) {
  const products = [];
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) products.push(image[r + i][c + j] * filter[i][j]);
  const sum = products.reduce((a, b) => a + b, 0);
  const whole = products.every((p) => Number.isInteger(p));
  const table = document.createElement("div");
  table.className = "products";
  products.forEach((p, n) => {
    const i = Math.floor(n / K);
    const j = n % K;
    const cell = document.createElement("span");
    cell.className = p > 0 ? "pos" : p < 0 ? "neg" : "";
    const px = signedInt(image[r + i][c + j]);
    // whole numbers (the slides' filters) written out in full; learned weights as the product alone (it fits)
    cell.textContent = whole ? `${px} \u00d7 ${filter[i][j]} = ${p}` : p.toFixed(2);
    cell.title = `pixel ${px} \u00d7 weight ${filter[i][j].toFixed(3)}`;
    table.append(cell);
  });
  const pos = products.filter((p) => p > 0).length;
  const neg = products.filter((p) => p < 0).length;
  const sumText = whole ? `(${pos} \u2212 ${neg}) / 9` : `${sum.toFixed(2)} / 9`;
  const biasText = bias ? ` ${bias >= 0 ? "+" : "\u2212"} ${Math.abs(bias).toFixed(2)} (bias)` : "";
  const line = document.createElement("p");
  line.className = "mean";
  line.textContent = `mean of the nine products: ${sumText}${biasText} = ${format(value)}`;
  const head = document.createElement("h3");
  head.textContent = title;
  const kind = document.createElement("p");
  kind.className = "hint";
  kind.textContent = whole ? "pixel \u00d7 filter weight, for the nine cells of the patch:" : "pixel \u00d7 learned weight, for the nine cells of the patch:";
  box.replaceChildren(head, kind, table, line);
  box.classList.remove("hidden");
}
