// How the page writes numbers, percentages, days and ages; "–" for a value it does not have.

export const DAY_MS = 86400000;

function missing(v) {
  return v === null || v === undefined || !isFinite(v);
}

function decimals(v) {
  const a = Math.abs(v);
  return a >= 1000 ? 2 : a >= 1 ? 2 : a >= 0.01 ? 4 : 6;
}

export function price(v) {
  if (missing(v)) return "–";
  const d = decimals(v);
  return v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function pct(v, digits) {
  if (missing(v)) return "–";
  return v.toFixed(digits === undefined ? 2 : digits) + "%";
}

export function signedPct(v) {
  if (missing(v)) return "–";
  const text = Math.abs(v).toFixed(2);
  if (+text === 0) return "0.00%";
  return (v > 0 ? "+" : "−") + text + "%";
}

// An axis label as precise as the step between ticks needs: 64.2k, 1.25M, 0.0042.
export function tickLabel(v, step) {
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(step >= 1e6 ? 0 : step >= 1e5 ? 1 : 2) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(step >= 1e3 ? 0 : 1) + "k";
  const d = step >= 1 ? 0 : Math.min(8, Math.ceil(-Math.log10(step)));
  return v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

// The API's days are "YYYY-MM-DD" in UTC: parsed as UTC midnight, never in the browser's zone.
export function parseDay(s) {
  return new Date(s + "T00:00:00Z");
}

export function dayTime(s) {
  return parseDay(s).getTime();
}

export function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

export function niceDay(s) {
  if (!s) return "–";
  const d = parseDay(String(s).slice(0, 10));
  if (isNaN(d)) return String(s);
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

export function niceTime(s) {
  if (!s) return "–";
  const d = new Date(s);
  if (isNaN(d)) return String(s);
  return d.toLocaleString("en-GB", {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC"
  }) + " UTC";
}

export function shortDay(d) {
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

// Calendar days from a forecast's close to now, from its age_hours: the age counts from the end
// of that day (the close is final at 00:00 UTC the day after), so the close was 1 day ago for
// the first 24 hours (cryptonic.forecast.freshness.days_since_close says the same).
export function daysSinceClose(ageHours) {
  return Math.floor(ageHours / 24) + 1;
}

export function daysAgo(days) {
  return days === 1 ? "1 day ago" : days + " days ago";
}

export function ageText(hours) {
  if (missing(hours)) return "–";
  if (hours < 1) return Math.round(hours * 60) + " min";
  if (hours < 48) return hours.toFixed(1) + " h";
  return (hours / 24).toFixed(1) + " days";
}
