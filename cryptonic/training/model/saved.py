"""Saved networks: the Keras 3 ``.keras`` file, its bytes (what the registry stores), and the
spec read back from a saved network.

A ``.keras`` file holds the weights, the architecture and the optimizer state (warm starts need
it). It does not hold our ModelSpec, so the spec is read back from the network itself: its input
shape, its ``lstm`` layer, its quantile head and its optimizer. That is what lets a warm start
under other knobs be refused rather than silently trained as saved (ModelSpec.shape_mismatch).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from cryptonic.config import ACTIVATIONS, OPTIMIZERS, Arch
from cryptonic.errors import ModelError
from cryptonic.training.model.networks import BOOK_NAME, keras_with_our_layers
from cryptonic.training.model.spec import ModelSpec

__all__ = ["network_bytes", "read_network", "read_network_bytes", "save_network", "saved_spec"]


def save_network(network: Any, path: str | Path) -> Path:
    """Keras 3 ``.keras`` file (weights, architecture and optimizer state for warm starts)."""
    target = Path(path)
    if target.suffix != ".keras":
        raise ModelError(f"model files end in .keras, got {target.name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    network.save(target)
    return target


def network_bytes(network: Any) -> bytes:
    """The ``.keras`` file as bytes: what the registry stores (Keras only saves to paths)."""
    with tempfile.TemporaryDirectory(prefix="cryptonic-save-") as tmp:
        return save_network(network, Path(tmp) / "model.keras").read_bytes()


def read_network(path: str | Path) -> Any:
    """The network of a ``.keras`` file; a file Keras cannot load is a ModelError."""
    keras = keras_with_our_layers()
    source = Path(path)
    try:
        return keras.models.load_model(source)
    except Exception as exc:  # keras raises ValueError, OSError, zipfile errors...
        raise ModelError(f"cannot load model from {source}: {exc}") from exc


def read_network_bytes(data: bytes) -> Any:
    """The network of a stored ``.keras`` file's bytes (Keras only loads from paths)."""
    with tempfile.TemporaryDirectory(prefix="cryptonic-load-") as tmp:
        path = Path(tmp) / "model.keras"
        path.write_bytes(data)
        return read_network(path)


def saved_spec(network: Any, wanted: ModelSpec | None = None) -> ModelSpec:
    """The spec a loaded network was built with; ``wanted`` instead when given and the network
    can be trained as it (same shape and knobs), a ModelError saying why not otherwise."""
    arch: Arch = "book" if network.name == BOOK_NAME else "default"
    names = {layer.name for layer in network.layers}
    quantiles = tuple(network.get_layer("quantiles").quantiles) if "quantiles" in names else ()
    loaded = ModelSpec(
        arch=arch,
        weeks=int(network.input_shape[1]),
        units=int(network.get_layer("lstm").units),
        quantiles=quantiles,
        **_saved_knobs(network, arch),
    )
    if wanted is None:
        return loaded
    mismatch = loaded.shape_mismatch(wanted)
    if mismatch:
        raise ModelError(mismatch)
    return wanted


def _saved_knobs(network: Any, arch: Arch) -> dict[str, Any]:
    """The tuning knobs a loaded network was built with, read from its layers and optimizer, so
    that a warm start under other knobs is refused rather than silently trained as saved."""
    lstm = network.get_layer("lstm")
    layers = sum(1 for layer in network.layers if type(layer).__name__ == "LSTM")
    penalty = lstm.kernel_regularizer
    activation = getattr(lstm.activation, "__name__", "tanh")
    optimizer = type(network.optimizer).__name__.lower()
    knobs: dict[str, Any] = {
        "lstm_layers": layers,
        "activation": activation if activation in ACTIVATIONS else "tanh",
        "dropout": float(lstm.dropout),
        "recurrent_dropout": float(lstm.recurrent_dropout),
        "l1": float(getattr(penalty, "l1", 0.0)),
        "l2": float(getattr(penalty, "l2", 0.0)),
    }
    if arch == "default" and optimizer in OPTIMIZERS:
        knobs["optimizer"] = optimizer
    return knobs
