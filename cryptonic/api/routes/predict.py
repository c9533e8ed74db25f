"""``GET /predict`` (the champion's stored forecast) and ``POST /predict`` (on-demand, LiteRT)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cryptonic.api.error_docs import errors
from cryptonic.api.errors import NO_STORE, ApiError
from cryptonic.api.etags import etag_matches
from cryptonic.api.params import TickerQuery
from cryptonic.api.resource_router import ResourceRouter
from cryptonic.api.responses.encoding import encode
from cryptonic.api.responses.predict import on_demand_predict_response
from cryptonic.api.schemas import PredictRequest, PredictResponse
from cryptonic.api.state.serving import ServingState
from cryptonic.api.state.timed_bodies import rounded_age_hours
from cryptonic.errors import ModelError
from cryptonic.forecast.freshness import format_timestamp, freshness_of, last_expected_close
from cryptonic.registry.calibration import calibrated


def router(state: ServingState, *, documented: bool) -> APIRouter:
    api = ResourceRouter(documented=documented, tags=["forecast"])

    @api.get(
        "/predict",
        response_model=PredictResponse,
        responses={
            304: {"description": "Not modified (If-None-Match matched the ETag)"},
            **errors(404, 422, 503),
        },
        summary="The champion model's latest forecast of the next 7 closes",
    )
    async def get_predict(request: Request, ticker: TickerQuery = None) -> Response:
        """The champion's latest forecast: made by the daily refresh from the latest close (or,
        until the first refresh, when the version was published). ``as_of`` is the last close it
        used, ``age_hours`` its age and ``stale`` says the refresh is late. Its band is the one
        the refresh adapted from the live record (``calibration``: ``adaptive``, with each day's
        scale) or the fit-time one. ``ETag`` and ``Cache-Control``; ``If-None-Match`` answers
        304."""
        champion = await state.champion_async(ticker)
        view = champion.predict_view(state.now())
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None and etag_matches(if_none_match, view.etag):
            return Response(status_code=304, headers=view.headers)
        return Response(view.body, media_type="application/json", headers=view.headers)

    @api.post(
        "/predict",
        response_model=PredictResponse,
        responses=errors(400, 404, 422, 503),
        summary="Forecast the next 7 closes from the closes you send",
    )
    def post_predict(body: PredictRequest) -> Response:
        """An on-demand forecast by the champion's LiteRT model from ``closes`` (oldest first;
        at least the model's lookback, see ``/status``). ``last_date`` is the date of the last
        close (default: the last final one, the ticker's trading day before today, UTC). The
        band is drawn with the scales of the served forecast when they are adapted
        (``calibration`` says which: ``adaptive`` or ``fit``)."""
        answer = forecast_from_closes(state, body)
        return Response(
            encode(answer), media_type="application/json", headers={"Cache-Control": NO_STORE}
        )

    return api


def forecast_from_closes(state: ServingState, body: PredictRequest) -> PredictResponse:
    """The champion's forecast from the closes sent (numpy and LiteRT load on the first call),
    its band drawn with the scales the served forecast was adapted with, else as fitted."""
    import numpy as np

    champion = state.champion_sync(body.ticker)
    try:
        predictor = champion.loaded_version.predictor()
    except ModelError as exc:
        raise ApiError(
            503, "model_error", f"the model of {champion.ticker} cannot be loaded"
        ) from exc
    now = state.now()  # one clock for the default last_date, generated_at and the age
    calendar = champion.loaded_version.calendar
    # today's close is not final yet: closes sent without a date end with the last final one
    last_date = body.last_date or last_expected_close(now.date(), calendar)
    try:
        with np.errstate(all="ignore"):
            forecast = predictor.forecast(
                body.closes,
                last_date,
                ticker=champion.ticker,
                calendar=calendar,
                model_version=champion.version,
                generated_at=format_timestamp(now),
            )
    except ModelError as exc:
        # The network ran; its output is not finite: the closes' scale is out of range.
        raise ApiError(
            422, "bad_input", "these closes give a non-finite forecast: check their scale"
        ) from exc
    scales = champion.adaptive_scales()
    if scales is not None and len(scales.scales) == len(forecast.values):
        forecast = calibrated(forecast, scales)
    fresh = freshness_of(
        forecast.as_of,
        forecast.generated_at,
        calendar,
        state.settings.stale_after_hours,
        now,
    )
    age = rounded_age_hours(fresh.age_hours) or 0.0
    return on_demand_predict_response(
        forecast, lookback=predictor.lookback, age_hours=age, stale=fresh.stale
    )
