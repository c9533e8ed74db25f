"""A first model where there is none: what `cryptonic run` (`make run`) does before it serves."""

from __future__ import annotations

import pytest

from cryptonic.jobs.retrain.first_models import ensure_models
from cryptonic.registry.registry import Registry
from cryptonic.store.uri import open_store

pytestmark = pytest.mark.slow


def test_ensure_models_trains_only_when_there_is_no_model(make_settings, local_store_uri, capsys):
    settings = make_settings(local_store_uri)
    done = ensure_models(settings)
    assert "no model for BTC-USD" in capsys.readouterr().out
    assert done.trained is not None
    assert [r["outcome"] for r in done.trained["results"]] == ["promoted"]
    assert done.missing == []
    registry = Registry(open_store(local_store_uri))
    first = registry.champion("BTC-USD")
    assert first is not None
    again = ensure_models(settings)  # a second `make run` serves what exists
    assert (again.trained, again.missing) == (None, [])
    assert capsys.readouterr().out == ""
    assert registry.champion("BTC-USD").version == first.version
