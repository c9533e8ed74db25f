"""Registry pieces that need no store: version ids, names, the pointer's JSON form."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.errors import ConfigError, IntegrityError
from cryptonic.registry.champion import ChampionPointer, Promotion
from cryptonic.registry.keys import (
    artifact_key,
    champion_key,
    check_ticker,
    check_version,
    prices_key,
)
from cryptonic.registry.registry import VERSION_PATTERN, new_version_id


def test_new_version_id_format_and_order() -> None:
    now = dt.datetime(2026, 11, 23, 19, 20, 0, tzinfo=dt.UTC)
    version = new_version_id(now)
    assert VERSION_PATTERN.match(version)
    assert version.startswith("20261123T192000Z-")
    later = new_version_id(now + dt.timedelta(seconds=1))
    assert sorted([later, version]) == [version, later]
    assert len({new_version_id(now) for _ in range(50)}) == 50  # random suffix


def test_new_version_id_uses_utc() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    assert new_version_id(dt.datetime(2026, 1, 1, 1, 0, tzinfo=paris)).startswith(
        "20260101T000000Z-"
    )
    assert new_version_id(dt.datetime(2026, 1, 1)).startswith("20260101T000000Z-")  # naive = UTC
    assert VERSION_PATTERN.match(new_version_id())


@pytest.mark.parametrize(
    "bad",
    ["../x", "", "20261123T192000Z", "20261123T192000Z-1A2B3C4", "x/20261123T192000Z-1a2b3c4"],
)
def test_check_version_refuses(bad: str) -> None:
    with pytest.raises(ConfigError, match="invalid model version"):
        check_version(bad)


def test_keys() -> None:
    v = "20261123T192000Z-1a2b3c4"
    assert artifact_key("btc-usd", v, "model.tflite") == f"BTC-USD/versions/{v}/model.tflite"
    assert champion_key("eurusd=x") == "EURUSD=X/champion.json"
    assert prices_key("brk-b") == "BRK-B/prices.csv"
    with pytest.raises(ConfigError, match="invalid ticker"):
        check_ticker("../../etc")
    with pytest.raises(ConfigError, match="invalid artifact name"):
        artifact_key("BTC-USD", v, "../model.tflite")


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
    again = ChampionPointer.parse(data, "where", ticker="BTC-USD", etag="abc")
    assert again == pointer
    assert again.previous == v1


@pytest.mark.parametrize(
    "data",
    [[], {"version": "20261123T000000Z-bbbbbbb"}, {"version": "../x", "promoted_at": "t"}, None],
)
def test_bad_pointer(data: object) -> None:
    with pytest.raises(IntegrityError, match="not a valid champion pointer"):
        ChampionPointer.parse(data, "file://x/BTC-USD/champion.json", ticker="BTC-USD", etag="etag")
