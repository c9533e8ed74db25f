// The track-record chart (#track-chart): the last forecasts, each from the close it was made
// from, against the closes that followed (oldest first: the newest is drawn on top, darkest).
import { chartSvg, drawAxes, frame, linePath, scales, svgEl } from "./chart.js";
import { byId } from "./dom.js";
import { dayTime, niceDay, pct } from "./format.js";

export function drawTrackChart(forecasts) {
  const box = byId("track-chart");
  box.textContent = "";
  if (!forecasts.length) { box.hidden = true; return; }
  box.hidden = false;
  const f = frame(box, { ratio: 0.26, minHeight: 170, maxHeight: 260, top: 12, bottom: 28 });

  // What happened: each forecast's starting close and every realized close, one per day.
  const actual = {};
  const xs = [], ys = [];
  forecasts.forEach((fc) => {
    actual[fc.as_of] = fc.last_close;
    xs.push(dayTime(fc.as_of)); ys.push(fc.last_close);
    fc.result.forEach((d) => {
      xs.push(dayTime(d.date)); ys.push(d.prediction);
      if (d.actual != null) { actual[d.date] = d.actual; ys.push(d.actual); }
    });
  });
  const s = scales(f, xs, ys, 4);

  const svg = chartSvg(s, "track-svg", "The last " + forecasts.length + " forecasts against the closes that followed");
  drawAxes(svg, s, false);
  forecasts.forEach((fc, i) => drawPastForecast(svg, s, fc, i, forecasts.length));
  drawActual(svg, s, actual);
  box.appendChild(svg);
}

// The i-th of `count` served forecasts, oldest first: the older, the fainter.
function drawPastForecast(svg, s, fc, i, count) {
  const pts = [s.point(dayTime(fc.as_of), fc.last_close)]
    .concat(fc.result.map((r) => s.point(dayTime(r.date), r.prediction)));
  const path = svgEl("path", {
    "class": "track-forecast" + (i === count - 1 ? " latest" : ""), d: linePath(pts),
    "stroke-opacity": (0.3 + 0.7 * (i + 1) / count).toFixed(2),
    "data-as-of": fc.as_of, "data-version": fc.model_version,
    "data-mape": fc.mape == null ? "" : String(fc.mape)
  }, svg);
  svgEl("title", {}, path).textContent = "Forecast of " + niceDay(fc.as_of) + " (" + fc.model_version + "): " +
    (fc.days_scored ? "MAPE " + pct(fc.mape) + " vs persistence " + pct(fc.persistence_mape) +
      " over " + fc.days_scored + " days" : "no day closed yet");
  svgEl("circle", { "class": "track-start", cx: s.x(dayTime(fc.as_of)), cy: s.y(fc.last_close), r: 2.5 }, svg);
}

function drawActual(svg, s, actual) {
  const dates = Object.keys(actual).sort();
  svgEl("path", { "class": "track-actual", d: linePath(dates.map((day) => s.point(dayTime(day), actual[day]))) }, svg);
  const dots = svgEl("g", { "class": "track-actual-points" }, svg);
  dates.forEach((day) => {
    svgEl("circle", {
      "class": "track-actual-point", cx: s.x(dayTime(day)).toFixed(1), cy: s.y(actual[day]).toFixed(1),
      r: 2.5, "data-date": day, "data-value": String(actual[day])
    }, dots);
  });
}
