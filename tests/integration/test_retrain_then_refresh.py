"""The weekly retrain and the daily refresh meet, on both stores, with tiny real models.

The issue's acceptance test: a retrain on the closes to day D, then a refresh on the closes to
D+7, served through the predict Lambda handler: ``/predict`` has ``as_of`` D+7 from the same
model version, and ``/track-record`` scores the first forecast (the promotion's, as of D) on the
seven closes that came after it. Then the two jobs at the same time, forced to interleave at the
worst moment (the pointer write), each way: neither loses the other's work. How the model
learned plays no part: each retrain publishes a model trained once (tests/fixtures/retrain.py,
``retrain_without_fits``).
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import json
import sys
from typing import Any

import pytest

from cryptonic.config import get_settings
from cryptonic.jobs.refresh.one_ticker import refresh
from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.registry.forecast_log import ForecastLog
from cryptonic.registry.keys import latest_key
from cryptonic.registry.registry import Registry
from cryptonic.store.uri import open_store
from tests.fixtures.prices import make_prices
from tests.fixtures.published import http_event

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("retrain_without_fits")]
TICKER = "BTC-USD"
DATES = [ts.date() for ts in make_prices(300)["date"]]
D = DATES[-8]


def body_of(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


@pytest.fixture
def handler_of(monkeypatch):
    """The predict Lambda handler over a store, imported fresh as Lambda would."""

    def load(store_uri: str) -> Any:
        monkeypatch.setenv("STORE_URI", store_uri)
        monkeypatch.setenv("TICKERS", TICKER)
        monkeypatch.setenv("CACHE_TTL_SECONDS", "0")
        for name in ("MODEL_VERSION", "MODEL_NAME", "ROOT_PATH", "END_DATE"):
            monkeypatch.delenv(name, raising=False)
        get_settings.cache_clear()
        sys.modules.pop("functions.predict.app", None)
        return importlib.import_module("functions.predict.app").handler

    yield load
    sys.modules.pop("functions.predict.app", None)
    get_settings.cache_clear()


def get(handler: Any, path: str, query: str = "") -> Any:
    response = handler(http_event("GET", path, query=query), None)
    assert response["statusCode"] == 200, response
    return body_of(response)


def test_retrain_to_d_then_refresh_to_d7_serves_and_scores(make_settings, store_uri, handler_of):
    store = open_store(store_uri)
    trained = retrain(make_settings(store_uri, end_date=D), store, TICKER)
    assert trained.promoted, trained.reason
    later = make_settings(store_uri, end_date=D + dt.timedelta(days=7))
    refreshed = refresh(later, store, TICKER)
    assert refreshed.outcome == "refreshed", refreshed.reason

    handler = handler_of(store_uri)
    predicted = get(handler, "/predict", f"ticker={TICKER}")
    assert predicted["as_of"] == str(D + dt.timedelta(days=7))
    assert predicted["model_version"] == trained.version
    assert predicted["stale"] is True, "closes of 2020 are old data, whenever the test runs"
    assert predicted["age_hours"] > 24 * 365

    record = get(handler, "/track-record", f"ticker={TICKER}")
    newest, first = record["forecasts"]
    assert (newest["as_of"], newest["days_scored"]) == (str(D + dt.timedelta(days=7)), 0)
    assert (first["as_of"], first["model_version"]) == (str(D), trained.version)
    assert first["days_scored"] == 7
    assert first["mape"] > 0
    assert first["persistence_mape"] > 0
    assert record["summary"]["forecasts"] == 1
    assert record["summary"]["mape"] == pytest.approx(first["mape"])
    assert record["summary"]["skill"] == pytest.approx(
        1 - first["mape"] / first["persistence_mape"]
    )
    status = get(handler, "/status", f"ticker={TICKER}")
    assert status["refresh"]["forecast_as_of"] == predicted["as_of"]
    assert status["refresh"]["logged"] is True
    models = get(handler, "/models", f"ticker={TICKER}")
    assert models["versions"][0]["live"]["forecasts"] == 1


def beatable_champion(store, version: str) -> str:
    """Promote a copy of ``version`` whose recorded skill any challenger beats, so the rival
    retrain below is promoted whatever its tiny model learns (the gate is not under test)."""
    from cryptonic.registry.manifest import ManifestDraft
    from cryptonic.registry.registry import new_version_id

    registry = Registry(store)
    manifest = registry.manifest(TICKER, version).model_dump(mode="json")
    manifest["metrics"]["model"]["skill"] = -10.0
    weak = new_version_id()
    artifacts = {n: registry.load_artifact(TICKER, version, n) for n in manifest["artifacts"]}
    draft = ManifestDraft(
        **{k: v for k, v in manifest.items() if k not in {"artifacts", "version"}}
    )
    registry.publish(TICKER, weak, artifacts, draft)
    registry.promote(TICKER, weak)
    return weak


def interleave_pointer_write(patch: pytest.MonkeyPatch, store, rival):
    """Run ``rival`` (a whole job) just before the next write of latest.json, once: the writer
    read the pointer, the rival moves it, the writer's compare-and-swap must lose and retry."""
    real_put = type(store).put_json
    done: dict[str, Any] = {}

    def put_after_rival(self, key, value, **kwargs):
        if key == latest_key(TICKER) and not done:
            done["result"] = None  # set first: the rival's own writes pass straight through
            done["result"] = rival()
        return real_put(self, key, value, **kwargs)

    patch.setattr(type(store), "put_json", put_after_rival)
    return done


