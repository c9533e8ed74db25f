"""What ``cryptonic tune`` may search: the model's knobs, the choices the default search space
tries for each, ``--param NAME=v1,v2`` on top, and the spec a trial's choices make."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from cryptonic.errors import ConfigError, CryptonicError
from cryptonic.training.model.spec import ModelSpec

__all__ = [
    "DEFAULT_SPACE",
    "KNOBS",
    "Knob",
    "checked_space",
    "knob_text",
    "longest_history",
    "parse_space",
    "spec_for",
]


@dataclass(frozen=True)
class Knob:
    """One searchable parameter: its ModelSpec field, its env name and SAM parameter (what the
    best configuration is printed as) and the values the default search space tries."""

    spec_field: str
    env: str
    sam: str
    kind: type
    choices: tuple[Any, ...]


KNOBS: Final[dict[str, Knob]] = {
    "lookback_weeks": Knob("weeks", "LOOKBACK_WEEKS", "LookbackWeeks", int, (4, 8, 12, 16)),
    "units": Knob("units", "LSTM_UNITS", "LstmUnits", int, (16, 32, 64)),
    "lstm_layers": Knob("lstm_layers", "LSTM_LAYERS", "LstmLayers", int, (1, 2)),
    "activation": Knob("activation", "ACTIVATION", "Activation", str, ("tanh", "relu")),
    "dropout": Knob("dropout", "DROPOUT", "Dropout", float, (0.0, 0.1, 0.2)),
    "recurrent_dropout": Knob(
        "recurrent_dropout", "RECURRENT_DROPOUT", "RecurrentDropout", float, (0.0, 0.1)
    ),
    "l1": Knob("l1", "L1", "L1Penalty", float, (0.0, 1e-5)),
    "l2": Knob("l2", "L2", "L2Penalty", float, (0.0, 1e-4, 1e-3)),
    "learning_rate": Knob(
        "learning_rate", "LEARNING_RATE", "LearningRate", float, (1e-4, 3e-4, 1e-3)
    ),
    "batch_size": Knob("batch_size", "BATCH_SIZE", "BatchSize", int, (32, 64, 128)),
    "optimizer": Knob("optimizer", "OPTIMIZER", "Optimizer", str, ("adam", "rmsprop")),
    "epochs": Knob("epochs", "EPOCHS", "Epochs", int, (25, 50, 100)),
}
"""Every knob ``--param`` may name. ``epochs`` is not searched unless asked: with early stopping
it is a budget, and ``--epochs`` sets it for every trial."""
DEFAULT_SPACE: Final = tuple(name for name in KNOBS if name != "epochs")


def parse_space(
    overrides: Sequence[str], names: Sequence[str] = DEFAULT_SPACE
) -> dict[str, list[Any]]:
    """The search space: the default choices of ``names``, with ``NAME=v1,v2`` overrides on top
    (a single value fixes a knob; a knob outside ``names``, such as epochs, is added)."""
    space: dict[str, list[Any]] = {name: list(KNOBS[name].choices) for name in names}
    for item in overrides:
        name, sep, values = item.partition("=")
        name = name.strip().replace("-", "_").lower()
        if not sep or name not in KNOBS or not values.strip():
            raise ConfigError(
                f"--param {item!r}: use NAME=v1,v2,... with NAME one of {', '.join(KNOBS)}"
            )
        kind = KNOBS[name].kind
        try:
            space[name] = [kind(v.strip()) for v in values.split(",") if v.strip()]
        except ValueError as exc:
            raise ConfigError(f"--param {item!r}: {exc}") from exc
    return space


def spec_for(base: ModelSpec, params: Mapping[str, Any]) -> ModelSpec:
    """The base spec with a trial's parameters applied (names of KNOBS)."""
    return replace(base, **{KNOBS[name].spec_field: value for name, value in params.items()})


def checked_space(base: ModelSpec, space: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """The space as lists, every value tried on ``base`` first: a bad value fails here, once,
    rather than as trial after trial failing."""
    choices = {name: list(values) for name, values in space.items()}
    if not choices:
        raise ConfigError("the search space is empty")
    for name, options in choices.items():
        if not options:
            raise ConfigError(f"--param {name}: no values")
        for value in options:
            try:
                spec_for(base, {name: value})
            except CryptonicError as exc:
                raise ConfigError(f"--param {name}={value!r}: {exc}") from exc
    return choices


def longest_history(base: ModelSpec, choices: Mapping[str, Sequence[Any]]) -> int:
    """Closes the hungriest trial needs to fit: what must stand before the tuning window."""
    return max(spec_for(base, {n: v}).min_training_closes for n in choices for v in choices[n])


def knob_text(value: Any) -> str:
    """A knob's value as printed everywhere (env lines, SAM arguments, tables, plot ticks):
    floats in their shortest form, 1e-05 rather than 0.00001."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
