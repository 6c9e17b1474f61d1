// The network canvas used by every demo: neurons in columns, every weight a line coloured by sign with
// intensity (and width) by magnitude, neuron fill by its value for the selected sample.
// It takes plain arrays ({sizes, weights, biases, alive, frozen, values}) and knows nothing of any demo.

import { Surface } from "./canvas.js";
import * as colors from "./colors.js";
import * as look from "./projector.js";

export class NetView {
  // opts: onClick(layer, unit), labels: per layer array of names or null, bottomUp: per layer bools,
  //       thumb(layer, unit) -> canvas or null (drawn inside the neuron), marked(layer, unit) -> bool,
//       maxRadius: largest neuron radius in CSS pixels (default 22; larger leaves room for thumbnails)
  constructor(canvas, opts = {}) {
    this.opts = opts;
    this.net = null;
    this.dropped = null;
    this.hover = null;
    this.positions = [];
    this.surface = new Surface(canvas, (ctx, w, h) => this.draw(ctx, w, h));
    canvas.netview = this; // lets tests (and the console) find where each neuron is drawn
    colors.onPaletteChange(() => this.surface.redraw());
    canvas.addEventListener("click", (ev) => {
      const hit = this.hit(this.surface.point(ev));
      if (hit && this.opts.onClick) this.opts.onClick(hit.layer, hit.unit);
    });
    canvas.addEventListener("mousemove", (ev) => {
      const hit = this.hit(this.surface.point(ev));
      const key = hit ? `${hit.layer}:${hit.unit}` : null;
      canvas.style.cursor = hit && this.opts.onClick ? "pointer" : "default";
      if (key !== this.hover) {
        this.hover = key;
        if (this.opts.onHover) this.opts.onHover(hit ? hit.layer : null, hit ? hit.unit : null);
        this.surface.redraw();
      }
    });
    canvas.addEventListener("mouseleave", () => {
      this.hover = null;
      if (this.opts.onHover) this.opts.onHover(null, null);
      this.surface.redraw();
    });
  }

  set(net, extra = {}) {
    this.net = net;
    this.dropped = extra.dropped || null;
    this.surface.redraw();
  }

  redraw() { this.surface.redraw(); }

  layout(w, h) {
    const sizes = this.net.sizes;
    // a large neuron must not be cut at the edge; on the projector, room for values drawn beside the neurons
    const pad = Math.max(28, (this.opts.maxRadius || 0) + 6), padX = look.active() ? Math.max(80, pad) : pad;
    const top = look.px(12, "captions") * (this.frozenCaption ? 2 : 1) + 14; // room for layer captions
    const maxN = Math.max(...sizes);
    const colGap = (w - 2 * padX) / Math.max(1, sizes.length - 1);
    const rowGap = (h - top - pad) / Math.max(1, maxN);
    const r = Math.max(5, Math.min(this.opts.maxRadius || 22, rowGap * 0.38, colGap * 0.18));
    this.radius = r;
    this.rowGap = maxN > 1 ? rowGap : h; // each neuron's own cell: a finger's tap anywhere in it hits the neuron
    this.colGap = sizes.length > 1 ? colGap : w;
    this.positions = sizes.map((n, l) => {
      const x = sizes.length === 1 ? w / 2 : padX + l * colGap;
      const span = (n - 1) * rowGap;
      const y0 = top + (h - top - pad) / 2 - span / 2;
      const flip = this.opts.bottomUp && this.opts.bottomUp[l];
      return Array.from({ length: n }, (_, i) => ({ x, y: y0 + (flip ? n - 1 - i : i) * rowGap }));
    });
  }

  // The neuron under p: within its radius (a mouse), or on a touch screen anywhere in its cell (half the gap to
  // its neighbours each way, at least the radius), the nearest one: a finger is no cursor.
  hit(p) {
    if (!this.net) return null;
    const touch = document.body.classList.contains("touch");
    const rx = touch ? Math.max(this.radius + 4, this.colGap / 2) : this.radius + 4;
    const ry = touch ? Math.max(this.radius + 4, this.rowGap / 2) : this.radius + 4;
    let best = null, bestD = Infinity;
    for (let l = 0; l < this.positions.length; l++) {
      for (let i = 0; i < this.positions[l].length; i++) {
        const q = this.positions[l][i];
        const d = ((p.x - q.x) / rx) ** 2 + ((p.y - q.y) / ry) ** 2;
        if (touch ? Math.abs(p.x - q.x) <= rx && Math.abs(p.y - q.y) <= ry && d < bestD : d <= 1) {
          best = { layer: l, unit: i };
          bestD = d;
          if (!touch) return best;
        }
      }
    }
    return best;
  }

  alive(l, i) {
    if (l === 0) return true;
    const a = this.net.alive && this.net.alive[l - 1];
    return !a || a[i] > 0;
  }

  isDropped(l, i) {
    return !!(this.dropped && l > 0 && this.dropped[l - 1] && this.dropped[l - 1][i]);
  }

