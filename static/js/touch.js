// Touch screens: body.touch when the main pointer is a finger, so hints speak of taps (.touch-only / .mouse-only).

export function markTouch() {
  const coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  if (coarse || navigator.maxTouchPoints > 0) document.body.classList.add("touch");
}
