// Looking without forking: a follower selects samples, probes a curve and inspects neurons on its own page. The frame carries
// the network (weights, biases, knockouts) and the samples, so the page recomputes what a selection changes
// (every neuron's value, the columns, the most stimulating input) itself, the way models/nn/view.py and
// models/nn/probes.py do, and the lecturer's session never hears of it. Hovering a heatmap is local anyway.

const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const ACTIVATION = { sigmoid, tanh: Math.tanh, relu: (z) => Math.max(0, z), linear: (z) => z }; // models/nn/activations.py's

// Every layer's output for input x, input first; `acts[l]` is layer l + 1's activation; knocked-out units are 0.
export function forwardWith(net, x, acts) {
  const out = [x.slice()];
  let h = x;
  net.weights.forEach((W, l) => {
    const act = ACTIVATION[acts[l]], alive = net.alive && net.alive[l];
    h = W.map((row, j) => {
      let z = net.biases[l][j];
      for (let i = 0; i < row.length; i++) z += row[i] * h[i];
      const v = act(z);
      return alive ? v * alive[j] : v;
    });
    out.push(h);
  });
  return out;
}

// The same for sigmoid layers (the autoencoder's and knockout's), the last one linear where `linearOut` (the
// fine-tuned head's logits, as MLP.forward gives them).
export function forward(net, x, linearOut = false) {
  const last = net.weights.length - 1;
  return forwardWith(net, x, net.weights.map((_, l) => (linearOut && l === last ? "linear" : "sigmoid")));
}

// The slides' notation `[20,tanh:3,tanh:1,linear]` (models/demos/sigmoid/notation.py): every layer's activation, in order.
const activationsOf = (model) => model.replace(/[[\]\s]/g, "").split(":").map((layer) => layer.split(",")[1]);

// The sigmoid demo's function view at the probed x (sample i of the plots' grid, models/demos/sigmoid/sum_view.py's
// linspace over x_range): every neuron's value there, as the server puts it in the frame for its own probe.
function probeSum(d, i) {
  const part = d.function, n = part.x.length, [lo, hi] = part.x_range;
  const probe = Math.max(0, Math.min(n - 1, i));
  const x = n > 1 ? lo + (probe * (hi - lo)) / (n - 1) : lo;
  d.net.values = forwardWith(d.net, [x], activationsOf(part.model));
  d.function = { ...part, probe };
  return probe;
}

// The input in [0, 1]^n that drives one neuron highest, as models/nn/probes.py finds it: exact for a first-layer
// sigmoid unit (a level is on where its weight is positive), else the best of every binary pattern.
export function maxStimulus(net, layer, unit, linearOut) {
  const n = net.sizes[0];
  const softmaxOut = linearOut && layer === net.sizes.length - 1;
  if (layer === 1 && !softmaxOut) {
    const pattern = net.weights[0][unit].map((w) => (w > 0 ? 1 : 0));
    return { pattern, value: forward(net, pattern, linearOut)[1][unit], method: "exact" };
  }
  let best = null;
  for (let k = 0; k < 2 ** n; k++) {
    const p = Array.from({ length: n }, (_, i) => (k >> (n - 1 - i)) & 1);
    const v = forward(net, p, linearOut)[layer][unit];
    if (!best || v > best.value) best = { pattern: p, value: v, method: "search" };
  }
  return best;
}

const LOCAL = { autoencoder: ["select", "inspect"], knockout: ["select"], sigmoid: ["select"] };

export class Look {
  constructor(demo) {
    this.demo = demo;
    this.selected = null; // this page's own choice, or null: the lecturer's
    this.inspected = null; // {layer, unit}
  }

  // A command this page answers itself; false: it goes to the server (which refuses it: read-only).
  take(cmd) {
    if (!(LOCAL[this.demo] || []).includes(cmd.type)) return false;
    if (cmd.type === "select") this.selected = cmd.sample;
    else this.inspected = cmd.layer > 0 ? { layer: cmd.layer, unit: cmd.unit } : null;
    return true;
  }

  // The lecturer's frame as this page looks at it (a copy: the frame itself stays as it came).
  apply(f) {
    if (this.selected === null && this.inspected === null) return f;
    const d = { ...f.demo, net: { ...f.demo.net } };
    const linearOut = d.phase === "finetune";
    if (this.selected !== null && d.function && d.net) d.selected = probeSum(d, this.selected); // sigmoid: a probe
    else if (this.selected !== null && d.samples && this.selected < d.samples.length) {
      const x = d.samples[this.selected].levels;
      d.selected = this.selected;
      d.net.values = forward(d.net, x, linearOut);
      if (d.columns) d.columns = { input: x, output: d.net.values[d.net.values.length - 1], desired: x };
    }
    if (this.inspected && this.demo === "autoencoder") {
      const { layer, unit } = this.inspected;
      if (layer < d.net.sizes.length && unit < d.net.sizes[layer]) d.stimulus = { layer, unit, ...maxStimulus(d.net, layer, unit, linearOut) };
    }
    return { ...f, selected: d.selected, demo: d };
  }
}
