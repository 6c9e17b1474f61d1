// The plane of the decision-boundary demo: the output heatmap on one canvas, and on a second canvas above it the
// axes, the points (training filled, test as rings), the perceptron's line with its equation. Clicks land where
// the pointer is: a click adds a point, shift-click adds class B, right-click or alt-click removes the nearest; on
// a touch screen a long press, or a tap in "Tap removes" mode, removes it.

import { Surface } from "../canvas.js";
import { classCss } from "../heatmap.js";
import * as look from "../projector.js";

const LONG_PRESS_MS = 450;

export class Plane {
  // handlers: onAdd(x, y, shift), onRemove(x, y, radius), onMove(x, y | null)
  constructor(heatCanvas, overlayCanvas, handlers) {
    this.h = handlers;
    this.extent = 6;
    this.heat = null; // a Heatmap (its .canvas is drawn scaled)
    this.discrete = false;
    this.points = null;
    this.showTest = true;
    this.line = null;
    this.heatSurface = new Surface(heatCanvas, (ctx, w, h) => this.drawHeat(ctx, w, h));
    this.surface = new Surface(overlayCanvas, (ctx, w, h) => this.drawOverlay(ctx, w, h));
    overlayCanvas.plane = this; // tests find the mapping between plane units and pixels here
    // Touch has no right-click or alt: "Tap removes" mode (removeMode), or a long press, removes a point.
    this.removeMode = false;
    let pressed = null; // a touch press: {t, x, y}
    overlayCanvas.addEventListener("pointerdown", (ev) => {
      pressed = ev.pointerType === "touch" ? { t: performance.now(), x: ev.clientX, y: ev.clientY } : null;
    });
    overlayCanvas.addEventListener("click", (ev) => {
      const p = this.toData(this.surface.point(ev));
      const long = pressed && performance.now() - pressed.t >= LONG_PRESS_MS
        && Math.hypot(ev.clientX - pressed.x, ev.clientY - pressed.y) < 10;
      const finger = pressed !== null;
      const consumed = pressed && pressed.consumed; // the long press already removed it (contextmenu, below)
      pressed = null;
      if (consumed) return;
      if (ev.altKey || this.removeMode || long) this.h.onRemove(p.x, p.y, this.pickRadius(finger));
      else this.h.onAdd(p.x, p.y, ev.shiftKey);
    });
    overlayCanvas.addEventListener("contextmenu", (ev) => {
      ev.preventDefault();
      const p = this.toData(this.surface.point(ev));
      this.h.onRemove(p.x, p.y, this.pickRadius(pressed !== null));
      if (pressed) pressed.consumed = true; // a phone's long press: no second removal on its click
    });
    overlayCanvas.addEventListener("mousemove", (ev) => this.h.onMove && this.h.onMove(this.toData(this.surface.point(ev))));
    overlayCanvas.addEventListener("mouseleave", () => this.h.onMove && this.h.onMove(null));
  }

  set({ heat, discrete, points, showTest, line, extent }) {
    this.heat = heat;
    this.discrete = discrete;
    this.points = points;
    this.showTest = showTest;
    this.line = line;
    this.extent = extent || this.extent;
    this.heatSurface.redraw();
    this.surface.redraw();
  }

  // Plane units <-> CSS pixels of the canvas; x2 grows upwards.
  toPx(x, y) {
    const E = this.extent, { w, h } = this.surface;
    return { x: ((x + E) / (2 * E)) * w, y: ((E - y) / (2 * E)) * h };
  }

  toData(p) {
    const E = this.extent, { w, h } = this.surface;
    const clamp = (v) => Math.max(-E, Math.min(E, v));
    return { x: clamp((p.x / w) * 2 * E - E), y: clamp(E - (p.y / h) * 2 * E) };
  }

  // 14 pixels (a finger: 24) in plane units
  pickRadius(finger = false) { return ((finger ? 24 : 14) / this.surface.w) * 2 * this.extent; }

  drawHeat(ctx, w, h) {
    if (!this.heat) return;
    ctx.imageSmoothingEnabled = !this.discrete;
    ctx.drawImage(this.heat.canvas, 0, 0, w, h);
  }

  drawOverlay(ctx, w, h) {
    this.drawAxes(ctx, w, h);
    const seg = this.line ? this.drawLine(ctx) : null;
    if (this.points) this.drawPoints(ctx, w);
    this.drawAxisLabels(ctx, w); // over the points, each on a white halo: readable wherever the points are
    if (this.line) this.drawEquation(ctx, w, seg); // last: no point hides it
  }

