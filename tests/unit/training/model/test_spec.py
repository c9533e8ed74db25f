"""ModelSpec: what it refuses, how it round-trips through a manifest's config, and the spec the
settings (env) ask for."""

from __future__ import annotations

import pytest

from cryptonic.config import Settings
from cryptonic.errors import ModelError
from cryptonic.training.model.spec import ModelSpec
from tests.fixtures.models import KNOBBED


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"arch": "huge"}, "unknown arch"), ({"horizon": 5}, "horizon must be 7")],
)
def test_bad_specs_are_refused(kwargs, message):
    with pytest.raises(ModelError, match=message):
        ModelSpec(**kwargs)


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


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lstm_layers": 0},
        {"dropout": 1.0},
        {"recurrent_dropout": -0.1},
        {"l1": -1e-3},
        {"l2": -1.0},
        {"activation": "softmax"},
        {"optimizer": "adagrad"},
        {"learning_rate": 0.0},
        {"batch_size": 0},
    ],
)
def test_bad_knobs_are_refused(kwargs):
    with pytest.raises(ModelError):
        ModelSpec(**kwargs)


def test_knobs_round_trip_through_the_manifest_config_and_old_configs_mean_the_defaults():
    data = KNOBBED.to_dict()
    assert {k: data[k] for k in ("lstm_layers", "activation", "dropout", "optimizer")} == {
        "lstm_layers": 2,
        "activation": "relu",
        "dropout": 0.2,
        "optimizer": "rmsprop",
    }
    assert ModelSpec.from_dict(data) == KNOBBED
    old = {"arch": "default", "weeks": 2, "units": 32, "learning_rate": 0.001}  # release 0.1
    spec = ModelSpec.from_dict(old)
    assert (spec.lstm_layers, spec.dropout, spec.l2, spec.activation) == (1, 0.0, 0.0, "tanh")


def test_a_book_model_ignores_the_optimizer_knob_in_the_warm_start_check():
    saved = ModelSpec(arch="book", weeks=3)
    assert saved.shape_mismatch(ModelSpec(arch="book", weeks=3, optimizer="sgd")) is None
    assert "dropout 0.0 (asked 0.1)" in (
        saved.shape_mismatch(ModelSpec(arch="book", weeks=3, dropout=0.1)) or ""
    )


def test_settings_defaults_are_the_specs_and_env_sets_every_knob(monkeypatch):
    assert ModelSpec.from_settings(Settings()) == ModelSpec()
    env = {
        "LSTM_UNITS": "16",
        "LSTM_LAYERS": "2",
        "ACTIVATION": "elu",
        "DROPOUT": "0.1",
        "RECURRENT_DROPOUT": "0.05",
        "L1": "0.0001",
        "L2": "0.001",
        "LEARNING_RATE": "0.001",
        "BATCH_SIZE": "128",
        "OPTIMIZER": "sgd",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    spec = ModelSpec.from_settings(Settings())
    assert (spec.units, spec.lstm_layers, spec.activation) == (16, 2, "elu")
    assert (spec.dropout, spec.recurrent_dropout, spec.l1, spec.l2) == (0.1, 0.05, 1e-4, 1e-3)
    assert (spec.learning_rate, spec.batch_size, spec.optimizer) == (1e-3, 128, "sgd")


def test_settings_refuse_knobs_out_of_range(monkeypatch):
    monkeypatch.setenv("DROPOUT", "0.95")
    with pytest.raises(ValueError, match="DROPOUT"):
        Settings()
