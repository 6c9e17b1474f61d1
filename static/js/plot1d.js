// A plot of functions of one variable: axes with ticks, shaded x bands, polylines and point markers.
// It takes plain arrays and maps data <-> CSS pixels with one affine map, used for drawing AND for pointer
// hits, so a click lands exactly where the pointer is. It knows nothing of any demo.

import { Surface } from "./canvas.js";
import * as look from "./projector.js";


export class Plot1D {
  // opts: x: [lo, hi], y: [lo, hi], xLabel, yLabel, xTicks: [{v, label}], yTicks: [{v, label}]
  constructor(canvas, opts = {}) {
    this.opts = { x: [0, 1], y: [0, 1], xLabel: "", yLabel: "", ...opts };
    this.layers = { shade: [], lines: [], points: [], marks: [] };
    this.area = { left: 0, top: 0, right: 1, bottom: 1 };
    this.surface = new Surface(canvas, (ctx, w, h) => this.draw(ctx, w, h));
    this.canvas = canvas;
    canvas.plot = this; // lets tests (and the console) map data to pixels
  }

  // shade: [{from, to, fill, label}], lines: [{x: [], y: [], stroke, width, dash}],
  // points: [{x, y, fill, stroke, r, glyph, text, textColor, id (pointer hits only find points with one)}],
  // marks: [{x, stroke, label, labelY, side}] (vertical lines)
  set(layers) {
    Object.assign(this.layers, layers);
    this.surface.redraw();
  }

  setRange({ x, y }) {
    if (x) this.opts.x = x;
    if (y) this.opts.y = y;
    this.surface.redraw();
  }

  // Margins in proportion to the text: a y label, then tick labels like "-0.5"; tick labels and x label below.
  layout(w, h) {
    this.fontPx = look.px(Math.round(Math.min(16, Math.max(12, w / 70))), "plot"); // larger on a projector-sized plot
    const f = this.fontPx, left = Math.round(f * 4), bottom = Math.round(f * 2.3 + 6);
    this.area = { left, top: 12, right: Math.max(left + 10, w - 14), bottom: Math.max(22, h - bottom) };
  }

  px(x) { const [a, b] = this.opts.x, A = this.area; return A.left + ((x - a) / (b - a)) * (A.right - A.left); }
  py(y) { const [a, b] = this.opts.y, A = this.area; return A.bottom - ((y - a) / (b - a)) * (A.bottom - A.top); }
  dataX(px) { const [a, b] = this.opts.x, A = this.area; return a + ((px - A.left) / (A.right - A.left)) * (b - a); }
  dataY(py) { const [a, b] = this.opts.y, A = this.area; return a + ((A.bottom - py) / (A.bottom - A.top)) * (b - a); }

  inside(p) {
    const A = this.area;
    return p.x >= A.left && p.x <= A.right && p.y >= A.top && p.y <= A.bottom;
  }

  // The nearest drawn point under p (CSS pixels) that has an `id`, or null.
  hit(p, slack = 4) {
    let best = null, bestD = Infinity;
    for (const q of this.layers.points) {
      if (q.id == null) continue;
      const d = Math.hypot(this.px(q.x) - p.x, this.py(q.y) - p.y);
      if (d <= (q.r || 6) + slack && d < bestD) { best = q; bestD = d; }
    }
    return best;
  }

  draw(ctx, w, h) {
    this.layout(w, h);
    const A = this.area;
    ctx.font = `${this.fontPx}px system-ui, sans-serif`;
    for (const s of this.layers.shade) {
      const x0 = Math.max(A.left, this.px(s.from)), x1 = Math.min(A.right, this.px(s.to));
      ctx.fillStyle = s.fill;
      ctx.fillRect(x0, A.top, x1 - x0, A.bottom - A.top);
      if (s.label) {
        ctx.fillStyle = s.labelColor || "#3a5a80";
        ctx.textAlign = "center";
        ctx.fillText(s.label, (x0 + x1) / 2, A.top + 15);
      }
    }
    this.drawAxes(ctx);
    ctx.save();
    ctx.beginPath();
    ctx.rect(A.left, A.top, A.right - A.left, A.bottom - A.top);
    ctx.clip();
    for (const m of this.layers.marks) {
      ctx.strokeStyle = m.stroke || "#888";
      ctx.lineWidth = m.width || 1;
      ctx.setLineDash(m.dash || [4, 4]);
      ctx.beginPath();
      ctx.moveTo(this.px(m.x), A.top);
      ctx.lineTo(this.px(m.x), A.bottom);
      ctx.stroke();
      if (m.label) { // beside the line (side: "left" | "right", else where there is more room), at data y labelY
        const right = m.side ? m.side === "right" : this.px(m.x) < (A.left + A.right) / 2;
        ctx.fillStyle = m.labelColor || "#5b6270";
        ctx.textAlign = right ? "left" : "right";
        ctx.fillText(m.label, this.px(m.x) + (right ? 6 : -6), m.labelY != null ? this.py(m.labelY) : A.bottom - 8);
      }
    }
    ctx.setLineDash([]);
    for (const l of this.layers.lines) this.drawLine(ctx, l);
    ctx.restore();
    this.labelBoxes = [...this.tickBoxes]; // labels drawn so far this pass: a new one never goes on top of one
    for (const q of this.layers.points) this.drawPoint(ctx, q);
  }

