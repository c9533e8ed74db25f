from __future__ import annotations

import numpy as np
import pytest

from cryptonic.errors import DataError, ModelError
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec
from tests.fixtures.models import TINY, tiny_model
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow


def test_untrained_default_model_is_the_persistence_forecast():
    model = Model(TINY)
    model.build()
    closes = make_prices(100)["close"].to_numpy()
    np.testing.assert_allclose(model.predict_closes(closes), np.full(7, closes[-1]), rtol=1e-6)


def test_training_uses_many_windows_and_a_validation_tail(trained_tiny_model):
    report = trained_tiny_model.report
    assert report is not None
    assert report.samples > 200
    assert report.validation_samples > 30
    assert 1 <= report.best_epoch <= report.epochs_run <= TINY.epochs
    assert np.isfinite(report.loss)


def test_book_model_is_one_sample_of_n_weeks():
    spec = ModelSpec(arch="book", weeks=4, epochs=2)
    x, y = Model(spec).training_set(make_prices(100)["close"].to_numpy())
    assert x.shape == (1, 4, 7)
    assert y.shape == (1, 7)
    assert y[0, 0] == 0.0  # the target week is normalized to its own first close


def test_same_seed_same_weights():
    closes = make_prices(250)["close"].to_numpy()
    a = tiny_model(closes).predict_closes(closes)
    b = tiny_model(closes).predict_closes(closes)
    np.testing.assert_allclose(a, b, rtol=1e-6)


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


def test_continue_strategy_warm_starts_from_saved_weights(tmp_path, trained_tiny_model):
    path = trained_tiny_model.save(tmp_path / "model.keras")
    model = Model.load(path, TINY)
    before = [w.copy() for w in model.network.get_weights()]
    report = model.train(make_prices(300, seed=5)["close"].to_numpy(), warm_start=True, epochs=1)
    assert report.warm_start
    after = model.network.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))
    # a warm start moves from the old weights, not from a fresh zero-median network
    head = model.network.get_layer("quantiles")
    assert not np.allclose(np.asarray(head.median_kernel), 0.0)


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


def test_too_little_history_is_a_data_error():
    with pytest.raises(DataError, match="needs at least"):
        Model(TINY).train(np.linspace(1, 2, 20))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"arch": "huge"}, "unknown arch"), ({"horizon": 5}, "horizon must be 7")],
)
def test_bad_specs_are_refused(kwargs, message):
    with pytest.raises(ModelError, match=message):
        ModelSpec(**kwargs)


def test_default_model_forecasts_ordered_quantiles_with_the_median_as_its_point(
    trained_tiny_model,
):
    closes = make_prices(120, seed=3)["close"].to_numpy()
    q = trained_tiny_model.predict_quantiles(closes, [100, 119])
    assert q.shape == (2, 7, 3)
    assert (np.diff(q, axis=-1) >= 0).all()
    assert (q[..., 2] - q[..., 0] > 0).all()
    np.testing.assert_allclose(trained_tiny_model.predict_relative(closes, [100, 119]), q[..., 1])
    assert trained_tiny_model.spec.interval_level == pytest.approx(0.8)


def test_fit_calibrates_the_interval_on_its_validation_tail(trained_tiny_model):
    cal = trained_tiny_model.calibration
    report = trained_tiny_model.report
    assert cal is not None
    assert report is not None
    assert cal.windows == report.validation_samples
    assert cal.level == pytest.approx(0.8)
    assert len(cal.factors) == 7
    assert cal.coverage_after >= 0.8  # finite-sample conformal on its own windows
    head = trained_tiny_model.network.get_layer("quantiles")
    np.testing.assert_allclose(head.get_spread_scale(), cal.factors, rtol=1e-6)


def test_calibration_windows_never_overlap_a_training_target():
    """Training windows stop a full horizon before the first validation (calibration) window."""
    model = Model(TINY)
    closes = make_prices(300)["close"].to_numpy()
    x, _ = model.training_set(closes)
    report = model.train(closes, verbose=False)
    assert report.samples + TINY.horizon + report.validation_samples == len(x)


def test_warm_start_recalibrates_from_raw_quantiles(trained_tiny_model):
    model = Model.from_keras_bytes(trained_tiny_model.keras_bytes(), TINY)
    head = model.network.get_layer("quantiles")
    head.set_spread_scale(np.full(7, 7.0))  # a stale, absurd calibration
    model.train(make_prices(300, seed=5)["close"].to_numpy(), warm_start=True, epochs=1)
    assert model.calibration is not None
    np.testing.assert_allclose(head.get_spread_scale(), model.calibration.factors, rtol=1e-6)
    assert max(model.calibration.factors) < 7.0


def test_point_default_model_is_todays_model_and_round_trips(tmp_path):
    spec = ModelSpec(weeks=2, units=4, epochs=1, quantiles=())
    model = Model(spec)
    closes = make_prices(200)["close"].to_numpy()
    model.train(closes, verbose=False)
    assert model.calibration is None
    assert model.predict_relative(closes, [199]).shape == (1, 7)
    with pytest.raises(ModelError, match="forecasts points"):
        model.predict_quantiles(closes, [199])
    loaded = Model.load(model.save(tmp_path / "point.keras"))
    assert loaded.spec.quantiles == ()
    assert "point output" in (loaded.spec.shape_mismatch(TINY) or "")


def test_book_spec_is_point_only_and_specs_round_trip_through_json():
    assert ModelSpec(arch="book").quantiles == ()
    assert ModelSpec(arch="book").interval_level is None
    spec = ModelSpec(quantiles=(0.05, 0.25, 0.5, 0.75, 0.95))
    data = spec.to_dict()
    assert data["quantiles"] == [0.05, 0.25, 0.5, 0.75, 0.95]
    assert ModelSpec.from_dict(data) == spec
    assert ModelSpec.from_dict({"arch": "default"}).quantiles == (0.1, 0.5, 0.9)
    with pytest.raises(ModelError, match="median"):
        ModelSpec(quantiles=(0.1, 0.2, 0.8, 0.9))


def test_point_model_stops_early_and_keeps_its_best_epoch():
    """The point model (QUANTILES=()) keeps the validation tail's early stopping: it serves the
    weights of its best epoch, not of its last."""
    from dataclasses import replace

    spec = replace(TINY, quantiles=(), epochs=12, patience=1)
    closes = make_prices(300)["close"].to_numpy()
    model = Model(spec)
    model.train(closes, verbose=False)
    report = model.report
    assert report is not None
    assert report.val_loss is not None
    x, y = model.training_set(closes)
    x_val, y_val = x[-report.validation_samples :], y[-report.validation_samples :]
    served = float(model.network.evaluate(x_val, y_val, verbose=0))
    assert served == pytest.approx(report.val_loss, rel=1e-4)
    assert report.best_epoch <= report.epochs_run
