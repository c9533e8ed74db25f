// cryptonic page: recent closes + the champion's 7-day forecast, drawn as SVG (no libraries),
// how fresh that forecast is, and the live track record of the last forecasts.
// Every URL is relative to the document base, so the page works at / and under a stage prefix;
// the modules import each other relative to their own URL (static/), so they do too.
import { ApiError, getJSON } from "./api.js";
import { drawChart, HISTORY_DAYS } from "./forecast-chart.js";
import { renderForecast } from "./forecast-panel.js";
import { DAY_MS, isoDay, parseDay } from "./format.js";
import { renderFreshness } from "./freshness-panel.js";
import { showMessage } from "./message.js";
import { renderStatus } from "./status-panel.js";
import { fillTickerSelector } from "./ticker-selector.js";
import { renderTrackRecord, TRACK_FORECASTS } from "./track-record-panel.js";

// What the page shows now: kept for redrawing the charts at a new width.
const state = { predict: null, status: null, historic: null, track: null, warning: "" };

// What the page cannot show without, in the order fetchAll asks for them: a failure says which
// failed (the forecast's first: a ticker with no model yet fails both).
const NEEDED = ["No forecast", "No model status"];

// The ticker's forecast, status and track record, then the closes up to the forecast's day: all
// that `state` holds, resolved as one (the caller decides whether it is still wanted).
function fetchAll(ticker) {
  const q = "?ticker=" + encodeURIComponent(ticker);
  // The track record is extra: the page works without it (a store that cannot serve it yet).
  const track = getJSON("track-record" + q + "&limit=" + TRACK_FORECASTS).then(null, () => null);
  return Promise.allSettled([getJSON("predict" + q), getJSON("status" + q), track]).then((res) => {
    const failed = res.findIndex((r) => r.status === "rejected");
    if (failed >= 0) {
      const e = res[failed].reason;
      throw new ApiError(NEEDED[failed] + ": " + e.message, e.status, e.code);
    }
    const data = { predict: res[0].value, status: res[1].value, track: res[2].value };
    const asOf = parseDay(data.predict.as_of || isoDay(new Date()));
    const start = new Date(asOf.getTime() - (HISTORY_DAYS - 1) * DAY_MS);
    return getJSON("historic" + q + "&start=" + isoDay(start) + "&end=" + isoDay(asOf)).then(
      (h) => ({ ...data, historic: h, warning: "" }),
      (e) => ({ ...data, historic: null, warning: "No price history: " + e.message })
    );
  });
}

// Every panel from `state`. Each writes all it shows, and with nothing (null) its dashes: a
// ticker that fails to load keeps nothing of the one shown before, opened directly or chosen.
function render() {
  renderForecast(state.predict);
  renderStatus(state.status, state.predict);
  renderFreshness(state.predict, state.status);
  drawChart(state.predict, state.historic);
  renderTrackRecord(state.track);
}

// Loads started so far: an answer for any but the newest is dropped, so a slow ticker that
// answers after the next was chosen never draws over it.
let loads = 0;

// body[data-state] goes loading -> ready or error: the browser tests wait on it.
function load(ticker) {
  const mine = ++loads;
  showMessage("", false);
  document.body.setAttribute("data-state", "loading");
  return fetchAll(ticker)
    .then((data) => {
      if (mine !== loads) return;
      Object.assign(state, data);
      render();
      if (data.warning) showMessage(data.warning, false);
      document.body.setAttribute("data-state", "ready");
    })
    .catch((e) => {
      if (mine !== loads) return;
      state.predict = state.status = state.historic = state.track = null;
      render();
      showMessage(e.message, true);
      document.body.setAttribute("data-state", "error");
    });
}

function chooseTicker(ticker) {
  const url = new URL(window.location.href);
  url.searchParams.set("ticker", ticker);
  window.history.replaceState(null, "", url.toString());
  load(ticker);
}

function redrawOnResize() {
  let timer = null;
  window.addEventListener("resize", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      drawChart(state.predict, state.historic);
      if (state.predict) renderTrackRecord(state.track);
    }, 120);
  });
}

// A module script runs once the document is parsed (modules are deferred): no DOMContentLoaded.
const wanted = new URLSearchParams(window.location.search).get("ticker");
fillTickerSelector(wanted && wanted.toUpperCase(), chooseTicker).then(load);
redrawOnResize();
