"""The Keras forecaster: what a fit trains on, how it stops, calibrates and warm-starts, and what
it predicts."""

from __future__ import annotations

import numpy as np
import pytest

from cryptonic.errors import DataError, ModelError
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec
from tests.fixtures.models import (
    KNOBBED,
    TINY,
    TINY_POINT,
    knobbed_closes,
    tiny_closes,
    tiny_model,
)
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warm_started(tmp_path_factory, trained_tiny_model):
    """The shared tiny model as the continue strategy finds it (saved, then loaded), given a
    stale, absurd calibration, then trained one more epoch on other closes: (the model, its
    weights as loaded, the fit's report)."""
    path = trained_tiny_model.save(tmp_path_factory.mktemp("warm") / "model.keras")
    model = Model.load(path, TINY)
    before = [w.copy() for w in model.network.get_weights()]
    model.network.get_layer("quantiles").set_spread_scale(np.full(7, 7.0))
    report = model.train(make_prices(300, seed=5)["close"].to_numpy(), warm_start=True, epochs=1)
    return model, before, report


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


def test_same_seed_same_weights(trained_tiny_model):
    closes = tiny_closes()
    again = tiny_model(closes)
    np.testing.assert_allclose(
        again.predict_closes(closes), trained_tiny_model.predict_closes(closes), rtol=1e-6
    )


def test_continue_strategy_warm_starts_from_saved_weights(warm_started):
    model, before, report = warm_started
    assert report.warm_start
    after = model.network.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))
    # a warm start moves from the old weights, not from a fresh zero-median network
    head = model.network.get_layer("quantiles")
    assert not np.allclose(np.asarray(head.median_kernel), 0.0)


def test_warm_start_recalibrates_from_raw_quantiles(warm_started):
    model, _, _ = warm_started
    head = model.network.get_layer("quantiles")
    assert model.calibration is not None
    np.testing.assert_allclose(head.get_spread_scale(), model.calibration.factors, rtol=1e-6)
    assert max(model.calibration.factors) < 7.0


def test_too_little_history_is_a_data_error():
    with pytest.raises(DataError, match="needs at least"):
        Model(TINY).train(np.linspace(1, 2, 20))


def test_an_untrained_model_cannot_predict_or_be_saved(tmp_path):
    model = Model(TINY)
    closes = tiny_closes()
    with pytest.raises(ModelError, match="not trained"):
        model.predict_closes(closes)
    with pytest.raises(ModelError, match="not trained"):
        model.save(tmp_path / "model.keras")
    with pytest.raises(DataError, match="need the last 14 closes"):
        model.predict_closes(closes[:5])


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


def test_calibration_windows_never_overlap_a_training_target(trained_tiny_model):
    """Training windows stop a full horizon before the first validation (calibration) window."""
    x, _ = trained_tiny_model.training_set(tiny_closes())
    report = trained_tiny_model.report
    assert report is not None
    assert report.samples + TINY.horizon + report.validation_samples == len(x)


def test_point_default_model_is_todays_model(trained_point_model):
    closes = tiny_closes()
    assert trained_point_model.calibration is None
    assert trained_point_model.predict_relative(closes, [299]).shape == (1, 7)
    with pytest.raises(ModelError, match="forecasts points"):
        trained_point_model.predict_quantiles(closes, [299])


def test_point_model_stops_early_and_keeps_its_best_epoch(trained_point_model):
    """The point model (QUANTILES=()) keeps the validation tail's early stopping: it serves the
    weights of its best epoch, not of its last."""
    report = trained_point_model.report
    assert report is not None
    assert report.val_loss is not None
    x, y = trained_point_model.training_set(tiny_closes())
    x_val, y_val = x[-report.validation_samples :], y[-report.validation_samples :]
    served = float(trained_point_model.network.evaluate(x_val, y_val, verbose=0))
    assert served == pytest.approx(report.val_loss, rel=1e-4)
    assert report.best_epoch <= report.epochs_run <= TINY_POINT.epochs


def test_a_knobbed_model_trains_and_logs_to_tensorboard(trained_knobbed_model, knobbed_log_dir):
    report = trained_knobbed_model.report
    assert report is not None
    assert report.epochs_run == KNOBBED.epochs == 1
    assert report.samples + KNOBBED.horizon + report.validation_samples == len(
        trained_knobbed_model.training_set(knobbed_closes())[0]
    )
    # TensorBoard: a train and a validation run, with events in each
    runs = {p.parent.name for p in knobbed_log_dir.rglob("events.out.tfevents.*")}
    assert runs == {"train", "validation"}
