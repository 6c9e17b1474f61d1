// The decision-boundary page's own controls: data, the class a click adds, features, layers, activation,
// output, L1/L2, batch, dropout. Each sends one command; the next frame is the truth they are synced back from.

import { classCss } from "../heatmap.js";

const $ = (sel) => document.querySelector(sel);
const FEATURES = [["x1", "x1"], ["x2", "x2"], ["x1^2", "x1\u00b2"], ["x2^2", "x2\u00b2"], ["x1*x2", "x1\u00b7x2"],
                  ["sin x1", "sin(x1)"], ["sin x2", "sin(x2)"]];
const RATES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

export function wireControls(demo, ui, frame, rerender) {
  const send = (cmd) => demo.send(cmd);
  const configure = (fields) => send({ type: "configure", ...fields });

  // Data.
  const load = (seed) => send({
    type: "load_dataset", name: $("#dataset").value, noise: Number($("#noise").value) / 100,
    test_ratio: Number($("#split").value) / 100, n: Math.max(4, Math.min(2000, Math.round(Number($("#npoints").value) || 400))),
    ...(seed == null ? {} : { seed }),
  });
  for (const id of ["#dataset", "#noise", "#split", "#npoints"]) $(id).addEventListener("change", () => load());
  $("#noise").addEventListener("input", () => { $("#noise-out").textContent = `${$("#noise").value}%`; });
  $("#split").addEventListener("input", () => { $("#split-out").textContent = `${$("#split").value}%`; });
  $("#regen").addEventListener("click", () => load(Math.floor(Math.random() * 1e6)));
  $("#preset").addEventListener("change", () => send({ type: "preset", name: $("#preset").value }));

  // The class a click adds.
  const pick = (k) => {
    ui.cls = k;
    document.querySelectorAll("#classes button").forEach((b) => {
      const on = Number(b.dataset.class) === k;
      b.classList.toggle("active", on);
      b.setAttribute("aria-checked", String(on));
    });
  };
  document.querySelectorAll("#classes button").forEach((b) => {
    b.style.setProperty("--swatch", classCss(Number(b.dataset.class)));
    b.addEventListener("click", () => pick(Number(b.dataset.class)));
  });
  pick(0);
  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (["1", "2", "3", "4"].includes(ev.key)) pick(Number(ev.key) - 1);
  });

  $("#clear").addEventListener("click", () => send({ type: "clear" }));
  $("#import").addEventListener("click", () => $("#csv-file").click());
  $("#csv-file").addEventListener("change", async () => {
    const file = $("#csv-file").files[0];
    $("#csv-file").value = "";
    if (!file) return;
    if (send({ type: "import_csv", text: await file.text() })) demo.toast(`importing ${file.name}...`, "info");
  });

  // Features.
  $("#features").replaceChildren(...FEATURES.map(([name, label]) => {
    const l = document.createElement("label");
    l.className = "inline feature";
    l.innerHTML = `<input type="checkbox" value="${name}"> <span></span>`;
    l.querySelector("span").textContent = label;
    l.querySelector("input").addEventListener("change", () => configure({
      features: [...document.querySelectorAll("#features input:checked")].map((i) => i.value),
    }));
    return l;
  }));

  // The network and its training.
  const hidden = () => frame().demo.config.hidden.slice();
  $("#layer-plus").addEventListener("click", () => {
    const h = hidden();
    if (h.length < frame().demo.limits.layers) configure({ hidden: [...h, h.length ? h[h.length - 1] : 2] });
  });
  $("#layer-minus").addEventListener("click", () => configure({ hidden: hidden().slice(0, -1) }));
  $("#activation").addEventListener("change", () => configure({ activation: $("#activation").value }));
  $("#output").addEventListener("change", () => configure({ output: $("#output").value }));
  for (const id of ["l1", "l2"]) {
    $(`#${id}`).replaceChildren(...RATES.map((r) => new Option(String(r), String(r))));
    $(`#${id}`).addEventListener("change", () => configure({ [id]: Number($(`#${id}`).value) }));
  }
  $("#batch").addEventListener("input", () => { $("#batch-out").textContent = $("#batch").value; });
  $("#batch").addEventListener("change", () => configure({ batch: Number($("#batch").value) }));
  const sendDropout = () => send({ type: "dropout", on: $("#dropout").checked, p: Number($("#dropout-p").value) });
  $("#dropout").addEventListener("change", sendDropout);
  $("#dropout-p").addEventListener("input", () => { $("#dropout-p-out").textContent = Number($("#dropout-p").value).toFixed(2); });
  $("#dropout-p").addEventListener("change", sendDropout);
  $("#show-test").addEventListener("change", rerender);
  $("#discretize").addEventListener("change", rerender);
}

// Make the controls say what the server has, except the one the user is handling right now.
export function syncControls(f, ui) {
  const d = f.demo, c = d.config;
  const set = (id, v) => { const el = $(id); if (document.activeElement !== el && el.value !== String(v)) el.value = String(v); };
  set("#dataset", c.dataset);
  set("#noise", Math.round(c.noise * 100));
  set("#split", Math.round(c.test_ratio * 100));
  set("#npoints", c.n);
  set("#activation", c.activation);
  set("#output", c.output);
  set("#l1", c.l1);
  set("#l2", c.l2);
  set("#batch", c.batch);
  $("#noise-out").textContent = `${$("#noise").value}%`;
  $("#split-out").textContent = `${$("#split").value}%`;
  $("#batch-out").textContent = $("#batch").value;
  $("#layer-count").textContent = String(c.hidden.length);
  if (document.activeElement !== $("#dropout-p")) {
    $("#dropout").checked = d.dropout.on;
    $("#dropout-p").value = String(d.dropout.p);
    $("#dropout-p-out").textContent = d.dropout.p.toFixed(2);
  }
  $("#dropout").disabled = c.hidden.length === 0; // a perceptron has no hidden neuron to drop
  $("#output option[value=step]").disabled = c.hidden.length > 0 || c.classes > 2;
  for (const v of ["sigmoid", "sigmoid-mse"]) $(`#output option[value=${v}]`).disabled = c.classes > 2;
  document.querySelectorAll("#features input").forEach((i) => { i.checked = d.inputs.includes(i.value); });
  const preset = $("#preset");
  if (document.activeElement !== preset && preset.value !== f.preset && preset.options.length) preset.value = f.preset;
  document.querySelectorAll("#classes button").forEach((b) => {
    b.style.setProperty("--swatch", classCss(Number(b.dataset.class)));
    b.classList.toggle("active", Number(b.dataset.class) === ui.cls);
  });
}
