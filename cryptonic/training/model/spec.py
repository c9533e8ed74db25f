"""What defines a model and how it is trained: the spec each manifest records."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from cryptonic.config import (
    ACTIVATIONS,
    ARCHS,
    DEFAULT_QUANTILES,
    OPTIMIZERS,
    Activation,
    Arch,
    Optimizer,
    Settings,
    check_quantiles,
    is_arch,
)
from cryptonic.errors import ModelError
from cryptonic.forecast.windows import DAYS_PER_WEEK

__all__ = ["ModelSpec"]


@dataclass(frozen=True)
class ModelSpec:
    """Everything that defines a model and how it is trained (stored in each manifest)."""

    arch: Arch = "default"
    weeks: int = 8
    horizon: int = DAYS_PER_WEEK
    units: int = 32
    epochs: int = 100
    batch_size: int = 64
    patience: int = 10
    validation_fraction: float = 0.15
    learning_rate: float = 3e-4
    """Adam's step. 3e-4 rather than Keras' 1e-3: on BTC's last 52 and 104 weeks (seeds 1, 2) the
    quantile model's pinball skill rose from -0.015 / -0.020 to -0.011 / -0.003 and its MAPE did
    not get worse (3.80 / 3.50% against 3.80 / 3.55%)."""
    seed: int = 42
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES
    """Levels the default model forecasts; ``()`` a point model. The book arch is point only."""
    # The textbook's tuning knobs (issue 16). The defaults build exactly the network that was
    # published before they existed; ``cryptonic tune`` searches them.
    lstm_layers: int = 1
    """Stacked LSTM layers of ``units`` each (the book's: of 7)."""
    activation: Activation = "tanh"
    dropout: float = 0.0
    """Dropout of each LSTM layer's inputs, training only."""
    recurrent_dropout: float = 0.0
    """Dropout of each LSTM layer's recurrent state, training only."""
    l1: float = 0.0
    """L1 penalty on the LSTM kernels (input and recurrent)."""
    l2: float = 0.0
    """L2 penalty on the LSTM kernels (input and recurrent)."""
    optimizer: Optimizer = "adam"
    """The default architecture's optimizer; the book's is rmsprop whatever this says."""

    def __post_init__(self) -> None:
        if not is_arch(self.arch):
            raise ModelError(f"unknown arch {self.arch!r}: use {' or '.join(map(repr, ARCHS))}")
        if self.arch == "book":
            object.__setattr__(self, "quantiles", ())
        elif self.quantiles:
            try:
                object.__setattr__(self, "quantiles", check_quantiles(self.quantiles))
            except ValueError as exc:
                raise ModelError(str(exc)) from exc
        else:
            object.__setattr__(self, "quantiles", ())
        if self.horizon != DAYS_PER_WEEK:
            raise ModelError(f"the model forecasts one week: horizon must be 7, got {self.horizon}")
        if self.weeks < 1 or self.units < 1 or self.epochs < 1:
            raise ModelError("weeks, units and epochs must be positive")
        if not 0.0 <= self.validation_fraction < 0.5:
            raise ModelError("validation_fraction must be in [0, 0.5)")
        if self.lstm_layers < 1 or self.batch_size < 1 or not self.learning_rate > 0:
            raise ModelError("lstm_layers, batch_size and learning_rate must be positive")
        if not (0.0 <= self.dropout < 1.0 and 0.0 <= self.recurrent_dropout < 1.0):
            raise ModelError("dropout and recurrent_dropout must be in [0, 1)")
        if self.l1 < 0 or self.l2 < 0:
            raise ModelError("the L1 and L2 penalties cannot be negative")
        if self.activation not in ACTIVATIONS:
            raise ModelError(f"unknown activation {self.activation!r}: use one of {ACTIVATIONS}")
        if self.optimizer not in OPTIMIZERS:
            raise ModelError(f"unknown optimizer {self.optimizer!r}: use one of {OPTIMIZERS}")

    @property
    def lookback(self) -> int:
        """Closes read at each origin (inclusive of the origin)."""
        return self.weeks * DAYS_PER_WEEK

    @property
    def interval_level(self) -> float | None:
        """Nominal coverage of [lowest, highest] quantile; None for a point model."""
        if not self.quantiles:
            return None
        return round(self.quantiles[-1] - self.quantiles[0], 12)

    @property
    def median_index(self) -> int:
        return self.quantiles.index(0.5) if self.quantiles else 0

    @property
    def min_training_closes(self) -> int:
        """Closes a fit needs: the book one sample (N+1 weeks), ours a few dozen windows."""
        if self.arch == "book":
            return (self.weeks + 1) * DAYS_PER_WEEK
        return self.lookback + self.horizon + 60

    def shape_mismatch(self, wanted: ModelSpec) -> str | None:
        """Why a saved model of this spec cannot warm-start ``wanted`` (None: it can).

        The layers, activation, dropouts, penalties and optimizer count too: a warm start trains
        the saved network as it was built, so continuing it under other knobs would publish a
        manifest that describes a network nobody trained."""
        mine = (self.arch, self.weeks, self.units, self.quantiles)
        if mine != (wanted.arch, wanted.weeks, wanted.units, wanted.quantiles):
            return (
                f"saved model is {self.arch} with {self.weeks} weeks x {self.units} units"
                f"{_outputs(self.quantiles)}; asked for {wanted.arch} with {wanted.weeks} weeks x "
                f"{wanted.units} units{_outputs(wanted.quantiles)}"
            )
        knobs = [
            f"{name} {mine_value} (asked {wanted_value})"
            for name, mine_value, wanted_value in (
                (name, self.knobs()[name], wanted.knobs()[name]) for name in self.knobs()
            )
            if mine_value != wanted_value
        ]
        if self.arch == "book":  # the book's optimizer is fixed
            knobs = [k for k in knobs if not k.startswith("optimizer ")]
        return f"saved model has {', '.join(knobs)}" if knobs else None

    def knobs(self) -> dict[str, Any]:
        """The tuning knobs baked into a built network (floats rounded: Keras keeps float32)."""
        return {
            "lstm_layers": self.lstm_layers,
            "activation": self.activation,
            "dropout": round(self.dropout, 6),
            "recurrent_dropout": round(self.recurrent_dropout, 6),
            "l1": round(self.l1, 9),
            "l2": round(self.l2, 9),
            "optimizer": self.optimizer,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (lists, not tuples), so a config read back from a manifest compares equal."""
        data = asdict(self)
        data["quantiles"] = list(self.quantiles)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if "quantiles" in known:
            known["quantiles"] = tuple(known["quantiles"] or ())
        return cls(**known)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ModelSpec:
        """The spec the settings ask for (book arch reads BOOK_WEEKS, default LOOKBACK_WEEKS)."""
        weeks = settings.book_weeks if settings.arch == "book" else settings.lookback_weeks
        spec = cls(
            arch=settings.arch,
            weeks=weeks,
            epochs=settings.epochs,
            seed=settings.seed,
            quantiles=settings.quantiles,
            units=settings.lstm_units,
            batch_size=settings.batch_size,
            learning_rate=settings.learning_rate,
            lstm_layers=settings.lstm_layers,
            activation=settings.activation,
            dropout=settings.dropout,
            recurrent_dropout=settings.recurrent_dropout,
            l1=settings.l1,
            l2=settings.l2,
            optimizer=settings.optimizer,
        )
        return replace(spec, **overrides)


def _outputs(quantiles: tuple[float, ...]) -> str:
    return f", quantiles {list(quantiles)}" if quantiles else ", point output"
