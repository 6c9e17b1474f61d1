// The lecturer keys this browser keeps, one per room (several rooms' keys coexist), and the room this browser
// lectures in now (the one its demo pages take along). A key from a link (#key=) is only kept after the server
// confirms it, and never replaces a key this browser already has for that room.

const keyName = (code) => `nnp-room-key-${code}`;
const LECTURE = "nnp-lecture"; // the code of the room this browser leads now

export const roomKey = (code) => localStorage.getItem(keyName(code));
export const lectureCode = () => {
  const code = localStorage.getItem(LECTURE);
  return code && roomKey(code) ? code : null;
};

export function keepKey(code, key) {
  localStorage.setItem(keyName(code), key);
  localStorage.setItem(LECTURE, code);
}

export function forgetRoom(code) {
  localStorage.removeItem(keyName(code));
  if (localStorage.getItem(LECTURE) === code) localStorage.removeItem(LECTURE);
}

export async function api(method, url, body, key) {
  const headers = { "Content-Type": "application/json" };
  if (key) headers["X-Room-Key"] = key;
  const r = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    const err = new Error(data.detail || `${r.status} ${r.statusText}`);
    err.status = r.status;
    throw err;
  }
  return data;
}

// The key for `code` this page may use: the stored one if any (a #key= in the URL never replaces it: a crafted
// link must not swap a lecturer's key for another), else the URL's once the server says it is the room's key.
// The #key= leaves the address bar either way, so it is not left in the history or a screenshot.
export async function adoptKey(code) {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromHash) history.replaceState(null, "", location.pathname + location.search);
  const kept = roomKey(code);
  if (kept || !fromHash) return kept;
  try {
    await api("POST", `/api/rooms/${encodeURIComponent(code)}/key`, null, fromHash);
  } catch {
    return null; // not this room's key: nothing is stored
  }
  localStorage.setItem(keyName(code), fromHash);
  return fromHash;
}
