"""Keras -> .tflite export: the parity check that guards every publish."""

from __future__ import annotations

import pytest

from cryptonic.training.model.export import ExportError, export_tflite
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exported(trained_tiny_model):
    closes = make_prices(300)["close"].to_numpy()
    return export_tflite(trained_tiny_model, closes, windows=32)


def test_export_passes_parity(exported):
    assert exported.max_abs_diff <= 1e-5
    assert exported.windows_checked == 32
    assert exported.tflite[4:8] == b"TFL3"


def test_export_refuses_when_parity_fails(trained_tiny_model, monkeypatch):
    import cryptonic.training.model.export as export

    monkeypatch.setattr(export, "parity", lambda *a, **k: 1e-3)
    with pytest.raises(ExportError, match="refusing to publish"):
        export_tflite(trained_tiny_model, make_prices(100)["close"].to_numpy())


def test_parity_covers_every_quantile(exported, trained_tiny_model):
    from cryptonic.forecast.predictor import Predictor

    runtime = Predictor(exported.tflite)
    closes = make_prices(300)["close"].to_numpy()
    window = trained_tiny_model.inputs_at(closes, [299])
    out = runtime.run(window[0])
    assert out.shape == (7, 3)
    expected = trained_tiny_model.predict_quantiles(closes, [299])[0]
    assert abs(out - expected).max() <= 1e-5


def test_export_refuses_a_tflite_whose_levels_disagree_with_the_model(
    trained_tiny_model, monkeypatch
):
    import cryptonic.training.model.export as export
    from cryptonic.forecast.tflite_metadata import with_metadata

    real = export.convert_to_tflite
    monkeypatch.setattr(
        export,
        "convert_to_tflite",
        lambda model: with_metadata(real(model), {"quantiles": [0.2, 0.5, 0.8]}),
    )
    with pytest.raises(ExportError, match=r"the \.tflite says quantiles"):
        export_tflite(trained_tiny_model, make_prices(100)["close"].to_numpy())
