// The test-shadow picker the shadow demos share: one button per sample, a mini shadow and its name
// (training samples starred); the selected one highlighted.

export function renderSamples(box, d, selected, onSelect) {
  if (box.childElementCount !== d.samples.length) {
    box.replaceChildren(...d.samples.map((s, i) => {
      const b = document.createElement("button");
      b.className = "sample";
      b.setAttribute("role", "option");
      b.dataset.index = String(i);
      b.addEventListener("click", () => onSelect(i));
      const bar = document.createElement("span");
      bar.className = "mini-shadow";
      s.levels.slice().reverse().forEach((v) => {
        const c = document.createElement("i");
        if (v > 0) c.className = "on";
        bar.append(c);
      });
      const label = document.createElement("span");
      label.textContent = s.name + (d.training.includes(s.name) ? " *" : "");
      b.append(bar, label);
      return b;
    }));
  }
  [...box.children].forEach((b, i) => {
    b.classList.toggle("selected", i === selected);
    b.setAttribute("aria-selected", String(i === selected));
  });
}
