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


def test_payloads_tolerate_a_sparse_manifest():
    status = status_response(
        "BTC-USD", "v", {"artifacts": {}}, pinned=False, promoted_at=None, previous_version=None
    )
    assert status.data is None
    assert status.model is None
    assert status.gate is None
    assert status.backtest.model_mape is None
    forecast = {"as_of": "2024-01-01", "result": [{"date": "2024-01-02", "prediction": 1.5}]}
    body = predict_response("BTC-USD", "v", forecast)
    assert body.period_length == 1
    assert body.last_close is None


def test_backtest_summary_computes_skill_when_missing():
    manifest = {"metrics": {"model": {"mape": 2.0}, "persistence": {"mape": 4.0}}}
    assert backtest_summary(manifest).skill == pytest.approx(0.5)


def test_malformed_manifest_fields_become_null():
    manifest = {
        "created_at": 20260101,
        "data": {"rows": "many", "start": "2024-01-01"},
        "model": {"lookback": True, "arch": "default"},
        "metrics": {"model": {"mape": float("nan")}, "window": {"weeks": "4"}},
        "gate": {"promote": "yes", "reason": None},
    }
    status = status_response(
        "BTC-USD", "v", manifest, pinned=False, promoted_at=None, previous_version=None
    )
    assert status.trained_at == "20260101"
    assert status.data is not None
    assert status.data.rows is None
    assert status.model is not None
    assert status.model.lookback is None
    assert status.backtest.model_mape is None
    assert status.backtest.weeks is None
    assert status.gate is not None
    assert status.gate.promote is None
    row = version_summary("v", manifest, champion=False)
    assert row.mape is None
    assert row.promote is None


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
