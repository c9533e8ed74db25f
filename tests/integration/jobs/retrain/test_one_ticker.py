"""The retrain job, tiny models. What a version holds and how the gate decides read what the
training produced: those retrains train for real, on a local folder (the store plays no part in
them). What must hold on both stores (local folder and moto's S3 server) when a run publishes,
skips, fails, crashes or races another does not: after the first test, those retrains publish a
model trained once (tests/fixtures/retrain.py, ``retrain_without_fits``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from cryptonic.data import to_yahoo_csv
from cryptonic.forecast.predictor import Predictor
from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.registry.manifest import ManifestDraft
from cryptonic.registry.registry import Registry, new_version_id
from cryptonic.training.model.keras_model import Model
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow
ON_A_FOLDER = pytest.mark.parametrize("store", ["local"], indirect=True)
"""What the store plays no part in runs on the local folder only."""


@pytest.fixture
def settings(make_settings, store):
    return make_settings(store.uri)


def _champion(store):
    pointer = Registry(store).champion("BTC-USD")
    return pointer.version if pointer else None


def test_first_retrain_publishes_and_promotes_a_complete_version(settings, store):
    result = retrain(settings, store, "btc-usd")
    assert result.ok
    assert result.promoted
    assert result.champion == result.version
    assert "first model" in result.reason
    registry = Registry(store)
    manifest = registry.manifest("BTC-USD", result.version).model_dump(mode="json")
    assert set(manifest["artifacts"]) == {
        "model.keras",
        "model.tflite",
        "forecast.json",
        "prices.csv",
    }
    assert manifest["data"]["rows"] == 300
    assert manifest["strategy"] == "new"
    assert manifest["export"]["parity_max_abs_diff"] <= 1e-5
    assert manifest["metrics"]["persistence"]["skill"] == 0.0
    assert manifest["gate"]["promote"] is True
    # the cached forecast is what the served .tflite says about the latest closes
    forecast = json.loads(registry.load_artifact("BTC-USD", result.version, "forecast.json"))
    tflite = registry.load_artifact("BTC-USD", result.version, "model.tflite")
    closes = make_prices(300)["close"].to_numpy()
    expected = Predictor(tflite).predict_closes(closes)
    np.testing.assert_allclose([r["prediction"] for r in forecast["result"]], expected)
    assert forecast["as_of"] == manifest["data"]["end"]
    assert forecast["period_length"] == 7


@ON_A_FOLDER
def test_a_quantile_model_publishes_its_interval_calibration_and_scores(settings, store):
    result = retrain(settings, store, "BTC-USD")
    registry = Registry(store)
    manifest = registry.manifest("BTC-USD", result.version)
    assert manifest.model.quantiles == [0.1, 0.5, 0.9]
    assert manifest.model.interval_level == pytest.approx(0.8)
    calibration = manifest.calibration
    assert calibration is not None
    assert calibration.method == "conformal-spread"
    assert calibration.level == pytest.approx(0.8)
    assert len(calibration.factors) == 7
    assert calibration.windows > 20
    assert calibration.coverage_after is not None
    assert calibration.coverage_after >= 0.8
    metrics = manifest.metrics
    assert metrics is not None
    for row in (metrics.model, metrics.persistence):
        assert row is not None
        assert row.coverage is not None
        assert 0.0 <= row.coverage <= 1.0
        assert row.interval_level == pytest.approx(0.8)
        assert row.width is not None
        assert row.width > 0
        assert row.coverage_by_horizon is not None
        assert len(row.coverage_by_horizon) == 7
        assert row.pinball_by_horizon is not None
        assert len(row.pinball_by_horizon) == 7
        assert row.adaptive_coverage is not None  # the band as the live adaptation serves it
        assert 0.0 <= row.adaptive_coverage <= 1.0
        assert row.adaptive_scales is not None
        assert len(row.adaptive_scales) == 7
    assert metrics.persistence is not None
    assert metrics.persistence.pinball_skill == 0.0
    assert metrics.model is not None
    assert metrics.model.pinball_skill is not None
    assert metrics.drift is not None
    assert metrics.drift.coverage is None
    # forecast.json carries the served band: the calibrated lowest and highest quantiles
    forecast = json.loads(registry.load_artifact("BTC-USD", result.version, "forecast.json"))
    tflite = registry.load_artifact("BTC-USD", result.version, "model.tflite")
    closes = make_prices(300)["close"].to_numpy()
    quantiles = Predictor(tflite, quantiles=manifest.model.quantiles).predict_quantile_closes(
        closes
    )
    assert forecast["interval_level"] == pytest.approx(0.8)
    np.testing.assert_allclose([r["lower"] for r in forecast["result"]], quantiles[:, 0])
    np.testing.assert_allclose([r["prediction"] for r in forecast["result"]], quantiles[:, 1])
    np.testing.assert_allclose([r["upper"] for r in forecast["result"]], quantiles[:, 2])
    assert manifest.config is not None
    assert manifest.config.coverage_tolerance == 1.0


@ON_A_FOLDER
def test_the_gate_refuses_a_challenger_whose_coverage_misses_its_level(make_settings, store):
    first = retrain(make_settings(store.uri), store, "BTC-USD")
    strict = make_settings(store.uri, coverage_tolerance=0.0)  # 21 closes never cover exactly 80%
    result = retrain(strict, store, "BTC-USD", force=True)
    assert result.ok
    assert not result.promoted
    assert "coverage" in result.reason
    assert "after adaptive calibration (fit-time" in result.reason
    assert "nominal 80% (tolerance 0%)" in result.reason
    assert _champion(store) == first.version
    gate = Registry(store).manifest("BTC-USD", result.version).gate
    assert gate is not None
    assert gate.basis == "coverage"


@ON_A_FOLDER
def test_a_book_model_publishes_a_point_forecast_without_calibration(make_settings, store):
    result = retrain(make_settings(store.uri, arch="book", book_weeks=4), store, "BTC-USD")
    assert result.ok
    registry = Registry(store)
    manifest = registry.manifest("BTC-USD", result.version)
    assert manifest.model.quantiles is None
    assert manifest.calibration is None
    assert manifest.metrics is not None
    assert manifest.metrics.model is not None
    assert manifest.metrics.model.coverage is None
    forecast = json.loads(registry.load_artifact("BTC-USD", result.version, "forecast.json"))
    assert forecast["interval_level"] is None
    assert all(r["lower"] is None and r["upper"] is None for r in forecast["result"])


@pytest.mark.usefixtures("retrain_without_fits")
def test_no_new_data_skips_unless_forced(settings, store):
    first = retrain(settings, store, "BTC-USD")
    again = retrain(settings, store, "BTC-USD")
    assert again.skipped
    assert again.version is None
    assert f"no new data: champion {first.version}" in again.reason
    forced = retrain(settings, store, "BTC-USD", force=True)
    assert forced.version not in (None, first.version)


@ON_A_FOLDER
def test_continue_warm_starts_from_the_champion_and_falls_back_without_one(settings, store):
    first = retrain(settings, store, "BTC-USD", strategy="continue")
    manifest = Registry(store).manifest("BTC-USD", first.version).model_dump(mode="json")
    assert manifest["strategy"] == "new"
    assert "no champion" in manifest["strategy_note"]
    assert "optimistic" not in manifest["gate"]["reason"]
    second = retrain(settings, store, "BTC-USD", strategy="continue", force=True)
    manifest = Registry(store).manifest("BTC-USD", second.version).model_dump(mode="json")
    assert manifest["strategy"] == "continue"
    assert manifest["parent"] == first.version
    assert manifest["training"]["warm_start"] is True
    assert "optimistic: strategy continue warm-starts the backtest" in manifest["gate"]["reason"]


@ON_A_FOLDER
def test_continue_with_a_changed_shape_trains_new_and_says_why(make_settings, store):
    retrain(make_settings(store.uri), store, "BTC-USD")
    wider = make_settings(store.uri, lookback_weeks=3)
    result = retrain(wider, store, "BTC-USD", strategy="continue")
    manifest = Registry(store).manifest("BTC-USD", result.version).model_dump(mode="json")
    assert manifest["strategy"] == "new"
    assert "shape differs" in manifest["strategy_note"]
    assert "optimistic" not in manifest["gate"]["reason"]  # trained new: judged out of sample


@pytest.mark.usefixtures("retrain_without_fits")
def test_bad_data_publishes_nothing_and_keeps_the_champion(
    make_settings, settings, store, tmp_path
):
    first = retrain(settings, store, "BTC-USD")
    broken = make_prices(300)
    broken.loc[150, "close"] = float("nan")
    path = tmp_path / "broken.csv"
    path.write_bytes(to_yahoo_csv(broken))
    result = retrain(make_settings(store.uri, data_source=str(path)), store, "BTC-USD", force=True)
    assert result.error
    assert result.error["code"] == "bad_data"
    assert result.version is None
    assert "NaN" in result.error["message"] or "missing" in result.error["message"]
    assert _champion(store) == first.version
    assert Registry(store).version_ids("BTC-USD") == [first.version]


@pytest.mark.usefixtures("retrain_without_fits")
def test_crash_mid_publish_leaves_the_old_champion_serving(settings, store, monkeypatch):
    first = retrain(settings, store, "BTC-USD")
    real_put = type(store).put_bytes
    calls = {"n": 0}

    def dying_put(self, key, data, **kwargs):
        if "/versions/" in key and first.version not in key:
            calls["n"] += 1
            if calls["n"] == 3:  # two artifacts written, then the power goes
                raise RuntimeError("simulated crash while publishing")
        return real_put(self, key, data, **kwargs)

    monkeypatch.setattr(type(store), "put_bytes", dying_put)
    result = retrain(settings, store, "BTC-USD", force=True)
    monkeypatch.undo()
    assert result.error
    assert result.error["code"] == "internal"
    assert not result.promoted
    registry = Registry(store)
    assert _champion(store) == first.version
    assert [m.version for m in registry.manifests("BTC-USD")] == [first.version]
    tflite = registry.load_artifact("BTC-USD", first.version, "model.tflite")
    assert Predictor(tflite).predict_closes(np.linspace(100, 110, 20)).shape == (7,)


@pytest.mark.usefixtures("retrain_without_fits")
def test_crash_between_publish_and_promotion_keeps_the_champion(settings, store, monkeypatch):
    first = retrain(settings, store, "BTC-USD")

    def crash(*args, **kwargs):
        raise RuntimeError("simulated crash before promotion")

    monkeypatch.setattr(Registry, "promote", crash)
    result = retrain(settings, store, "BTC-USD", force=True)
    monkeypatch.undo()
    assert result.error
    assert not result.promoted
    assert _champion(store) == first.version
    Model.from_keras_bytes(Registry(store).load_artifact("BTC-USD", first.version, "model.keras"))


@pytest.mark.usefixtures("retrain_without_fits")
def test_two_retrains_at_once_exactly_one_promotion_wins(settings, store, monkeypatch):
    """Run B completely while A is about to promote: A's conditional write must lose."""
    real_promote = Registry.promote
    other: dict[str, object] = {}

    def promote_after_rival(self, ticker, version, **kwargs):
        if not other:
            monkeypatch.setattr(Registry, "promote", real_promote)
            other["result"] = retrain(settings, store, "BTC-USD", force=True)
        return real_promote(self, ticker, version, **kwargs)

    monkeypatch.setattr(Registry, "promote", promote_after_rival)
    mine = retrain(settings, store, "BTC-USD")
    rival = other["result"]
    assert rival.promoted
    assert not mine.promoted
    assert mine.error
    assert mine.error["code"] == "conflict"
    assert "another promotion won" in mine.reason
    assert _champion(store) == rival.version  # type: ignore[attr-defined]
    assert mine.champion == rival.version  # type: ignore[attr-defined]


