// Writing the panels: each shown figure also carries the raw value it came from (data-value),
// which the browser tests compare with the API.

export function byId(id) {
  return document.getElementById(id);
}

export function setText(id, text, raw) {
  const node = byId(id);
  node.textContent = text;
  if (raw !== undefined && raw !== null) node.setAttribute("data-value", String(raw));
  else node.removeAttribute("data-value");
  return node;
}

// Green up, red down; nothing for a missing or near-zero change.
export function trend(node, v) {
  node.classList.remove("up", "down");
  if (v === null || v === undefined || !isFinite(v) || Math.abs(v) < 0.005) return;
  node.classList.add(v > 0 ? "up" : "down");
}

// A table row from [text, class, raw value] cells.
export function tableRow(cells) {
  const tr = document.createElement("tr");
  cells.forEach(([text, className, raw]) => {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    if (raw !== null && raw !== undefined) td.setAttribute("data-value", String(raw));
    tr.appendChild(td);
  });
  return tr;
}
