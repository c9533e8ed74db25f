"""The champion pointer's one type: its stored JSON, the ETag beside it, what it refuses."""

from __future__ import annotations

import json

import pytest

from cryptonic.errors import IntegrityError
from cryptonic.registry.champion import ChampionPointer, Promotion
from tests.fixtures.paths import FIXTURES


def test_pointer_json_round_trip() -> None:
    v1, v2 = "20261116T000000Z-aaaaaaa", "20261123T000000Z-bbbbbbb"
    pointer = ChampionPointer(
        ticker="BTC-USD",
        version=v2,
        promoted_at="2026-11-23T00:00:00Z",
        history=(Promotion(version=v1, promoted_at="2026-11-16T00:00:00Z"),),
        etag="abc",
    )
    data = pointer.to_json()
    assert data == {
        "ticker": "BTC-USD",
        "version": v2,
        "promoted_at": "2026-11-23T00:00:00Z",
        "history": [{"version": v1, "promoted_at": "2026-11-16T00:00:00Z"}],
    }
    again = ChampionPointer.read(data, "where", ticker="BTC-USD", etag="abc")
    assert again == pointer
    assert again.previous == v1


@pytest.mark.parametrize(
    "data",
    [[], {"version": "20261123T000000Z-bbbbbbb"}, {"version": "../x", "promoted_at": "t"}, None],
)
def test_bad_pointer(data: object) -> None:
    with pytest.raises(IntegrityError, match="not a valid champion pointer"):
        ChampionPointer.read(data, "file://x/BTC-USD/champion.json", ticker="BTC-USD", etag="etag")


def test_a_pointer_written_by_release_0_1_loads_and_round_trips() -> None:
    raw = json.loads((FIXTURES / "manifests" / "champion-0.1.json").read_text())
    pointer = ChampionPointer.read(raw, "champion-0.1.json", ticker="BTC-USD", etag="e")
    assert (pointer.version, pointer.etag, pointer.previous) == (raw["version"], "e", None)
    assert pointer.to_json() == raw


def test_unknown_keys_survive_and_the_etag_is_never_stored() -> None:
    raw = {
        "ticker": "BTC-USD",
        "version": "20261123T000000Z-bbbbbbb",
        "promoted_at": "2026-11-23T00:00:00Z",
        "history": [],
        "note": "from a newer release",
    }
    pointer = ChampionPointer.read(raw, "x", ticker="BTC-USD", etag="abc")
    assert pointer.with_etag("def").to_json() == raw


def test_a_broken_pointer_names_what_is_wrong() -> None:
    with pytest.raises(IntegrityError, match="not a valid champion pointer: version"):
        ChampionPointer.parse({"version": "../x", "promoted_at": "now"}, "champion.json")
