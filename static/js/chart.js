// The loss chart: iterations on x (linear or log), loss on y (linear or log), thinned so a 160,000-step run stays
// light, with a labelled marker at every phase change the server reports (fine-tune, knockout, lesson step, ...),
// the session's bookmarks, and a faint "ghost": the run before "run it again", labelled with its seed.

import { Surface } from "./canvas.js";
import * as look from "./projector.js";

const MAX_POINTS = 4000;

export class LossChart {
  constructor(canvas, { log = true, series = ["loss"], label = "loss" } = {}) {
    this.log = log;
    this.label = label;
    this.series = series; // names; points carry one value per series
    this.points = []; // [iteration, v0, v1, ...]
    this.marks = []; // [iteration, label]
    this.logX = false;
    this.bookmarks = []; // [iteration, name]
    this.ghost = null; // {label, points: [iteration, loss]}: the previous run, until cleared
    this.onGhost = null; // called with the ghost (or null) when it changes
    this.surface = new Surface(canvas, (ctx, w, h) => this.draw(ctx, w, h));
  }

  reset() { this.points = []; this.surface.redraw(); }

  // Keep the run shown now as the faint second series (the next run replaces the points).
  keepGhost(label) {
    const pts = this.points.filter((p) => p[1] != null && Number.isFinite(p[1])).map((p) => [p[0], p[1]]);
    if (pts.length) this.setGhost({ label, points: pts });
  }

  setGhost(ghost) { this.ghost = ghost; if (this.onGhost) this.onGhost(ghost); this.surface.redraw(); }

  setBookmarks(list) { this.bookmarks = list || []; this.surface.redraw(); }

  setLog(on) { this.log = on; this.surface.redraw(); }

  setLogX(on) { this.logX = on; this.surface.redraw(); }

  setMarks(marks) {
    const next = marks || [];
    if (JSON.stringify(next) === JSON.stringify(this.marks)) return;
    this.marks = next;
    this.surface.redraw();
  }

  add(points) {
    if (!points || !points.length) return;
    for (const p of points) this.points.push(p);
    if (this.points.length > MAX_POINTS) {
      // Half of them, evenly spread over the iterations (x is linear): an early cliff stays as sharp as a late one.
      const pts = this.points, gap = (pts[pts.length - 1][0] - pts[0][0]) / (MAX_POINTS / 2);
      const out = [pts[0]];
      for (let i = 1; i < pts.length - 1; i++) if (pts[i][0] - out[out.length - 1][0] >= gap) out.push(pts[i]);
      out.push(pts[pts.length - 1]);
      this.points = out;
    }
    this.surface.redraw();
  }

