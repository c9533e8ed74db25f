"""How the challenger is trained: from scratch (``new``) or from the champion's weights
(``continue``), which falls back to ``new``, saying why, when there is no champion or its shape
differs from the one configured now."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cryptonic.config import Strategy
from cryptonic.errors import ModelError
from cryptonic.registry.keys import MODEL_KERAS
from cryptonic.registry.manifest import Manifest
from cryptonic.registry.registry import Registry
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec

log = logging.getLogger("cryptonic.pipeline")


@dataclass(frozen=True)
class ChampionWeights:
    """The champion's ``.keras``, read and verified once for both the backtest and a warm start.

    ``model`` is None when Keras cannot load it (``problem`` says why): it is then neither
    backtested nor continued from, and the run goes on without it rather than failing.
    """

    keras: bytes
    model: Model | None
    problem: str = ""


@dataclass(frozen=True)
class TrainingPlan:
    """The strategy really used (``continue`` falls back to ``new``, and ``note`` says why), and
    the weights a warm start begins from."""

    strategy: Strategy
    note: str = ""
    parent_keras: bytes | None = None


def champion_weights(registry: Registry, champion: Manifest | None) -> ChampionWeights | None:
    """The champion's weights (None: no champion); a model Keras cannot load is reported."""
    if champion is None:
        return None
    data = registry.load_artifact(champion.ticker, champion.version, MODEL_KERAS, manifest=champion)
    try:
        return ChampionWeights(data, Model.from_keras_bytes(data))
    except ModelError as exc:
        log.warning("champion %s cannot be backtested: %s", champion.version, exc)
        return ChampionWeights(data, None, str(exc))


def plan_training(
    ticker: str, requested: Strategy, weights: ChampionWeights | None, spec: ModelSpec
) -> TrainingPlan:
    """The strategy asked for, or ``new`` with the reason when ``continue`` cannot be done."""
    if requested != "continue":
        return TrainingPlan(requested)
    if weights is None:
        return TrainingPlan("new", "continue requested but no champion yet")
    model = weights.model
    problem = weights.problem if model is None else model.spec.shape_mismatch(spec)
    if problem:
        note = f"continue requested but the champion's shape differs: {problem}"
        log.info("%s: %s", ticker, note)
        return TrainingPlan("new", note)
    return TrainingPlan("continue", parent_keras=weights.keras)
