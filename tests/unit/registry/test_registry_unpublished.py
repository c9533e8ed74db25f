"""Registry.remove_unpublished: what a crashed publish left (a version without a manifest) goes
once it is old enough; a version a manifest names, or one that may still be publishing, stays."""

from __future__ import annotations

import datetime as dt

from cryptonic.registry.registry import Registry

NOW = dt.datetime(2026, 12, 8, 6, 0, tzinfo=dt.UTC)


def test_only_old_versions_without_a_manifest_are_removed(local_store):
    crashed = "BTC-USD/versions/20261201T060000Z-abcdef1/"
    recent = "BTC-USD/versions/20261208T055000Z-abcdef2/"  # may still be publishing
    published = "BTC-USD/versions/20261201T060000Z-abcdef3/"
    for prefix in (crashed, recent, published):
        local_store.put_bytes(prefix + "model.keras", b"k")
        local_store.put_bytes(prefix + "model.tflite", b"t")
    local_store.put_bytes(published + "manifest.json", b"{}")
    local_store.put_bytes("ETH-USD/versions/20261201T060000Z-abcdef4/model.tflite", b"t")

    removed = Registry(local_store).remove_unpublished("btc-usd", NOW - dt.timedelta(days=1))
    assert removed == [crashed + "model.keras", crashed + "model.tflite"]
    assert local_store.list("BTC-USD/versions/") == sorted(
        [
            recent + "model.keras",
            recent + "model.tflite",
            published + "manifest.json",
            published + "model.keras",
            published + "model.tflite",
        ]
    )
    assert local_store.exists("ETH-USD/versions/20261201T060000Z-abcdef4/model.tflite")
    assert Registry(local_store).remove_unpublished("BTC-USD", NOW) == [
        recent + "model.keras",
        recent + "model.tflite",
    ]
