"""template.yaml's model knobs (issue 16): each SAM parameter `cryptonic tune` prints in its
`--parameter-overrides` reaches the retrain function as the env name Settings reads, with the
same default and bounds, and nowhere else."""

from __future__ import annotations

import json
import typing

import pytest

from cryptonic.config import Settings
from cryptonic.training.tuning.space import KNOBS
from tests.fixtures.template import env_vars, load_template

SETTINGS_FIELD = {
    "LOOKBACK_WEEKS": "lookback_weeks",
    "LSTM_UNITS": "lstm_units",
    "LSTM_LAYERS": "lstm_layers",
    "ACTIVATION": "activation",
    "DROPOUT": "dropout",
    "RECURRENT_DROPOUT": "recurrent_dropout",
    "L1": "l1",
    "L2": "l2",
    "LEARNING_RATE": "learning_rate",
    "BATCH_SIZE": "batch_size",
    "OPTIMIZER": "optimizer",
    "EPOCHS": "epochs",
}


@pytest.fixture(scope="module")
def template():
    return load_template()


@pytest.mark.parametrize("knob", sorted(KNOBS))
def test_each_tuned_knob_is_a_retrain_parameter_with_the_settings_default_and_bounds(
    template, knob
):
    parameter, env_name = KNOBS[knob].sam, KNOBS[knob].env
    field = Settings.model_fields[SETTINGS_FIELD[env_name]]
    assert env_name in field.validation_alias.choices  # type: ignore[union-attr]
    spec = template["Parameters"][parameter]
    assert spec["Default"] == field.default
    args = typing.get_args(field.annotation)
    if spec["Type"] == "String":
        assert spec["AllowedValues"] == list(args)
    else:
        bounds = {type(m).__name__: m for m in field.metadata}
        if "Ge" in bounds:
            assert spec["MinValue"] == bounds["Ge"].ge
        else:  # above the bound: a value the settings refuse must not deploy
            assert spec["MinValue"] > bounds["Gt"].gt
        assert spec["MaxValue"] == bounds["Le"].le
    assert env_vars(template, "RetrainFunction")[env_name] == {"Ref": parameter}
    for name in ("PredictFunction", "RefreshFunction"):
        assert env_name not in env_vars(template, name), name
    groups = template["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    [data_and_model] = [g for g in groups if g["Label"]["default"] == "Data and model"]
    assert parameter in data_and_model["Parameters"]
    assert parameter in json.dumps(groups)