  draw(ctx, w, h) {
    if (!this.net) return;
    this.layout(w, h);
    const { weights, values } = this.net;
    // Intensity is relative to the strongest weight, but frozen layers keep a scale of their own: they do not
    // change, so their drawing must not either (a fine-tuned head growing strong would fade a frozen encoder).
    const frozen = this.net.frozen || [];
    const strongest = (keep) => {
      let m = 1e-9;
      weights.forEach((W, l) => { if (keep(!!frozen[l])) for (const row of W) for (const v of row) m = Math.max(m, Math.abs(v)); });
      return m;
    };
    const trainable = strongest((f) => !f), fixed = strongest((f) => f);
    // Per layer (a toggle): each layer against its own strongest weight, so a layer of small weights still shows
    // its signs (the knockout output layer going "all red" while the hidden layers' weights are larger).
    this.scales = weights.map((W, l) => (this.opts.perLayer && this.opts.perLayer()
      ? Math.max(1e-9, ...W.map((row) => Math.max(...row.map(Math.abs)))) : frozen[l] ? fixed : trainable));
    // Weights, weakest first so the strong ones sit on top.
    const lines = [];
    weights.forEach((W, l) => {
      W.forEach((row, j) => {
        if (!this.alive(l + 1, j) || this.isDropped(l + 1, j)) return;
        row.forEach((v, i) => {
          if (!this.alive(l, i) || this.isDropped(l, i)) return;
          lines.push([Math.abs(v) / this.scales[l], v, this.positions[l][i], this.positions[l + 1][j]]);
        });
      });
    });
    lines.sort((a, b) => a[0] - b[0]);
    const dense = lines.length > 600;
    for (const [rel, v, a, b] of lines) {
      ctx.strokeStyle = colors.signed(Math.sign(v) * rel, 1);
      ctx.lineWidth = look.line((dense ? 0.6 : 1) + (dense ? 2 : 4) * rel);
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
    }
    // Frozen layers get a caption between their columns.
    ctx.font = look.font(12, "captions");
    const capY = look.px(12, "captions") + 2;
    ctx.textAlign = "center";
    (this.net.frozen || []).forEach((f, l) => {
      if (!f) return;
      const x = (this.positions[l][0].x + this.positions[l + 1][0].x) / 2;
      ctx.fillStyle = "#246";
      ctx.fillText("frozen", x, capY);
    });
    (this.opts.captions || []).forEach((c, l) => {
      if (!c || !this.positions[l]) return;
      ctx.fillStyle = "#444";
      // the end columns' captions stay inside the canvas
      const n = this.positions.length;
      ctx.textAlign = n > 1 && l === 0 ? "left" : n > 1 && l === n - 1 ? "right" : "center";
      const x = ctx.textAlign === "left" ? Math.max(2, this.positions[l][0].x - this.radius) : ctx.textAlign === "right"
        ? Math.min(w - 2, this.positions[l][0].x + this.radius) : this.positions[l][0].x;
      // a caption wider than its column's room would run into the next: without its aside, its last word, or none
      const room = n > 1 ? this.colGap * 0.95 : w;
      const text = [c, c.replace(/\s*\(.*\)$/, ""), c.split(" ").pop()].find((t) => ctx.measureText(t).width <= room);
      if (text) ctx.fillText(text, x, this.frozenCaption ? 2 * capY : capY);
    });
    // Neurons.
    const r = this.radius;
    this.positions.forEach((col, l) => col.forEach((p, i) => this.drawNeuron(ctx, l, i, p, r, values)));
  }

  drawNeuron(ctx, l, i, p, r, values) {
    const v = values && values[l] ? values[l][i] : null;
    const dead = !this.alive(l, i);
    const dropped = this.isDropped(l, i);
    const thumb = this.opts.thumb ? this.opts.thumb(l, i) : null;
    ctx.beginPath();
    ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
    ctx.fillStyle = dead || dropped ? "#e4e4e4" : colors.value(v);
    ctx.fill();
    if (thumb && !dead) {
      ctx.save();
      ctx.clip();
      if (dropped) ctx.globalAlpha = 0.18; // greyed while dropped, as a neuron without a heatmap is
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(thumb, p.x - r, p.y - r, 2 * r, 2 * r);
      ctx.restore();
    }
    const key = `${l}:${i}`;
    const marked = this.opts.marked && this.opts.marked(l, i);
    ctx.lineWidth = look.line(marked || key === this.hover ? 3 : 1.2);
    ctx.strokeStyle = marked ? "#f0a000" : key === this.hover ? "#333" : "#555";
    if (dead) ctx.setLineDash([3, 3]);
    ctx.stroke();
    ctx.setLineDash([]);
    if (dead) {
      ctx.strokeStyle = "#999";
      ctx.lineWidth = 2;
      const d = r * 0.55;
      ctx.beginPath();
      ctx.moveTo(p.x - d, p.y - d); ctx.lineTo(p.x + d, p.y + d);
      ctx.moveTo(p.x + d, p.y - d); ctx.lineTo(p.x - d, p.y + d);
      ctx.stroke();
    } else if (v != null && look.active() && !thumb && !look.fits(Math.round(r * 0.62), r * 1.1)
               && this.rowGap >= look.MIN_PX + 2 && this.colGap >= 3 * look.MIN_PX + 2 * r) {
      // Too small a circle for a value the back row can read: the value goes beside it, on a white label.
      ctx.font = look.font(Math.round(r * 0.62), "neuron values");
      const text = v.toFixed(2), tw = ctx.measureText(text).width, fh = look.px(Math.round(r * 0.62), "neuron values");
      const x = l === 0 ? p.x - r - 4 - tw : p.x + r + 4;
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(x - 2, p.y - fh / 2 - 1, tw + 4, fh + 2);
      ctx.fillStyle = dropped ? "#999" : "#111";
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.fillText(text, x, p.y + 0.5);
      ctx.textBaseline = "alphabetic";
    } else if (v != null && r >= 11 && !thumb) {
      ctx.fillStyle = dropped ? "#999" : colors.inkFor(v);
      ctx.font = look.font(Math.round(r * 0.62), "neuron values");
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(v.toFixed(2), p.x, p.y + 0.5);
      ctx.textBaseline = "alphabetic";
    }
  }
}
