"""How the challenger is trained: ``continue`` only from a champion of the same shape, else
``new`` saying why."""

from __future__ import annotations

from types import SimpleNamespace

from cryptonic.jobs.retrain.plan import ChampionWeights, TrainingPlan, plan_training
from cryptonic.training.model.spec import ModelSpec

SPEC = ModelSpec(weeks=2, units=4)


def weights(spec: ModelSpec | None) -> ChampionWeights:
    model = None if spec is None else SimpleNamespace(spec=spec)
    return ChampionWeights(b"keras", model, "" if spec else "cannot load: bad file")  # type: ignore[arg-type]


def test_new_is_new():
    assert plan_training("BTC-USD", "new", weights(SPEC), SPEC) == TrainingPlan("new")


def test_continue_starts_from_a_champion_of_the_same_shape():
    assert plan_training("BTC-USD", "continue", weights(SPEC), SPEC) == TrainingPlan(
        "continue", parent_keras=b"keras"
    )


def test_continue_falls_back_to_new_and_says_why():
    assert plan_training("BTC-USD", "continue", None, SPEC) == TrainingPlan(
        "new", "continue requested but no champion yet"
    )
    wider = plan_training("BTC-USD", "continue", weights(ModelSpec(weeks=3, units=4)), SPEC)
    assert wider.strategy == "new"
    assert wider.note.startswith("continue requested but the champion's shape differs: ")
    unreadable = plan_training("BTC-USD", "continue", weights(None), SPEC)
    assert unreadable == TrainingPlan(
        "new", "continue requested but the champion's shape differs: cannot load: bad file"
    )
