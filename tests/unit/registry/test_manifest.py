"""The manifest and champion-pointer models: today's files load, round-trip, and bad ones fail."""

from __future__ import annotations

import json

import pytest

from cryptonic.errors import IntegrityError
from cryptonic.registry.keys import ARTIFACT_NAMES
from cryptonic.registry.manifest import Manifest
from tests.fixtures.paths import FIXTURES
from tests.fixtures.published import manifest_draft, manifest_of

FILES = FIXTURES / "manifests"


def test_a_manifest_written_by_release_0_1_loads_and_round_trips_byte_for_byte():
    raw = json.loads((FILES / "manifest-0.1.json").read_text())
    manifest = Manifest.parse(raw, "manifest-0.1.json")
    assert manifest.model.arch == "default"
    assert manifest.data.end is not None
    assert manifest.data.end.isoformat() == "2020-10-31"
    assert manifest.metrics is not None
    assert manifest.metrics.persistence is not None
    assert manifest.metrics.persistence.skill == 0.0
    assert manifest.gate is not None
    assert manifest.gate.promote is True
    assert set(manifest.artifacts) == set(ARTIFACT_NAMES)
    assert json.loads(manifest.to_json_bytes()) == raw


def test_unknown_keys_survive_a_round_trip():
    """A newer release may add sections; an older reader keeps them, it does not drop them."""
    manifest = manifest_of(manifest_draft(regime={"name": "calm", "width": 1.1}))
    again = Manifest.parse(json.loads(manifest.to_json_bytes()), "x")
    assert again.model_extra == {"regime": {"name": "calm", "width": 1.1}}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"version": "latest"}, "version"),
        ({"model": None}, "model"),
        ({"strategy": "sideways"}, "strategy"),
        ({"artifacts": {"model.tflite": {"sha256": "no", "bytes": 1}}}, "artifacts"),
    ],
)
def test_a_broken_manifest_names_what_is_wrong(change, field):
    raw = {**manifest_of().model_dump(mode="json"), **change}
    with pytest.raises(IntegrityError, match=rf"^s3://b/m is not a valid manifest: {field}"):
        Manifest.parse(raw, "s3://b/m")