  drawAxes(ctx) {
    const A = this.area, o = this.opts;
    ctx.strokeStyle = "#c9ced6";
    ctx.lineWidth = 1;
    ctx.strokeRect(A.left, A.top, A.right - A.left, A.bottom - A.top);
    ctx.fillStyle = "#444";
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    for (const t of o.yTicks || autoTicks(o.y)) {
      const y = this.py(t.v);
      ctx.strokeStyle = "#eef0f3";
      ctx.beginPath(); ctx.moveTo(A.left, y); ctx.lineTo(A.right, y); ctx.stroke();
      ctx.fillText(t.label, A.left - 6, y);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    this.tickBoxes = []; // a point's label keeps off the x ticks' labels too
    for (const t of o.xTicks || autoTicks(o.x)) {
      const x = this.px(t.v), tw = ctx.measureText(t.label).width;
      ctx.strokeStyle = "#bbb";
      ctx.beginPath(); ctx.moveTo(x, A.bottom); ctx.lineTo(x, A.bottom + 4); ctx.stroke();
      const box = { l: x - tw / 2 - 2, r: x + tw / 2 + 2, t: A.bottom + 4, b: A.bottom + 8 + this.fontPx };
      const last = this.tickBoxes[this.tickBoxes.length - 1];
      if (last && box.l < last.r) continue; // a narrow plot: the tick keeps its mark, not a label on its neighbour's
      ctx.fillText(t.label, x, A.bottom + 6);
      this.tickBoxes.push(box);
    }
    if (o.xLabel) {
      ctx.textAlign = "right";
      ctx.fillText(o.xLabel, A.right, A.bottom + 6 + this.fontPx * 1.15);
    }
    if (o.yLabel) {
      ctx.save();
      ctx.translate(this.fontPx * 0.8, (A.top + A.bottom) / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = "center";
      ctx.fillText(o.yLabel, 0, 0);
      ctx.restore();
    }
    ctx.textBaseline = "alphabetic";
  }

  drawLine(ctx, l) {
    ctx.strokeStyle = l.stroke || "#1b5fb0";
    ctx.lineWidth = l.width || 2;
    ctx.setLineDash(l.dash || []);
    ctx.beginPath();
    let on = false;
    for (let i = 0; i < l.x.length; i++) {
      const v = l.y[i];
      if (v == null || !Number.isFinite(v)) { on = false; continue; }
      const X = this.px(l.x[i]), Y = this.py(v);
      if (on) ctx.lineTo(X, Y); else { ctx.moveTo(X, Y); on = true; }
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }

  drawPoint(ctx, q) {
    const X = this.px(q.x), Y = this.py(q.y), r = look.active() && q.glyph ? Math.max(17, q.r || 6) : q.r || 6;
    ctx.beginPath();
    ctx.arc(X, Y, r, 0, 2 * Math.PI);
    ctx.fillStyle = q.fill || "#333";
    ctx.fill();
    if (q.stroke) { ctx.strokeStyle = q.stroke; ctx.lineWidth = q.strokeWidth || 1.5; ctx.stroke(); }
    if (q.glyph) {
      ctx.fillStyle = q.glyphColor || "#fff";
      ctx.font = `bold ${look.atLeast(Math.round(r * 1.5), "point glyphs")}px system-ui, sans-serif`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(q.glyph, X, Y + 1);
      ctx.textBaseline = "alphabetic";
    }
    if (q.text) {
      ctx.font = `bold ${this.fontPx + 1}px system-ui, sans-serif`;
      ctx.fillStyle = q.textColor || "#222";
      ctx.textAlign = "center";
      // Probability labels of close points would print on top of each other, or on the x ticks' labels: a label
      // goes where it is clear of every label drawn, next to its point (its side, else the other) or one to three
      // lines further out; else it is left out.
      const fh = this.fontPx + 1, tw = ctx.measureText(q.text).width, dir = q.textBelow ? 1 : -1;
      const y0 = q.textBelow ? Y + r + fh : Y - r - 6, other = q.textBelow ? Y - r - 6 : Y + r + fh;
      const tries = [y0, other, other - dir * (fh + 2), ...[1, 2, 3].map((k) => y0 + dir * k * (fh + 2))];
      for (const y of tries) {
        const box = { l: X - tw / 2 - 2, r: X + tw / 2 + 2, t: y - fh, b: y + 2 };
        if (box.t < 0 || box.b > this.surface.h) continue;
        if (this.labelBoxes.some((o) => box.l < o.r && o.l < box.r && box.t < o.b && o.t < box.b)) continue;
        this.labelBoxes.push(box);
        ctx.fillText(q.text, X, y);
        break;
      }
    }
  }
}

// About six round ticks across [lo, hi].
export function autoTicks([lo, hi], n = 6) {
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) {
    const r = Math.round(v / step) * step;
    out.push({ v: r, label: String(+r.toFixed(6)) });
  }
  return out;
}

// Ticks at multiples of pi/2, labelled as the slides would write them.
export function piTicks([lo, hi]) {
  const names = { "-4": "-2\u03c0", "-3": "-3\u03c0/2", "-2": "-\u03c0", "-1": "-\u03c0/2", "0": "0", "1": "\u03c0/2",
                  "2": "\u03c0", "3": "3\u03c0/2", "4": "2\u03c0" };
  const out = [];
  for (let k = Math.ceil(lo / (Math.PI / 2) - 1e-9); k * Math.PI / 2 <= hi + 1e-9; k++) {
    out.push({ v: (k * Math.PI) / 2, label: names[String(k)] || `${k / 2}\u03c0` });
  }
  return out;
}
