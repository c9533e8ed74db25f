"""``GET /models``: the published versions of a ticker (read-only; promotion is a CLI operation)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from cryptonic.api.champion_cache import dumps
from cryptonic.api.errors import NO_STORE, api_error_of
from cryptonic.api.predict import TickerQuery
from cryptonic.api.responses import errors
from cryptonic.api.schemas import ModelsResponse
from cryptonic.api.state import ServingState
from cryptonic.errors import StoreError


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def summary(manifest: dict[str, Any]) -> dict[str, Any]:
    metrics = _dict(manifest.get("metrics"))
    model = _dict(metrics.get("model"))
    persistence = _dict(metrics.get("persistence"))
    gate = _dict(manifest.get("gate"))
    mape, p_mape = _num(model.get("mape")), _num(persistence.get("mape"))
    skill = _num(model.get("skill"))
    if skill is None and mape is not None and p_mape:
        skill = 1.0 - mape / p_mape
    promote = gate.get("promote")
    reason = gate.get("reason")
    created = manifest.get("created_at")
    strategy = manifest.get("strategy")
    parent = manifest.get("parent")
    return {
        "version": str(manifest.get("version")),
        "created_at": None if created is None else str(created),
        "champion": bool(manifest.get("champion")),
        "strategy": None if strategy is None else str(strategy),
        "parent": None if parent is None else str(parent),
        "mape": mape,
        "persistence_mape": p_mape,
        "skill": skill,
        "promote": promote if isinstance(promote, bool) else None,
        "reason": None if reason is None else str(reason),
    }


def router(state: ServingState) -> APIRouter:
    api = APIRouter(tags=["models"])

    @api.get(
        "/models",
        response_model=ModelsResponse,
        responses=errors(404, 422, 503),
        summary="Published versions of a ticker, newest first",
    )
    def get_models(ticker: TickerQuery = None) -> Response:
        """Every published version with its backtest MAPE, persistence MAPE, skill and the gate's
        decision. Read-only: promote and roll back with ``cryptonic models ...``."""
        name = state.normalize(ticker)
        state.require_known(name)
        try:
            versions = state.registry.list_versions(name)
        except StoreError as exc:
            raise api_error_of(exc, name) from exc
        rows = [summary(m) for m in versions]
        champion = next((r["version"] for r in rows if r["champion"]), None)
        payload = {
            "success": True,
            "ticker": name,
            "champion": champion,
            "pinned": state.settings.model_version,
            "versions": rows,
        }
        return Response(
            dumps(payload), media_type="application/json", headers={"Cache-Control": NO_STORE}
        )

    return api
