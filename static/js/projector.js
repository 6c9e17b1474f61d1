// Projector mode: every text the class must read at least MIN_PX CSS pixels, thicker lines, panels the lecture
// does not need hidden. Canvas renderers take their label sizes and line widths from here (one place), so one
// switch makes all of them readable from the back row; the DOM side is the `projector` class in app.css.

import { Surface } from "./canvas.js";

export const MIN_PX = 24;
let on = false;
// The smallest label size any renderer drew since projector mode went on (tests read it; so can a person).
window.canvasLabelPx = { min: Infinity, sizes: {} };

export function active() { return on; }

// A canvas label's size: `base` CSS px normally, at least MIN_PX on the projector.
export function px(base, where = "label") {
  const v = on ? Math.max(MIN_PX, Math.round(base * 1.6)) : base;
  if (on) {
    window.canvasLabelPx.min = Math.min(window.canvasLabelPx.min, v);
    window.canvasLabelPx.sizes[where] = Math.min(window.canvasLabelPx.sizes[where] ?? Infinity, v);
  }
  return v;
}

// A size that is already in proportion (a glyph inside a point): only raised to MIN_PX on the projector.
export function atLeast(v, where = "label") {
  const out = on ? Math.max(MIN_PX, v) : v;
  if (on) window.canvasLabelPx.min = Math.min(window.canvasLabelPx.min, out);
  if (on) window.canvasLabelPx.sizes[where] = Math.min(window.canvasLabelPx.sizes[where] ?? Infinity, out);
  return out;
}

export function font(base, where = "label", weight = "") {
  return `${weight ? weight + " " : ""}${px(base, where)}px system-ui, sans-serif`;
}

// Whether a label of `base` px may be drawn where only `room` px of height are free (neuron values inside a
// small circle): on the projector a label too small to read is left out rather than drawn unreadable.
export function fits(base, room) { return !on || Math.max(MIN_PX, base) <= room; }

export function line(w) { return on ? w * 2 : w; }

export function set(value) {
  on = !!value;
  document.body.classList.toggle("projector", on);
  window.canvasLabelPx = { min: Infinity, sizes: {} };
  Surface.all.forEach((s) => s.resize()); // every canvas redraws at its new size, with the new fonts
}

export function toggle() { set(!on); }

// TensorFlow Playground-style hide flags: ?hide=header,pacing,chart,... hides those parts of the page.
export const PARTS = {
  header: ".top", controls: ".controls", pacing: ".pacing", params: ".params", lesson: "#lesson-bar",
  note: ".lesson-note", chart: ".chart-panel", hints: ".hint", samples: ".side", help: "#help",
};

export function hide(names) {
  for (const name of names) {
    const sel = PARTS[name] || `#${CSS.escape(name)}`;
    document.querySelectorAll(sel).forEach((el) => el.classList.add("hidden-by-flag"));
  }
}

// `f`: the panel under the pointer fills the screen (again: back). CSS only, so it needs no browser permission.
let hovered = null;
document.addEventListener("pointermove", (ev) => { hovered = ev.target.closest && ev.target.closest(".panel"); });
export function fullPanel() {
  const open = document.querySelector(".panel.full");
  if (open) { open.classList.remove("full"); Surface.all.forEach((s) => s.resize()); return; }
  const panel = hovered || document.querySelector(".net-panel") || document.querySelector(".panel");
  if (!panel) return;
  panel.classList.add("full");
  Surface.all.forEach((s) => s.resize());
}
