"""A retrain with the tuning knobs set (issue 16): the manifest records them, and
TENSORBOARD_DIR gets one run per fit of the retrain."""

from __future__ import annotations

import pytest

from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.registry.registry import Registry
from cryptonic.training.model.spec import ModelSpec

pytestmark = pytest.mark.slow


def test_retrain_records_its_knobs_and_writes_tensorboard_runs(
    make_settings, local_store, tmp_path
):
    board = tmp_path / "tb"
    settings = make_settings(
        local_store.uri,
        epochs=1,
        lstm_units=4,
        lstm_layers=2,
        dropout=0.1,
        l2=1e-4,
        optimizer="rmsprop",
        tensorboard_dir=str(board),
    )
    result = retrain(settings, local_store, "BTC-USD")
    assert result.ok, result.error
    manifest = Registry(local_store).manifest("BTC-USD", result.version)
    assert manifest.config is not None
    model = manifest.config.model
    assert (model["units"], model["lstm_layers"], model["dropout"]) == (4, 2, 0.1)
    assert (model["l2"], model["optimizer"], model["activation"]) == (1e-4, "rmsprop", "tanh")
    assert ModelSpec.from_dict(model) == ModelSpec.from_settings(settings)
    [run] = list(board.iterdir())
    assert run.name.startswith("retrain-BTC-USD-")
    fits = {p.relative_to(run).parts[:2] for p in run.rglob("events.out.tfevents.*")}
    assert fits == {
        ("backtest", "train"),
        ("backtest", "validation"),
        ("final", "train"),
        ("final", "validation"),
    }
