// The lecturer's room actions (in the room panel of a demo page, and on the dashboard): push my network, pause
// and resume the class, the dashboard, close the room. Every call carries the lecturer key.

import { api } from "./roomkeys.js";

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

export function paceButton(code, key, { toast, onChange } = {}) {
  const btn = el("button", { className: "pace", textContent: "Pause class", title: "stop training in every student sandbox of this room until you resume" });
  let paused = false;
  const label = () => {
    btn.textContent = paused ? "Resume class" : "Pause class";
    btn.classList.toggle("active", paused);
    btn.setAttribute("aria-pressed", String(paused));
  };
  api("GET", `/api/rooms/${code}`).then((r) => { paused = !!r.paused; label(); }).catch(() => {});
  btn.addEventListener("click", async () => {
    try {
      const r = await api("POST", `/api/rooms/${code}/pace`, { paused: !paused }, key);
      paused = r.paused;
      label();
      toast && toast(paused ? "The class is paused: students can look, not train" : "The class may train again", "info");
      onChange && onChange(r);
    } catch (e) { toast && toast(`pausing failed: ${e.message}`); }
  });
  return btn;
}

export function lecturerActions(code, key, { toast, closed }) {
  const push = el("button", { className: "primary", textContent: "Push my network to every student", title: "every student sandbox of this demo in the room becomes a copy of this network (paused)" });
  const dashboard = el("a", { className: "button-link", href: `/rooms/${code}/gallery`, target: "_blank", textContent: "Students' dashboard" });
  const close = el("button", { textContent: "Close the room" });
  push.addEventListener("click", async () => {
    try { const r = await api("POST", `/api/rooms/${code}/push`, null, key); toast(`pushed to ${plural(r.students, "student sandbox", "student sandboxes")}`, "info"); }
    catch (e) { toast(`push failed: ${e.message}`); }
  });
  close.addEventListener("click", async () => {
    try {
      await api("DELETE", `/api/rooms/${code}`, null, key);
      closed();
      toast(`room ${code} is closed`, "info");
    } catch (e) { toast(`closing failed: ${e.message}`); }
  });
  return el("div", { className: "room-actions" }, push, paceButton(code, key, { toast }), dashboard, close);
}
