"""Which rejected challengers are shadows: rejected by the gate after this champion took over."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.registry.champion import ChampionPointer
from cryptonic.registry.manifest import GateRecord, ManifestDraft
from cryptonic.registry.registry import Registry, new_version_id
from cryptonic.registry.shadows import is_rejected_since, shadow_challengers
from tests.fixtures.published import manifest_draft, manifest_of

T0 = dt.datetime(2026, 10, 6, 6, 0, tzinfo=dt.UTC)
CHAMPION = ChampionPointer(
    ticker="BTC-USD", version=new_version_id(T0), promoted_at="2026-10-06T06:01:00Z"
)


def manifest(minutes: int, promote: bool | None):
    created = T0 + dt.timedelta(minutes=minutes)
    gate = None if promote is None else GateRecord(promote=promote, reason="x")
    draft = manifest_draft(created_at=created.strftime("%Y-%m-%dT%H:%M:%SZ"), gate=gate)
    return manifest_of(draft, version=new_version_id(created))


@pytest.mark.parametrize(
    ("minutes", "promote", "shadow"),
    [
        (10, False, True),  # rejected after the champion's promotion
        (-10, False, False),  # rejected before: it lost to an earlier champion
        (10, True, False),  # the gate wanted it (it lost a race): not a rejected challenger
        (10, None, False),  # no gate record (an old or hand-made version)
    ],
)
def test_is_rejected_since(minutes, promote, shadow):
    assert is_rejected_since(manifest(minutes, promote), CHAMPION) is shadow


def test_the_champion_is_never_its_own_shadow():
    rejected = GateRecord(promote=False, reason="")
    own = manifest_of(
        manifest_draft(created_at="2026-10-07T00:00:00Z", gate=rejected), version=CHAMPION.version
    )
    assert not is_rejected_since(own, CHAMPION)


def test_shadow_challengers_newest_first_up_to_the_limit(local_store):
    registry = Registry(local_store)
    for m in [manifest(-5, False), manifest(5, False), manifest(6, True), manifest(7, False)]:
        fields = m.model_dump(exclude={"version", "artifacts"}, exclude_unset=True)
        registry.publish("BTC-USD", m.version, {"model.tflite": b"x"}, ManifestDraft(**fields))
    found = shadow_challengers(registry, "BTC-USD", CHAMPION, 5)
    assert [m.created_at for m in found] == ["2026-10-06T06:07:00Z", "2026-10-06T06:05:00Z"]
    assert len(shadow_challengers(registry, "BTC-USD", CHAMPION, 1)) == 1
    assert shadow_challengers(registry, "BTC-USD", CHAMPION, 0) == []
    assert shadow_challengers(registry, "BTC-USD", None, 2) == []
