"""The page in real headless Chromium, served by uvicorn on 127.0.0.1: the SVG chart, the forecast
and the accuracy figures match the API, under the page's Content-Security-Policy with no violation.

Saves screenshots to artifacts/page.png (desktop) and artifacts/page-mobile.png.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.forecast.freshness import close_final_at
from cryptonic.registry.registry import Registry
from tests.fixtures.api import FakeWallClock
from tests.fixtures.browser import open_page, serving, watch
from tests.fixtures.published import publish_version
from tests.fixtures.refreshed import fixture_dates, refresh_through

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[4] / "artifacts"


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def attr(page: Any, selector: str, name: str = "data-value") -> str:
    value = page.get_attribute(selector, name)
    assert value is not None, selector
    return str(value)


def test_page_shows_the_forecast_and_accuracy(browser, local_published_registry):
    registry = local_published_registry
    app = create_app(Settings(store_uri=registry.store.uri), registry)
    with serving(app) as base:
        predict = get_json(f"{base}/predict")
        status = get_json(f"{base}/status")
        desktop = open_page(browser, f"{base}/", viewport={"width": 1280, "height": 900})
        page = desktop.page
        assert page.get_attribute("body", "data-state") == "ready"

        # the chart: history line, 7 forecast points at the forecast's values
        assert page.locator("#chart svg .history-line").count() == 1
        assert page.locator("#chart svg .forecast-line").count() == 1
        points = page.locator("#chart svg circle.forecast-point")
        assert points.count() == 7
        drawn = [
            (
                points.nth(i).get_attribute("data-date"),
                float(points.nth(i).get_attribute("data-value")),
            )
            for i in range(7)
        ]
        assert drawn == [(r["date"], r["prediction"]) for r in predict["result"]]
        dash = page.eval_on_selector(
            "#chart svg .forecast-line", "e => getComputedStyle(e).strokeDasharray"
        )
        assert dash not in ("", "none")
        history = get_json(f"{base}/historic?start={drawn[0][0][:4]}-01-01")
        assert history["count"] > 0

        # the table and the stat cards carry the API's numbers
        cells = page.locator("#forecast-rows td.prediction")
        assert [float(cells.nth(i).get_attribute("data-value")) for i in range(7)] == [
            r["prediction"] for r in predict["result"]
        ]
        assert float(attr(page, "#last-close")) == predict["last_close"]
        backtest = status["backtest"]
        assert float(attr(page, "#mape-model")) == backtest["model_mape"]
        assert float(attr(page, "#mape-persistence")) == backtest["persistence_mape"]
        assert float(attr(page, "#skill")) == backtest["skill"]
        assert page.inner_text("#mape-model") == f"{backtest['model_mape']:.2f}%"
        assert page.inner_text("#mape-persistence") == f"{backtest['persistence_mape']:.2f}%"
        assert page.inner_text("#model-version") == status["model_version"]
        assert attr(page, "#trained-at") == status["trained_at"]
        assert page.inner_text("#ticker").strip().startswith("BTC-USD")
        # freshness: the forecast published with the version; no refresh yet, so no record. The
        # page's age and this one were read moments apart, each rounded to 0.1 h.
        assert float(attr(page, "#forecast-age")) == pytest.approx(predict["age_hours"], abs=0.1)
        assert page.locator("#stale-flag").count() == 1
        assert page.locator("#track-empty").is_visible()
        assert page.locator("#track-chart svg").count() == 0
        assert page.inner_text("#live-skill") == "–"

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "page.png"), full_page=True)
        page.close()

        phone = open_page(
            browser, f"{base}/", viewport={"width": 390, "height": 844}, device_scale_factor=2
        )
        mobile = phone.page
        assert mobile.locator("#chart svg circle.forecast-point").count() == 7
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "no horizontal scrolling on a phone"
        mobile.screenshot(path=str(ARTIFACTS / "page-mobile.png"), full_page=True)
        mobile.close()
    assert desktop.csp == []
    assert phone.csp == []
    assert desktop.problems == []
    assert phone.problems == []


def test_page_draws_the_interval_band_and_states_its_record(browser, local_published_registry):
    """The quantile model's central interval: a band around the forecast line that holds every
    forecast point, each day's bounds in the table, and the card with the nominal level beside
    the backtest's coverage."""
    registry = local_published_registry
    app = create_app(Settings(store_uri=registry.store.uri), registry)
    with serving(app) as base:
        predict = get_json(f"{base}/predict")
        backtest = get_json(f"{base}/status")["backtest"]
        level = predict["interval_level"]
        assert level == pytest.approx(0.8)
        rows = predict["result"]
        assert all(r["lower"] <= r["prediction"] <= r["upper"] for r in rows)
        assert any(r["lower"] < r["upper"] for r in rows)

        watched = open_page(browser, f"{base}/", viewport={"width": 1280, "height": 900})
        page = watched.page
        assert page.get_attribute("body", "data-state") == "ready"
        band = page.locator("#chart svg #interval-band")
        assert band.count() == 1
        assert float(attr(page, "#interval-band", "data-level")) == level
        box = band.bounding_box()
        assert box is not None
        assert box["height"] > 1
        points = page.locator("#chart svg circle.forecast-point")
        for i in range(points.count()):
            point = points.nth(i).bounding_box()
            assert point is not None
            middle = point["y"] + point["height"] / 2
            assert box["y"] - 0.5 <= middle <= box["y"] + box["height"] + 0.5, i

        cells = page.locator("#forecast-rows td.interval")
        assert cells.count() == 7
        bounds = [cells.nth(i).get_attribute("data-value") for i in range(7)]
        assert bounds == [f"{r['lower']},{r['upper']}" for r in rows]

        assert page.is_visible("#interval-card")
        assert page.is_visible("#legend-interval")
        assert page.inner_text("#interval-level") == f"{round(level * 100)}% interval"
        assert float(attr(page, "#interval-level")) == level
        assert predict["calibration"] == "fit"  # no outcome has matured yet
        assert attr(page, "#interval-calibration") == "fit"
        assert page.inner_text("#interval-calibration") == "as calibrated after the fit"
        assert page.inner_text("#legend-interval-label") == f"{round(level * 100)}% interval"
        coverage, adapted = backtest["coverage"], backtest["adaptive_coverage"]
        assert coverage is not None
        assert adapted is not None
        assert float(attr(page, "#interval-coverage")) == adapted
        weeks = backtest["weeks"]
        assert page.inner_text("#interval-coverage") == (
            f"{round(adapted * 100)}% of closes fell inside over the last {weeks} weeks "
            f"with adaptive calibration ({round(coverage * 100)}% as fitted)"
        )
        page.close()
    assert watched.csp == []
    assert watched.problems == []


