// What /status says of the champion: its backtest against persistence, its interval's promise
// and record, and the facts of the model (version, training, gate, app version). No status
// (null): dashes, and no interval card.
import { byId, setText, trend } from "./dom.js";
import { niceDay, pct, signedPct } from "./format.js";

export function renderStatus(status, predict) {
  const b = (status && status.backtest) || {};
  setText("mape-model", pct(b.model_mape), b.model_mape);
  setText("mape-persistence", pct(b.persistence_mape), b.persistence_mape);
  const skill = b.skill;
  const skillEl = setText("skill", skill === null || skill === undefined ? "–" : signedPct(skill * 100), skill);
  trend(skillEl, skill === null || skill === undefined ? null : skill * 100);
  setText("backtest-window", b.weeks ? "walk-forward, last " + b.weeks + " weeks" +
    (b.end ? " to " + niceDay(b.end) : "") : status ? "walk-forward backtest" : "–");
  renderInterval(b, (predict && predict.interval_level) || b.interval_level, predict);
  renderModel(status || {});
}

function renderModel(s) {
  setText("model-version", s.model_version || "–", s.model_version).classList.toggle("mono", !!s.model_version);
  setText("trained-at", niceDay(s.trained_at), s.trained_at);
  setText("promoted-at", s.pinned ? "pinned (MODEL_VERSION)" : niceDay(s.promoted_at), s.promoted_at);
  // `parent` is the champion when the version was trained: only "continue" started from its weights.
  setText("strategy", s.strategy === "continue" && s.parent ? "continue from " + s.parent
    : s.strategy === "new" ? "new (from scratch)" : s.strategy || "–");
  const d = s.data || {};
  setText("data-range", d.start ? niceDay(d.start) + " – " + niceDay(d.end) + (d.rows ? " (" + d.rows + " days)" : "") : "–");
  setText("price-source", d.source || "–", d.source);
  const g = s.gate || {};
  setText("gate", g.promote === true ? "promoted" + (g.reason ? ": " + g.reason : "")
    : g.promote === false ? "held back" + (g.reason ? ": " + g.reason : "") : "–");
  setText("app-version", s.app_version ? "cryptonic " + s.app_version : "–", s.app_version);
}

// "80% interval, adapted from the live record; 78% of closes fell inside over the last 52
// weeks with adaptive calibration (81% as fitted)": the promise, how the band is kept honest,
// and the record. No band: the card hidden, and none of the figures of a ticker shown before.
function renderInterval(b, level, predict) {
  byId("interval-card").hidden = !level;
  byId("legend-interval").hidden = !level;
  if (!level) {
    byId("legend-interval-label").textContent = "Interval";
    ["interval-level", "interval-calibration", "interval-coverage", "pinball-skill"].forEach((id) => setText(id, "–"));
    return;
  }
  const nominal = Math.round(level * 100) + "%";
  const adaptive = !!predict && predict.calibration === "adaptive";
  byId("legend-interval-label").textContent = nominal + " interval" + (adaptive ? ", adapted" : "");
  setText("interval-level", nominal + " interval", level);
  const n = adaptive ? predict.calibration_outcomes : 0;
  setText("interval-calibration", adaptive
    ? "adapted from the live record (" + n + " realized close" + (n === 1 ? "" : "s") + ")"
    : "as calibrated after the fit", predict ? predict.calibration : null);
  setText("interval-coverage", backtestCoverage(b), b.adaptive_coverage != null ? b.adaptive_coverage : b.coverage);
  const ps = b.pinball_skill;
  setText("pinball-skill", ps == null ? "pinball skill –" : "pinball skill " + signedPct(ps * 100) + " vs persistence", ps);
}

// The backtest's coverage as the service keeps it (the band adapted day by day, what the gate
// judged), beside the band as fitted; only the fitted one for versions older than adaptation.
function backtestCoverage(b) {
  const over = b.weeks ? " over the last " + b.weeks + " weeks" : " in the backtest";
  const share = (x) => pct(x * 100, 0);
  if (b.adaptive_coverage != null) {
    const fitted = b.coverage != null ? " (" + share(b.coverage) + " as fitted)" : "";
    return share(b.adaptive_coverage) + " of closes fell inside" + over + " with adaptive calibration" + fitted;
  }
  return b.coverage != null ? share(b.coverage) + " of closes fell inside" + over : "no backtest coverage recorded";
}
