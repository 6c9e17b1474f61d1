// One colour scale for the whole playground: weights and values are green (+) / red (-), intensity by magnitude.
// The colour-blind-safe palette (blue / orange) is a toggle, remembered per browser, never the default.

const PALETTES = {
  default: { pos: [22, 150, 60], neg: [214, 40, 40], name: "green / red" },
  safe: { pos: [0, 114, 178], neg: [230, 140, 0], name: "blue / orange" },
};

let current = localStorage.getItem("nnp-palette") === "safe" ? "safe" : "default";
const listeners = new Set();

export function palette() { return PALETTES[current]; }
export function paletteName() { return current; }
export function onPaletteChange(fn) { listeners.add(fn); }
export function togglePalette() {
  current = current === "default" ? "safe" : "default";
  localStorage.setItem("nnp-palette", current);
  listeners.forEach((fn) => fn(current));
}

// t in [0, 1]: how strong; blends from the page background (white) to the full colour.
export function signed(v, scale) {
  const p = palette();
  const t = Math.min(1, Math.abs(v) / (scale || 1));
  const [r, g, b] = v >= 0 ? p.pos : p.neg;
  const mix = (c) => Math.round(255 + (c - 255) * (0.06 + 0.94 * t));
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

// Neuron values: 0 is white, 1 is dark ink; negatives (tanh, linear) take the negative colour.
export function value(v) {
  if (v == null || Number.isNaN(v)) return "#ccc";
  if (v < 0) return signed(v, 1);
  const t = Math.min(1, v);
  const c = Math.round(255 - 225 * t);
  return `rgb(${c},${c},${Math.min(255, c + 12)})`;
}

export function inkFor(v) { return v != null && Math.abs(v) > 0.55 ? "#fff" : "#111"; }

// A diverging ramp as [r, g, b] for heatmaps (v in [-1, 1]).
export function rgb(v) {
  const p = palette();
  const t = Math.min(1, Math.abs(v));
  const [r, g, b] = v >= 0 ? p.pos : p.neg;
  return [255 + (r - 255) * t, 255 + (g - 255) * t, 255 + (b - 255) * t];
}