def entries(store) -> dict[str, dt.date]:
    pointer, _ = ForecastLog(store).latest(TICKER)
    assert pointer is not None
    for version, entry in pointer.versions.items():
        ForecastLog(store).load(TICKER, version, entry)  # present and sha256-intact
    return {v: e.as_of for v, e in pointer.versions.items()}


def test_a_retrain_promoting_during_a_refresh_loses_nothing(
    make_settings, store, handler_of, caplog
):
    first = retrain(make_settings(store.uri, end_date=D), store, TICKER)
    champion = beatable_champion(store, first.version)
    day = D + dt.timedelta(days=3)
    later = make_settings(store.uri, end_date=day)
    with pytest.MonkeyPatch.context() as patch:
        rival = interleave_pointer_write(
            patch, store, lambda: retrain(later, store, TICKER, force=True)
        )
        # The refresh started first: its forecasts were made before the rival's, which trains
        # in no time here (a real training takes seconds, which ordered them by itself).
        started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        refreshed = refresh(later, store, TICKER, now=started)
    promoted = rival["result"]
    assert promoted.promoted, promoted.reason
    assert refreshed.ok, refreshed.error
    assert "latest.json changed while it was updated (attempt 1)" in caplog.text  # it lost, once
    assert refreshed.champion == champion  # what it read and refreshed
    assert entries(store) == {first.version: D, champion: day, promoted.version: day}
    assert Registry(store).champion(TICKER).version == promoted.version

    predicted = get(handler_of(store.uri), "/predict", f"ticker={TICKER}")
    assert (predicted["model_version"], predicted["as_of"]) == (promoted.version, str(day))
    record = get(handler_of(store.uri), "/track-record", f"ticker={TICKER}")
    assert record["forecasts"][0]["model_version"] == promoted.version  # made last that day


def test_a_refresh_during_a_retrains_pointer_write_loses_nothing(make_settings, store, caplog):
    first = retrain(make_settings(store.uri, end_date=D), store, TICKER)
    beatable_champion(store, first.version)
    day = D + dt.timedelta(days=3)
    later = make_settings(store.uri, end_date=day)
    with pytest.MonkeyPatch.context() as patch:
        rival = interleave_pointer_write(patch, store, lambda: refresh(later, store, TICKER))
        promoted = retrain(later, store, TICKER, force=True)
    refreshed = rival["result"]
    assert promoted.promoted, promoted.reason
    assert refreshed.ok, refreshed.error
    assert "latest.json changed while it was updated (attempt 1)" in caplog.text
    # The refresh ran after the promotion, before the retrain's pointer write: it refreshed the
    # new champion, whose forecast object the retrain had just written (create-only: kept).
    assert refreshed.champion == promoted.version
    assert entries(store) == {first.version: D, promoted.version: day}
    logged = ForecastLog(store).read(f"forecasts/{TICKER}/{day}/{promoted.version}.json")
    assert logged.role == "champion"
    again = refresh(make_settings(store.uri, end_date=day), store, TICKER)
    assert again.outcome == "unchanged"
