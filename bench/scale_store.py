"""A store of many tickers on moto's S3 server, made in seconds rather than hours.

One ticker is made for real: the tiny model of the test fixtures trained, exported and published
through the registry (tests/fixtures/published.py), then refreshed day after day by the real
daily refresh for :data:`LOG_DAYS` days (tests/fixtures/refreshed.py), which logs a dated
forecast each day, moves ``latest.json`` and writes the score ledger and the track record. Its
objects are then copied under every other ticker: the ticker renamed inside the documents, and
each ``{"sha256", "bytes"}`` that described a renamed object (the manifest's entry of
``forecast.json``, ``latest.json``'s entry of each dated forecast) made to describe it again.
The real readers check a sample afterwards (:func:`verify`), so a copy that the registry or the
forecast log would refuse fails the benchmark instead of measuring an error path.

The copies go straight into the moto server's backend (the server and this process share it,
as moto documents), about 0.1 ms an object; through the S3 API moto takes ~8 ms a PUT, which
would be five minutes for 1,000 tickers.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptonic.registry.forecast_log import ForecastLog
from cryptonic.registry.registry import Registry
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.local import LocalStore

SOURCE = "BTC-USD"  # the fixture's ticker
LOG_DAYS = 30


def ticker_names(count: int) -> list[str]:
    return [f"T{i:04d}-USD" for i in range(count)]


def build_source(folder: Path) -> LocalStore:
    """One ticker published and refreshed for :data:`LOG_DAYS` days, in a local folder."""
    from tests.fixtures.published import DAYS, build_published_model, publish_version
    from tests.fixtures.refreshed import refresh_through

    store = LocalStore(folder / "store")
    publish_version(Registry(store), build_published_model(), days=DAYS - LOG_DAYS)
    refresh_through(store, range(DAYS - LOG_DAYS, DAYS), folder)
    return store


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _redescribe(value: Any, renamed: dict[str, bytes]) -> Any:
    """``value`` with every ``{"sha256", "bytes"}`` of an old object describing its new bytes."""
    if isinstance(value, dict):
        fixed = {k: _redescribe(v, renamed) for k, v in value.items()}
        new = renamed.get(str(fixed.get("sha256")))
        if new is not None and "bytes" in fixed:
            fixed.update(sha256=_sha(new), bytes=len(new))
        return fixed
    if isinstance(value, list):
        return [_redescribe(v, renamed) for v in value]
    return value


def source_objects(source: ArtifactStore) -> dict[str, bytes]:
    """Every object of the source ticker: its versions, pointer and forecast log."""
    return {key: source.get_bytes(key) for key in source.list("") if SOURCE in key}


def copies(objects: dict[str, bytes], ticker: str) -> Iterator[tuple[str, bytes]]:
    """(key, bytes) of every object of the source ticker, as ``ticker``'s."""
    old, new = SOURCE.encode(), ticker.encode()
    renamed = {_sha(data): data.replace(old, new) for data in objects.values() if old in data}
    for key, data in objects.items():
        body = data.replace(old, new)
        if key.endswith(".json") and any(sha.encode() in body for sha in renamed):
            document = _redescribe(json.loads(body), renamed)
            body = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
        yield key.replace(SOURCE, ticker), body


def _moto_backend() -> Any:
    """The S3 backend moto's in-process server answers from (default account, aws partition)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    return s3_backends[DEFAULT_ACCOUNT_ID]["aws"]


def load_into_moto(bucket: str, prefix: str, objects: Iterator[tuple[str, bytes]]) -> int:
    """Put objects into the in-process moto server's bucket without an HTTP request each."""
    backend = _moto_backend()
    count = 0
    for key, data in objects:
        backend.put_object(bucket, f"{prefix}/{key}", data)
        count += 1
    return count


def unload(bucket: str) -> None:
    """Drop the bucket and its objects: moto keeps them in this process's memory."""
    backend = _moto_backend()
    for name in list(backend.get_bucket(bucket).keys.keys()):
        backend.delete_object(bucket, name)
    backend.delete_bucket(bucket)


def verify(store: ArtifactStore, tickers: list[str]) -> None:
    """The copies read back through the registry and the forecast log, checksums included."""
    registry, log = Registry(store), ForecastLog(store)
    for ticker in tickers:
        version = registry.resolve_version(ticker)
        manifest = registry.manifest(ticker, version)
        for name in manifest.artifacts:
            registry.load_artifact(ticker, version, name, manifest=manifest)
        latest, _ = log.latest(ticker)
        if latest is None or len(log.keys(ticker)) != LOG_DAYS:
            raise RuntimeError(f"{ticker}: the forecast log was not copied whole")
        for logged_version, entry in latest.versions.items():
            log.load(ticker, logged_version, entry)


def build(bucket: str, prefix: str, count: int) -> dict[str, Any]:
    """``count`` tickers in ``s3://bucket/prefix`` (moto in this process); what was made."""
    with tempfile.TemporaryDirectory(prefix="cryptonic-bench-scale-") as tmp:
        source = source_objects(build_source(Path(tmp)))
        tickers = ticker_names(count)
        objects = 0
        for ticker in tickers:
            objects += load_into_moto(bucket, prefix, copies(source, ticker))
    return {"tickers": tickers, "objects": objects, "objects_per_ticker": objects // count}
