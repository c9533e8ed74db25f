"""The page in real headless Chromium, served by uvicorn on 127.0.0.1: the SVG chart, the forecast
and the accuracy figures match the API, under the page's Content-Security-Policy with no violation.

Saves screenshots to artifacts/page.png (desktop) and artifacts/page-mobile.png.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.registry import Registry
from tests.fixtures.browser import open_page, serving, watch

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
        coverage = backtest["coverage"]
        assert coverage is not None
        assert float(attr(page, "#interval-coverage")) == coverage
        weeks = backtest["weeks"]
        assert page.inner_text("#interval-coverage") == (
            f"{round(coverage * 100)}% of closes fell inside over the last {weeks} weeks"
        )
        page.close()
    assert watched.csp == []
    assert watched.problems == []


def test_page_of_a_point_model_draws_no_band(browser, tmp_path):
    """A point model (QUANTILES=()) serves no bounds: no band, no card, no legend entry."""
    from cryptonic.store import LocalStore
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
    from cryptonic.store import LocalStore

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
    from cryptonic.store import LocalStore

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