  draw(ctx, w, h) {
    const fpx = look.px(12, "chart"), L = Math.round(fpx * 4.8), R = 12, T = 10, B = Math.round(fpx * 2.2);
    ctx.font = look.font(12, "chart");
    ctx.fillStyle = "#555";
    ctx.strokeStyle = "#bbb";
    ctx.lineWidth = 1;
    ctx.strokeRect(L, T, w - L - R, h - T - B);
    const pts = this.points.filter((p) => p.slice(1).some((v) => v != null && Number.isFinite(v)));
    if (!pts.length) {
      ctx.textAlign = "center";
      ctx.fillText("press play: the loss will appear here", (L + w - R) / 2, h / 2);
      return;
    }
    const ghost = this.ghost ? this.ghost.points.filter((p) => !this.log || p[1] > 0) : [];
    const xs = pts.map((p) => p[0]).concat(ghost.map((p) => p[0]));
    const vals = pts.flatMap((p) => p.slice(1)).concat(ghost.map((p) => p[1]))
      .filter((v) => v != null && Number.isFinite(v) && (!this.log || v > 0));
    if (!vals.length) {
      // Every value is exactly 0 (a perceptron that separates its points): nothing to place on a log axis, and
      // the axis bounds would be infinite (the decade loop below would never end).
      ctx.textAlign = "center";
      ctx.fillText(this.log ? "the loss is exactly 0: untick log scale to see it" : "no values yet", (L + w - R) / 2, h / 2);
      return;
    }
    const x0 = Math.min(...xs), x1 = Math.max(x0 + 1, Math.max(...xs));
    // log x: the first 1,000 iterations and a cliff at 160,000 both get room
    const gx = this.logX ? (x) => Math.log10(Math.max(1, x)) : (x) => x;
    const f = this.log ? (v) => Math.log10(Math.max(v, 1e-12)) : (v) => v;
    let y0 = Math.min(...vals.map(f)), y1 = Math.max(...vals.map(f));
    if (this.log) { y0 = Math.floor(y0); y1 = Math.ceil(y1); }
    if (y1 - y0 < 1e-9) { y1 = y0 + (this.log ? 1 : Math.abs(y0) * 0.1 + 1e-3); }
    if (!this.log) y0 = Math.min(0, y0);
    const gx0 = gx(x0), gx1 = Math.max(gx0 + 1e-9, gx(x1));
    const X = (x) => L + ((gx(x) - gx0) / (gx1 - gx0)) * (w - L - R);
    const Y = (v) => T + (1 - (f(v) - y0) / (y1 - y0)) * (h - T - B);
    // Axes labels.
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    if (this.log) {
      // labels apart, never overlapping (a plot squeezed to a few pixels gets its top label only)
      const every = Math.max(1, Math.ceil(((fpx + 4) * (y1 - y0)) / Math.max(1, h - T - B)));
      for (let e = y0; e <= y1; e++) {
        const y = T + (1 - (e - y0) / (y1 - y0)) * (h - T - B);
        if ((e - y0) % every === 0) ctx.fillText(`1e${e}`, L - 6, y);
        ctx.strokeStyle = "#eee";
        ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(w - R, y); ctx.stroke();
      }
    } else {
      [y0, (y0 + y1) / 2, y1].forEach((v) => ctx.fillText(fmt(v), L - 6, T + (1 - (v - y0) / (y1 - y0)) * (h - T - B)));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    const mid = this.logX ? 10 ** ((gx0 + gx1) / 2) : (x0 + x1) / 2;
    [x0, mid, x1].forEach((x, k) => {
      ctx.textAlign = ["left", "center", "right"][k]; // the end labels stay inside the canvas
      ctx.fillText(fmtIt(x), X(x), h - fpx * 0.6);
    });
    ctx.save();
    ctx.translate(fpx, (T + h - B) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(this.label + (this.log ? " (log)" : ""), 0, 0);
    ctx.restore();
    this.drawMarks(ctx, X, x0, x1, w, h, T, B, fpx);
    this.drawBookmarks(ctx, X, x0, x1, h, B);
    if (ghost.length) {
      ctx.strokeStyle = "rgba(90,90,90,0.45)";
      ctx.lineWidth = look.line(2);
      ctx.beginPath();
      ghost.forEach((p, i) => (i ? ctx.lineTo(X(p[0]), Y(p[1])) : ctx.moveTo(X(p[0]), Y(p[1]))));
      ctx.stroke();
      ctx.textAlign = "right";
      ctx.fillStyle = "#777";
      ctx.fillText(this.ghost.label, w - R - 6, T + fpx + 2);
    }
    // Lines.
    const strokes = ["#1b5fb0", "#c2571a", "#2a8a3a"];
    this.series.forEach((_, s) => {
      ctx.strokeStyle = strokes[s % strokes.length];
      ctx.lineWidth = look.line(2);
      ctx.beginPath();
      let started = false;
      for (const p of pts) {
        const v = p[s + 1];
        if (v == null || !Number.isFinite(v) || (this.log && v <= 0)) continue;
        if (!started) { ctx.moveTo(X(p[0]), Y(v)); started = true; } else ctx.lineTo(X(p[0]), Y(v));
      }
      ctx.stroke();
    });
    this.surface.canvas.dataset.curves = String(this.series.length + (ghost.length ? 1 : 0)); // what was drawn (tests)
    if (this.series.length > 1) {
      ctx.textAlign = "left";
      this.series.forEach((name, s) => {
        ctx.fillStyle = strokes[s % strokes.length];
        ctx.fillText(name, L + 8 + s * fpx * 7.5, T + fpx + 2);
      });
    }
  }
}

LossChart.prototype.drawMarks = function (ctx, X, x0, x1, w, h, T, B, fpx) {
  // Labels that would collide go one row lower (up to three rows), else they are left out: never on top.
  const rows = [[], [], []];
  ctx.save();
  ctx.font = look.font(11, "chart marks");
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  for (const [it, label] of this.marks) {
    if (it < x0 || it > x1) continue;
    const x = X(Math.max(it, 1));
    ctx.strokeStyle = "#8a5a00";
    ctx.lineWidth = look.line(1.2);
    ctx.setLineDash([4, 3]);
    ctx.beginPath(); ctx.moveTo(x, T); ctx.lineTo(x, h - B); ctx.stroke();
    ctx.setLineDash([]);
    const tw = ctx.measureText(label).width, lx = Math.min(x + 3, w - tw - 2);
    const row = rows.findIndex((r) => r.every(([a, b]) => lx > b + 4 || lx + tw < a - 4));
    if (row < 0) continue;
    rows[row].push([lx, lx + tw]);
    const y = T + 2 + row * (look.px(11, "chart marks") + 3);
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fillRect(lx - 1, y - 1, tw + 2, look.px(11, "chart marks") + 2);
    ctx.fillStyle = "#8a5a00";
    ctx.fillText(label, lx, y);
  }
  ctx.restore();
};

// A bookmark: a blue triangle on the x axis at its iteration (its name is in the list above the chart).
LossChart.prototype.drawBookmarks = function (ctx, X, x0, x1, h, B) {
  const s = look.px(7, "chart marks");
  ctx.save();
  ctx.fillStyle = "#1b5fb0";
  for (const [it] of this.bookmarks) {
    if (it < x0 || it > x1) continue;
    const x = X(Math.max(it, 1)), y = h - B;
    ctx.beginPath(); ctx.moveTo(x, y - s); ctx.lineTo(x - s * 0.7, y + 1); ctx.lineTo(x + s * 0.7, y + 1); ctx.fill();
  }
  ctx.restore();
};

function fmt(v) { return Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toFixed(3); }
export function fmtIt(x) {
  if (x >= 1e6) return (x / 1e6).toFixed(x % 1e6 ? 1 : 0) + "M";
  if (x >= 1e3) return (x / 1e3).toFixed(x % 1e3 ? 1 : 0) + "k";
  return String(Math.round(x));
}
