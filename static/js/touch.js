// Touch screens: body.touch when the main pointer is a finger, so hints speak of taps (.touch-only / .mouse-only).

export function markTouch() {
  if (!document.body) { document.addEventListener("DOMContentLoaded", markTouch, { once: true }); return; }
  const coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  if (coarse || navigator.maxTouchPoints > 0) {
    document.body.classList.add("touch");
    speakOfTaps();
  }
}

// On a touch screen the page's hints speak of taps: "click" reads "tap", "hover" reads "tap" (a tap shows what a
// pointer resting there would). A hint with its own touch wording (.touch-only / .mouse-only) keeps it.
const WORDS = [[/\bright-click or alt-click\b/g, "long-press"], [/\bshift-click\b/g, "choose B and tap"],
  [/\bClicked\b/g, "Tapped"], [/\bclicked\b/g, "tapped"], [/\bClick/g, "Tap"], [/\bclick/g, "tap"],
  [/\bHover(ing)?\b/g, "Tap"], [/\bhover(ing)?\b/g, "tap"]];
export const retell = (text) => WORDS.reduce((s, [re, to]) => s.replace(re, to), text);

function retellText(el) {
  for (const node of el.childNodes) {
    if (node.nodeType === Node.TEXT_NODE && retell(node.textContent) !== node.textContent) node.textContent = retell(node.textContent);
  }
}

export function speakOfTaps(root = document) {
  for (const el of root.querySelectorAll(".hint, h2, [aria-label], [title]")) {
    if (el.closest(".mouse-only, .touch-only") || el.querySelector(".mouse-only, .touch-only")) continue;
    for (const attr of ["aria-label", "title"]) if (el.hasAttribute(attr)) el.setAttribute(attr, retell(el.getAttribute(attr)));
    if (el.matches(".hint, h2")) {
      retellText(el);
      // a hint the page rewrites later (a demo's render) is told again
      new MutationObserver(() => retellText(el)).observe(el, { childList: true, characterData: true, subtree: true });
    }
  }
}

markTouch(); // every page: base.html loads this module (before the body exists it waits for it)
