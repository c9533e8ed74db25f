"""The search space: the default space, ``--param`` overrides, the check of every value before
any fit, and how a knob's value is printed."""

from __future__ import annotations

import pytest

from cryptonic.errors import ConfigError
from cryptonic.training.model.spec import ModelSpec
from cryptonic.training.tuning.space import (
    DEFAULT_SPACE,
    KNOBS,
    checked_space,
    knob_text,
    longest_history,
    parse_space,
    spec_for,
)


def test_the_default_space_searches_every_knob_but_epochs_and_holds_each_default():
    space = parse_space([])
    assert list(space) == list(DEFAULT_SPACE)
    assert "epochs" not in space
    default = ModelSpec()
    for name, values in space.items():
        assert getattr(default, KNOBS[name].spec_field) in values, name


def test_param_overrides_are_typed_and_can_add_epochs():
    space = parse_space(["units=4, 8", "activation=relu", "epochs=5,10", "learning-rate=1e-3"])
    assert space["units"] == [4, 8]
    assert space["activation"] == ["relu"]
    assert space["epochs"] == [5, 10]
    assert space["learning_rate"] == [0.001]


@pytest.mark.parametrize("bad", ["units", "units=", "neurons=4", "units=four"])
def test_bad_param_overrides_say_how(bad):
    with pytest.raises(ConfigError, match="--param"):
        parse_space([bad])


def test_a_trials_spec_is_the_base_with_its_knobs_applied():
    spec = spec_for(ModelSpec(), {"lookback_weeks": 12, "l2": 1e-3, "optimizer": "rmsprop"})
    assert (spec.weeks, spec.l2, spec.optimizer) == (12, 1e-3, "rmsprop")
    assert spec.units == ModelSpec().units


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({}, "the search space is empty"),
        ({"units": []}, "--param units: no values"),
        ({"dropout": [0.1, 1.5]}, "--param dropout=1.5"),
    ],
)
def test_a_bad_space_fails_before_any_trial(space, message):
    with pytest.raises(ConfigError, match=message):
        checked_space(ModelSpec(), space)


def test_the_checked_space_is_lists_of_the_values_given():
    assert checked_space(ModelSpec(), {"units": (4, 8)}) == {"units": [4, 8]}


def test_the_longest_history_is_the_hungriest_choices():
    base = ModelSpec(weeks=2)
    assert longest_history(base, {"lookback_weeks": [2, 12], "units": [4]}) == (
        ModelSpec(weeks=12).min_training_closes
    )


def test_knob_values_print_in_their_shortest_form():
    assert [knob_text(v) for v in (1e-5, 0.001, 0.0, 64, "relu")] == [
        "1e-05",
        "0.001",
        "0",
        "64",
        "relu",
    ]
