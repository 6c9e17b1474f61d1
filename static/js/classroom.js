// The classroom parts of every demo page's header: a link that reopens this session, a share link (a copy for
// someone else), a room (join code for students, lecturer key kept in this browser), and follower mode
// (/join/CODE: read-only, with "Fork into my sandbox").

const $ = (sel) => document.querySelector(sel);

export const roomKey = (code) => localStorage.getItem(`nnp-room-key-${code}`);

async function api(method, url, body, key) {
  const headers = { "Content-Type": "application/json" };
  if (key) headers["X-Room-Key"] = key;
  const r = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.detail || `${r.status} ${r.statusText}`);
  return data;
}

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
  if (!ui.panel) return { onHello() {}, onInfo() {} }; // a page without the classroom header
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
    const join = `${location.origin}/join/${code}`;
    const big = el("div", { className: "join-code", textContent: code, title: "the join code" });
    const where = el("p", { className: "join-url" }, "Students open ", el("b", { textContent: join }));
    if (!key) {
      show(`Room ${code}`, big, where, el("p", { className: "hint", textContent: "This browser does not have the lecturer key of this room: it can show the code, not change the room." }));
      return;
    }
    const push = el("button", { className: "primary", textContent: "Push my network to every student", title: "every student sandbox of this room becomes a copy of this network (paused)" });
    const gallery = el("a", { className: "button-link", href: `/rooms/${code}/gallery`, target: "_blank", textContent: "Students' gallery" });
    const close = el("button", { textContent: "Close the room" });
    push.addEventListener("click", async () => {
      try { const r = await api("POST", `/api/rooms/${code}/push`, null, key); toast(`pushed to ${r.students} student sandbox${r.students === 1 ? "" : "es"}`, "info"); }
      catch (e) { toast(`push failed: ${e.message}`); }
    });
    close.addEventListener("click", async () => {
      try {
        await api("DELETE", `/api/rooms/${code}`, null, key);
        localStorage.removeItem(`nnp-room-key-${code}`);
        ui.panel.classList.add("hidden");
        lead(null);
        toast(`room ${code} is closed`, "info");
      } catch (e) { toast(`closing failed: ${e.message}`); }
    });
    show(`Room ${code}: you are the lecturer`, big, where,
      el("p", { className: "hint", textContent: "They see this network live, read-only, and can fork it into their own sandbox." }),
      el("div", { className: "room-actions" }, push, gallery, close));
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
      localStorage.setItem(`nnp-room-key-${r.code}`, r.key);
      lead(r.code);
      roomPanel(r.code);
    } catch (e) { toast(`opening a room failed: ${e.message}`); }
  });

  ui.fork.addEventListener("click", () => { ui.fork.disabled = true; sock.forkRoom(); });

  const onHello = (msg) => {
    hello = msg;
    const following = msg.mode === "follow";
    document.body.classList.toggle("following", following);
    ui.banner.classList.toggle("hidden", !following);
    ui.fork.disabled = false;
    ui.link.classList.toggle("hidden", following);
    ui.share.classList.toggle("hidden", following);
    if (following) {
      ui.bannerText.textContent = `Following the lecturer in room ${msg.room}: read-only, live.`;
      lead(null);
      ui.open.classList.add("hidden");
      return;
    }
    if (msg.leads) { lead(msg.leads); return; }
    lead(null);
    if (msg.room) {
      ui.badge.classList.remove("hidden");
      ui.badge.replaceChildren(el("span", { textContent: `Room ${msg.room} · you are ${msg.seat}` }), " ",
        el("a", { href: `/join/${msg.room}`, textContent: "watch the lecturer", target: "_blank" }));
    }
  };
  const onInfo = (msg) => {
    toast(msg.message, "info");
    if (msg.closed && hello && hello.mode === "follow") {
      ui.bannerText.textContent = msg.message;
      ui.fork.classList.add("hidden");
    }
  };
  return { onHello, onInfo };
}
