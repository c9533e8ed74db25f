// How old the served forecast's data is (its age counts from the close it starts from, not from
// when it was computed); once /predict calls it stale, a flag and a plain note say so. No
// forecast (null): dashes, and no word about its age.
import { byId, setText } from "./dom.js";
import { ageText, daysAgo, daysSinceClose, niceDay, niceTime } from "./format.js";

// The note under the banner: what old data means here, and what ends it.
const OLD_DATA_WHY = "No newer close has reached the service (an offline price snapshot, or a " +
  "price source that is down or blocked); the daily refresh catches up once one does.";

export function renderFreshness(predict, status) {
  const p = predict || {};
  const r = (status && status.refresh) || {};
  const age = p.age_hours;
  const known = age !== null && age !== undefined;
  setText("forecast-age", known ? ageText(age) + " old" : "–", age);
  setText("forecast-made", predict ? "from the close of " + niceDay(p.as_of) +
    (p.generated_at ? ", made " + niceTime(p.generated_at) : "") : "–", p.as_of);
  setText("next-refresh", r.next_due ? "next refresh " + niceTime(r.next_due) : (r.schedule || "–"), r.next_due);
  const stale = p.stale === true;
  const since = "from the close of " + niceDay(p.as_of) +
    (known ? ", " + daysAgo(daysSinceClose(age)) : "");
  const flag = byId("stale-flag");
  flag.textContent = "Stale: " + since;
  flag.hidden = !stale;
  const note = setText("old-data", stale ? "Served from old data: this forecast starts " + since +
    ". " + OLD_DATA_WHY : "", stale && known ? daysSinceClose(age) : null);
  note.hidden = !stale;
  byId("freshness-card").classList.toggle("is-stale", stale);
  document.body.setAttribute("data-stale", stale ? "true" : "false");
  renderFallback(r.source, status && status.data ? status.data.source : null);
}

// A fallback source fed today's forecast: say which, and that its closes were checked against the
// model's own source (the refresh refuses a fallback that disagrees). A warning, not an alarm.
function renderFallback(from, own) {
  const fallback = Boolean(from && own && from !== own);
  const note = setText("fallback-note", fallback ? "Fallback in use: this forecast's closes come " +
    "from " + from + ", not " + own + " (the model's source), checked to agree with it" : "", from);
  note.hidden = !fallback;
  document.body.setAttribute("data-fallback", fallback ? "true" : "false");
}
