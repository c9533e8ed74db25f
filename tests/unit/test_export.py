"""Keras -> .tflite export: the parity check that guards every publish."""

from __future__ import annotations

import pytest

from cryptonic.export import ExportError, export_tflite
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
    import cryptonic.export as export

    monkeypatch.setattr(export, "parity", lambda *a, **k: 1e-3)
    with pytest.raises(ExportError, match="refusing to publish"):
        export_tflite(trained_tiny_model, make_prices(100)["close"].to_numpy())
