"""Registry pieces that need no store: version ids."""

from __future__ import annotations

import datetime as dt

from cryptonic.registry.keys import VERSION_PATTERN
from cryptonic.registry.registry import new_version_id


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
