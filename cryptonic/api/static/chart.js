// What both charts share (the forecast and the track record): an SVG sized to its box, scales
// from days and prices onto it with "nice" price ticks, the grid and both axes, and line paths.
// Drawn by hand: no chart library, nothing loaded from another origin.
import { DAY_MS, shortDay, tickLabel } from "./format.js";

const SVG_NS = "http://www.w3.org/2000/svg";

export function svgEl(name, attrs, parent) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

export function linePath(points) {
  return "M" + points.join("L");
}

// The chart's size: as wide as its box (at least 280 px), its height a share of that width
// within [minHeight, maxHeight]; a narrower left margin for the price labels on a phone.
export function frame(box, { ratio, minHeight, maxHeight, top, bottom }) {
  const width = Math.max(280, Math.round(box.clientWidth || 800));
  const height = Math.round(Math.min(maxHeight, Math.max(minHeight, width * ratio)));
  const m = { top: top, right: 16, bottom: bottom, left: width < 520 ? 48 : 64 };
  return { width: width, height: height, m: m, w: width - m.left - m.right, h: height - m.top - m.bottom };
}

// Ticks at 1, 2 or 5 times a power of ten, about `count` of them between lo and hi.
function niceTicks(lo, hi, count) {
  let span = hi - lo;
  if (!(span > 0)) { span = Math.abs(hi) || 1; lo -= span / 2; hi += span / 2; span = hi - lo; }
  const raw = span / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  let step = (norm >= 5 ? 10 : norm >= 2 ? 5 : norm >= 1 ? 2 : 1) * mag;
  if (norm < 1.5) step = mag;
  const first = Math.ceil(lo / step) * step;
  const ticks = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(+v.toFixed(10));
  return ticks;
}

// The frame with its scales: times (ms) across, prices up, padded by 8% and widened to whole
// ticks. x(t) and y(v) are pixels; point(t, v) is "x,y" for a path.
export function scales(f, times, values, tickCount) {
  const x0 = Math.min(...times), x1 = Math.max(...times);
  let y0 = Math.min(...values), y1 = Math.max(...values);
  const pad = (y1 - y0) * 0.08 || Math.abs(y1) * 0.05 || 1;
  y0 -= pad; y1 += pad;
  const ticks = niceTicks(y0, y1, tickCount);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : Math.abs(ticks[0]) || 1;
  y0 = Math.min(y0, ticks[0]); y1 = Math.max(y1, ticks[ticks.length - 1]);
  const { m, w, h } = f;
  const x = (t) => m.left + (x1 === x0 ? w / 2 : ((t - x0) / (x1 - x0)) * w);
  const y = (v) => m.top + h - ((v - y0) / (y1 - y0)) * h;
  const point = (t, v) => x(t).toFixed(1) + "," + y(v).toFixed(1);
  return Object.assign({}, f, { x0: x0, x1: x1, ticks: ticks, step: step, x: x, y: y, point: point });
}

export function chartSvg(s, id, label) {
  return svgEl("svg", {
    viewBox: "0 0 " + s.width + " " + s.height, width: s.width, height: s.height,
    role: "img", "aria-label": label, id: id
  });
}

// Price gridlines with their labels; a day label about every 80 px, on day boundaries, with a
// tick mark under the plot if `tickMarks`.
export function drawAxes(svg, s, tickMarks) {
  const { m, w, h } = s;
  const grid = svgEl("g", { "class": "grid" }, svg);
  const axis = svgEl("g", { "class": "axis" }, svg);
  s.ticks.forEach((v) => {
    const y = s.y(v).toFixed(1);
    svgEl("line", { x1: m.left, x2: m.left + w, y1: y, y2: y }, grid);
    svgEl("text", { x: m.left - 8, y: y, "text-anchor": "end", "dominant-baseline": "middle" }, axis)
      .textContent = tickLabel(v, s.step);
  });
  const days = Math.max(1, Math.round((s.x1 - s.x0) / DAY_MS));
  const every = Math.max(1, Math.ceil(days / Math.max(2, Math.floor(w / 80))));
  for (let d = 0; d <= days; d += every) {
    const t = s.x0 + d * DAY_MS;
    const x = s.x(t).toFixed(1);
    if (tickMarks) svgEl("line", { x1: x, x2: x, y1: m.top + h, y2: m.top + h + 4 }, grid);
    svgEl("text", { x: x, y: m.top + h + 18, "text-anchor": "middle" }, axis)
      .textContent = shortDay(new Date(t));
  }
}
