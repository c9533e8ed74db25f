// How old the served forecast is; a visible flag once /predict says it is stale.
import { byId, setText } from "./dom.js";
import { ageText, niceDay, niceTime } from "./format.js";

export function renderFreshness(predict, status) {
  const r = (status && status.refresh) || {};
  const age = predict.age_hours;
  setText("forecast-age", age === null || age === undefined ? "–" : ageText(age) + " old", age);
  setText("forecast-made", "from the close of " + niceDay(predict.as_of) +
    (predict.generated_at ? ", made " + niceTime(predict.generated_at) : ""), predict.as_of);
  setText("next-refresh", r.next_due ? "next refresh " + niceTime(r.next_due) : (r.schedule || ""), r.next_due);
  const stale = predict.stale === true;
  const flag = byId("stale-flag");
  flag.textContent = "Stale: made " + ageText(age) + " ago, the daily refresh is late";
  flag.hidden = !stale;
  byId("freshness-card").classList.toggle("is-stale", stale);
  document.body.setAttribute("data-stale", stale ? "true" : "false");
}
