// The main chart (#chart): recent closes, then the champion's forecast from the last close with
// its central interval, and a tooltip of the day nearest the pointer. Nothing to draw: an empty
// chart under the page's own title.
import { chartSvg, drawAxes, frame, linePath, scales, svgEl } from "./chart.js";
import { byId } from "./dom.js";
import { dayTime, niceDay, price } from "./format.js";

export const HISTORY_DAYS = 90;

export function drawChart(predict, historic) {
  const box = byId("chart");
  let history = (historic && historic.result) || [];
  const forecast = (predict && predict.result) || [];
  box.textContent = "";
  byId("tooltip").hidden = true;
  if (!history.length && !forecast.length) {
    byId("chart-title").textContent = "Recent closes and forecast";
    return;
  }

  const f = frame(box, { ratio: 0.42, minHeight: 240, maxHeight: 420, top: 16, bottom: 30 });
  // On a narrow screen show fewer days, so the 7 forecast days stay readable.
  const shownDays = f.width < 520 ? 30 : f.width < 800 ? 60 : HISTORY_DAYS;
  if (history.length > shownDays) history = history.slice(history.length - shownDays);
  byId("chart-title").textContent = predict
    ? predict.ticker + ": last " + shownDays + " days and the next " + predict.period_length
    : "Recent closes";

  const hx = history.map((p) => dayTime(p.date));
  const fx = forecast.map((p) => dayTime(p.date));
  const banded = forecast.length > 0 && forecast.every((p) => p.lower != null && p.upper != null);
  const ys = history.map((p) => p.close).concat(forecast.map((p) => p.prediction));
  if (banded) forecast.forEach((p) => { ys.push(p.lower, p.upper); });
  const s = scales(f, hx.concat(fx), ys, 5);

  const svg = chartSvg(s, "chart-svg", "Closes of the last " + HISTORY_DAYS + " days and the 7-day forecast");
  drawAxes(svg, s, true);
  drawHistory(svg, s, history, hx);
  if (forecast.length) {
    const start = forecastStart(predict, history, hx);
    drawForecast(svg, s, { forecast: forecast, fx: fx, start: start, banded: banded, level: predict.interval_level });
  }
  const points = history.map((p, i) => ({ t: hx[i], v: p.close, date: p.date, kind: "close" }))
    .concat(forecast.map((p, i) => ({
      t: fx[i], v: p.prediction, date: p.date, kind: "forecast", lower: p.lower, upper: p.upper
    })));
  addTooltip(svg, s, box, points);
  box.appendChild(svg);
}

function drawHistory(svg, s, history, hx) {
  if (!history.length) return;
  const linePts = history.map((p, i) => s.point(hx[i], p.close));
  const bottom = s.m.top + s.h;
  svgEl("path", {
    "class": "history-area",
    d: linePath(linePts) + "L" + s.x(hx[hx.length - 1]).toFixed(1) + "," + bottom +
      "L" + s.x(hx[0]).toFixed(1) + "," + bottom + "Z"
  }, svg);
  svgEl("path", { "class": "history-line", d: linePath(linePts) }, svg);
}

// Where the forecast line starts: the close it was made from, else the last close drawn.
function forecastStart(predict, history, hx) {
  if (predict.as_of && predict.last_close) return [dayTime(predict.as_of), predict.last_close];
  if (history.length) return [hx[hx.length - 1], history[history.length - 1].close];
  return null;
}

function drawForecast(svg, s, { forecast, fx, start, banded, level }) {
  const { m, w, h } = s;
  if (start) {
    svgEl("rect", {
      "class": "forecast-band", x: s.x(start[0]), y: m.top,
      width: Math.max(0, m.left + w - s.x(start[0])), height: h
    }, svg);
    svgEl("line", { "class": "today", x1: s.x(start[0]), x2: s.x(start[0]), y1: m.top, y2: m.top + h }, svg);
  }
  if (banded) drawInterval(svg, s, forecast, fx, start, level);
  const spacing = fx.length > 1 ? (s.x(fx[fx.length - 1]) - s.x(fx[0])) / (fx.length - 1) : 20;
  const radius = Math.max(2, Math.min(4.5, spacing / 2.6));
  const fpts = forecast.map((p, i) => s.point(fx[i], p.prediction));
  if (start) fpts.unshift(s.point(start[0], start[1]));
  svgEl("path", { "class": "forecast-line", d: linePath(fpts) }, svg);
  if (start) svgEl("circle", { "class": "last-point", cx: s.x(start[0]), cy: s.y(start[1]), r: 4 }, svg);
  const dots = svgEl("g", { "class": "forecast-points" }, svg);
  forecast.forEach((p, i) => {
    svgEl("circle", {
      "class": "forecast-point", cx: s.x(fx[i]).toFixed(1), cy: s.y(p.prediction).toFixed(1), r: radius.toFixed(1),
      "data-date": p.date, "data-value": String(p.prediction)
    }, dots);
  });
}

// The central interval: from the last close (no uncertainty yet) out to each day's bounds.
function drawInterval(svg, s, forecast, fx, start, level) {
  const upperPts = forecast.map((p, i) => s.point(fx[i], p.upper));
  const lowerPts = forecast.map((p, i) => s.point(fx[i], p.lower)).reverse();
  if (start) upperPts.unshift(s.point(start[0], start[1]));
  svgEl("path", {
    "class": "interval-band", id: "interval-band",
    "data-level": String(level),
    d: linePath(upperPts.concat(lowerPts)) + "Z"
  }, svg);
}

// Hover: a cursor line and the tooltip at the point nearest the pointer across.
function addTooltip(svg, s, box, points) {
  const { m, w, h } = s;
  const cursor = svgEl("line", { "class": "cursor", y1: m.top, y2: m.top + h, visibility: "hidden" }, svg);
  const tip = byId("tooltip");
  svgEl("rect", { x: m.left, y: m.top, width: w, height: h, fill: "transparent" }, svg)
    .addEventListener("mousemove", (ev) => {
      const rect = svg.getBoundingClientRect();
      const px = ((ev.clientX - rect.left) / rect.width) * s.width;
      let best = null;
      points.forEach((p) => { if (!best || Math.abs(s.x(p.t) - px) < Math.abs(s.x(best.t) - px)) best = p; });
      if (!best) return;
      const cx = s.x(best.t);
      cursor.setAttribute("x1", cx); cursor.setAttribute("x2", cx); cursor.setAttribute("visibility", "visible");
      tip.hidden = false;
      tip.textContent = niceDay(best.date) + " · " + (best.kind === "forecast" ? "forecast " : "close ") + price(best.v) +
        (best.kind === "forecast" && best.lower != null ? " (" + price(best.lower) + " – " + price(best.upper) + ")" : "");
      const host = box.getBoundingClientRect(), card = box.parentNode.getBoundingClientRect();
      tip.style.left = (host.left - card.left + (cx / s.width) * host.width) + "px";
      tip.style.top = (host.top - card.top + (s.y(best.v) / s.height) * host.height) + "px";
    });
  svg.addEventListener("mouseleave", () => { cursor.setAttribute("visibility", "hidden"); tip.hidden = true; });
}
