"""Finish a retrain that an earlier attempt of the same run began publishing, instead of
training and publishing the ticker a second time.

The queue job checkpoints the version id in the ticker's claim before any of it is written
(cryptonic.jobs.runs.claim). When that attempt died (timeout, out of memory) the next one
starts here:

* the version has no manifest: the crash came mid-publish, nothing is visible (its partial
  artifacts are orphans the sweeper removes): train again, under a new version id;
* the version is the champion: the crash came after the promotion: report it promoted;
* the gate said promote and the champion is still the one it was judged against: promote it now
  (compare-and-swap, as the first attempt would have), then log its forecast;
* otherwise (the gate said no, the champion moved meanwhile, or an operator rolled back from it):
  report it as the first attempt would have: rejected, or a lost race.

Every path logs the version's published forecast (create-only: a second call changes nothing),
so a crash between the promotion and the forecast log leaves nothing half done.
"""

from __future__ import annotations

import json
import logging
import time

from cryptonic.config import Settings
from cryptonic.errors import ConflictError
from cryptonic.jobs.retrain.one_ticker import RetrainResult
from cryptonic.jobs.runs.failure import ticker_failure
from cryptonic.registry.champion import ChampionPointer
from cryptonic.registry.forecast_log import Role, log_published_forecast
from cryptonic.registry.keys import FORECAST_NAME
from cryptonic.registry.manifest import Manifest
from cryptonic.registry.registry import Registry
from cryptonic.store.contract import ArtifactStore

__all__ = ["resume"]

log = logging.getLogger("cryptonic.pipeline")


def resume(
    settings: Settings, store: ArtifactStore, ticker: str, version: str
) -> RetrainResult | None:
    """The result of the run's earlier attempt that published ``version``, finished; None when
    it never got as far as the manifest (train again). Errors come back in the result."""
    started = time.perf_counter()
    registry = Registry(store)
    result = RetrainResult(ticker=ticker, version=version)
    try:
        if not registry.exists(ticker, version):
            log.info("retrain %s: %s was never published; training again", ticker, version)
            return None
        manifest = registry.manifest(ticker, version)
        _finish(registry, manifest, result)
    except Exception as exc:  # one ticker's failure is its result, never the run's
        failure = ticker_failure(exc, "retrain", ticker, log)
        result.error, result.reason = failure.error, failure.reason
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _finish(registry: Registry, manifest: Manifest, result: RetrainResult) -> None:
    """Promote or not as the gate decided, against the champion it was judged against."""
    version = manifest.version
    result.strategy = manifest.strategy
    result.metrics = manifest.metrics.model_dump(mode="json") if manifest.metrics else None
    champion = registry.champion(result.ticker)
    result.champion = champion.version if champion else None
    gate = manifest.gate
    resumed = "(resumed: an earlier attempt of this run published it, then stopped)"
    if champion is not None and champion.version == version:
        result.promoted = True
        result.reason = f"{gate.reason if gate else 'promoted'} {resumed}"
    elif gate is None or not gate.promote:
        result.reason = f"not promoted: {gate.reason if gate else 'no gate decision'} {resumed}"
    elif not _still_judged_against(champion, manifest):
        exc = ConflictError(
            f"champion of {result.ticker} changed since {version} was judged against "
            f"{manifest.parent or 'no champion'}: not promoted {resumed}"
        )
        result.reason, result.error = (
            f"not promoted: {exc}",
            {"code": exc.code, "message": str(exc)},
        )
    else:
        pointer = registry.promote(result.ticker, version, expected=champion)
        result.promoted, result.champion = True, pointer.version
        result.reason = f"{gate.reason} {resumed}"
    _log_forecast(registry, manifest, "champion" if result.promoted else "shadow")


def _still_judged_against(champion: ChampionPointer | None, manifest: Manifest) -> bool:
    """The champion serving now is the one the gate compared with, and nobody rolled back from
    this version since."""
    now = champion.version if champion else None
    rolled_back = champion is not None and champion.rolled_back_from == manifest.version
    return now == manifest.parent and not rolled_back


def _log_forecast(registry: Registry, manifest: Manifest, role: Role) -> None:
    """The version's published forecast in the forecast log (create-only; best effort)."""
    if FORECAST_NAME not in manifest.artifacts:
        return
    data = registry.load_artifact(
        manifest.ticker, manifest.version, FORECAST_NAME, manifest=manifest
    )
    log_published_forecast(registry.store, json.loads(data), role)
