// The forecast in figures: the last close, the close in 7 days and the table of every day with
// its interval and its change from the last close. No forecast (null): dashes and no rows.
import { byId, setText, tableRow, trend } from "./dom.js";
import { niceDay, price, signedPct } from "./format.js";

export function renderForecast(predict) {
  const p = predict || { result: [] };
  const last = p.last_close;
  setText("last-close", price(last), last);
  setText("as-of", p.as_of ? "on " + niceDay(p.as_of) : "–");
  const rows = byId("forecast-rows");
  rows.textContent = "";
  p.result.forEach((r) => {
    const change = last ? (r.prediction / last - 1) * 100 : null;
    const tr = tableRow([
      [niceDay(r.date), "", r.date],
      [price(r.prediction), "num prediction", r.prediction],
      [r.lower != null ? price(r.lower) + " – " + price(r.upper) : "–", "num interval", r.lower != null ? r.lower + "," + r.upper : null],
      [signedPct(change), "num", change]
    ]);
    if (change !== null) trend(tr.lastChild, change);
    rows.appendChild(tr);
  });
  const final = p.result.length ? p.result[p.result.length - 1] : null;
  setText("final-forecast", price(final && final.prediction), final && final.prediction);
  const ch = final && last ? (final.prediction / last - 1) * 100 : null;
  trend(setText("final-change", final ? signedPct(ch) + " by " + niceDay(final.date) : "–", ch), ch);
}