def _unbeatable_copy(registry, version):
    """Promote a copy of ``version`` whose recorded out-of-sample skill no honest challenger here
    can match: every challenger after it is published and rejected."""
    manifest = registry.manifest("BTC-USD", version).model_dump(mode="json")
    manifest["metrics"]["model"]["skill"] = 0.9
    strong = new_version_id()
    artifacts = {n: registry.load_artifact("BTC-USD", version, n) for n in manifest["artifacts"]}
    draft = ManifestDraft(
        **{k: v for k, v in manifest.items() if k not in {"artifacts", "version"}}
    )
    registry.publish("BTC-USD", strong, artifacts, draft)
    registry.promote("BTC-USD", strong)
    return strong


@ON_A_FOLDER
def test_worse_challenger_is_published_not_promoted(settings, store):
    first = retrain(settings, store, "BTC-USD")
    registry = Registry(store)
    strong = _unbeatable_copy(registry, first.version)

    result = retrain(settings, store, "BTC-USD", force=True)
    assert result.ok
    assert result.version
    assert not result.promoted
    assert "not promoted" in result.reason
    assert "worse than champion" in result.reason
    assert _champion(store) == strong
    gate = registry.manifest("BTC-USD", result.version).model_dump(mode="json")["gate"]
    assert gate["promote"] is False
    assert gate["basis"] == "skill vs persistence"


