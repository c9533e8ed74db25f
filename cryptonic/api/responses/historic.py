"""The ``GET /historic`` body: closes of the champion's training snapshot."""

from __future__ import annotations

from cryptonic.api.schemas import HistoricResponse


def historic_response(
    ticker: str, version: str, dates: list[str], closes: list[float]
) -> HistoricResponse:
    """``GET /historic``: the closes of one date range of the champion's snapshot."""
    return HistoricResponse.model_validate(
        {
            "ticker": ticker,
            "model_version": version,
            "start": dates[0] if dates else None,
            "end": dates[-1] if dates else None,
            "count": len(dates),
            "result": [{"date": d, "close": c} for d, c in zip(dates, closes, strict=True)],
        }
    )
