// cryptonic page: recent closes + the champion's 7-day forecast, drawn as SVG (no libraries),
// how fresh that forecast is, and the live track record of the last forecasts.
// Every URL is relative to the document base, so the page works at / and under a stage prefix;
// the modules import each other relative to their own URL (static/), so they do too.
import { getJSON } from "./api.js";
import { byId } from "./dom.js";
import { drawChart, HISTORY_DAYS } from "./forecast-chart.js";
import { renderForecast } from "./forecast-panel.js";
import { DAY_MS, isoDay, parseDay } from "./format.js";
import { clearFreshness, renderFreshness } from "./freshness-panel.js";
import { showMessage } from "./message.js";
import { renderStatus } from "./status-panel.js";
import { fillTickerSelector } from "./ticker-selector.js";
import { renderTrackRecord, TRACK_FORECASTS } from "./track-record-panel.js";

// What the page shows now: kept for redrawing the charts at a new width.
const state = { predict: null, status: null, historic: null, track: null };

// The ticker's forecast, status and track record, then the closes up to the forecast's day.
function fetchAll(ticker) {
  const q = "?ticker=" + encodeURIComponent(ticker);
  // The track record is extra: the page works without it (a store that cannot serve it yet).
  const track = getJSON("track-record" + q + "&limit=" + TRACK_FORECASTS).then(null, () => null);
  return Promise.all([getJSON("predict" + q), getJSON("status" + q), track]).then((res) => {
    state.predict = res[0];
    state.status = res[1];
    state.track = res[2];
    const asOf = parseDay(state.predict.as_of || isoDay(new Date()));
    const start = new Date(asOf.getTime() - (HISTORY_DAYS - 1) * DAY_MS);
    return getJSON("historic" + q + "&start=" + isoDay(start) + "&end=" + isoDay(asOf)).then(
      (h) => { state.historic = h; },
      (e) => {
        state.historic = null;
        showMessage("No price history: " + e.message, false);
      }
    );
  });
}

// body[data-state] goes loading -> ready or error: the browser tests wait on it.
function load(ticker) {
  showMessage("", false);
  document.body.setAttribute("data-state", "loading");
  return fetchAll(ticker)
    .then(() => {
      renderForecast(state.predict);
      renderStatus(state.status, state.predict);
      renderFreshness(state.predict, state.status);
      drawChart(state.predict, state.historic);
      renderTrackRecord(state.track);
      document.body.setAttribute("data-state", "ready");
    })
    .catch((e) => {
      state.predict = state.status = state.historic = state.track = null;
      byId("chart").textContent = "";
      byId("track-chart").textContent = "";
      clearFreshness();
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
