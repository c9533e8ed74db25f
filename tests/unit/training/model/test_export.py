"""Keras -> .tflite export: the parity check that guards every publish."""

from __future__ import annotations

import pytest

from cryptonic.training.model.export import ExportError, export_tflite
from tests.fixtures.models import EXPORT_WINDOWS, knobbed_closes, tiny_closes
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow


def test_export_passes_parity(exported_tiny_model):
    assert exported_tiny_model.max_abs_diff <= 1e-5
    assert exported_tiny_model.windows_checked == EXPORT_WINDOWS
    assert exported_tiny_model.tflite[4:8] == b"TFL3"


def test_export_refuses_when_parity_fails(exported_tiny_model, trained_tiny_model, monkeypatch):
    import cryptonic.training.model.export as export

    # The conversion is not what is tested here: the shared model's is reused.
    monkeypatch.setattr(export, "convert_to_tflite", lambda model: exported_tiny_model.tflite)
    monkeypatch.setattr(export, "parity", lambda *a, **k: 1e-3)
    with pytest.raises(ExportError, match="refusing to publish"):
        export_tflite(trained_tiny_model, make_prices(100)["close"].to_numpy())


def test_parity_covers_every_quantile(exported_tiny_model, trained_tiny_model):
    from cryptonic.forecast.predictor import Predictor

    runtime = Predictor(exported_tiny_model.tflite)
    closes = tiny_closes()
    window = trained_tiny_model.inputs_at(closes, [299])
    out = runtime.run(window[0])
    assert out.shape == (7, 3)
    expected = trained_tiny_model.predict_quantiles(closes, [299])[0]
    assert abs(out - expected).max() <= 1e-5


def test_export_refuses_a_tflite_whose_levels_disagree_with_the_model(
    exported_tiny_model, trained_tiny_model, monkeypatch
):
    import cryptonic.training.model.export as export
    from cryptonic.forecast.tflite_metadata import with_metadata

    wrong = with_metadata(exported_tiny_model.tflite, {"quantiles": [0.2, 0.5, 0.8]})
    monkeypatch.setattr(export, "convert_to_tflite", lambda model: wrong)
    with pytest.raises(ExportError, match=r"the \.tflite says quantiles"):
        export_tflite(trained_tiny_model, make_prices(100)["close"].to_numpy())


def test_a_knobbed_model_exports_with_parity(trained_knobbed_model):
    exported = export_tflite(trained_knobbed_model, knobbed_closes())
    assert exported.max_abs_diff < 1e-5