  drawAxes(ctx, w, h) {
    const E = this.extent;
    ctx.strokeStyle = "rgba(0,0,0,0.25)";
    ctx.lineWidth = 1;
    const o = this.toPx(0, 0);
    ctx.beginPath();
    ctx.moveTo(0, o.y); ctx.lineTo(w, o.y);
    ctx.moveTo(o.x, 0); ctx.lineTo(o.x, h);
    ctx.stroke();
  }

  drawAxisLabels(ctx, w) {
    const E = this.extent;
    const o = this.toPx(0, 0);
    const font = look.px(Math.round(Math.max(11, Math.min(16, w / 40))), "plane ticks");
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.fillStyle = "rgba(0,0,0,0.75)";
    ctx.strokeStyle = "rgba(255,255,255,0.85)";
    ctx.lineWidth = Math.max(3, font / 4);
    ctx.lineJoin = "round";
    const label = (text, x, y) => { ctx.strokeText(text, x, y); ctx.fillText(text, x, y); };
    ctx.textBaseline = "top";
    for (let v = -E + 2; v < E; v += 2) {
      if (v === 0) continue;
      const p = this.toPx(v, v);
      ctx.textAlign = "center";
      label(String(v), p.x, o.y + 3);
      ctx.textAlign = "left";
      label(String(v), o.x + 4, p.y - font / 2);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    label("x1 (I0)", w - 4, o.y - 3);
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    label("x2 (I1)", o.x + 4, 4);
  }

  drawPoints(ctx, w) {
    const { x, y, label, test } = this.points;
    const r = Math.max(3.5, w / 120);
    for (let i = 0; i < x.length; i++) {
      if (test[i] && !this.showTest) continue;
      const p = this.toPx(x[i], y[i]);
      ctx.beginPath();
      ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
      if (test[i]) { // a ring around a white centre: told apart from a training point at a glance
        ctx.fillStyle = "#fff";
        ctx.fill();
        ctx.strokeStyle = "#111";
        ctx.lineWidth = r * 0.8 + 2;
        ctx.stroke();
        ctx.strokeStyle = classCss(label[i]);
        ctx.lineWidth = r * 0.8;
        ctx.stroke();
      } else {
        ctx.fillStyle = classCss(label[i]);
        ctx.fill();
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = Math.max(1.5, r / 3);
        ctx.stroke();
      }
    }
  }

  // The part of the line inside the plane, as two points in plane units, or null.
  segment() {
    const E = this.extent, ln = this.line;
    if (ln.vertical) return Math.abs(ln.x0) <= E ? [[ln.x0, -E], [ln.x0, E]] : null;
    let lo = -E, hi = E;
    if (ln.slope !== 0) {
      const a = (-E - ln.intercept) / ln.slope, b = (E - ln.intercept) / ln.slope;
      lo = Math.max(lo, Math.min(a, b));
      hi = Math.min(hi, Math.max(a, b));
    } else if (Math.abs(ln.intercept) > E) return null;
    if (lo >= hi) return null;
    return [[lo, ln.slope * lo + ln.intercept], [hi, ln.slope * hi + ln.intercept]];
  }

  drawLine(ctx) {
    const seg = this.segment();
    if (!seg) return null;
    const a = this.toPx(...seg[0]), b = this.toPx(...seg[1]);
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 6;
    ctx.beginPath(); ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y); ctx.stroke();
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 2.5;
    ctx.stroke();
    return [a, b];
  }

  drawEquation(ctx, w, seg) {
    const font = look.px(Math.round(Math.max(13, Math.min(22, w / 26))), "equation");
    ctx.font = `600 ${font}px system-ui, sans-serif`;
    const at = seg ? { x: seg[0].x + (seg[1].x - seg[0].x) * 0.3, y: seg[0].y + (seg[1].y - seg[0].y) * 0.3 } : { x: 8, y: 8 };
    const text = this.line.equation + (seg ? "" : "  (outside the plane)");
    const tw = ctx.measureText(text).width;
    const x = Math.max(4, Math.min(w - tw - 12, at.x + 10)), y = Math.max(4, at.y - font - 14);
    ctx.fillStyle = "rgba(255,255,255,0.92)";
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.roundRect(x, y, tw + 12, font + 10, 5);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = "#111";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(text, x + 6, y + (font + 10) / 2 + 1);
  }
}
