// Demo 1: the shadow autoencoder. Untrained outputs sit at 0.5; trained, output matches desired; a hidden
// neuron's most stimulating input; then a softmax head on the frozen encoder.

import { startDemo } from "../controls.js";
import { NetView } from "../netview.js";
import { Columns } from "../columns.js";
import { renderSamples } from "../samples.js";

const $ = (sel) => document.querySelector(sel);
let frame = null;
let inspected = null;

const net = new NetView($("#net"), {
  bottomUp: [true, false, true], // shadow levels are drawn bottom-up, like the shadow itself
  onClick: (layer, unit) => {
    if (layer === 0) return;
    inspected = { layer, unit };
    demo.send({ type: "inspect", layer, unit });
  },
  marked: (l, i) => !!(frame && frame.demo.stimulus && frame.demo.stimulus.layer === l && frame.demo.stimulus.unit === i),
});
const columns = new Columns($("#columns"));
const stimulus = new Columns($("#stimulus"));

const demo = startDemo("autoencoder", { onFrame: render });

$("#finetune").addEventListener("click", () => {
  const on = !(frame && frame.demo.phase === "finetune");
  demo.send({ type: "finetune", on });
});
$("#stimulus-close").addEventListener("click", () => {
  inspected = null;
  demo.send({ type: "inspect", layer: 0, unit: 0 });
});

function render(f) {
  frame = f;
  const d = f.demo;
  const fine = d.phase === "finetune";
  net.opts.bottomUp = [true, false, !fine];
  net.opts.captions = fine ? ["input", "hidden (frozen encoder)", "softmax"] : ["input", "hidden", "output"];
  net.set(d.net);
  $("#net-title").textContent = fine
    ? "Fine-tuning: frozen encoder 10 \u2192 3, softmax head 3 \u2192 cheetah / zebra / giraffe"
    : "Autoencoder: 10 levels \u2192 3 \u2192 10 levels (desired output = input)";
  $("#finetune").textContent = fine ? "Back to the autoencoder" : "Fine-tune: softmax on the frozen encoder";
  $("#finetune").classList.toggle("active", fine);
  renderSamples($("#samples"), d, d.selected, (i) => demo.send({ type: "select", sample: i }));
  const s = d.samples[d.selected];
  $("#columns-title").textContent = `Selected: ${s.name}`;
  if (!fine) {
    columns.set([
      { label: "input", values: d.columns.input },
      { label: "output", values: d.columns.output },
      { label: "desired", values: d.columns.desired },
    ]);
    $("#columns").classList.remove("hidden");
    $("#probs").classList.add("hidden");
    if ($("#columns").nextElementSibling !== $("#probs")) $("#columns").after($("#probs"));
  } else {
    columns.set([{ label: "input", values: s.levels }]);
    // the probabilities and the fine-tune's count first: on a short screen they are what must stay in view
    if ($("#probs").nextElementSibling !== $("#columns")) $("#columns").before($("#probs"));
    const p = d.probs[d.selected];
    const best = p.indexOf(Math.max(...p));
    $("#probs").replaceChildren(...d.classes.map((name, k) => {
      const row = document.createElement("div");
      row.className = "prob" + (k === s.label ? " truth" : "") + (k === best ? " best" : "");
      row.innerHTML = `<span class="name"></span><span class="bar"><i style="width:${(p[k] * 100).toFixed(1)}%"></i></span><span class="num">${p[k].toFixed(3)}</span>`;
      row.querySelector(".name").textContent = name + (k === s.label ? " (truth)" : "");
      return row;
    }), Object.assign(document.createElement("p"), {
      className: "hint",
      textContent: `test accuracy ${(d.accuracy * 100).toFixed(0)}% over ${d.samples.length} shadows; largest change of a frozen weight: ${d.encoder_max_change}`,
    }), Object.assign(document.createElement("p"), {
      id: "finetune-count",
      className: "readout",
      // The fine-tune's own count: "whoa, that was pretty fast" must not need a subtraction.
      textContent: d.finetuned
        ? `fine-tuned in ${d.finetune_steps.toLocaleString("en-US")} iterations`
        : `fine-tuning: ${d.finetune_steps.toLocaleString("en-US")} iterations so far`,
    }));
    $("#probs").classList.remove("hidden");
  }
  const st = d.stimulus;
  $("#stimulus-panel").classList.toggle("hidden", !st);
  if (st) {
    const where = st.layer === d.net.sizes.length - 1 ? (fine ? d.classes[st.unit] : `output ${st.unit + 1}`) : `hidden ${st.unit + 1}`;
    $("#stimulus-title").textContent = `Most stimulating input: ${where}`;
    stimulus.set([{ label: "input", values: st.pattern }]);
    $("#stimulus-note").textContent = `value ${st.value.toFixed(3)}; ` + (st.method === "exact"
      ? "exact: a level is on where its weight is positive"
      : "found by trying all 1,024 shadow patterns");
  }
}
