"""How `retrain`, `refresh` and `run` print a job's summary, ticker by ticker."""

from __future__ import annotations

from typing import Any

import pytest

from cryptonic.cli.job_results import print_results


def _result(ticker: str, outcome: str, **fields: Any) -> dict[str, Any]:
    return {"ticker": ticker, "outcome": outcome, "seconds": 1.25, "reason": "why", **fields}


def test_each_ticker_shows_its_own_outcome_version_reason_and_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    failed = _result("AAPL", "failed", error={"code": "data_unavailable", "message": "offline"})
    print_results(
        {"ok": False, "results": [_result("BTC-USD", "promoted", version="v1"), failed]},
        lambda r: [f"detail of {r['ticker']}"],
    )
    assert capsys.readouterr().out.splitlines() == [
        "BTC-USD: promoted v1 in 1.2 s",
        "  why",
        "  detail of BTC-USD",
        "AAPL: failed in 1.2 s",
        "  why",
        "  detail of AAPL",
        "  error [data_unavailable]: offline",
    ]


def test_a_refused_request_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    print_results({"ok": False, "error": {"code": "bad_config", "message": "no"}, "results": []})
    out, err = capsys.readouterr()
    assert (out, err) == ("", "error: no\n")
