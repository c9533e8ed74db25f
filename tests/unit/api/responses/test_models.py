"""The ``/models`` body: each version's backtest, gate and live record; null for what is not."""

from __future__ import annotations

from cryptonic.api.responses.models import models_response, version_summary
from cryptonic.registry.manifest import BacktestRecord, BacktestWindow, GateRecord
from cryptonic.registry.track_record import LiveScores
from tests.fixtures.published import manifest_draft, manifest_of, score_row


def test_non_finite_metrics_become_null():
    metrics = BacktestRecord(model=score_row(mape=float("nan")), window=BacktestWindow(weeks=4))
    manifest = manifest_of(
        manifest_draft(metrics=metrics, gate=GateRecord(promote=False, reason=""))
    )
    row = version_summary("v", manifest, champion=False)
    assert row.mape is None
    assert row.promote is False


def test_a_versions_live_record_rides_along_non_finite_as_null():
    live = LiveScores(forecasts=3, days_scored=9, mape=float("nan"), persistence_mape=2.0)
    row = version_summary("v", manifest_of(), champion=False, live=live)
    assert row.live is not None
    assert (row.live.forecasts, row.live.mape, row.live.persistence_mape) == (3, None, 2.0)
    assert version_summary("v", manifest_of(), champion=False).live is None


def test_a_page_marks_the_champion_and_matches_live_records_by_version():
    live = {"b": LiveScores(forecasts=1, days_scored=7, mape=1.0, persistence_mape=2.0)}
    page = models_response(
        "BTC-USD",
        [("b", manifest_of()), ("a", manifest_of())],
        champion="a",
        pinned=None,
        next_cursor="a",
        live=live,
    )
    assert [(v.version, v.champion) for v in page.versions] == [("b", False), ("a", True)]
    assert page.versions[0].live is not None
    assert page.versions[1].live is None
    assert (page.champion, page.next_cursor) == ("a", "a")