def test_page_of_a_point_model_draws_no_band(browser, tmp_path):
    """A point model (QUANTILES=()) serves no bounds: no band, no card, no legend entry."""
    from cryptonic.store.local import LocalStore
    from tests.fixtures.published import build_published_model, publish_version

    registry = Registry(LocalStore(tmp_path / "store"))
    publish_version(registry, build_published_model(point=True))
    app = create_app(Settings(store_uri=registry.store.uri), registry)
    with serving(app) as base:
        predict = get_json(f"{base}/predict")
        assert predict["interval_level"] is None
        watched = open_page(browser, f"{base}/")
        page = watched.page
        assert page.get_attribute("body", "data-state") == "ready"
        assert page.locator("#chart svg circle.forecast-point").count() == 7
        assert page.locator("#interval-band").count() == 0
        assert not page.is_visible("#interval-card")
        assert not page.is_visible("#legend-interval")
        assert not page.is_visible("#rolling-coverage")  # no band, no coverage to roll
        page.close()
    assert watched.csp == []
    assert watched.problems == []


def test_page_works_under_a_stage_prefix(browser, local_published_registry):
    registry = local_published_registry
    app = create_app(Settings(store_uri=registry.store.uri), registry, root_path="/Prod")
    with serving(app) as base:
        for url in (f"{base}/Prod/", f"{base}/Prod"):
            watched = open_page(browser, url)
            page = watched.page
            assert page.get_attribute("body", "data-state") == "ready", url
            assert page.locator("#chart svg circle.forecast-point").count() == 7
            page.close()
            assert watched.csp == [], url
            assert watched.problems == [], (url, watched.problems)


