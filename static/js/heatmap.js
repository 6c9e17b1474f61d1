// Heatmaps from the server (one byte per cell: a frame's Uint8Array, a card's base64; see docs/protocol.md) turned
// into pixels with the one colour scale: class A on the positive colour, class B on the negative one, C and D on
// two more.

import * as colors from "./colors.js";

const EXTRA = { default: [[40, 90, 225], [225, 150, 0]], safe: [[150, 60, 170], [70, 70, 70]] };

export function classRgb(k) {
  const p = colors.palette();
  if (k === 0) return p.pos;
  if (k === 1) return p.neg;
  return EXTRA[colors.paletteName()][(k - 2) % 2];
}

export function classCss(k) {
  const [r, g, b] = classRgb(k);
  return `rgb(${r},${g},${b})`;
}

export function bytes(b64) {
  if (typeof b64 !== "string") return b64; // a frame's Uint8Array, viewed in place
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// byte -> packed RGBA for a signed channel (d = byte / 127.5 - 1), scaled by `strength`, or hard-edged.
const luts = new Map();
function signedLut(strength, discrete) {
  const key = `${colors.paletteName()}:${strength}:${discrete}`;
  if (luts.has(key)) return luts.get(key);
  const lut = new Uint32Array(256);
  for (let q = 0; q < 256; q++) {
    let d = q / 127.5 - 1;
    if (discrete) d = d > 0 ? 1 : -1; // as the class is predicted: A where P(A) > 0.5
    const [r, g, b] = colors.rgb(d * strength);
    lut[q] = (255 << 24) | (Math.round(b) << 16) | (Math.round(g) << 8) | Math.round(r); // little-endian RGBA
  }
  luts.set(key, lut);
  return lut;
}

// A size x size picture kept in its own small canvas, to be drawn scaled wherever it is needed.
export class Heatmap {
  constructor(size) {
    this.size = size;
    this.canvas = document.createElement("canvas");
    this.canvas.width = this.canvas.height = size;
    this.ctx = this.canvas.getContext("2d");
    this.img = this.ctx.createImageData(size, size);
    this.px = new Uint32Array(this.img.data.buffer);
  }

  // One signed channel: d in [-1, 1], 0 white, + the positive colour, - the negative one.
  signed(data, { strength = 1, discrete = false, offset = 0 } = {}) {
    const lut = signedLut(strength, discrete);
    const n = this.size * this.size;
    for (let i = 0; i < n; i++) this.px[i] = lut[data[offset + i]];
    this.ctx.putImageData(this.img, 0, 0);
    return this;
  }

  // K unsigned channels (class-major): each cell takes its likeliest class's colour, stronger when surer.
  classes(data, k, { strength = 1, discrete = false } = {}) {
    const n = this.size * this.size;
    const rgb = Array.from({ length: k }, (_, c) => classRgb(c));
    const d = this.img.data;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (data[c * n + i] > data[best * n + i]) best = c;
      const p = data[best * n + i] / 255;
      const t = strength * (discrete ? 1 : Math.max(0, (p - 1 / k) / (1 - 1 / k)));
      const [r, g, b] = rgb[best];
      d[4 * i] = 255 + (r - 255) * t;
      d[4 * i + 1] = 255 + (g - 255) * t;
      d[4 * i + 2] = 255 + (b - 255) * t;
      d[4 * i + 3] = 255;
    }
    this.ctx.putImageData(this.img, 0, 0);
    return this;
  }
}
