// Shadow columns side by side (input, output, desired...): cells bottom-up, shaded by value, value printed.

import { Surface } from "./canvas.js";
import * as colors from "./colors.js";
import * as look from "./projector.js";

export class Columns {
  constructor(canvas) {
    this.cols = []; // [{label, values}]
    this.surface = new Surface(canvas, (ctx, w, h) => this.draw(ctx, w, h));
  }

  set(cols) { this.cols = cols; this.surface.redraw(); }

  draw(ctx, w, h) {
    if (!this.cols.length) return;
    const n = Math.max(...this.cols.map((c) => c.values.length));
    const head = look.px(14, "columns"), top = head + 10, gap = 14;
    const cw = Math.min(90, (w - gap * (this.cols.length + 1)) / this.cols.length);
    const ch = (h - top - 6) / n;
    const x0 = (w - (cw * this.cols.length + gap * (this.cols.length - 1))) / 2;
    ctx.font = look.font(14, "columns");
    ctx.textAlign = "center";
    this.cols.forEach((c, k) => {
      const x = x0 + k * (cw + gap);
      ctx.fillStyle = "#333";
      ctx.fillText(c.label, x + cw / 2, head + 2);
      c.values.forEach((v, i) => {
        const y = top + (n - 1 - i) * ch; // level 0 at the bottom, like a shadow
        ctx.fillStyle = colors.value(v);
        ctx.fillRect(x, y, cw, ch - 2);
        ctx.strokeStyle = "#999";
        ctx.strokeRect(x, y, cw, ch - 2);
        if (ch >= 14 && look.fits(Math.min(14, Math.round(ch * 0.5)), ch - 2)) {
          ctx.fillStyle = colors.inkFor(v);
          ctx.font = look.font(Math.min(14, Math.round(ch * 0.5)), "column values");
          ctx.textBaseline = "middle";
          ctx.fillText(v.toFixed(2), x + cw / 2, y + (ch - 2) / 2);
          ctx.textBaseline = "alphabetic";
        }
      });
    });
  }
}
