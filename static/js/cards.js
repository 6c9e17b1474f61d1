// What a dashboard card draws of a student's sandbox (server/cards.py says what each kind carries): the boundary
// demo's points on its output plane, a fitted curve, an outputs table, or convolution images and filters; a loss
// sparkline; the class histogram; and every student's boundary overlaid on one plane.

import { Heatmap, bytes, classCss } from "./heatmap.js";
import * as colors from "./colors.js";

function fit(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 200, h = canvas.clientHeight || 120;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

function planeImage(card) {
  const hm = new Heatmap(card.size);
  const data = bytes(card.data);
  if (card.channels > 1) hm.classes(data, card.channels);
  else hm.signed(data);
  return hm.canvas;
}

// Which class each cell predicts (for the boundary line): sign of the one channel, else the likeliest class.
function predicted(card) {
  const n = card.size * card.size, data = bytes(card.data), out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (card.channels === 1) out[i] = data[i] >= 128 ? 0 : 1;
    else { let best = 0; for (let c = 1; c < card.channels; c++) if (data[c * n + i] > data[best * n + i]) best = c; out[i] = best; }
  }
  return out;
}

// The cell edges where the predicted class changes: the decision boundary, drawn as line segments.
function boundary(ctx, card, x0, y0, side, style) {
  const s = card.size, cls = predicted(card), cell = side / s;
  ctx.strokeStyle = style;
  ctx.beginPath();
  for (let r = 0; r < s; r++) {
    for (let c = 0; c < s; c++) {
      const k = cls[r * s + c];
      if (c + 1 < s && cls[r * s + c + 1] !== k) { ctx.moveTo(x0 + (c + 1) * cell, y0 + r * cell); ctx.lineTo(x0 + (c + 1) * cell, y0 + (r + 1) * cell); }
      if (r + 1 < s && cls[(r + 1) * s + c] !== k) { ctx.moveTo(x0 + c * cell, y0 + (r + 1) * cell); ctx.lineTo(x0 + (c + 1) * cell, y0 + (r + 1) * cell); }
    }
  }
  ctx.stroke();
}

function drawPlane(ctx, w, h, card) {
  const side = Math.min(w, h), x0 = (w - side) / 2, y0 = (h - side) / 2, e = card.extent;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(planeImage(card), x0, y0, side, side);
  ctx.lineWidth = 1.5;
  boundary(ctx, card, x0, y0, side, "rgba(31,36,48,0.9)");
  const r = Math.max(1.5, side / 90);
  for (const [x, y, label] of card.points) {
    ctx.beginPath();
    ctx.arc(x0 + ((x + e) / (2 * e)) * side, y0 + ((e - y) / (2 * e)) * side, r, 0, 2 * Math.PI);
    ctx.fillStyle = classCss(label);
    ctx.fill();
    ctx.strokeStyle = "#1f2430"; // dark rim: a point on its own class's region stays visible
    ctx.lineWidth = 0.8;
    ctx.stroke();
  }
}

function drawCurve(ctx, w, h, card) {
  const [xl, xh] = card.x_range, [yl, yh] = card.y_range;
  const X = (x) => ((x - xl) / (xh - xl)) * w, Y = (y) => h - ((y - yl) / (yh - yl)) * h;
  const line = (ys, style, width) => {
    ctx.strokeStyle = style; ctx.lineWidth = width; ctx.beginPath();
    ys.forEach((y, i) => (i ? ctx.lineTo(X(card.x[i]), Y(y)) : ctx.moveTo(X(card.x[i]), Y(y))));
    ctx.stroke();
  };
  if (card.target) line(card.target, "#9aa3b2", 1);
  line(card.y, colors.signed(1, 1), 2);
  ctx.fillStyle = "#1f2430";
  for (const [x, y] of card.points || []) { ctx.beginPath(); ctx.arc(X(x), Y(y), 2.5, 0, 2 * Math.PI); ctx.fill(); }
}

function drawTable(ctx, w, h, card) {
  const rows = card.values.length, cols = card.values[0] ? card.values[0].length : 0;
  if (!cols) return;
  const lw = Math.min(64, w * 0.3), cw = (w - lw) / cols, rh = Math.min(22, h / rows);
  ctx.font = `${Math.min(12, rh * 0.6)}px system-ui, sans-serif`;
  ctx.textBaseline = "middle";
  card.values.forEach((row, r) => {
    ctx.fillStyle = "#1f2430";
    ctx.textAlign = "left";
    ctx.fillText(String(card.rows[r]).slice(0, 8), 0, r * rh + rh / 2);
    row.forEach((v, c) => {
      const shade = Math.round(255 - 200 * Math.max(0, Math.min(1, v)));
      ctx.fillStyle = `rgb(${shade},${shade},${shade + 10 > 255 ? 255 : shade + 10})`;
      ctx.fillRect(lw + c * cw + 1, r * rh + 1, cw - 2, rh - 2);
      if (cw > 26) {
        ctx.fillStyle = shade < 130 ? "#fff" : "#1f2430";
        ctx.textAlign = "center";
        ctx.fillText(v.toFixed(2), lw + c * cw + cw / 2, r * rh + rh / 2);
      }
    });
  });
}