def test_page_without_a_model_says_how_to_train(browser, tmp_path):
    from cryptonic.store.local import LocalStore

    store = LocalStore(tmp_path / "empty")
    app = create_app(Settings(store_uri=store.uri), Registry(store))
    with serving(app) as base:
        watched = open_page(browser, f"{base}/")
        page = watched.page
        assert page.get_attribute("body", "data-state") == "error"
        assert "cryptonic retrain --ticker BTC-USD" in page.inner_text("#message")
        page.close()
    assert watched.csp == []
    assert all("503" in problem for problem in watched.problems), watched.problems


INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.body.appendChild(script);
  document.body.setAttribute("style", "color: red");
  return window.injected === true;
}"""


def test_the_policy_refuses_inline_code_and_the_check_reports_it(browser, tmp_path):
    """What the checks above would see if the page used an inline script or style, or were
    framed: the policy blocks it and ``watched.csp`` is not empty."""
    from cryptonic.store.local import LocalStore

    store = LocalStore(tmp_path / "empty")
    app = create_app(Settings(store_uri=store.uri), Registry(store))
    with serving(app) as base:
        watched = open_page(browser, f"{base}/")
        assert watched.page.evaluate(INJECT) is False, "the inline script must not run"
        watched.page.wait_for_function("document.body.style.color !== 'red'")
        watched.page.wait_for_timeout(200)  # violation reports are asynchronous
        watched.page.close()
        reported = " | ".join(watched.csp)
        assert "script-src" in reported
        assert "style-src" in reported

        outer = watch(browser)
        outer.page.set_content(f'<iframe src="{base}/"></iframe>')
        outer.page.wait_for_function(
            "() => document.querySelector('iframe') !== null", timeout=5_000
        )
        deadline = 50
        while not any("frame-ancestors" in c for c in outer.csp) and deadline:
            outer.page.wait_for_timeout(100)
            deadline -= 1
        outer.page.close()
        assert any("frame-ancestors 'none'" in c for c in outer.csp), outer.csp


def test_page_shows_freshness_stale_and_the_live_track_record(
    browser, local_store, published_model, tmp_path
):
    """A champion refreshed daily for 12 days (11 forecasts scored): the page says how old the
    served forecast is, draws the newest 8 forecasts against the closes that followed with the
    live skill from /track-record, and flags the forecast once /predict calls it stale."""
    registry = Registry(local_store)
    version = publish_version(registry, published_model, days=280)
    made = close_final_at(fixture_dates()[290])  # as soon as the close it starts from is final
    refresh_through(local_store, range(279, 291), tmp_path, now=made)
    wall = FakeWallClock(made + dt.timedelta(hours=3))
    settings = Settings(store_uri=local_store.uri, cache_ttl_seconds=0, stale_after_hours=48)
    app = create_app(settings, registry, wall_clock=wall)
    with serving(app) as base:
        predict = get_json(f"{base}/predict")
        track = get_json(f"{base}/track-record?limit=8")
        assert (predict["stale"], predict["age_hours"]) == (False, 3.0)
        fresh = open_page(browser, f"{base}/", viewport={"width": 1280, "height": 1000})
        page = fresh.page
        assert page.get_attribute("body", "data-state") == "ready"
        assert page.get_attribute("body", "data-stale") == "false"
        assert page.locator("#stale-flag").is_hidden()
        assert page.locator("#old-data").is_hidden()
        assert float(attr(page, "#forecast-age")) == 3.0
        assert page.inner_text("#forecast-age") == "3.0 h old"
        assert attr(page, "#forecast-made") == predict["as_of"]
        assert "next refresh" in page.inner_text("#next-refresh")

        # the live record: pooled figures and the newest 8 forecasts, oldest drawn first
        summary = track["summary"]
        assert summary["forecasts"] == 11
        assert float(attr(page, "#live-skill")) == summary["skill"]
        assert float(attr(page, "#live-mape")) == summary["mape"]
        assert float(attr(page, "#live-persistence-mape")) == summary["persistence_mape"]
        assert page.locator("#track-empty").is_hidden()
        # the served band, adapted from the live record, and its rolling coverage
        assert predict["calibration"] == "adaptive"
        assert attr(page, "#interval-calibration") == "adaptive"
        outcomes = predict["calibration_outcomes"]
        assert outcomes == summary["days_scored"]  # every realized day of the served forecasts
        assert page.inner_text("#interval-calibration") == (
            f"adapted from the live record ({outcomes} realized closes)"
        )
        assert page.inner_text("#legend-interval-label") == "80% interval, adapted"
        short, long = track["rolling_coverage"]
        assert page.is_visible("#rolling-coverage")
        assert float(attr(page, "#rolling-short")) == short["coverage"]
        assert attr(page, "#rolling-short", "data-weeks") == "8"
        assert page.inner_text("#rolling-short-label") == "last 8 weeks"
        assert float(attr(page, "#rolling-rest")) == long["coverage"]
        assert page.inner_text("#rolling-rest") == (
            f"{round(long['coverage'] * 100)}% over 26 weeks, of the 80% band"
        )
        newest = track["forecasts"][:8]
        paths = page.locator("#track-chart svg path.track-forecast")
        assert paths.count() == 8
        drawn = [paths.nth(i).get_attribute("data-as-of") for i in range(8)]
        assert drawn == [f["as_of"] for f in reversed(newest)]
        assert {paths.nth(i).get_attribute("data-version") for i in range(8)} == {version}
        assert (
            page.locator("#track-chart svg path.track-forecast.latest").get_attribute("data-as-of")
            == predict["as_of"]
        )
        # what happened: every realized close of those forecasts, and where each started
        actual = {f["as_of"]: f["last_close"] for f in newest}
        for f in newest:
            actual.update({d["date"]: d["actual"] for d in f["result"] if d["actual"] is not None})
        points = page.locator("#track-chart svg circle.track-actual-point")
        shown = {
            points.nth(i).get_attribute("data-date"): float(
                points.nth(i).get_attribute("data-value")
            )
            for i in range(points.count())
        }
        assert shown == pytest.approx(actual)
        assert page.locator("#chart svg path.track-actual").count() == 0  # its own chart
        assert page.locator("#track-chart svg path.track-actual").count() == 1
        rows = page.locator("#track-rows tr")
        assert rows.count() == 8
        assert [rows.nth(i).get_attribute("data-as-of") for i in range(8)] == [
            f["as_of"] for f in newest
        ]
        mapes = page.locator("#track-rows td.mape")
        assert [mapes.nth(i).get_attribute("data-value") for i in range(8)] == [
            None if f["mape"] is None else str(f["mape"]) for f in newest
        ]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "page-track-record.png"), full_page=True)
        page.close()

        wall.advance(hours=48)  # 51 h after it was made: stale
        late = get_json(f"{base}/predict")
        assert late["stale"] is True
        stale = open_page(browser, f"{base}/", viewport={"width": 390, "height": 844})
        page = stale.page
        assert page.get_attribute("body", "data-stale") == "true"
        flag = page.locator("#stale-flag")
        assert flag.is_visible()
        assert flag.inner_text() == "Stale: from the close of 22 Oct 2020, 3 days ago"
        assert page.locator("#old-data").is_visible()
        assert "is-stale" in (page.get_attribute("#freshness-card", "class") or "")
        assert float(attr(page, "#forecast-age")) == pytest.approx(late["age_hours"], abs=0.1)
        assert page.locator("#track-chart svg path.track-forecast").count() == 8
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "no horizontal scrolling on a phone"
        page.screenshot(path=str(ARTIFACTS / "page-stale-mobile.png"), full_page=True)
        page.close()
    assert fresh.csp == []
    assert stale.csp == []
    assert fresh.problems == []
    assert stale.problems == []


def test_page_says_plainly_when_it_serves_a_forecast_from_old_data(
    browser, local_store, published_model
):
    """``make run`` offline: the model is trained at start from the bundled snapshot, whose
    last close is 59 days old. Its forecast was computed a minute ago, yet the page says it is
    from old data and how old, and stops saying so for a ticker it cannot serve."""
    as_of = published_model.dates[279]
    assert as_of == dt.date(2020, 10, 11)
    now = close_final_at(as_of) + dt.timedelta(days=58, hours=9)
    registry = Registry(local_store)
    publish_version(registry, published_model, days=280, when=now - dt.timedelta(minutes=1))
    settings = Settings(tickers=["BTC-USD", "AAPL"], store_uri=local_store.uri)
    app = create_app(settings, registry, wall_clock=FakeWallClock(now))
    with serving(app) as base:
        predict = get_json(f"{base}/predict")
        assert (predict["stale"], predict["age_hours"]) == (True, 58 * 24 + 9.0)
        watched = open_page(browser, f"{base}/", viewport={"width": 1280, "height": 900})
        page = watched.page
        assert page.get_attribute("body", "data-state") == "ready"
        assert page.get_attribute("body", "data-stale") == "true"
        note = page.locator("#old-data")
        assert note.is_visible()
        assert note.inner_text() == (
            "Served from old data: this forecast starts from the close of 11 Oct 2020, 59 days "
            "ago. No newer close has reached the service (an offline price snapshot, or a price "
            "source that is down or blocked); the daily refresh catches up once one does."
        )
        assert attr(page, "#old-data") == "59"
        flag = page.locator("#stale-flag")
        assert flag.is_visible()
        assert flag.inner_text() == "Stale: from the close of 11 Oct 2020, 59 days ago"
        assert page.inner_text("#forecast-age") == "58.4 days old"
        assert float(attr(page, "#forecast-age")) == pytest.approx(predict["age_hours"], abs=0.1)
        assert page.inner_text("#forecast-made").startswith("from the close of 11 Oct 2020, made ")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "page-old-data.png"), full_page=True)

        page.select_option("#ticker", "AAPL")  # no model: an error, and no word of old data
        expect(page.locator("body")).to_have_attribute("data-state", "error")
        assert note.is_hidden()
        assert flag.is_hidden()
        page.close()
    assert watched.csp == []
    statuses = [p.rsplit("status of ", 1)[-1][:3] for p in watched.problems]
    assert sorted(statuses) == ["503", "503"], watched.problems


def test_the_selector_lists_the_tickers_of_the_tickers_endpoint(
    browser, local_store, published_model
):
    """Every served ticker from /tickers (configured or only in the store), with no model yet
    said; choosing one loads its forecast, and one without a model says how to train it."""
    registry = Registry(local_store)
    btc = publish_version(registry, published_model)
    eth = publish_version(registry, published_model, ticker="ETH-USD", days=280)
    settings = Settings(tickers=["BTC-USD", "AAPL"], store_uri=local_store.uri)
    app = create_app(settings, registry)
    with serving(app) as base:
        listed = get_json(f"{base}/tickers")["tickers"]
        watched = open_page(browser, f"{base}/")
        page = watched.page
        assert page.get_attribute("body", "data-state") == "ready"
        options = page.locator("#ticker option")
        values = [options.nth(i).get_attribute("value") for i in range(options.count())]
        assert values == [row["ticker"] for row in listed] == ["AAPL", "BTC-USD", "ETH-USD"]
        assert page.input_value("#ticker") == "BTC-USD", "the default ticker is chosen"
        aapl = page.locator("#ticker option[value=AAPL]")
        assert "no model yet" in aapl.inner_text()
        assert aapl.get_attribute("data-champion") == ""
        assert page.locator("#ticker option[value=ETH-USD]").get_attribute("data-champion") == eth
        assert page.inner_text("#model-version") == btc

        page.select_option("#ticker", "ETH-USD")
        expect(page.locator("#model-version")).to_have_text(eth)  # no eval under the page's CSP
        expect(page.locator("body")).to_have_attribute("data-state", "ready")
        assert "ticker=ETH-USD" in page.url
        assert page.locator("#chart svg circle.forecast-point").count() == 7

        page.select_option("#ticker", "AAPL")
        expect(page.locator("body")).to_have_attribute("data-state", "error")
        assert "cryptonic retrain --ticker AAPL" in page.inner_text("#message")
        page.close()

        deep = open_page(browser, f"{base}/?ticker=eth-usd")
        assert deep.page.input_value("#ticker") == "ETH-USD"
        assert deep.page.inner_text("#model-version") == eth
        deep.page.close()
    assert watched.csp == deep.csp == []
    # AAPL's /predict, /status: 503 (no model); ETH-USD, a ticker only the store knows (added
    # through tickers.json), is served by every endpoint, its track record included
    statuses = [p.rsplit("status of ", 1)[-1][:3] for p in watched.problems]
    assert sorted(statuses) == ["503", "503"], watched.problems
    assert deep.problems == []


def test_the_selector_follows_every_page_of_tickers(browser, local_published_registry):
    """More tickers than one /tickers page: the selector reads the pages after the first."""
    registry = local_published_registry
    many = ["BTC-USD"] + [f"T{i:03d}" for i in range(260)]
    app = create_app(Settings(tickers=many, store_uri=registry.store.uri), registry)
    with serving(app) as base:
        assert get_json(f"{base}/tickers?limit=200")["next_cursor"] is not None
        watched = open_page(browser, f"{base}/")
        page = watched.page
        assert page.get_attribute("body", "data-state") == "ready"
        assert page.locator("#ticker option").count() == len(many)
        assert page.locator("#ticker option[value=T259]").count() == 1
        assert page.input_value("#ticker") == "BTC-USD"
        page.close()
    assert watched.csp == []
    assert watched.problems == []


PANELS = """() => {
  const shown = {};
  for (const node of document.querySelectorAll("main [id]")) {
    if (!(node instanceof HTMLElement) || node.id === "message") continue;
    const value = node.getAttribute("data-value");
    shown[node.id] = [node.textContent, node.hidden, node.className, value];
  }
  shown["data-stale"] = document.body.getAttribute("data-stale");
  shown["data-fallback"] = document.body.getAttribute("data-fallback");
  return shown;
}"""
"""What every panel of the page shows (hidden parts and the charts' labels included), the
message banner apart."""


def panels(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(PANELS))


INTERNAL_ERROR = {"code": "internal_error", "message": "internal error; see the server log"}


def fail_with(route: Any) -> None:
    """A request answered with the API's error shape, as a failing server would."""
    body = json.dumps({"success": False, "error": INTERNAL_ERROR})
    route.fulfill(status=500, content_type="application/json", body=body)


def test_switching_to_a_ticker_that_fails_leaves_nothing_of_the_ticker_before(
    browser, local_store, published_model, tmp_path
):
    """BTC-USD with a forecast, a backtest and a live track record, AAPL with no model yet:
    choosing AAPL after BTC-USD empties every panel just as opening ``/?ticker=AAPL`` does, and
    choosing BTC-USD again shows it all again. A ticker whose /status fails is an error with
    the same empty panels; one whose /track-record fails shows no record but BTC-USD's."""
    registry = Registry(local_store)
    btc = publish_version(registry, published_model, days=280)
    eth = publish_version(registry, published_model, ticker="ETH-USD", days=280)
    made = close_final_at(fixture_dates()[290])
    refresh_through(local_store, range(279, 291), tmp_path, now=made)
    wall = FakeWallClock(made + dt.timedelta(hours=3))
    settings = Settings(tickers=["BTC-USD", "AAPL"], store_uri=local_store.uri)
    app = create_app(settings, registry, wall_clock=wall)
    viewport = {"width": 1280, "height": 1000}
    with serving(app) as base:
        direct = open_page(browser, f"{base}/?ticker=AAPL", viewport=viewport)
        assert direct.page.get_attribute("body", "data-state") == "error"
        empty = panels(direct.page)
        no_model = direct.page.inner_text("#message")
        assert "no model for AAPL" in no_model
        direct.page.close()
        assert empty["chart-title"][0] == "Recent closes and forecast"
        for figure in ("last-close", "final-forecast", "forecast-age", "mape-model", "skill"):
            assert empty[figure][0] == "–", figure
        assert empty["model-version"][0] == empty["live-skill"][0] == "–"
        assert empty["forecast-rows"][0] == empty["track-rows"][0] == empty["chart"][0] == ""

        watched = open_page(browser, f"{base}/", viewport=viewport)
        page = watched.page
        assert page.get_attribute("body", "data-state") == "ready"
        shown = panels(page)
        assert page.inner_text("#model-version") == btc
        assert page.locator("#forecast-rows tr").count() == 7
        assert page.locator("#track-rows tr").count() == 8
        figures = [
            page.inner_text(f"#{name}")
            for name in (
                "chart-title",
                "last-close",
                "final-forecast",
                "forecast-age",
                "mape-model",
                "skill",
                "model-version",
                "live-mape",
            )
        ]
        assert figures[0].startswith("BTC-USD: last 90 days")
        assert all(figure != "–" for figure in figures), figures

        def nothing_of_btc() -> None:
            text = page.evaluate("document.querySelector('main').textContent")
            assert "BTC-USD" not in text
            assert [figure for figure in figures if figure in text] == []
            assert page.locator("#forecast-rows tr, #track-rows tr, main svg").count() == 0

        page.select_option("#ticker", "AAPL")
        expect(page.locator("body")).to_have_attribute("data-state", "error")
        assert "ticker=AAPL" in page.url
        assert page.inner_text("#message") == no_model
        nothing_of_btc()
        assert panels(page) == empty

        page.select_option("#ticker", "BTC-USD")  # back: all of BTC-USD again
        expect(page.locator("body")).to_have_attribute("data-state", "ready")
        assert page.locator("#message").is_hidden()
        assert panels(page) == shown

        # ETH-USD forecasts, but its /status fails: an error that says so, nothing of BTC-USD
        page.route(re.compile(r"/status\?ticker=ETH-USD$"), fail_with)
        page.select_option("#ticker", "ETH-USD")
        expect(page.locator("body")).to_have_attribute("data-state", "error")
        assert "status" in page.inner_text("#message").lower()
        assert "internal error" in page.inner_text("#message")
        nothing_of_btc()
        assert panels(page) == empty
        page.unroute(re.compile(r"/status\?ticker=ETH-USD$"))

        page.select_option("#ticker", "BTC-USD")
        expect(page.locator("body")).to_have_attribute("data-state", "ready")
        assert panels(page) == shown

        # ETH-USD's /track-record fails: its forecast and model, no record, none of BTC-USD's
        page.route(re.compile(r"/track-record\?ticker=ETH-USD&"), fail_with)
        page.select_option("#ticker", "ETH-USD")
        expect(page.locator("#model-version")).to_have_text(eth)
        expect(page.locator("body")).to_have_attribute("data-state", "ready")
        assert page.inner_text("#track-note") == "track record unavailable"
        assert page.locator("#track-rows tr").count() == 0
        assert page.locator("#track-chart svg").count() == 0
        for name in ("live-skill", "live-mape", "live-persistence-mape"):
            assert page.inner_text(f"#{name}") == "–", name
        assert "BTC-USD" not in page.evaluate("document.querySelector('main').textContent")
        page.close()
    assert direct.csp == watched.csp == []
    # AAPL's /predict and /status, twice: 503 (no model); ETH-USD's /status, /track-record: 500
    statuses = [p.rsplit("status of ", 1)[-1][:3] for p in direct.problems + watched.problems]
    assert sorted(statuses) == ["500", "500", "503", "503", "503", "503"], statuses


def test_a_slow_ticker_answering_after_the_next_was_chosen_draws_nothing(
    browser, local_store, published_model
):
    """ETH-USD's forecast is held back while BTC-USD is chosen; when it finally answers, the page
    still shows BTC-USD: only the newest choice draws."""
    registry = Registry(local_store)
    btc = publish_version(registry, published_model, days=280)
    publish_version(
        registry, published_model, ticker="ETH-USD", days=281, strategy="continue", parent=btc
    )
    settings = Settings(tickers=["BTC-USD", "ETH-USD"], store_uri=local_store.uri)
    with serving(create_app(settings, registry)) as base:
        watched = open_page(browser, f"{base}/", viewport={"width": 1280, "height": 1000})
        page = watched.page
        shown = panels(page)
        held: list[Any] = []
        page.route(re.compile(r"/predict\?ticker=ETH-USD$"), lambda route: held.append(route))
        page.select_option("#ticker", "ETH-USD")
        page.wait_for_function("() => document.body.dataset.state === 'loading'")
        expect(page.locator("body")).to_have_attribute("data-state", "loading")
        page.select_option("#ticker", "BTC-USD")
        expect(page.locator("body")).to_have_attribute("data-state", "ready")
        assert len(held) == 1

        with page.expect_response(re.compile(r"/historic\?ticker=ETH-USD&")):
            held[0].continue_()  # ETH-USD answers now, after BTC-USD was drawn: its last read
        page.evaluate("() => new Promise((done) => setTimeout(done, 100))")  # its callbacks ran
        assert page.inner_text("#model-version") == btc
        assert page.get_attribute("body", "data-state") == "ready"
        assert panels(page) == shown
        assert "ticker=BTC-USD" in page.url
        assert page.inner_text("#strategy") == "new (from scratch)"

        page.unroute(re.compile(r"/predict\?ticker=ETH-USD$"))
        page.select_option("#ticker", "ETH-USD")
        expect(page.locator("body")).to_have_attribute("data-state", "ready")
        assert page.inner_text("#strategy") == f"continue from {btc}"  # warm-started from it
        page.close()
    assert watched.csp == []
