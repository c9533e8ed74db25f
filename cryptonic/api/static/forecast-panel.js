// The forecast in figures: the last close, the close in 7 days and the table of every day with
// its interval and its change from the last close.
import { byId, setText, tableRow, trend } from "./dom.js";
import { niceDay, price, signedPct } from "./format.js";

export function renderForecast(predict) {
  const last = predict.last_close;
  setText("last-close", price(last), last);
  setText("as-of", "on " + niceDay(predict.as_of));
  const rows = byId("forecast-rows");
  rows.textContent = "";
  predict.result.forEach((r) => {
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
  const final = predict.result.length ? predict.result[predict.result.length - 1] : null;
  if (final) {
    setText("final-forecast", price(final.prediction), final.prediction);
    const ch = last ? (final.prediction / last - 1) * 100 : null;
    trend(setText("final-change", signedPct(ch) + " by " + niceDay(final.date), ch), ch);
  }
}
