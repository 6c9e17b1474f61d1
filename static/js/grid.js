// A matrix drawn as square cells in the playground's one signed colour scale, with its numbers on the cells:
// images, filters and feature maps. Pointer events report the cell under them (tap, click, hover, drag).
// The rows may be plain Arrays or typed arrays (a frame's blocks, frame.js): only indexing, length and forEach.

import { Surface } from "./canvas.js";
import * as colors from "./colors.js";
import * as projector from "./projector.js";

export const fixed2 = (v) => v.toFixed(2);

export class GridView {
  // opts: format (v -> text, or null: no numbers), scale (|v| of full colour), onCell(r, c, kind) with kind
  // "down" | "move" | "up" | "hover" | "leave", pixel (true: -1/+1 pixels drawn as ink on white, not as weights)
  constructor(canvas, opts = {}) {
    this.opts = { format: fixed2, scale: 1, ...opts };
    this.values = [];
    this.highlight = null; // {r, c, h, w}: a patch outlined on top
    this.selected = null; // {r, c}: one cell outlined
    this.surface = new Surface(canvas, (ctx, w, h) => this.draw(ctx, w, h));
    canvas.grid = this; // tests read `texts` and `cellXY` from the element
    colors.onPaletteChange(() => this.surface.redraw());
    const cellOf = (ev) => {
      const n = this.values.length;
      if (!n) return null;
      const p = this.surface.point(ev);
      const { x0, y0, size } = this.layout();
      const r = Math.floor((p.y - y0) / size);
      const c = Math.floor((p.x - x0) / size);
      return r >= 0 && c >= 0 && r < n && c < this.values[0].length ? { r, c } : null;
    };
    let down = false;
    let last = null;
    const emit = (cell, kind) => { if (this.opts.onCell && cell) this.opts.onCell(cell.r, cell.c, kind); };
    canvas.addEventListener("pointerdown", (ev) => {
      const cell = cellOf(ev);
      if (!cell) return;
      down = true;
      last = cell;
      if (this.opts.draggable) canvas.setPointerCapture(ev.pointerId);
      emit(cell, "down");
    });
    canvas.addEventListener("pointermove", (ev) => {
      const cell = cellOf(ev);
      if (!cell || (last && cell.r === last.r && cell.c === last.c)) return;
      last = cell;
      emit(cell, down ? "move" : "hover");
    });
    const up = () => { down = false; };
    canvas.addEventListener("pointerup", up);
    canvas.addEventListener("pointercancel", up);
    canvas.addEventListener("pointerleave", () => { last = null; if (!down && this.opts.onCell) this.opts.onCell(-1, -1, "leave"); });
  }

  set(values, { highlight = this.highlight, selected = this.selected, scale = this.opts.scale } = {}) {
    this.values = values;
    this.opts.scale = scale;
    this.highlight = highlight;
    this.selected = selected;
    this.surface.redraw();
  }

  // The text on every cell, as drawn (the end-to-end tests read the numbers the class sees).
  get texts() {
    const f = this.opts.format;
    return f ? this.values.map((row) => Array.from(row, f)) : [];
  }

  layout() {
    const rows = this.values.length;
    const cols = rows ? this.values[0].length : 1;
    const { w, h } = this.surface;
    const size = Math.max(1, Math.floor(Math.min(w / cols, h / Math.max(1, rows))));
    return { size, x0: Math.floor((w - size * cols) / 2), y0: Math.floor((h - size * rows) / 2) };
  }

  // Page coordinates of a cell's centre, for tests and for placing a note beside it.
  cellXY(r, c) {
    const rect = this.surface.canvas.getBoundingClientRect();
    const { size, x0, y0 } = this.layout();
    return { x: rect.left + x0 + (c + 0.5) * size, y: rect.top + y0 + (r + 0.5) * size };
  }

  draw(ctx, w, h) {
    const rows = this.values.length;
    if (!rows) return;
    const { size, x0, y0 } = this.layout();
    const { format, scale, pixel } = this.opts;
    // numbers as large as the cell allows (the projector's back row): the widest text fills at most 90% of a cell
    let px = Math.floor(size * 0.42);
    if (format) {
      ctx.font = `${px}px system-ui, sans-serif`;
      let widest = 0;
      for (const row of this.values) for (const v of row) widest = Math.max(widest, ctx.measureText(format(v)).width);
      if (widest > size * 0.9) px = Math.floor((px * size * 0.9) / widest);
    }
    ctx.font = `${Math.max(6, px)}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    this.values.forEach((row, r) => row.forEach((v, c) => {
      const x = x0 + c * size;
      const y = y0 + r * size;
      ctx.fillStyle = pixel ? (v > 0 ? "#1b1f27" : "#fff") : colors.signed(v, scale);
      ctx.fillRect(x, y, size, size);
      if (format && px >= 6 && (!projector.active() || px >= projector.MIN_PX)) { // projector: under 24 px, colour only
        ctx.fillStyle = pixel ? (v > 0 ? "#fff" : "#888") : colors.inkFor(v / scale);
        ctx.fillText(format(v), x + size / 2, y + size / 2 + 1);
      }
    }));
    ctx.strokeStyle = "rgba(0,0,0,0.18)";
    ctx.lineWidth = 1;
    for (let r = 0; r <= rows; r++) { ctx.beginPath(); ctx.moveTo(x0, y0 + r * size + 0.5); ctx.lineTo(x0 + size * row0(this), y0 + r * size + 0.5); ctx.stroke(); }
    for (let c = 0; c <= row0(this); c++) { ctx.beginPath(); ctx.moveTo(x0 + c * size + 0.5, y0); ctx.lineTo(x0 + c * size + 0.5, y0 + rows * size); ctx.stroke(); }
    const box = (b, colour, width) => {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.strokeRect(x0 + b.c * size + width / 2, y0 + b.r * size + width / 2, (b.w || 1) * size - width, (b.h || 1) * size - width);
    };
    if (this.highlight) box(this.highlight, "#f5a400", Math.max(3, size * 0.12));
    if (this.selected) box(this.selected, "#1a5fb4", Math.max(2, size * 0.1));
  }
}

const row0 = (g) => (g.values.length ? g.values[0].length : 0);
