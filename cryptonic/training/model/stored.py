"""Stored Keras models as backtest forecasters, for the retrain's comparison of challenger and
champion on the same origins.

* ``FrozenModel``: the champion scored as it serves; fitting it would judge a model that never
  served.
* ``WarmStartModel``: the ``continue`` strategy's challenger. Each fit starts again from the
  parent's weights, so the backtest scores what continuing from the champion would give, its
  interval recalibrated after the fit as the published model's will be (Model.train does both).

Both forecast quantiles when their model does (``quantiles`` empty otherwise: a point champion
published before intervals existed).
"""

from __future__ import annotations

from pathlib import Path

import numpy.typing as npt

from cryptonic.forecast.windows import DAYS_PER_WEEK, FloatArray
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec


class FrozenModel:
    """A trained model whose ``fit`` is a no-op."""

    horizon = DAYS_PER_WEEK

    def __init__(self, model: Model, name: str = "champion") -> None:
        self.model, self.name = model, name

    @property
    def min_history(self) -> int:
        return self.model.min_history

    def fit(self, closes: FloatArray) -> None:
        """Already trained: the champion is judged as it serves."""

    @property
    def quantiles(self) -> tuple[float, ...]:
        return self.model.quantiles

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        return self.model.predict_relative(closes, origins)

    def predict_quantiles(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        return self.model.predict_quantiles(closes, origins)


class WarmStartModel:
    """A model of ``spec`` whose every ``fit`` continues training from the parent's weights."""

    horizon = DAYS_PER_WEEK

    def __init__(self, parent_keras: bytes, spec: ModelSpec) -> None:
        self.parent_keras, self.spec = parent_keras, spec
        self.model: Model | None = None
        self.log_dir: Path | None = None
        """Set: the fit writes TensorBoard logs there (see Model.log_dir)."""

    @property
    def name(self) -> str:
        """The challenger's row in the report is its arch, whichever strategy trained it."""
        return self.spec.arch

    @property
    def min_history(self) -> int:
        return self.spec.lookback

    def fit(self, closes: FloatArray) -> None:
        self.model = Model.from_keras_bytes(self.parent_keras, self.spec)
        self.model.log_dir = self.log_dir
        self.model.train(closes, warm_start=True)

    @property
    def quantiles(self) -> tuple[float, ...]:
        return self.spec.quantiles

    def _fitted(self) -> Model:
        if self.model is None:
            raise RuntimeError("WarmStartModel.predict_relative before fit")
        return self.model

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        return self._fitted().predict_relative(closes, origins)

    def predict_quantiles(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        return self._fitted().predict_quantiles(closes, origins)
