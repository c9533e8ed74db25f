"""Saved networks: the ``.keras`` file and its bytes round trip, and the spec read back from a
saved network refuses a warm start under another shape or other knobs."""

from __future__ import annotations

import numpy as np
import pytest

from cryptonic.errors import ModelError
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.saved import save_network
from cryptonic.training.model.spec import ModelSpec
from tests.fixtures.models import KNOBBED, TINY
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow


def test_save_load_round_trip_and_shape_check(tmp_path, trained_tiny_model):
    path = trained_tiny_model.save(tmp_path / "model.keras")
    closes = make_prices(120, seed=3)["close"].to_numpy()
    loaded = Model.load(path)
    assert loaded.spec.weeks == TINY.weeks
    assert loaded.spec.arch == "default"
    np.testing.assert_allclose(
        loaded.predict_closes(closes), trained_tiny_model.predict_closes(closes), rtol=1e-6
    )
    assert loaded.spec.quantiles == TINY.quantiles
    with pytest.raises(ModelError, match="asked for default with 3 weeks"):
        Model.load(path, ModelSpec(weeks=3, units=4))
    with pytest.raises(ModelError, match=r"quantiles \[0.05, 0.5, 0.95\]"):
        Model.load(path, ModelSpec(weeks=2, units=4, quantiles=(0.05, 0.5, 0.95)))


def test_keras_bytes_round_trip_keeps_the_forecast(trained_tiny_model):
    closes = make_prices(120, seed=3)["close"].to_numpy()
    loaded = Model.from_keras_bytes(trained_tiny_model.keras_bytes(), TINY)
    assert loaded.spec == TINY
    np.testing.assert_allclose(
        loaded.predict_closes(closes), trained_tiny_model.predict_closes(closes), rtol=1e-6
    )
    with pytest.raises(ModelError, match="cannot load model"):
        Model.from_keras_bytes(b"not a zip")


def test_load_refuses_garbage(tmp_path):
    bad = tmp_path / "model.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="cannot load model"):
        Model.load(bad)


def test_model_files_end_in_keras(tmp_path, trained_tiny_model):
    with pytest.raises(ModelError, match=r"end in \.keras"):
        save_network(trained_tiny_model.network, tmp_path / "model.h5")


def test_a_point_model_round_trips_as_a_point_model(tmp_path, trained_point_model):
    loaded = Model.load(trained_point_model.save(tmp_path / "point.keras"))
    assert loaded.spec.quantiles == ()
    assert "point output" in (loaded.spec.shape_mismatch(TINY) or "")


def test_a_knobbed_model_reloads_with_its_knobs(trained_knobbed_model):
    loaded = Model.from_keras_bytes(trained_knobbed_model.keras_bytes())
    assert loaded.spec.knobs() == KNOBBED.knobs()
    # A warm start under other knobs would train the saved network as it was built: refused.
    problem = loaded.spec.shape_mismatch(ModelSpec(weeks=2, units=4))
    assert problem is not None
    for knob in ("lstm_layers 2", "activation relu", "dropout 0.2", "l2 0.001", "optimizer"):
        assert knob in problem
    assert loaded.spec.shape_mismatch(KNOBBED) is None
    with pytest.raises(ModelError, match="lstm_layers 2"):
        Model.from_keras_bytes(trained_knobbed_model.keras_bytes(), ModelSpec(weeks=2, units=4))