// Convolution: the student's images in a strip (a red frame where the CNN says another class), and below them
// the learned 3x3 filters in the weight colours (green positive, red negative).
function drawImages(ctx, w, h, card) {
  const n = card.images.length, cols = Math.max(1, Math.ceil(n / 2)), fh = h * 0.45;
  const side = Math.min((w - 2) / cols, (h - fh - 6) / 2), px = side / 9;
  card.images.forEach(([pixels, label, said], i) => {
    const x0 = (i % cols) * side, y0 = Math.floor(i / cols) * side;
    for (let k = 0; k < 81; k++) {
      ctx.fillStyle = pixels[k] === "1" ? "#1f2430" : "#f4f5f8";
      ctx.fillRect(x0 + (k % 9) * px, y0 + Math.floor(k / 9) * px, px, px);
    }
    ctx.strokeStyle = said === label ? "#d0d4dc" : "#c0392b";
    ctx.lineWidth = said === label ? 0.5 : 1.5;
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, side - 1, side - 1);
  });
  const f = card.filters, fs = Math.min(fh - 2, (w - 4 * (f.length - 1)) / Math.max(1, f.length)), cell = fs / 3;
  const scale = Math.max(1e-9, ...f.flat(2).map(Math.abs));
  f.forEach((filt, k) => {
    const x0 = k * (fs + 4), y0 = h - fs - 1;
    filt.forEach((row, r) => row.forEach((v, c) => {
      ctx.fillStyle = colors.signed(v, scale);
      ctx.fillRect(x0 + c * cell, y0 + r * cell, cell, cell);
    }));
    ctx.strokeStyle = "#1f2430";
    ctx.lineWidth = 0.8;
    ctx.strokeRect(x0, y0, fs, fs);
  });
}

export function drawCard(canvas, card) {
  const { ctx, w, h } = fit(canvas);
  if (!card) return;
  if (card.kind === "plane") drawPlane(ctx, w, h, card);
  else if (card.kind === "curve") drawCurve(ctx, w, h, card);
  else if (card.kind === "table") drawTable(ctx, w, h, card);
  else if (card.kind === "images") drawImages(ctx, w, h, card);
}

export function drawSpark(canvas, values) {
  const { ctx, w, h } = fit(canvas);
  const vals = values.filter((v) => v > 0).map(Math.log10);
  if (vals.length < 2) return;
  const lo = Math.min(...vals), hi = Math.max(...vals) + 1e-9;
  ctx.strokeStyle = "#3a6fd8";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  vals.forEach((v, i) => {
    const x = (i / (vals.length - 1)) * w, y = h - 2 - ((v - lo) / (hi - lo)) * (h - 4);
    if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
  });
  ctx.stroke();
}

export function drawHistogram(canvas, hist, label) {
  const { ctx, w, h } = fit(canvas);
  if (!hist || !hist.counts.length) return;
  const max = Math.max(...hist.counts), n = hist.counts.length, bw = w / n, foot = 16;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "center";
  hist.counts.forEach((c, i) => {
    const bh = max ? (c / max) * (h - foot - 14) : 0;
    ctx.fillStyle = "#3a6fd8";
    ctx.fillRect(i * bw + 2, h - foot - bh, bw - 4, bh);
    ctx.fillStyle = "#1f2430";
    if (c) ctx.fillText(String(c), i * bw + bw / 2, h - foot - bh - 3);
  });
  const fmt = (e) => (hist.log ? `1e${e.toFixed(1)}` : Math.round(e).toLocaleString("en-US"));
  ctx.textAlign = "left";
  ctx.fillText(fmt(hist.edges[0]), 0, h - 3);
  ctx.textAlign = "right";
  ctx.fillText(`${fmt(hist.edges[hist.edges.length - 1])} ${label}`, w, h - 3);
}

// Every student's boundary on one plane (each line a student), over the first student's points.
export function drawOverlay(canvas, cards) {
  const { ctx, w, h } = fit(canvas);
  const planes = cards.filter((c) => c && c.kind === "plane");
  if (!planes.length) return;
  const side = Math.min(w, h), x0 = (w - side) / 2, y0 = (h - side) / 2;
  ctx.fillStyle = "#fafbfd";
  ctx.fillRect(x0, y0, side, side);
  ctx.strokeStyle = "#d0d4dc";
  ctx.strokeRect(x0, y0, side, side);
  ctx.lineWidth = 2;
  for (const card of planes) boundary(ctx, card, x0, y0, side, "rgba(58,111,216,0.55)");
}
