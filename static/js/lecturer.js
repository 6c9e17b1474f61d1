// The lecturer's room actions (in the room panel of a demo page, and on the dashboard): push my network, pause
// and resume the class, "follow my step", the dashboard, close the room. Every call carries the lecturer key.

import { api } from "./roomkeys.js";

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

// A button that switches one of the room's settings (`field` of its state, changed by POST /api/rooms/CODE/PATH).
function roomToggle(code, key, { field, path, body, labels, title, className, said, what }, { toast, onChange } = {}) {
  const btn = el("button", { className, textContent: labels[0], title });
  let on = false;
  const label = () => {
    btn.textContent = labels[on ? 1 : 0];
    btn.classList.toggle("active", on);
    btn.setAttribute("aria-pressed", String(on));
  };
  api("GET", `/api/rooms/${code}`).then((r) => { on = !!r[field]; label(); }).catch(() => {});
  btn.addEventListener("click", async () => {
    try {
      const r = await api("POST", `/api/rooms/${code}/${path}`, body(!on), key);
      on = !!r[field];
      label();
      toast && toast(said[on ? 1 : 0], "info");
      onChange && onChange(r);
    } catch (e) { toast && toast(`${what} failed: ${e.message}`); }
  });
  return btn;
}

export const paceButton = (code, key, hooks) => roomToggle(code, key, {
  field: "paused", path: "pace", body: (paused) => ({ paused }), labels: ["Pause class", "Resume class"],
  className: "pace", title: "stop training in every student sandbox of this room until you resume", what: "pausing",
  said: ["The class may train again", "The class is paused: students can look, not train"],
}, hooks);

// "Follow my step": while on, every lesson step the lecturer goes to, students' own sandboxes go to as well.
export const followStepButton = (code, key, hooks) => roomToggle(code, key, {
  field: "follow_step", path: "follow-step", body: (on) => ({ on }),
  labels: ["Students follow my step: off", "Students follow my step: on"], className: "follow-step",
  title: "students' own sandboxes go to each lesson step you go to (followers always see your step)",
  what: "follow my step", said: ["Students' sandboxes keep their own steps",
    "Students' sandboxes go to your lesson step with you"],
}, hooks);

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
  return el("div", { className: "room-actions" }, push, paceButton(code, key, { toast }),
    followStepButton(code, key, { toast }), dashboard, close);
}
