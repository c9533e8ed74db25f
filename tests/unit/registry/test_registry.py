"""Registry pieces that need no store: version ids, which root folders are tickers."""

from __future__ import annotations

import datetime as dt

from cryptonic.registry.keys import VERSION_PATTERN
from cryptonic.registry.registry import _is_ticker, new_version_id


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


def test_a_root_folder_is_a_ticker_only_if_its_name_is_one_as_normalized() -> None:
    assert _is_ticker("BTC-USD")
    assert _is_ticker("^GSPC")
    assert _is_ticker("EURUSD=X")
    assert not _is_ticker("forecasts"), "the forecast log's folder"
    assert not _is_ticker("runs"), "the run ledgers' folder"
    assert not _is_ticker("btc-usd"), "a ticker, but not as the registry writes it"
    assert not _is_ticker("not a ticker")
