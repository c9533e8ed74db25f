"""The LiteRT predictor (serving side): matches Keras, validates inputs, never imports TF."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pytest

from cryptonic.errors import ModelError, PredictionError
from cryptonic.forecast.predictor import Predictor
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exported(exported_tiny_model):
    """The shared tiny model's export (the session fixture of tests/fixtures/models.py)."""
    return exported_tiny_model


def test_predictor_matches_keras(exported, trained_tiny_model):
    predictor = Predictor(exported.tflite)
    for seed in range(5):
        closes = make_prices(60, seed=seed)["close"].to_numpy()
        np.testing.assert_allclose(
            predictor.predict_closes(closes),
            trained_tiny_model.predict_closes(closes),
            rtol=1e-5,
        )


def test_forecast_is_dated_after_the_last_close(exported):
    closes = make_prices(30)["close"].to_numpy()
    forecast = Predictor(exported.tflite).forecast(
        closes, dt.date(2026, 10, 2), ticker="AAPL", calendar="B"
    )
    assert forecast.dates[0] == dt.date(2026, 10, 5)  # Friday -> Monday on a trading calendar
    assert len(forecast.values) == 7
    assert forecast.last_close == closes[-1]
    first = forecast.to_dict()["result"][0]
    assert (first["date"], first["prediction"]) == ("2026-10-05", forecast.values[0])


@pytest.mark.parametrize(
    ("closes", "message"),
    [
        ([1.0] * 5, "need at least 14 daily closes"),
        ([1.0] * 13 + [float("nan")], "finite"),
        ([1.0] * 13 + [-1.0], "positive"),
        (["a"] * 14, "list of numbers"),
        ([[1.0] * 14], "flat list"),
    ],
)
def test_predictor_rejects_bad_closes(exported, closes, message):
    with pytest.raises(PredictionError, match=message):
        Predictor(exported.tflite).predict_closes(closes)


def test_predictor_refuses_a_corrupt_model():
    with pytest.raises(ModelError, match=r"not a usable \.tflite"):
        Predictor(b"\x00" * 64)


def test_predictor_refuses_an_unknown_arch(exported):
    """The arch comes from a manifest: a name we cannot shape inputs for must not serve."""
    with pytest.raises(ModelError, match="unknown arch 'huge'"):
        Predictor(exported.tflite, arch="huge")


def test_predictor_import_does_not_import_tensorflow(exported, tmp_path):
    model = tmp_path / "m.tflite"
    model.write_bytes(exported.tflite)
    code = (
        "import sys, numpy as np\n"
        "from cryptonic.forecast.predictor import Predictor\n"
        f"p = Predictor(open({str(model)!r}, 'rb').read())\n"
        "print(p.predict_closes(np.linspace(100, 120, 30))[0])\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'pandas') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip().splitlines()[-1]) > 0


def test_a_quantile_model_forecasts_its_calibrated_interval(exported, trained_tiny_model):
    predictor = Predictor(exported.tflite)
    assert predictor.quantiles == (0.1, 0.5, 0.9)  # read from the file's metadata
    assert predictor.interval_level == pytest.approx(0.8)
    closes = make_prices(60, seed=2)["close"].to_numpy()
    prices = predictor.predict_quantile_closes(closes)
    relative = trained_tiny_model.predict_quantiles(closes, [59])[0]
    np.testing.assert_allclose(prices, closes[-1] * (1 + relative), rtol=1e-5)
    forecast = predictor.forecast(closes, dt.date(2026, 10, 5), ticker="BTC-USD")
    np.testing.assert_allclose(forecast.values, prices[:, 1])
    np.testing.assert_allclose(forecast.lower, prices[:, 0])
    np.testing.assert_allclose(forecast.upper, prices[:, 2])
    assert forecast.interval_level == pytest.approx(0.8)
    item = forecast.to_dict()["result"][0]
    assert item["lower"] <= item["prediction"] <= item["upper"]


def test_levels_come_from_the_caller_before_the_file(exported):
    from cryptonic.forecast.tflite_metadata import with_metadata

    told = Predictor(exported.tflite, quantiles=[0.05, 0.5, 0.95])
    assert told.interval_level == pytest.approx(0.9)
    # a file without our record: the default levels for 3 outputs
    bare = with_metadata(exported.tflite, {"quantiles": None})
    assert Predictor(bare).quantiles == (0.1, 0.5, 0.9)
    with pytest.raises(ModelError, match="5 quantiles given"):
        Predictor(exported.tflite, quantiles=[0.1, 0.25, 0.5, 0.75, 0.9])
    with pytest.raises(ModelError, match=r"quantiles given: .* include the median"):
        Predictor(exported.tflite, quantiles=[0.1, 0.4, 0.9])


def test_a_point_model_forecasts_without_a_band(trained_point_model):
    from cryptonic.training.model.export import export_tflite

    point = trained_point_model
    closes = make_prices(300)["close"].to_numpy()
    predictor = Predictor(export_tflite(point, closes, windows=8).tflite)
    assert predictor.quantiles is None
    assert predictor.interval_level is None
    forecast = predictor.forecast(closes, dt.date(2026, 10, 5), ticker="BTC-USD")
    assert forecast.lower is None
    assert forecast.upper is None
    assert forecast.interval_level is None
    assert forecast.to_dict()["result"][0]["lower"] is None
    np.testing.assert_allclose(forecast.values, point.predict_closes(closes), rtol=1e-5)
    with pytest.raises(ModelError, match="points, not quantiles"):
        predictor.predict_quantile_closes(closes)
