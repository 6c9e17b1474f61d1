// Canvas plumbing shared by every renderer: devicePixelRatio once, resize observation, rAF-coalesced redraws.

export class Surface {
  static all = new Set(); // every canvas on the page: projector mode redraws them all with its fonts

  constructor(canvas, draw) {
    Surface.all.add(this);
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.drawFn = draw;
    this.pending = false;
    this.w = 0;
    this.h = 0;
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const rect = this.canvas.getBoundingClientRect();
    this.w = Math.max(1, rect.width);
    this.h = Math.max(1, rect.height);
    this.canvas.width = Math.round(this.w * dpr);
    this.canvas.height = Math.round(this.h * dpr);
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.redraw();
  }

  redraw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.ctx.clearRect(0, 0, this.w, this.h);
      this.drawFn(this.ctx, this.w, this.h);
    });
  }

  // Pointer position in CSS pixels of the canvas.
  point(ev) {
    const rect = this.canvas.getBoundingClientRect();
    return { x: ev.clientX - rect.left, y: ev.clientY - rect.top };
  }
}
