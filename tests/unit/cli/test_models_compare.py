"""`cryptonic models compare`: a ticker's versions side by side (the textbook's v0..v4 table)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from cryptonic.cli.models import models_command
from cryptonic.errors import NotFoundError
from cryptonic.registry.manifest import BacktestRecord, BacktestWindow, GateRecord
from cryptonic.registry.registry import new_version_id, open_registry
from tests.fixtures.published import manifest_draft, run_config, score_row

T0 = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
WINDOW = BacktestWindow(start=dt.date(2025, 10, 6), end=dt.date(2026, 10, 5), weeks=52)


def _metrics(mape: float, coverage: float | None) -> BacktestRecord:
    interval = {} if coverage is None else {"coverage": coverage, "pinball": mape / 3}
    return BacktestRecord(
        window=WINDOW,
        model=score_row(mape=mape, rmse=mape * 1000, skill=1 - mape / 3.5, **interval),
        persistence=score_row("persistence", mape=3.5, rmse=3500.0, skill=0.0),
    )


@pytest.fixture
def versions(local_store_uri: str) -> list[str]:
    """v0: the release-0.1 config (no knobs recorded), v1: dropout, v2: two layers, rejected."""
    reg = open_registry(local_store_uri)
    specs = [
        ({}, 3.61, None, True),
        ({"dropout": 0.2, "lstm_layers": 1}, 3.48, 0.79, True),
        ({"dropout": 0.2, "lstm_layers": 2}, 3.55, 0.62, False),
    ]
    out = []
    for day, (knobs, mape, coverage, promote) in enumerate(specs):
        version = new_version_id(T0 + dt.timedelta(days=day))
        reg.publish(
            "BTC-USD",
            version,
            {"model.tflite": b"x"},
            manifest_draft(
                created_at=f"2026-11-2{3 + day}T00:00:00Z",
                config=run_config(**knobs),
                metrics=_metrics(mape, coverage),
                gate=GateRecord(promote=promote, reason=f"reason {day}"),
            ),
        )
        if promote:
            reg.promote("BTC-USD", version)
        out.append(version)
    return out


def _compare(store_uri: str, *names: str) -> list[str]:
    out = io.StringIO()
    code = models_command("compare", store_uri, "BTC-USD", None, out, versions=names)
    assert code == 0
    return out.getvalue().splitlines()


def _row(lines: list[str], label: str) -> list[str]:
    [line] = [line for line in lines if line.startswith(label + " ")]
    return line[len(label) :].split()


def test_compare_shows_versions_oldest_first_with_config_differences_scores_and_gate(
    local_store_uri, versions
):
    v0, v1, v2 = versions
    lines = _compare(local_store_uri)
    assert lines[0].split() == [v0, v1, v2]
    assert _row(lines, "champion") == ["*"]  # v1: v2 was rejected
    assert lines[1].index("*") == lines[0].index(v1)
    # Only the keys on which they differ; "-": not recorded by the older release
    assert _row(lines, "config model.dropout") == ["-", "0.2", "0.2"]
    assert _row(lines, "config model.lstm_layers") == ["-", "1", "2"]
    assert not any(line.startswith("config model.units") for line in lines)
    assert _row(lines, "mape") == ["3.610", "3.480", "3.550"]
    assert _row(lines, "rmse") == ["3,610.0", "3,480.0", "3,550.0"]
    assert _row(lines, "skill") == ["-0.031", "+0.006", "-0.014"]
    assert _row(lines, "persistence mape") == ["3.500"] * 3
    assert _row(lines, "coverage") == ["-", "79.0%", "62.0%"]
    assert _row(lines, "gate") == ["promote", "promote", "reject"]
    assert f"{v2}: reason 2" in lines


def test_compare_named_versions_only(local_store_uri, versions):
    v0, _, v2 = versions
    lines = _compare(local_store_uri, v2, v0)
    assert lines[0].split() == [v0, v2]
    with pytest.raises(NotFoundError):
        _compare(local_store_uri, "20200101T000000Z-0000000")


def test_compare_through_the_command_line(local_store_uri, versions, capsys):
    from cryptonic.cli.main import main

    assert main(["models", "compare", *versions[:2], "--store", local_store_uri]) == 0
    assert capsys.readouterr().out.splitlines()[0].split() == versions[:2]
    assert main(["models", "show", *versions[:2], "--store", local_store_uri]) == 2
    assert "one version at most" in capsys.readouterr().err
