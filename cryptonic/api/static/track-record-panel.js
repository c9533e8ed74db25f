// The live record: pooled skill and MAPE, then the newest forecasts against what happened.
import { byId, setText, tableRow, trend } from "./dom.js";
import { niceDay, pct, signedPct } from "./format.js";
import { drawTrackChart } from "./track-chart.js";

export const TRACK_FORECASTS = 8; // the forecasts /track-record returns with each day's outcome

export function renderTrackRecord(track) {
  const s = (track && track.summary) || {};
  const skillEl = setText("live-skill", s.skill == null ? "–" : signedPct(s.skill * 100), s.skill);
  trend(skillEl, s.skill == null ? null : s.skill * 100);
  setText("live-mape", pct(s.mape), s.mape);
  setText("live-persistence-mape", pct(s.persistence_mape), s.persistence_mape);
  setText("track-note", !track ? "track record unavailable"
    : s.forecasts ? s.forecasts + " served forecast" + (s.forecasts === 1 ? "" : "s") + ", " +
      s.days_scored + " days scored" + (track.closes_through ? " to " + niceDay(track.closes_through) : "")
    : "no forecast scored yet", s.forecasts);
  const shown = ((track && track.forecasts) || []).filter((f) => f.result && f.result.length)
    .slice(0, TRACK_FORECASTS);
  byId("track-empty").hidden = !!(track && s.forecasts);
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
