// cryptonic page: recent closes + the champion's 7-day forecast, drawn as SVG (no libraries),
// how fresh that forecast is, and the live track record of the last forecasts.
// Every URL is relative to the document base, so the page works at / and under a stage prefix.
(function () {
  "use strict";

  var HISTORY_DAYS = 90;
  var TRACK_FORECASTS = 8; // the forecasts /track-record returns with each day's outcome
  var SVG_NS = "http://www.w3.org/2000/svg";
  var state = { ticker: null, predict: null, status: null, historic: null, track: null };

  function $(id) { return document.getElementById(id); }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (res) {
      return res.json().then(
        function (body) {
          if (!res.ok) {
            var err = new Error((body && body.error && body.error.message) || res.statusText);
            err.status = res.status;
            err.code = body && body.error && body.error.code;
            throw err;
          }
          return body;
        },
        function () { throw new Error(url + ": " + res.status + " " + res.statusText); }
      );
    });
  }

  // ---- formatting -------------------------------------------------------------------------
  function decimals(v) {
    var a = Math.abs(v);
    return a >= 1000 ? 2 : a >= 1 ? 2 : a >= 0.01 ? 4 : 6;
  }
  function price(v) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    var d = decimals(v);
    return v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function pct(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    return v.toFixed(digits === undefined ? 2 : digits) + "%";
  }
  function signedPct(v) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    var text = Math.abs(v).toFixed(2);
    if (+text === 0) return "0.00%";
    return (v > 0 ? "+" : "−") + text + "%";
  }
  function tickLabel(v, step) {
    var a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(step >= 1e6 ? 0 : step >= 1e5 ? 1 : 2) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(step >= 1e3 ? 0 : 1) + "k";
    var d = step >= 1 ? 0 : Math.min(8, Math.ceil(-Math.log10(step)));
    return v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function parseDay(s) { return new Date(s + "T00:00:00Z"); }
  function isoDay(d) { return d.toISOString().slice(0, 10); }
  function niceDay(s) {
    if (!s) return "–";
    var d = parseDay(String(s).slice(0, 10));
    if (isNaN(d)) return String(s);
    return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  }
  function niceTime(s) {
    if (!s) return "–";
    var d = new Date(s);
    if (isNaN(d)) return String(s);
    return d.toLocaleString("en-GB", {
      day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC"
    }) + " UTC";
  }
  function ageText(hours) {
    if (hours === null || hours === undefined || !isFinite(hours)) return "–";
    if (hours < 1) return Math.round(hours * 60) + " min";
    if (hours < 48) return hours.toFixed(1) + " h";
    return (hours / 24).toFixed(1) + " days";
  }
  function shortDay(d) {
    return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
  }
  function setText(id, text, raw) {
    var el = $(id);
    el.textContent = text;
    if (raw !== undefined && raw !== null) el.setAttribute("data-value", String(raw));
    else el.removeAttribute("data-value");
    return el;
  }
  function trend(el, v) {
    el.classList.remove("up", "down");
    if (v === null || v === undefined || !isFinite(v) || Math.abs(v) < 0.005) return;
    el.classList.add(v > 0 ? "up" : "down");
  }

  function showMessage(text, isError) {
    var box = $("message");
    box.textContent = text;
    box.className = "message" + (isError ? " error" : "");
    box.hidden = !text;
  }

  // ---- chart --------------------------------------------------------------------------------
  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG_NS, name);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function niceTicks(lo, hi, count) {
    var span = hi - lo;
    if (!(span > 0)) { span = Math.abs(hi) || 1; lo -= span / 2; hi += span / 2; span = hi - lo; }
    var raw = span / Math.max(1, count);
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var norm = raw / mag;
    var step = (norm >= 5 ? 10 : norm >= 2 ? 5 : norm >= 1 ? 2 : 1) * mag;
    if (norm < 1.5) step = mag;
    var first = Math.ceil(lo / step) * step;
    var ticks = [];
    for (var v = first; v <= hi + step * 1e-9; v += step) ticks.push(+v.toFixed(10));
    return ticks;
  }

  function drawChart() {
    var box = $("chart");
    var history = (state.historic && state.historic.result) || [];
    var forecast = (state.predict && state.predict.result) || [];
    box.textContent = "";
    if (!history.length && !forecast.length) return;

    var width = Math.max(280, Math.round(box.clientWidth || 800));
    // On a narrow screen show fewer days, so the 7 forecast days stay readable.
    var shownDays = width < 520 ? 30 : width < 800 ? 60 : HISTORY_DAYS;
    if (history.length > shownDays) history = history.slice(history.length - shownDays);
    $("chart-title").textContent = state.predict
      ? state.predict.ticker + ": last " + shownDays + " days and the next " + state.predict.period_length
      : "Recent closes";
    var height = Math.round(Math.min(420, Math.max(240, width * 0.42)));
    var m = { top: 16, right: 16, bottom: 30, left: width < 520 ? 48 : 64 };
    var w = width - m.left - m.right;
    var h = height - m.top - m.bottom;

    var hx = history.map(function (p) { return parseDay(p.date).getTime(); });
    var fx = forecast.map(function (p) { return parseDay(p.date).getTime(); });
    var xs = hx.concat(fx);
    var banded = forecast.length > 0 && forecast.every(function (p) { return p.lower != null && p.upper != null; });
    var ys = history.map(function (p) { return p.close; }).concat(forecast.map(function (p) { return p.prediction; }));
    if (banded) forecast.forEach(function (p) { ys.push(p.lower, p.upper); });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var pad = (y1 - y0) * 0.08 || Math.abs(y1) * 0.05 || 1;
    y0 -= pad; y1 += pad;
    var yt = niceTicks(y0, y1, 5);
    var ystep = yt.length > 1 ? yt[1] - yt[0] : Math.abs(yt[0]) || 1;
    y0 = Math.min(y0, yt[0]); y1 = Math.max(y1, yt[yt.length - 1]);

    function sx(t) { return m.left + (x1 === x0 ? w / 2 : ((t - x0) / (x1 - x0)) * w); }
    function sy(v) { return m.top + h - ((v - y0) / (y1 - y0)) * h; }

    var svg = el("svg", {
      viewBox: "0 0 " + width + " " + height, width: width, height: height,
      role: "img", "aria-label": "Closes of the last " + HISTORY_DAYS + " days and the 7-day forecast",
      id: "chart-svg"
    });

    var grid = el("g", { "class": "grid" }, svg);
    var axis = el("g", { "class": "axis" }, svg);
    yt.forEach(function (v) {
      var y = sy(v).toFixed(1);
      el("line", { x1: m.left, x2: m.left + w, y1: y, y2: y }, grid);
      var t = el("text", { x: m.left - 8, y: y, "text-anchor": "end", "dominant-baseline": "middle" }, axis);
      t.textContent = tickLabel(v, ystep);
    });
    // x ticks: about one per 80 px, on day boundaries
    var dayMs = 86400000;
    var days = Math.max(1, Math.round((x1 - x0) / dayMs));
    var every = Math.max(1, Math.ceil(days / Math.max(2, Math.floor(w / 80))));
    for (var d = 0; d <= days; d += every) {
      var t = x0 + d * dayMs;
      var x = sx(t).toFixed(1);
      el("line", { x1: x, x2: x, y1: m.top + h, y2: m.top + h + 4 }, grid);
      var label = el("text", { x: x, y: m.top + h + 18, "text-anchor": "middle" }, axis);
      label.textContent = shortDay(new Date(t));
    }

    var linePts = history.map(function (p, i) { return sx(hx[i]).toFixed(1) + "," + sy(p.close).toFixed(1); });
    if (linePts.length) {
      el("path", {
        "class": "history-area",
        d: "M" + linePts.join("L") + "L" + sx(hx[hx.length - 1]).toFixed(1) + "," + (m.top + h) +
          "L" + sx(hx[0]).toFixed(1) + "," + (m.top + h) + "Z"
      }, svg);
      el("path", { "class": "history-line", d: "M" + linePts.join("L") }, svg);
    }

    if (forecast.length) {
      var start = null;
      var as_of = state.predict.as_of, last_close = state.predict.last_close;
      if (as_of && last_close) start = [parseDay(as_of).getTime(), last_close];
      else if (history.length) start = [hx[hx.length - 1], history[history.length - 1].close];
      if (start) {
        el("rect", {
          "class": "forecast-band", x: sx(start[0]), y: m.top,
          width: Math.max(0, m.left + w - sx(start[0])), height: h
        }, svg);
        el("line", { "class": "today", x1: sx(start[0]), x2: sx(start[0]), y1: m.top, y2: m.top + h }, svg);
      }
      if (banded) {
        // The central interval: from the last close (no uncertainty yet) out to each day's bounds.
        var upperPts = forecast.map(function (p, i) { return sx(fx[i]).toFixed(1) + "," + sy(p.upper).toFixed(1); });
        var lowerPts = forecast.map(function (p, i) { return sx(fx[i]).toFixed(1) + "," + sy(p.lower).toFixed(1); }).reverse();
        if (start) upperPts.unshift(sx(start[0]).toFixed(1) + "," + sy(start[1]).toFixed(1));
        el("path", {
          "class": "interval-band", id: "interval-band",
          "data-level": String(state.predict.interval_level),
          d: "M" + upperPts.concat(lowerPts).join("L") + "Z"
        }, svg);
      }
      var spacing = fx.length > 1 ? (sx(fx[fx.length - 1]) - sx(fx[0])) / (fx.length - 1) : 20;
      var radius = Math.max(2, Math.min(4.5, spacing / 2.6));
      var fpts = forecast.map(function (p, i) { return sx(fx[i]).toFixed(1) + "," + sy(p.prediction).toFixed(1); });
      if (start) fpts.unshift(sx(start[0]).toFixed(1) + "," + sy(start[1]).toFixed(1));
      el("path", { "class": "forecast-line", d: "M" + fpts.join("L") }, svg);
      if (start) el("circle", { "class": "last-point", cx: sx(start[0]), cy: sy(start[1]), r: 4 }, svg);
      var dots = el("g", { "class": "forecast-points" }, svg);
      forecast.forEach(function (p, i) {
        el("circle", {
          "class": "forecast-point", cx: sx(fx[i]).toFixed(1), cy: sy(p.prediction).toFixed(1), r: radius.toFixed(1),
          "data-date": p.date, "data-value": String(p.prediction)
        }, dots);
      });
    }

    // hover: nearest point by x
    var cursor = el("line", { "class": "cursor", y1: m.top, y2: m.top + h, visibility: "hidden" }, svg);
    var points = history.map(function (p, i) { return { t: hx[i], v: p.close, date: p.date, kind: "close" }; })
      .concat(forecast.map(function (p, i) {
        return { t: fx[i], v: p.prediction, date: p.date, kind: "forecast", lower: p.lower, upper: p.upper };
      }));
    var tip = $("tooltip");
    el("rect", { x: m.left, y: m.top, width: w, height: h, fill: "transparent" }, svg)
      .addEventListener("mousemove", function (ev) {
        var rect = svg.getBoundingClientRect();
        var px = ((ev.clientX - rect.left) / rect.width) * width;
        var best = null;
        points.forEach(function (p) { if (!best || Math.abs(sx(p.t) - px) < Math.abs(sx(best.t) - px)) best = p; });
        if (!best) return;
        var cx = sx(best.t);
        cursor.setAttribute("x1", cx); cursor.setAttribute("x2", cx); cursor.setAttribute("visibility", "visible");
        tip.hidden = false;
        tip.textContent = niceDay(best.date) + " · " + (best.kind === "forecast" ? "forecast " : "close ") + price(best.v) +
          (best.kind === "forecast" && best.lower != null ? " (" + price(best.lower) + " – " + price(best.upper) + ")" : "");
        var host = box.getBoundingClientRect(), card = box.parentNode.getBoundingClientRect();
        tip.style.left = (host.left - card.left + (cx / width) * host.width) + "px";
        tip.style.top = (host.top - card.top + (sy(best.v) / height) * host.height) + "px";
      });
    svg.addEventListener("mouseleave", function () { cursor.setAttribute("visibility", "hidden"); tip.hidden = true; });

    box.appendChild(svg);
  }

  // ---- panels -------------------------------------------------------------------------------
  function renderForecast() {
    var p = state.predict;
    var last = p.last_close;
    setText("last-close", price(last), last);
    setText("as-of", "on " + niceDay(p.as_of));
    var rows = $("forecast-rows");
    rows.textContent = "";
    p.result.forEach(function (r) {
      var tr = document.createElement("tr");
      var change = last ? (r.prediction / last - 1) * 100 : null;
      var cells = [
        [niceDay(r.date), "", r.date],
        [price(r.prediction), "num prediction", r.prediction],
        [r.lower != null ? price(r.lower) + " – " + price(r.upper) : "–", "num interval", r.lower != null ? r.lower + "," + r.upper : null],
        [signedPct(change), "num", change]
      ];
      cells.forEach(function (c) {
        var td = document.createElement("td");
        td.textContent = c[0];
        if (c[1]) td.className = c[1];
        if (c[2] !== null && c[2] !== undefined) td.setAttribute("data-value", String(c[2]));
        tr.appendChild(td);
      });
      if (change !== null) trend(tr.lastChild, change);
      rows.appendChild(tr);
    });
    var final = p.result.length ? p.result[p.result.length - 1] : null;
    if (final) {
      setText("final-forecast", price(final.prediction), final.prediction);
      var ch = last ? (final.prediction / last - 1) * 100 : null;
      trend(setText("final-change", signedPct(ch) + " by " + niceDay(final.date), ch), ch);
    }
  }

  // How old the served forecast is; a visible flag once /predict says it is stale.
  function renderFreshness() {
    var p = state.predict;
    var r = (state.status && state.status.refresh) || {};
    var age = p.age_hours;
    setText("forecast-age", age === null || age === undefined ? "–" : ageText(age) + " old", age);
    setText("forecast-made", "from the close of " + niceDay(p.as_of) +
      (p.generated_at ? ", made " + niceTime(p.generated_at) : ""), p.as_of);
    setText("next-refresh", r.next_due ? "next refresh " + niceTime(r.next_due) : (r.schedule || ""), r.next_due);
    var stale = p.stale === true;
    var flag = $("stale-flag");
    flag.textContent = "Stale: made " + ageText(age) + " ago, the daily refresh is late";
    flag.hidden = !stale;
    $("freshness-card").classList.toggle("is-stale", stale);
    document.body.setAttribute("data-stale", stale ? "true" : "false");
  }

  // The live record: pooled skill and MAPE, then the newest forecasts against what happened.
  function renderTrackRecord() {
    var t = state.track;
    var s = (t && t.summary) || {};
    var skillEl = setText("live-skill", s.skill == null ? "–" : signedPct(s.skill * 100), s.skill);
    trend(skillEl, s.skill == null ? null : s.skill * 100);
    setText("live-mape", pct(s.mape), s.mape);
    setText("live-persistence-mape", pct(s.persistence_mape), s.persistence_mape);
    setText("track-note", !t ? "track record unavailable"
      : s.forecasts ? s.forecasts + " served forecast" + (s.forecasts === 1 ? "" : "s") + ", " +
        s.days_scored + " days scored" + (t.closes_through ? " to " + niceDay(t.closes_through) : "")
      : "no forecast scored yet", s.forecasts);
    var shown = ((t && t.forecasts) || []).filter(function (f) { return f.result && f.result.length; })
      .slice(0, TRACK_FORECASTS);
    $("track-empty").hidden = !!(t && s.forecasts);
    var rows = $("track-rows");
    rows.textContent = "";
    shown.forEach(function (f) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-as-of", f.as_of);
      [
        [niceDay(f.as_of), "", f.as_of],
        [f.model_version, "mono version", f.model_version],
        [f.days_scored + " / " + f.result.length, "num days-scored", f.days_scored],
        [pct(f.mape), "num mape", f.mape],
        [pct(f.persistence_mape), "num persistence-mape", f.persistence_mape]
      ].forEach(function (c) {
        var td = document.createElement("td");
        td.textContent = c[0];
        if (c[1]) td.className = c[1];
        if (c[2] !== null && c[2] !== undefined) td.setAttribute("data-value", String(c[2]));
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    $("track-card").setAttribute("data-forecasts", String(shown.length));
    drawTrackChart(shown.slice().reverse()); // oldest first: the newest is drawn on top
  }

  function drawTrackChart(forecasts) {
    var box = $("track-chart");
    box.textContent = "";
    if (!forecasts.length) { box.hidden = true; return; }
    box.hidden = false;
    var width = Math.max(280, Math.round(box.clientWidth || 800));
    var height = Math.round(Math.min(260, Math.max(170, width * 0.26)));
    var m = { top: 12, right: 16, bottom: 28, left: width < 520 ? 48 : 64 };
    var w = width - m.left - m.right, h = height - m.top - m.bottom;

    // What happened: each forecast's starting close and every realized close, one per day.
    var actual = {};
    var xs = [], ys = [];
    forecasts.forEach(function (f) {
      actual[f.as_of] = f.last_close;
      xs.push(parseDay(f.as_of).getTime()); ys.push(f.last_close);
      f.result.forEach(function (d) {
        xs.push(parseDay(d.date).getTime()); ys.push(d.prediction);
        if (d.actual != null) { actual[d.date] = d.actual; ys.push(d.actual); }
      });
    });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var pad = (y1 - y0) * 0.08 || Math.abs(y1) * 0.05 || 1;
    y0 -= pad; y1 += pad;
    var yt = niceTicks(y0, y1, 4);
    var ystep = yt.length > 1 ? yt[1] - yt[0] : Math.abs(yt[0]) || 1;
    y0 = Math.min(y0, yt[0]); y1 = Math.max(y1, yt[yt.length - 1]);
    function sx(t) { return m.left + (x1 === x0 ? w / 2 : ((t - x0) / (x1 - x0)) * w); }
    function sy(v) { return m.top + h - ((v - y0) / (y1 - y0)) * h; }
    function pt(day, v) { return sx(parseDay(day).getTime()).toFixed(1) + "," + sy(v).toFixed(1); }

    var svg = el("svg", {
      viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img",
      id: "track-svg",
      "aria-label": "The last " + forecasts.length + " forecasts against the closes that followed"
    });
    var grid = el("g", { "class": "grid" }, svg);
    var axis = el("g", { "class": "axis" }, svg);
    yt.forEach(function (v) {
      var y = sy(v).toFixed(1);
      el("line", { x1: m.left, x2: m.left + w, y1: y, y2: y }, grid);
      el("text", { x: m.left - 8, y: y, "text-anchor": "end", "dominant-baseline": "middle" }, axis)
        .textContent = tickLabel(v, ystep);
    });
    var dayMs = 86400000;
    var days = Math.max(1, Math.round((x1 - x0) / dayMs));
    var every = Math.max(1, Math.ceil(days / Math.max(2, Math.floor(w / 80))));
    for (var d = 0; d <= days; d += every) {
      var tx = sx(x0 + d * dayMs).toFixed(1);
      el("text", { x: tx, y: m.top + h + 18, "text-anchor": "middle" }, axis)
        .textContent = shortDay(new Date(x0 + d * dayMs));
    }

    forecasts.forEach(function (f, i) {
      var newest = i === forecasts.length - 1;
      var pts = [pt(f.as_of, f.last_close)].concat(f.result.map(function (r) { return pt(r.date, r.prediction); }));
      var path = el("path", {
        "class": "track-forecast" + (newest ? " latest" : ""), d: "M" + pts.join("L"),
        "stroke-opacity": (0.3 + 0.7 * (i + 1) / forecasts.length).toFixed(2),
        "data-as-of": f.as_of, "data-version": f.model_version,
        "data-mape": f.mape == null ? "" : String(f.mape)
      }, svg);
      el("title", {}, path).textContent = "Forecast of " + niceDay(f.as_of) + " (" + f.model_version + "): " +
        (f.days_scored ? "MAPE " + pct(f.mape) + " vs persistence " + pct(f.persistence_mape) +
          " over " + f.days_scored + " days" : "no day closed yet");
      el("circle", { "class": "track-start", cx: sx(parseDay(f.as_of).getTime()), cy: sy(f.last_close), r: 2.5 }, svg);
    });

    var dates = Object.keys(actual).sort();
    el("path", { "class": "track-actual", d: "M" + dates.map(function (day) { return pt(day, actual[day]); }).join("L") }, svg);
    var dots = el("g", { "class": "track-actual-points" }, svg);
    dates.forEach(function (day) {
      el("circle", {
        "class": "track-actual-point", cx: sx(parseDay(day).getTime()).toFixed(1), cy: sy(actual[day]).toFixed(1),
        r: 2.5, "data-date": day, "data-value": String(actual[day])
      }, dots);
    });
    box.appendChild(svg);
  }

  function renderStatus() {
    var s = state.status;
    var b = s.backtest || {};
    setText("mape-model", pct(b.model_mape), b.model_mape);
    setText("mape-persistence", pct(b.persistence_mape), b.persistence_mape);
    var skill = b.skill;
    var skillEl = setText("skill", skill === null || skill === undefined ? "–" : signedPct(skill * 100), skill);
    trend(skillEl, skill === null || skill === undefined ? null : skill * 100);
    setText("backtest-window", b.weeks ? "walk-forward, last " + b.weeks + " weeks" +
      (b.end ? " to " + niceDay(b.end) : "") : "walk-forward backtest");
    renderInterval(b);
    setText("model-version", s.model_version, s.model_version).classList.add("mono");
    setText("trained-at", niceDay(s.trained_at), s.trained_at);
    setText("promoted-at", s.pinned ? "pinned (MODEL_VERSION)" : niceDay(s.promoted_at), s.promoted_at);
    setText("strategy", (s.strategy || "–") + (s.parent ? " from " + s.parent : ""));
    var d = s.data || {};
    setText("data-range", d.start ? niceDay(d.start) + " – " + niceDay(d.end) + (d.rows ? " (" + d.rows + " days)" : "") : "–");
    var g = s.gate || {};
    setText("gate", g.promote === true ? "promoted" + (g.reason ? ": " + g.reason : "")
      : g.promote === false ? "held back" + (g.reason ? ": " + g.reason : "") : "–");
    setText("app-version", "cryptonic " + s.app_version, s.app_version);
  }

  // "80% interval; 79% of closes fell inside over the last 52 weeks": the promise and the record.
  function renderInterval(b) {
    var level = (state.predict && state.predict.interval_level) || b.interval_level;
    var card = $("interval-card");
    card.hidden = !level;
    $("legend-interval").hidden = !level;
    if (!level) return;
    var nominal = Math.round(level * 100) + "%";
    $("legend-interval-label").textContent = nominal + " interval";
    setText("interval-level", nominal + " interval", level);
    var record = b.coverage != null
      ? Math.round(b.coverage * 100) + "% of closes fell inside" + (b.weeks ? " over the last " + b.weeks + " weeks" : " in the backtest")
      : "no backtest coverage recorded";
    setText("interval-coverage", record, b.coverage);
    var ps = b.pinball_skill;
    setText("pinball-skill", ps == null ? "pinball skill –" : "pinball skill " + signedPct(ps * 100) + " vs persistence", ps);
  }

  function load(ticker) {
    state.ticker = ticker;
    var q = "?ticker=" + encodeURIComponent(ticker);
    showMessage("", false);
    document.body.setAttribute("data-state", "loading");
    // The track record is extra: the page works without it (a store that cannot serve it yet).
    var track = getJSON("track-record" + q + "&limit=" + TRACK_FORECASTS).then(null, function () { return null; });
    return Promise.all([getJSON("predict" + q), getJSON("status" + q), track])
      .then(function (res) {
        state.predict = res[0];
        state.status = res[1];
        state.track = res[2];
        var asOf = parseDay(state.predict.as_of || isoDay(new Date()));
        var start = new Date(asOf.getTime() - (HISTORY_DAYS - 1) * 86400000);
        return getJSON("historic" + q + "&start=" + isoDay(start) + "&end=" + isoDay(asOf))
          .then(function (h) { state.historic = h; }, function (e) {
            state.historic = null;
            showMessage("No price history: " + e.message, false);
          });
      })
      .then(function () {
        renderForecast();
        renderStatus();
        renderFreshness();
        drawChart();
        renderTrackRecord();
        document.body.setAttribute("data-state", "ready");
      })
      .catch(function (e) {
        state.predict = state.status = state.historic = state.track = null;
        $("chart").textContent = "";
        $("track-chart").textContent = "";
        showMessage(e.message, true);
        document.body.setAttribute("data-state", "error");
      });
  }

  // Every served ticker from /tickers, page after page (a service may forecast hundreds); an
  // older server without /tickers: the configured ones from /health.
  var TICKER_PAGE = 200;
  var TICKER_PAGES_MAX = 50;
  function fetchTickers() {
    var rows = [];
    var fallback = null;
    function page(cursor, n) {
      var url = "tickers?limit=" + TICKER_PAGE + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      return getJSON(url).then(function (body) {
        fallback = fallback || body["default"];
        rows = rows.concat(body.tickers || []);
        if (body.next_cursor && n < TICKER_PAGES_MAX) return page(body.next_cursor, n + 1);
        return { rows: rows, fallback: fallback };
      });
    }
    return page(null, 1).then(null, function () {
      return getJSON("health").then(function (h) {
        return {
          rows: (h.tickers || []).map(function (t) { return { ticker: t }; }),
          fallback: (h.tickers || [])[0]
        };
      }, function () { return { rows: [], fallback: null }; });
    });
  }

  function tickerLabel(row) {
    if (row.champion === null) return row.ticker + " · no model yet";
    return row.ticker + (row.stale ? " · stale" : "");
  }

  function init() {
    var wanted = new URLSearchParams(window.location.search).get("ticker");
    wanted = wanted && wanted.toUpperCase();
    fetchTickers()
      .then(function (listed) {
        var rows = listed.rows;
        var symbols = rows.map(function (r) { return r.ticker; });
        if (wanted && symbols.indexOf(wanted) < 0) rows.push({ ticker: wanted });
        var select = $("ticker");
        rows.forEach(function (row) {
          var o = document.createElement("option");
          o.value = row.ticker;
          o.textContent = tickerLabel(row);
          if (row.champion !== undefined) o.setAttribute("data-champion", row.champion || "");
          if (row.stale !== undefined) o.setAttribute("data-stale", String(row.stale));
          select.appendChild(o);
        });
        var first = wanted || listed.fallback || symbols[0] || "";
        select.value = first;
        select.addEventListener("change", function () {
          var url = new URL(window.location.href);
          url.searchParams.set("ticker", select.value);
          window.history.replaceState(null, "", url.toString());
          load(select.value);
        });
        return load(first);
      });
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        drawChart();
        if (state.predict) renderTrackRecord();
      }, 120);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
