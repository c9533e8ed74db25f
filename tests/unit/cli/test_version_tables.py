"""The text `cryptonic models` prints: the list table, the compare table, the live record line."""

from __future__ import annotations

import datetime as dt

from cryptonic.cli.version_tables import describe_live, format_compare, format_versions_table
from cryptonic.registry.manifest import BacktestRecord, GateRecord
from cryptonic.registry.track_record import LiveScores
from tests.fixtures.published import manifest_draft, manifest_of, run_config, score_row


def test_table_tolerates_missing_metrics() -> None:
    manifest = manifest_of(manifest_draft(metrics=BacktestRecord()))
    table = format_versions_table([manifest], champion=None)
    assert (
        table.splitlines()[1].split() == [manifest.version, manifest.created_at, "new"] + ["-"] * 6
    )


def test_table_shows_the_live_record() -> None:
    manifest = manifest_of(manifest_draft(metrics=BacktestRecord(model=score_row(mape=3.0))))
    live = {
        manifest.version: LiveScores(
            forecasts=12, days_scored=70, mape=2.5, persistence_mape=2.6, skill=1 - 2.5 / 2.6
        )
    }
    row = format_versions_table([manifest], champion=manifest.version, live=live).splitlines()[1]
    assert row.split()[-4:] == ["12", "2.5", "2.6", "+0.038"]


def test_describe_live() -> None:
    assert describe_live(None).startswith("no live record yet")
    record = LiveScores(
        forecasts=3,
        days_scored=12,
        mape=2.0,
        persistence_mape=2.5,
        skill=0.2,
        coverage=0.75,
        first_as_of=dt.date(2026, 10, 1),
        last_as_of=dt.date(2026, 10, 3),
    )
    assert describe_live(record) == (
        "3 forecasts (12 days) from 2026-10-01 to 2026-10-03: MAPE 2.000% vs persistence "
        "2.500%, skill +0.200, 75% of closes inside its interval"
    )


def test_compare_of_one_config_says_so_and_shows_intervals_only_when_recorded() -> None:
    points = BacktestRecord(model=score_row(mape=3.0), persistence=score_row("persistence"))
    older, newer = (
        manifest_of(
            manifest_draft(
                config=run_config(), metrics=points, gate=GateRecord(promote=True, reason=why)
            ),
            version=version,
        )
        for version, why in (
            ("20261122T060000Z-0000001", "first model"),
            ("20261129T060000Z-0000002", "beats the champion"),
        )
    )
    lines = format_compare([older, newer], champion=newer.version).splitlines()
    assert lines[0].split() == [older.version, newer.version]
    assert not any(line.startswith("config ") for line in lines)
    assert not any(line.startswith("coverage") for line in lines)  # points only: no interval rows
    assert lines[-3:] == [
        f"{older.version}: first model",
        f"{newer.version}: beats the champion",
        "(the versions share one config)",
    ]
    [window] = [line for line in lines if line.startswith("backtest window")]
    assert window.split()[2:] == ["-", "-"]  # no window recorded
