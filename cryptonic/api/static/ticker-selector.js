// The ticker selector (#ticker): every served ticker, marked when it has no model yet or a
// stale forecast; the one asked for in ?ticker= is listed even if the service does not know it.
import { getJSON } from "./api.js";
import { byId } from "./dom.js";

const TICKER_PAGE = 200;
const TICKER_PAGES_MAX = 50;

// Every served ticker from /tickers, page after page (a service may forecast hundreds); an
// older server without /tickers: the configured ones from /health.
function fetchTickers() {
  let rows = [];
  let fallback = null;
  function page(cursor, n) {
    const url = "tickers?limit=" + TICKER_PAGE + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    return getJSON(url).then((body) => {
      fallback = fallback || body["default"];
      rows = rows.concat(body.tickers || []);
      if (body.next_cursor && n < TICKER_PAGES_MAX) return page(body.next_cursor, n + 1);
      return { rows: rows, fallback: fallback };
    });
  }
  return page(null, 1).then(null, () =>
    getJSON("health").then(
      (h) => ({ rows: (h.tickers || []).map((t) => ({ ticker: t })), fallback: (h.tickers || [])[0] }),
      () => ({ rows: [], fallback: null })
    )
  );
}

function tickerLabel(row) {
  if (row.champion === null) return row.ticker + (row.unread ? " · not read yet" : " · no model yet");
  return row.ticker + (row.stale ? " · stale" : "");
}

// Fills the selector; resolves to the ticker to show first: the wanted one, else the service's
// default, else the first listed. `onChange(ticker)` runs on each later choice.
export function fillTickerSelector(wanted, onChange) {
  return fetchTickers().then((listed) => {
    const rows = listed.rows;
    const symbols = rows.map((r) => r.ticker);
    if (wanted && symbols.indexOf(wanted) < 0) rows.push({ ticker: wanted });
    const select = byId("ticker");
    rows.forEach((row) => {
      const o = document.createElement("option");
      o.value = row.ticker;
      o.textContent = tickerLabel(row);
      if (row.champion !== undefined) o.setAttribute("data-champion", row.champion || "");
      if (row.stale !== undefined) o.setAttribute("data-stale", String(row.stale));
      select.appendChild(o);
    });
    const first = wanted || listed.fallback || symbols[0] || "";
    select.value = first;
    select.addEventListener("change", () => onChange(select.value));
    return first;
  });
}
