"""Response bodies built from stored data that is sparse or malformed: nulls, never a 500."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from cryptonic.api.bodies import (
    backtest_summary,
    encode,
    predict_response,
    status_response,
    version_summary,
)
from cryptonic.api.schemas import HealthResponse
from cryptonic.errors import IntegrityError
from cryptonic.manifest import BacktestWindow, GateRecord, Manifest, Metrics, ScoreRow
from tests.fixtures.published import manifest_draft, manifest_of


def test_payloads_tolerate_a_sparse_manifest():
    """Only what every manifest has: no metrics, gate or export section."""
    status = status_response(
        "BTC-USD", "v", manifest_of(), pinned=False, promoted_at=None, previous_version=None
    )
    assert status.data is not None
    assert status.data.rows is None
    assert status.model is not None
    assert status.model.lookback == 14
    assert status.gate is None
    assert status.metrics is None
    assert status.export is None
    assert status.backtest.model_mape is None
    forecast = {"as_of": "2024-01-01", "result": [{"date": "2024-01-02", "prediction": 1.5}]}
    body = predict_response("BTC-USD", "v", forecast)
    assert body.period_length == 1
    assert body.last_close is None


def test_backtest_summary_computes_skill_when_missing():
    metrics = Metrics(model=ScoreRow(mape=2.0), persistence=ScoreRow(mape=4.0))
    manifest = manifest_of(manifest_draft(metrics=metrics))
    assert backtest_summary(manifest).skill == pytest.approx(0.5)


def test_non_finite_metrics_become_null():
    metrics = Metrics(model=ScoreRow(mape=float("nan")), window=BacktestWindow(weeks=4))
    manifest = manifest_of(
        manifest_draft(metrics=metrics, gate=GateRecord(promote=False, reason=""))
    )
    status = status_response(
        "BTC-USD", "v", manifest, pinned=False, promoted_at=None, previous_version=None
    )
    assert status.backtest.model_mape is None
    assert status.backtest.weeks == 4
    assert status.gate is not None
    assert status.gate.promote is False
    row = version_summary("v", manifest, champion=False)
    assert row.mape is None
    assert row.promote is False


def test_a_malformed_manifest_is_refused_where_it_is_read():
    """Manifest.parse, not the body builder, rejects it: an IntegrityError naming the field."""
    good = manifest_of().model_dump(mode="json")
    bad = {**good, "model": {**good["model"], "lookback": "many"}}
    with pytest.raises(IntegrityError, match=r"store/x is not a valid manifest: model\.lookback"):
        Manifest.parse(bad, "store/x")


def test_encode_is_compact_utf8_json_with_null_for_non_finite():
    body = predict_response(
        "BTC-€",
        "v",
        {
            "as_of": "2024-01-01",
            "last_close": float("inf"),
            "result": [{"date": "2024-01-02", "prediction": 1.5}],
        },
    )
    raw = encode(body)
    decoded = json.loads(raw)
    assert raw == json.dumps(decoded, separators=(",", ":"), ensure_ascii=False).encode()
    assert decoded["last_close"] is None
    assert decoded["as_of"] == "2024-01-01"
    assert decoded["success"] is True


def test_response_models_refuse_undocumented_keys():
    with pytest.raises(ValidationError, match="extra"):
        HealthResponse.model_validate(
            {"app_version": "1", "store": "file", "tickers": [], "champions": {}, "debug": 1}
        )
