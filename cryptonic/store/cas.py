"""Read-modify-write of one JSON object by compare-and-swap, retried on conflict.

Several writers (the daily refresh, a weekly retrain, a second refresh someone started by hand)
may move the same small pointer at once. Each reads the object with its ETag, computes the new
value from what it read, and writes with ``If-Match`` (``If-None-Match: *`` when there was
none). A writer that loses re-reads and recomputes from the winner's value, so no writer's
change is lost as long as ``change`` merges rather than overwrites. ``change`` returning a value
equal to the one read writes nothing: an idempotent rerun leaves the object (and its ETag) alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptonic.errors import ConflictError, IntegrityError, NotFoundError
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.objects import load_json

log = logging.getLogger("cryptonic.store")

CAS_ATTEMPTS = 5
"""Tries before a conflict is given up on: each lost race means another writer made progress."""


@dataclass(frozen=True)
class Swapped:
    """The object after an update: its value, its ETag, and whether this call wrote it."""

    value: Any
    etag: str | None
    written: bool
    attempts: int


def read_json(store: ArtifactStore, key: str) -> tuple[Any, str | None]:
    """``(value, etag)`` of a JSON object, ``(None, None)`` when it does not exist."""
    try:
        data, etag = store.get_with_etag(key)
    except NotFoundError:
        return None, None
    return load_json(data, f"{store.uri.rstrip('/')}/{key}"), etag


def _read_for_update(store: ArtifactStore, key: str, derived: bool) -> tuple[Any, str | None]:
    """``read_json``, except that a ``derived`` object that is not JSON reads as None with the
    ETag of the damaged bytes: the conditional write then replaces exactly those."""
    try:
        data, etag = store.get_with_etag(key)
    except NotFoundError:
        return None, None
    try:
        return load_json(data, f"{store.uri.rstrip('/')}/{key}"), etag
    except IntegrityError as exc:
        if not derived:
            raise
        log.warning("%s is unreadable (%s): rebuilding it", key, exc)
        return None, etag


def update_json(
    store: ArtifactStore,
    key: str,
    change: Callable[[Any], Any],
    *,
    attempts: int = CAS_ATTEMPTS,
    on_conflict: Callable[[int], None] | None = None,
    derived: bool = False,
) -> Swapped:
    """Apply ``change`` (current value or None -> new value) to ``key`` by compare-and-swap.

    Raises :class:`ConflictError` only after ``attempts`` lost races in a row. ``on_conflict``
    is called with the attempt number after each lost race (tests use it to interleave).
    ``derived``: the object is rebuilt from others whatever it holds, so one that is not valid
    JSON (damaged by hand) is replaced, with a warning, instead of failing the writer.
    """
    for attempt in range(1, attempts + 1):
        current, etag = _read_for_update(store, key, derived)
        wanted = change(current)
        if wanted == current and current is not None:
            return Swapped(current, etag, False, attempt)
        try:
            if etag is None:
                new_etag = store.put_json(key, wanted, if_none_match="*")
            else:
                new_etag = store.put_json(key, wanted, if_match=etag)
        except ConflictError:
            log.info("%s changed while it was updated (attempt %d): re-reading", key, attempt)
            if on_conflict is not None:
                on_conflict(attempt)
            continue
        return Swapped(wanted, new_etag, True, attempt)
    raise ConflictError(
        f"{store.uri.rstrip('/')}/{key} kept changing: {attempts} compare-and-swap attempts lost "
        "to other writers; run again"
    )
