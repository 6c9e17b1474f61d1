// Editing the points of a Plot1D with the pointer: press on empty ground to add a point (the button is passed
// on: left and right may mean different classes), press on a point and drag to move it, press and release on a
// point without moving to remove it. Positions are read through the plot's own pixel map.

const DRAG_PX = 4; // a press that moves less than this is a click

export function editPoints(plot, { onAdd, onMove, onRemove, clamp = (x, y) => [x, y] }) {
  const canvas = plot.canvas;
  let drag = null; // {id, start, moved}
  const at = (ev) => {
    const p = plot.surface.point(ev);
    return { p, data: clamp(plot.dataX(p.x), plot.dataY(p.y)) };
  };
  canvas.addEventListener("contextmenu", (ev) => ev.preventDefault());
  canvas.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0 && ev.button !== 2) return;
    const { p, data } = at(ev);
    if (!plot.inside(p)) return;
    const q = plot.hit(p);
    if (q) {
      drag = { id: q.id, start: p, moved: false };
      canvas.setPointerCapture(ev.pointerId);
    } else {
      onAdd(data[0], data[1], ev.button);
    }
    ev.preventDefault();
  });
  canvas.addEventListener("pointermove", (ev) => {
    const { p, data } = at(ev);
    if (!drag) {
      canvas.style.cursor = plot.inside(p) ? (plot.hit(p) ? "grab" : "crosshair") : "default";
      return;
    }
    if (!drag.moved && Math.hypot(p.x - drag.start.x, p.y - drag.start.y) < DRAG_PX) return;
    drag.moved = true;
    canvas.style.cursor = "grabbing";
    onMove(drag.id, data[0], data[1], false);
  });
  const end = (ev) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (canvas.hasPointerCapture(ev.pointerId)) canvas.releasePointerCapture(ev.pointerId);
    if (d.moved) {
      const { data } = at(ev);
      onMove(d.id, data[0], data[1], true);
    } else if (ev.type === "pointerup") {
      onRemove(d.id);
    }
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
}

// Calls fn at most every `ms`, and always for the last call; `.cancel()` drops a call still waiting (before a
// final one is sent directly, so a stale position can never arrive after it).
export function throttle(fn, ms) {
  let last = 0, timer = null, pending = null;
  const call = (...args) => {
    pending = args;
    const wait = ms - (performance.now() - last);
    if (wait <= 0) {
      last = performance.now();
      clearTimeout(timer); timer = null;
      fn(...pending);
    } else if (!timer) {
      timer = setTimeout(() => { timer = null; last = performance.now(); fn(...pending); }, wait);
    }
  };
  call.cancel = () => { clearTimeout(timer); timer = null; };
  return call;
}
