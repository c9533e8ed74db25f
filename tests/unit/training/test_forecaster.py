"""The forecaster contract: the baselines, the Keras model and the stored models all keep it, and
``quantiles_of`` tells a quantile forecaster from a point one."""

from __future__ import annotations

import pytest

from cryptonic.training.baselines.garch import Garch
from cryptonic.training.baselines.naive import Drift, Persistence
from cryptonic.training.forecaster import QuantileForecaster, quantiles_of
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec
from cryptonic.training.model.stored import FrozenModel, WarmStartModel
from tests.fixtures.models import TINY

FORECASTER_MEMBERS = ("name", "horizon", "min_history", "fit", "predict_relative")


@pytest.mark.parametrize(
    ("forecaster", "levels"),
    [
        (Persistence(), (0.1, 0.5, 0.9)),
        (Garch(quantiles=(0.05, 0.5, 0.95)), (0.05, 0.5, 0.95)),
        (Model(TINY), TINY.quantiles),
        (Model(ModelSpec(quantiles=())), ()),
        (Model(ModelSpec(arch="book")), ()),
        (FrozenModel(Model(TINY)), TINY.quantiles),
        (WarmStartModel(b"", TINY), TINY.quantiles),
    ],
    ids=["persistence", "garch", "default", "point", "book", "frozen", "warm-start"],
)
def test_every_quantile_forecaster_keeps_the_contract(forecaster, levels):
    assert isinstance(forecaster, QuantileForecaster)
    assert quantiles_of(forecaster) == levels
    assert forecaster.horizon == 7


def test_a_point_forecaster_has_no_quantiles():
    drift = Drift()
    assert all(hasattr(drift, member) for member in FORECASTER_MEMBERS)
    assert not isinstance(drift, QuantileForecaster)
    assert quantiles_of(drift) == ()
