"""How bodies are serialized, and stored numbers read defensively: nulls, never a 500."""

from __future__ import annotations

import json

import pytest

from cryptonic.api.responses.encoding import encode, finite_or_none
from cryptonic.api.responses.predict import predict_response


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


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        (1, 1.0),
        (2.5, 2.5),
        (float("nan"), None),
        (float("-inf"), None),
        (True, None),
        ("3.0", None),
        (None, None),
    ],
)
def test_finite_or_none_reads_only_finite_numbers(stored, read):
    assert finite_or_none(stored) == read
