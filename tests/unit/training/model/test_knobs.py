"""The tuning knobs of ModelSpec (issue 16): defaults build the network of old, every knob
reaches the network, the manifest and the warm-start check, and the .tflite still matches."""

from __future__ import annotations

import pytest

from cryptonic.config import Settings
from cryptonic.errors import ModelError
from cryptonic.training.model.export import export_tflite
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec
from tests.fixtures.prices import make_prices

KNOBBED = ModelSpec(
    weeks=2,
    units=4,
    epochs=1,
    batch_size=32,
    lstm_layers=2,
    activation="relu",
    dropout=0.2,
    recurrent_dropout=0.1,
    l1=1e-5,
    l2=1e-3,
    optimizer="rmsprop",
    seed=3,
)


def _lstm_configs(network):
    return [layer.get_config() for layer in network.layers if type(layer).__name__ == "LSTM"]


def test_the_default_spec_builds_the_single_plain_lstm_of_before():
    network = Model(ModelSpec(weeks=2, units=4)).build()
    assert [layer.name for layer in network.layers] == ["weeks", "input_scale", "lstm", "quantiles"]
    [config] = _lstm_configs(network)
    assert config["activation"] == "tanh"
    assert config["dropout"] == 0.0
    assert config["recurrent_dropout"] == 0.0
    assert config["kernel_regularizer"] is None
    assert config["return_sequences"] is False
    assert type(network.optimizer).__name__ == "Adam"
    assert network.losses == []  # no penalty term


def test_the_book_network_is_unchanged_by_default():
    network = Model(ModelSpec(arch="book", weeks=3)).build()
    [config] = _lstm_configs(network)
    assert config["units"] == 7
    assert config["kernel_regularizer"] is None
    assert type(network.optimizer).__name__ == "RMSprop"


def test_every_knob_reaches_the_network():
    network = Model(KNOBBED).build()
    first, last = _lstm_configs(network)
    assert (first["name"], first["return_sequences"]) == ("lstm_1", True)
    assert (last["name"], last["return_sequences"]) == ("lstm", False)
    for config in (first, last):
        assert config["units"] == 4
        assert config["activation"] == "relu"
        assert config["dropout"] == pytest.approx(0.2)
        assert config["recurrent_dropout"] == pytest.approx(0.1)
        penalty = config["kernel_regularizer"]["config"]
        assert penalty == pytest.approx({"l1": 1e-5, "l2": 1e-3})
        assert config["recurrent_regularizer"]["config"] == penalty
    assert len(network.losses) == 4  # kernel and recurrent penalties of two layers
    assert type(network.optimizer).__name__ == "RMSprop"
    assert float(network.optimizer.learning_rate) == pytest.approx(3e-4)


@pytest.mark.parametrize(
    ("name", "optimizer"), [("adam", "Adam"), ("rmsprop", "RMSprop"), ("sgd", "SGD")]
)
def test_the_optimizer_is_the_one_named(name, optimizer):
    network = Model(ModelSpec(weeks=2, units=4, optimizer=name, learning_rate=1e-3)).build()
    assert type(network.optimizer).__name__ == optimizer
    assert float(network.optimizer.learning_rate) == pytest.approx(1e-3)


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


@pytest.mark.slow
def test_a_knobbed_model_trains_exports_and_reloads_with_its_knobs(tmp_path):
    closes = make_prices(150, seed=5)["close"].to_numpy()
    model = Model(KNOBBED)
    model.log_dir = tmp_path / "tb"
    report = model.train(closes, verbose=False)
    assert report.epochs_run == 1
    exported = export_tflite(model, closes)
    assert exported.max_abs_diff < 1e-5
    loaded = Model.from_keras_bytes(model.keras_bytes())
    assert loaded.spec.knobs() == KNOBBED.knobs()
    # A warm start under other knobs would train the saved network as it was built: refused.
    problem = loaded.spec.shape_mismatch(ModelSpec(weeks=2, units=4))
    assert problem is not None
    for knob in ("lstm_layers 2", "activation relu", "dropout 0.2", "l2 0.001", "optimizer"):
        assert knob in problem
    assert loaded.spec.shape_mismatch(KNOBBED) is None
    # TensorBoard: a train and a validation run, with events in each
    runs = {p.parent.name for p in (tmp_path / "tb").rglob("events.out.tfevents.*")}
    assert runs == {"train", "validation"}
