// The live record: pooled skill and MAPE, the served band's rolling coverage, then the newest
// forecasts against what happened.
import { byId, setText, tableRow, trend } from "./dom.js";
import { niceDay, pct, signedPct } from "./format.js";
import { drawTrackChart } from "./track-chart.js";

export const TRACK_FORECASTS = 8; // the forecasts /track-record returns with each day's outcome

// No track record (null: unavailable, or no ticker shown): dashes, no rows and no chart.
export function renderTrackRecord(track) {
  const s = (track && track.summary) || {};
  const skillEl = setText("live-skill", s.skill == null ? "–" : signedPct(s.skill * 100), s.skill);
  trend(skillEl, s.skill == null ? null : s.skill * 100);
  setText("live-mape", pct(s.mape), s.mape);
  setText("live-persistence-mape", pct(s.persistence_mape), s.persistence_mape);
  renderRollingCoverage((track && track.rolling_coverage) || []);
  setText("track-note", !track ? "track record unavailable"
    : s.forecasts ? s.forecasts + " served forecast" + (s.forecasts === 1 ? "" : "s") + ", " +
      s.days_scored + " days scored" + (track.closes_through ? " to " + niceDay(track.closes_through) : "")
    : "no forecast scored yet", s.forecasts);
  const shown = ((track && track.forecasts) || []).filter((f) => f.result && f.result.length)
    .slice(0, TRACK_FORECASTS);
  byId("track-empty").hidden = !track || !!s.forecasts; // a record read, with nothing scored
  const rows = byId("track-rows");
  rows.textContent = "";
  shown.forEach((f) => {
    const tr = tableRow([
      [niceDay(f.as_of), "", f.as_of],
      [f.model_version, "mono version", f.model_version],
      [f.days_scored + " / " + f.result.length, "num days-scored", f.days_scored],
      [pct(f.mape), "num mape", f.mape],
      [pct(f.persistence_mape), "num persistence-mape", f.persistence_mape]
    ]);
    tr.setAttribute("data-as-of", f.as_of);
    rows.appendChild(tr);
  });
  byId("track-card").setAttribute("data-forecasts", String(shown.length));
  drawTrackChart(shown.slice().reverse()); // oldest first: the newest is drawn on top
}

function share(v) {
  return v === null || v === undefined ? "–" : Math.round(v * 100) + "%";
}

// "78% last 8 weeks; 81% over 26 weeks, of an 80% band": the short window first, where a band
// drifting away from its level shows before the pooled record moves.
function renderRollingCoverage(windows) {
  const first = windows[0];
  byId("rolling-coverage").hidden = !windows.some((w) => w.interval_level != null || w.days);
  setText("rolling-short", first ? share(first.coverage) : "–", first ? first.coverage : null)
    .setAttribute("data-weeks", first ? String(first.weeks) : "");
  byId("rolling-short-label").textContent = first ? "last " + first.weeks + " weeks" : "";
  const level = windows.map((w) => w.interval_level).find((l) => l != null);
  const rest = windows.slice(1).map((w) => share(w.coverage) + " over " + w.weeks + " weeks");
  const nominal = level ? "of the " + Math.round(level * 100) + "% band" : "of the band";
  const second = windows[1];
  setText("rolling-rest", rest.length ? rest.join(", ") + ", " + nominal : nominal,
    second ? second.coverage : null);
}