@ON_A_FOLDER
def test_rerun_skips_a_challenger_already_published_and_rejected(
    make_settings, settings, store, tmp_path
):
    """A rerun after a timeout, or Lambda's retry after another ticker failed, must not train
    again a ticker whose challenger for these prices was published and turned down."""
    week_ago = tmp_path / "week-ago.csv"
    week_ago.write_bytes(to_yahoo_csv(make_prices(300).iloc[:-7]))
    first = retrain(make_settings(store.uri, data_source=str(week_ago)), store, "BTC-USD")
    registry = Registry(store)
    strong = _unbeatable_copy(registry, first.version)
    rejected = retrain(settings, store, "BTC-USD")  # a new week of prices: trains, loses
    assert rejected.version
    assert not rejected.promoted
    published = registry.version_ids("BTC-USD")

    rerun = retrain(settings, store, "BTC-USD")
    assert rerun.ok
    assert rerun.skipped
    assert rerun.version is None
    assert rerun.reason.startswith(f"no new data: version {rejected.version} was already trained")
    assert f"not promoted against champion {strong}" in rerun.reason
    assert rerun.champion == strong
    assert registry.version_ids("BTC-USD") == published

    forced = retrain(settings, store, "BTC-USD", force=True)
    assert not forced.skipped
    assert forced.version not in (None, *published)


def test_unknown_ticker_in_bundled_source_fails_cleanly(make_settings, store):
    result = retrain(make_settings(store.uri, data_source="bundled"), store, "ETH-USD")
    assert result.error
    assert result.error["code"] == "bad_data"
    assert "BTC-USD" in result.error["message"]
    assert Registry(store).champion("ETH-USD") is None
