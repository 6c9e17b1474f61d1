// A surface over two parameters drawn as a heatmap (values in [0, 1], the playground's one colour scale),
// with the path training took across it. Plain arrays in: {w: [lo, hi], t: [lo, hi], n, values (row i = t_i,
// column j = w_j)}, path [[w, t], ...].

import { Surface } from "./canvas.js";
import * as colors from "./colors.js";
import { autoTicks } from "./plot1d.js";
import * as look from "./projector.js";

// Colour is (v / max)^GAMMA: near its top a likelihood surface is broad and flat, and a linear ramp would paint
// most of the box one colour; the power spreads the top of the range. The legend is labelled in v itself.
const GAMMA = 4;

export class Landscape {
  constructor(canvas, { xLabel = "w", yLabel = "t", legend = "" } = {}) {
    this.opts = { xLabel, yLabel, legend };
    this.heat = null;
    this.path = [];
    this.image = document.createElement("canvas");
    this.surface = new Surface(canvas, (ctx, w, h) => this.draw(ctx, w, h));
    canvas.landscape = this; // lets tests (and the console) find what is drawn
    colors.onPaletteChange(() => { this.paint(); this.surface.redraw(); });
  }

  set(heat, path) {
    this.heat = heat;
    this.path = path || [];
    this.paint();
    this.surface.redraw();
  }

  // The heatmap at one pixel per cell; drawImage scales it up.
  paint() {
    const h = this.heat;
    if (!h) return;
    const n = h.n;
    this.image.width = n;
    this.image.height = n;
    const ctx = this.image.getContext("2d");
    const img = ctx.createImageData(n, n);
    this.max = Math.max(1e-12, ...h.values);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const [r, g, b] = colors.rgb(this.shade(h.values[i * n + j]));
        const k = ((n - 1 - i) * n + j) * 4; // row 0 is the lowest t: drawn at the bottom
        img.data[k] = r; img.data[k + 1] = g; img.data[k + 2] = b; img.data[k + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
  }

  shade(v) { return (v / this.max) ** GAMMA; }

  px(w) { const [a, b] = this.heat.w, A = this.area; return A.left + ((w - a) / (b - a)) * (A.right - A.left); }
  py(t) { const [a, b] = this.heat.t, A = this.area; return A.bottom - ((t - a) / (b - a)) * (A.bottom - A.top); }

  draw(ctx, w, h) {
    // A square plot where there is room for one: w and t are read against each other.
    // Margins in proportion to the text: t label and ticks on the left, ticks and w label below, the legend
    // (bar, values, its label) on the right.
    const f = this.fontPx = look.px(Math.round(Math.min(16, Math.max(12, Math.min(w, h) / 32))), "landscape");
    const pad = { left: Math.round(f * 3.6), right: Math.round(f * 5.4 + 16), top: 10, bottom: Math.round(f * 2.6 + 6) };
    const side = Math.max(20, Math.min(w - pad.left - pad.right, h - pad.top - pad.bottom));
    this.area = { left: pad.left, top: pad.top, right: pad.left + side, bottom: pad.top + side };
    const A = this.area;
    ctx.font = `${f}px system-ui, sans-serif`;
    if (!this.heat) {
      ctx.fillStyle = "#666";
      ctx.textAlign = "center";
      ctx.fillText("add examples: the likelihood appears here", (A.left + A.right) / 2, (A.top + A.bottom) / 2);
      return;
    }
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.image, A.left, A.top, side, side);
    ctx.strokeStyle = "#999";
    ctx.strokeRect(A.left, A.top, side, side);
    this.drawTicks(ctx);
    this.drawLegend(ctx);
    this.drawPath(ctx);
  }

  drawTicks(ctx) {
    const A = this.area;
    ctx.fillStyle = "#444";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of autoTicks(this.heat.w, 5)) ctx.fillText(t.label, this.px(t.v), A.bottom + 5);
    ctx.fillText(this.opts.xLabel, (A.left + A.right) / 2, A.bottom + 6 + this.fontPx * 1.3);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of autoTicks(this.heat.t, 5)) ctx.fillText(t.label, A.left - 5, this.py(t.v));
    ctx.save();
    ctx.translate(this.fontPx * 0.8, (A.top + A.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(this.opts.yLabel, 0, 0);
    ctx.restore();
    ctx.textBaseline = "alphabetic";
  }

  drawLegend(ctx) {
    const A = this.area, x = A.right + 12, wd = 12, top = A.top + 18, bottom = A.bottom - 18;
    for (let y = top; y < bottom; y++) {
      const [r, g, b] = colors.rgb(1 - (y - top) / (bottom - top));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(x, y, wd, 1);
    }
    ctx.strokeStyle = "#999";
    ctx.strokeRect(x, top, wd, bottom - top);
    ctx.fillStyle = "#444";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    for (const c of [1, 0.5, 0.1, 0]) { // labelled in v: the colour c stands for v = max * c^(1/GAMMA)
      ctx.fillText((this.max * c ** (1 / GAMMA)).toFixed(2), x + wd + 4, bottom - c * (bottom - top));
    }
    ctx.textBaseline = "alphabetic";
    if (this.opts.legend) {
      ctx.save();
      ctx.translate(x + wd + 4 + this.fontPx * 3.3, (top + bottom) / 2);
      ctx.rotate(Math.PI / 2);
      ctx.textAlign = "center";
      ctx.fillText(this.opts.legend, 0, 0);
      ctx.restore();
    }
  }

  drawPath(ctx) {
    const pts = this.path;
    if (!pts.length) return;
    const A = this.area;
    ctx.save();
    ctx.beginPath();
    ctx.rect(A.left, A.top, A.right - A.left, A.bottom - A.top);
    ctx.clip();
    const line = (stroke, width) => {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = width;
      ctx.lineJoin = "round";
      ctx.beginPath();
      pts.forEach(([w, t], i) => (i ? ctx.lineTo(this.px(w), this.py(t)) : ctx.moveTo(this.px(w), this.py(t))));
      ctx.stroke();
    };
    line("rgba(255,255,255,0.9)", 6); // a halo keeps the path readable on dark and light cells alike
    line("#e07000", 3);
    const [sw, st] = pts[0], [cw, ct] = pts[pts.length - 1];
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = "#e07000";
    ctx.fillStyle = "#fff";
    ctx.beginPath(); ctx.arc(this.px(sw), this.py(st), 6, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.fillStyle = "#e07000";
    ctx.strokeStyle = "#fff";
    ctx.beginPath(); ctx.arc(this.px(cw), this.py(ct), 8, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.restore();
  }
}
