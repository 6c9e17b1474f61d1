// A student's page for the whole lecture (/join/CODE): the room's bar above one demo page in a frame. The frame
// shows the lecturer's current demo live (read-only) or one of the student's own sandboxes; when the lecturer
// moves on, the lecturer view switches to the new demo and a student in a sandbox is offered a copy of it. This
// page itself never reloads: it hears of the room's changes on /ws/rooms/CODE.

const $ = (sel) => document.querySelector(sel);
const main = $(".lecture");
const code = main.dataset.code;
const titles = JSON.parse(main.dataset.titles);
const stage = $("#stage");
const mineKey = `nnp-lecture-sandboxes-${code}`;

let room = null; // the room's public state, newest
let view = { kind: "follow", demo: new URL(stage.src).pathname.split("/")[2] }; // or {kind: "sandbox", demo, session}
const mine = () => JSON.parse(localStorage.getItem(mineKey) || "[]"); // [{demo, session}], oldest first

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

// What the frame shows survives a refresh of this tab (the student's sandbox, not the lecturer's view again).
const viewKey = `nnp-lecture-view-${code}`;
const remember = () => sessionStorage.setItem(viewKey, JSON.stringify(view));

function show(next) {
  view = next;
  remember();
  stage.src = next.kind === "follow" ? `/demos/${next.demo}?follow=${code}`
    : next.session ? `/demos/${next.demo}?session=${encodeURIComponent(next.session)}`
      : `/demos/${next.demo}?join=${code}`;
  render();
}

function render() {
  const watching = view.kind === "follow";
  $("#lecture-watch").classList.toggle("active", watching);
  $("#lecture-watch").setAttribute("aria-pressed", String(watching));
  $("#lecture-mine").replaceChildren(...mine().map((m) => {
    const on = view.kind === "sandbox" && view.session === m.session;
    const b = el("button", { className: `view sandbox${on ? " active" : ""}`, textContent: `My ${titles[m.demo] || m.demo}`, title: "reopen my sandbox of this demo" });
    b.dataset.demo = m.demo;
    b.setAttribute("aria-pressed", String(on));
    b.addEventListener("click", () => show({ kind: "sandbox", demo: m.demo, session: m.session }));
    return b;
  }));
  if (!room) return;
  const title = titles[room.demo] || room.demo;
  $("#lecture-status").textContent = [
    `Lecturer: ${title}`, room.step ? `step ${room.step}` : "", room.spotlight ? `spotlight on ${room.spotlight}` : "", room.paused ? "class paused" : "",
  ].filter(Boolean).join(" · ");
  // A student away from the lecturer's demo, with no sandbox of it yet, is offered one.
  const offer = view.kind === "sandbox" && view.demo !== room.demo && !mine().some((m) => m.demo === room.demo);
  $("#lecture-offer").classList.toggle("hidden", !offer);
  $("#lecture-offer-text").textContent = `The lecturer moved to ${title}.`;
}

function onRoom(msg) {
  if (room && msg.version < room.version) return; // an older announcement overtaken by a newer one
  room = msg;
  // a student's own sandbox hears of the lecturer's step too (a follower view gets it on its own socket)
  if (view.kind === "sandbox" && stage.contentWindow) stage.contentWindow.postMessage({ nnp: "room", ...room }, location.origin);
  if (view.kind === "follow" && view.demo !== room.shown_demo) show({ kind: "follow", demo: room.shown_demo });
  else render();
}

// A display name (optional) goes with every sandbox of this lecture; the lecturer sees it unless anonymized.
const nameKey = `nnp-lecture-name-${code}`;
const nameInput = $("#lecture-name");
nameInput.value = localStorage.getItem(nameKey) || "";
const sendName = (session) => fetch(`/api/sessions/${encodeURIComponent(session)}/name`, {
  method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: nameInput.value }),
}).catch(() => {});
nameInput.addEventListener("change", () => {
  localStorage.setItem(nameKey, nameInput.value);
  mine().forEach((m) => sendName(m.session));
});

// The join link and its QR code, for a neighbour who has not joined yet.
fetch(`/api/rooms/${code}/join`).then((r) => r.json()).then((j) => {
  $("#lecture-join-url").textContent = j.url || j.note || "";
  if (j.qr) $("#lecture-qr-img").replaceChildren(el("img", { src: j.qr, alt: `QR code of ${j.url}`, className: "qr" }));
}).catch(() => {});

// The frame's page says what it is: a new sandbox (a fork, or "Get my own copy") is kept in the list.
window.addEventListener("message", (ev) => {
  if (ev.origin !== location.origin || !ev.data || !ev.data.nnp) return;
  const m = ev.data;
  if (m.nnp === "hello" && m.mode === "sandbox" && m.room === code) {
    const list = mine().filter((x) => x.session !== m.session && x.demo !== m.demo); // one sandbox per demo listed
    list.push({ demo: m.demo, session: m.session });
    localStorage.setItem(mineKey, JSON.stringify(list));
    if (nameInput.value) sendName(m.session); // the same name again changes nothing
    view = { kind: "sandbox", demo: m.demo, session: m.session };
    remember();
    render();
  } else if (m.nnp === "hello" && m.mode === "follow") {
    view = { kind: "follow", demo: m.demo };
    remember();
    render();
  } else if (m.nnp === "room") onRoom(m);
});

$("#lecture-watch").addEventListener("click", () => show({ kind: "follow", demo: room ? room.shown_demo : view.demo }));
$("#lecture-take").addEventListener("click", () => show({ kind: "sandbox", demo: room.demo, session: null }));
$("#lecture-qr-toggle").addEventListener("click", () => $("#lecture-qr").classList.toggle("hidden"));
$("#lecture-qr").addEventListener("click", () => $("#lecture-qr").classList.add("hidden"));

let delay = 250;
function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/ws/rooms/${code}`);
  ws.onopen = () => { delay = 250; };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === "room") onRoom(msg);
    else if (msg.type === "error") $("#lecture-status").textContent = msg.message;
  };
  ws.onclose = (ev) => {
    if (ev.code === 1008) return; // the room is gone: the frame's page says so
    setTimeout(connect, delay);
    delay = Math.min(5000, delay * 2);
  };
}
const saved = JSON.parse(sessionStorage.getItem(viewKey) || "null");
if (saved && saved.kind === "sandbox" && saved.session) show(saved);
connect();
render();
