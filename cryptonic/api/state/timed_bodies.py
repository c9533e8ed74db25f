"""The ``GET /predict`` and ``GET /status`` bodies, whose content moves with the clock.

Both carry the served forecast's age (``age_hours``, in steps of :data:`AGE_STEP_HOURS`) and its
``stale`` flag; ``/status`` also the next scheduled refresh. Serializing a body per request would
cost the warm ``GET /predict`` its speed (it serves bytes built once), so each body is built
once per step of what moves in it and served as bytes in between: at most once every six
minutes per container. The ETag names the bytes, so ``If-None-Match`` matches until the age
moves on. Per request this costs one clock read and two comparisons (no numpy, no I/O).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptonic.api.etags import body_etag
from cryptonic.api.responses.encoding import encode
from cryptonic.api.responses.predict import predict_response
from cryptonic.api.responses.status import forecast_source, refresh_status
from cryptonic.api.schemas import RefreshStatus, StatusResponse
from cryptonic.forecast.calendar import Calendar, Sessions
from cryptonic.forecast.freshness import (
    Freshness,
    age_hours,
    next_refresh_due,
    parse_timestamp,
    stale_at,
)

StatusOf = Callable[[RefreshStatus], StatusResponse]
"""The ``GET /status`` answer given its ``refresh`` block. Called on the first ``GET /status`` (and
at each step after), not when the champion loads: a cold start serves ``GET /predict`` and
should not build the status models."""

AGE_STEP_HOURS: Final = 0.1
"""Resolution of ``age_hours``: six minutes, far below anything a 48 h threshold cares about."""


def age_step(age_hours: float | None) -> int | None:
    """Which step of :data:`AGE_STEP_HOURS` an age falls in (a body changes only between steps)."""
    return None if age_hours is None else int(age_hours / AGE_STEP_HOURS)


def rounded_age_hours(age_hours: float | None) -> float | None:
    """``age_hours`` as the API serves it: down to its step (``/predict``, ``/status`` and
    ``/tickers`` say the same age)."""
    step = age_step(age_hours)
    return None if step is None else round(step * AGE_STEP_HOURS, 1)


@dataclass(frozen=True)
class PredictView:
    """The ``GET /predict`` answer at one age step: body, its ETag and the headers to send."""

    body: bytes
    headers: dict[str, str]
    etag: str


class TimedBodies:
    """The served forecast's two answers, rebuilt when their rounded age or flags change.

    Thread-safe without a lock: a view is one tuple swapped in whole, and two threads that
    rebuild the same step build the same bytes.
    """

    def __init__(
        self,
        ticker: str,
        version: str,
        forecast: Mapping[str, Any],
        *,
        calendar: Calendar,
        status: StatusOf,
        stale_after_hours: float,
        refresh_hour_utc: int,
        logged: bool,
        max_age_s: int,
    ) -> None:
        self.ticker, self.version, self.forecast = ticker, version, forecast
        self.as_of = dt.date.fromisoformat(str(forecast["as_of"])[:10])
        self.generated_at = forecast.get("generated_at")
        self.calendar: Calendar = calendar
        self.stale_after_hours = stale_after_hours
        self.refresh_hour_utc = refresh_hour_utc
        self.logged = logged
        self._status = status
        self._cache_control = f"public, max-age={max_age_s}"
        self._made = parse_timestamp(self.generated_at)
        dates = [item["date"] for item in forecast.get("result") or []]
        days = Sessions.of_forecast(self.as_of, dates, calendar)
        self._stale_at = stale_at(self.as_of, days, stale_after_hours)
        self._predict: tuple[tuple[int | None, bool], PredictView] | None = None
        self._status_view: tuple[tuple[int | None, bool, dt.datetime], bytes] | None = None

    def freshness(self, now: dt.datetime) -> Freshness:
        """Age and staleness at ``now``, as :func:`~cryptonic.forecast.freshness.freshness_of`
        says (the instant it goes stale precomputed: one subtraction, one comparison)."""
        stale = now >= self._stale_at
        return Freshness(self.as_of, self._made, age_hours(self.as_of, now), stale, self._stale_at)

    def predict(self, now: dt.datetime) -> PredictView:
        fresh = self.freshness(now)
        key = (age_step(fresh.age_hours), fresh.stale)
        cached = self._predict
        if cached is not None and cached[0] == key:
            return cached[1]
        body = encode(
            predict_response(
                self.ticker,
                self.version,
                self.forecast,
                age_hours=rounded_age_hours(fresh.age_hours),
                stale=fresh.stale,
            )
        )
        etag = body_etag(body, self.version)
        view = PredictView(body, {"ETag": etag, "Cache-Control": self._cache_control}, etag)
        self._predict = (key, view)
        return view

    def status(self, now: dt.datetime) -> bytes:
        fresh = self.freshness(now)
        due = next_refresh_due(now, self.refresh_hour_utc)
        key = (age_step(fresh.age_hours), fresh.stale, due)
        cached = self._status_view
        if cached is not None and cached[0] == key:
            return cached[1]
        refresh = refresh_status(
            fresh,
            age_hours=rounded_age_hours(fresh.age_hours),
            next_due=due,
            refresh_hour_utc=self.refresh_hour_utc,
            stale_after_hours=self.stale_after_hours,
            logged=self.logged,
            source=forecast_source(self.forecast),
        )
        body = encode(self._status(refresh))
        self._status_view = (key, body)
        return body
