// The classroom parts of every demo page's header: a link that reopens this session, a share link (a copy for
// someone else), a room (join code and QR for students, lecturer key kept in this browser; the room follows the
// lecturer's pages across demos), follower mode (?follow=CODE: read-only, with "Fork into my sandbox") and a
// student sandbox held while the lecturer has paused the class.

import { api, forgetRoom, keepKey, lectureCode, roomKey } from "./roomkeys.js";
import { lecturerActions } from "./lecturer.js";

const $ = (sel) => document.querySelector(sel);
const embedded = window.parent !== window; // inside a student's lecture page (/join/CODE)

export { roomKey };

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

export function classroom(sock, { toast }) {
  const ui = {
    badge: $("#room-badge"), open: $("#room-open"), link: $("#link"), share: $("#share"), banner: $("#follow-banner"),
    bannerText: $("#follow-text"), fork: $("#fork-room"), panel: $("#classroom-panel"), title: $("#classroom-title"),
    body: $("#classroom-body"), close: $("#classroom-close"),
  };
  if (!ui.panel) return { onHello() {}, onInfo() {}, onRoom() {} }; // a page without the classroom header
  let hello = null;

  const show = (title, ...children) => {
    ui.title.textContent = title;
    ui.body.replaceChildren(...children);
    ui.panel.classList.remove("hidden");
  };
  ui.close.addEventListener("click", () => ui.panel.classList.add("hidden"));
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") ui.panel.classList.add("hidden"); });

  const copyable = (url, note) => {
    const input = el("input", { value: url, readOnly: true, className: "copy-url", ariaLabel: "link" });
    const copy = el("button", { textContent: "Copy", className: "primary" });
    copy.addEventListener("click", async () => {
      input.select();
      try { await navigator.clipboard.writeText(url); } catch { document.execCommand("copy"); }
      copy.textContent = "Copied";
    });
    setTimeout(() => input.select(), 0);
    return el("div", { className: "copy-box" }, el("p", { className: "hint", textContent: note }), el("div", { className: "copy-row" }, input, copy));
  };

  ui.link.addEventListener("click", () => {
    if (!sock.sessionId) { toast("no session of your own yet: fork into your sandbox first"); return; }
    const url = `${location.origin}/demos/${sock.demo}?session=${encodeURIComponent(sock.sessionId)}`;
    show("Link to this session", copyable(url, "Opens this very session again, in any browser. Keep it to yourself: whoever has it can change it."));
  });
  ui.share.addEventListener("click", async () => {
    if (!sock.sessionId) { toast("no session of your own yet: fork into your sandbox first"); return; }
    try {
      const r = await api("POST", `/api/sessions/${encodeURIComponent(sock.sessionId)}/share`);
      show("Share a copy", copyable(location.origin + r.url, "Whoever opens this gets their own copy of the network as it is now; your session stays yours."));
    } catch (e) { toast(`sharing failed: ${e.message}`); }
  });

  const roomPanel = (code) => {
    const key = roomKey(code);
    const big = el("div", { className: "join-code", textContent: code, title: "the join code" });
    const qr = el("div", { className: "join-qr" });
    const where = el("p", { className: "join-url" }, "Students open ", el("b", { textContent: `/join/${code}` }));
    api("GET", `/api/rooms/${code}/join`).then((j) => {
      if (j.url) {
        where.replaceChildren("Students open ", el("b", { textContent: j.url }), " or scan the code");
        qr.replaceChildren(el("img", { src: j.qr, alt: `QR code of ${j.url}`, className: "qr" }));
      }
      if (j.note) where.after(el("p", { className: "hint warn-note", textContent: j.note }));
    }).catch(() => {});
    if (!key) {
      show(`Room ${code}`, big, qr, where, el("p", { className: "hint", textContent: "This browser does not have the lecturer key of this room: it can show the code, not change the room." }));
      return;
    }
    const actions = lecturerActions(code, key, { toast, closed: () => { forgetRoom(code); ui.panel.classList.add("hidden"); lead(null); } });
    show(`Room ${code}: you are the lecturer`, big, qr, where,
      el("p", { className: "hint", textContent: "The room follows you: open another demo and the class sees it. Students see your network live, read-only, and can fork it into their own sandbox." }),
      actions);
  };

  const lead = (code) => {
    ui.open.classList.toggle("hidden", !!code || sock.following);
    ui.badge.classList.toggle("hidden", !code);
    if (code) {
      ui.badge.replaceChildren(el("button", { className: "room-code", textContent: `Room ${code}`, title: "join code, push, gallery" }));
      ui.badge.firstChild.addEventListener("click", () => roomPanel(code));
    }
  };

  ui.open.addEventListener("click", async () => {
    if (!sock.sessionId) { toast("fork into your own sandbox first: a room shows your network"); return; }
    try {
      const r = await api("POST", "/api/rooms", { session: sock.sessionId });
      keepKey(r.code, r.key);
      lead(r.code);
      roomPanel(r.code);
    } catch (e) { toast(`opening a room failed: ${e.message}`); }
  });

  ui.fork.addEventListener("click", () => { ui.fork.disabled = true; sock.forkRoom(); });

  // The room this browser lectures in follows this page: on opening it, and whenever the tab comes back to the
  // front (the lecturer switching between demo tabs). Moving to the session the room already shows changes nothing.
  const takeRoomAlong = async () => {
    const code = lectureCode();
    if (!code || !sock.sessionId || !hello || hello.room || (hello.leads && hello.leads !== code)) return;
    try {
      const r = await api("POST", `/api/rooms/${code}/move`, { session: sock.sessionId }, roomKey(code));
      if (hello.leads !== code) toast(`Room ${code} follows you here: the class sees this ${r.demo} page now`, "info");
      hello.leads = code;
      lead(code);
    } catch (e) {
      if (e.status === 404 || e.status === 403) forgetRoom(code); // closed, or a key that is not this room's
    }
  };
  // In a student's lecture page, the room's changes come from the page around this one.
  if (embedded) {
    window.addEventListener("message", (ev) => {
      if (ev.origin === location.origin && ev.data && ev.data.nnp === "room" && hello && hello.mode === "sandbox") {
        window.dispatchEvent(new CustomEvent("nnp-room", { detail: ev.data }));
      }
    });
  }
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") takeRoomAlong(); });

  let holdBanner = null;
  const setHold = (reason) => {
    document.body.classList.toggle("held", !!reason);
    if (!reason) { if (holdBanner) holdBanner.remove(); holdBanner = null; return; }
    if (!holdBanner) {
      holdBanner = el("div", { className: "hold-banner", role: "status" });
      ui.banner.after(holdBanner);
    }
    holdBanner.textContent = reason;
  };

  const followText = (room) => room.spotlight
    ? `Spotlight on student ${room.spotlight} in room ${room.code}: read-only, live.`
    : `Following the lecturer in room ${room.code}: read-only, live.`;

  const onHello = (msg) => {
    hello = msg;
    if (embedded) window.parent.postMessage({ nnp: "hello", mode: msg.mode, session: msg.session, demo: msg.demo, room: msg.room }, location.origin);
    const following = msg.mode === "follow";
    document.body.classList.toggle("following", following);
    document.body.classList.toggle("embedded", embedded);
    ui.banner.classList.toggle("hidden", !following);
    ui.fork.disabled = false;
    ui.link.classList.toggle("hidden", following);
    ui.share.classList.toggle("hidden", following);
    setHold(following ? null : msg.hold);
    if (following) {
      ui.bannerText.textContent = followText({ code: msg.room, spotlight: null });
      lead(null);
      ui.open.classList.add("hidden");
      api("GET", `/api/rooms/${msg.room}`).then(onRoom).catch(() => {}); // the room as it is now (its step)
      return;
    }
    if (msg.leads) lead(msg.leads);
    else lead(null);
    if (msg.room) {
      ui.badge.classList.remove("hidden");
      ui.badge.replaceChildren(el("span", { textContent: `Room ${msg.room} · you are ${msg.seat}` }),
        ...(embedded ? [] : [" ", el("a", { href: `/join/${msg.room}`, textContent: "the lecture", target: "_blank" })]));
      return;
    }
    takeRoomAlong();
  };
  const onInfo = (msg) => {
    toast(msg.message, "info");
    if (msg.hold !== undefined) setHold(msg.hold);
    if (msg.closed && hello && hello.mode === "follow") {
      ui.bannerText.textContent = msg.message;
      ui.fork.classList.add("hidden");
    }
  };
  // A follower hears of every change of the room: it shows the spotlight, and a page left alone (not inside a
  // lecture page, which switches its view itself) moves to the demo the room shows now.
  const onRoom = (room) => {
    // Whatever on the page acts on the lecturer's step (a lesson's step bar) listens for this event.
    window.dispatchEvent(new CustomEvent("nnp-room", { detail: room }));
    if (!hello || hello.mode !== "follow") return;
    ui.bannerText.textContent = followText(room);
    if (embedded) window.parent.postMessage({ nnp: "room", ...room }, location.origin);
    else if (room.shown_demo !== sock.demo) location.replace(`/demos/${room.shown_demo}?follow=${room.code}`);
  };
  return { onHello, onInfo, onRoom };
}
