"""A ticker's claim in a run: the lock that gives each (run, ticker) exactly one effect.

SQS delivers at least once, and a retried dispatch sends a job again, so two deliveries of one
ticker's job can run at once. Before working, a delivery claims the ticker in the run's ledger
(``runs/<job>/<run_id>/claims/<TICKER>.json``):

* the claim is created only if absent (``If-None-Match: *``): of two deliveries at once, exactly
  one gets it;
* it holds for a lease as long as the queue's visibility timeout, which is at least six times the
  function's timeout: while the lease runs, its holder may still be working, and a duplicate that
  finds it backs off (its message returns to the queue and is retried later, by when the holder
  has written the result, or died);
* a claim can be taken over, by compare-and-swap on its ETag, when its lease has run out, when
  its holder released it after a failure, or by a later delivery of the *same* message (SQS
  redelivers a message only once its visibility timeout has run out, so the delivery that held
  it is over);
* every takeover counts an attempt: the claim knows how often the ticker's work really started
  in this run, however many times SQS delivered it (a throttled delivery never runs, and so never
  counts). When the attempts are spent and the last one left no result, no further one starts;
* its holder may checkpoint progress into it (the retrain: the version it is about to publish),
  again by compare-and-swap, so a holder that lost its claim finds out before it publishes, and
  the next attempt can finish the work instead of repeating it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from cryptonic.errors import ConflictError, IntegrityError, NotFoundError
from cryptonic.jobs.runs.ledger import MALFORMED
from cryptonic.store.contract import ArtifactStore

__all__ = ["Busy", "Claim", "ClaimState", "Delivery", "Exhausted", "acquire", "read_claim"]

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Delivery:
    """Which delivery asks: the SQS message and its receive count."""

    message_id: str
    count: int


@dataclass(frozen=True)
class ClaimState:
    """A claim as stored."""

    message_id: str
    delivery: int
    attempts: int
    claimed_at: str
    expires_at: str
    released: bool = False
    progress: dict[str, Any] = field(default_factory=dict)

    def live(self, now: dt.datetime) -> bool:
        """Whether its holder may still be working."""
        return not self.released and dt.datetime.fromisoformat(self.expires_at) > now

    def yields_to(self, asking: Delivery, now: dt.datetime) -> bool:
        """Whether ``asking`` may take it over (see the module's rules)."""
        redelivered = asking.message_id == self.message_id and asking.count > self.delivery
        return redelivered or not self.live(now)

    def to_bytes(self) -> bytes:
        return (json.dumps(asdict(self), sort_keys=True) + "\n").encode()

    @classmethod
    def parse(cls, data: bytes) -> ClaimState:
        value = json.loads(data)
        return cls(**{k: value[k] for k in cls.__dataclass_fields__ if k in value})


@dataclass(frozen=True)
class Busy:
    """Another delivery holds a live claim: back off and let SQS retry later."""

    holder: ClaimState


@dataclass(frozen=True)
class Exhausted:
    """Every attempt the run allows has started and none left a result (each one died)."""

    last: ClaimState


class Claim:
    """A claim this delivery holds: its progress, checkpoints and release, each by CAS."""

    def __init__(
        self, store: ArtifactStore, key: str, state: ClaimState, etag: str, clock: Clock
    ) -> None:
        self.store, self.key, self.state, self.etag, self.clock = store, key, state, etag, clock

    @property
    def attempts(self) -> int:
        return self.state.attempts

    @property
    def progress(self) -> dict[str, Any]:
        """What this or an earlier attempt in the run checkpointed."""
        return dict(self.state.progress)

    def checkpoint(self, **progress: Any) -> None:
        """Record progress; ConflictError when the claim is no longer this delivery's (do not
        go on: another delivery works on the ticker now)."""
        state = replace(self.state, progress={**self.state.progress, **progress})
        try:
            self.etag = self.store.put_bytes(self.key, state.to_bytes(), if_match=self.etag)
        except ConflictError as exc:
            raise ConflictError(
                f"lost the claim {self.key} to another delivery: not going on ({exc})"
            ) from exc
        self.state = state

    def release(self) -> None:
        """Give the claim up after a failure, so the next delivery starts at once (the attempt
        stays counted); a claim already taken over is left alone."""
        state = replace(self.state, released=True, expires_at=_iso(self.clock()))
        try:
            self.etag = self.store.put_bytes(self.key, state.to_bytes(), if_match=self.etag)
        except ConflictError:
            return
        self.state = state


def read_claim(store: ArtifactStore, key: str) -> tuple[ClaimState, str] | None:
    """The stored claim and its ETag, None when the ticker was never claimed."""
    try:
        data, etag = store.get_with_etag(key)
    except NotFoundError:
        return None
    try:
        return ClaimState.parse(data), etag
    except MALFORMED as exc:  # half-written by hand, or not ours
        where = f"{store.uri.rstrip('/')}/{key}"
        raise IntegrityError(f"{where} is not a readable claim ({type(exc).__name__})") from exc


def acquire(
    store: ArtifactStore,
    key: str,
    asking: Delivery,
    *,
    lease_seconds: float,
    max_attempts: int,
    clock: Clock = _utc_now,
) -> Claim | Busy | Exhausted:
    """Claim the ticker for ``asking``: created, or taken over by CAS (one more attempt)."""
    now = clock()
    fresh = ClaimState(
        message_id=asking.message_id,
        delivery=asking.count,
        attempts=1,
        claimed_at=_iso(now),
        expires_at=_iso(now + dt.timedelta(seconds=lease_seconds)),
    )
    try:
        return Claim(
            store, key, fresh, store.put_bytes(key, fresh.to_bytes(), if_none_match="*"), clock
        )
    except ConflictError:
        found = read_claim(store, key)
    if found is None:  # released and gone between the two calls: let SQS retry
        return Busy(fresh)
    current, etag = found
    if not current.yields_to(asking, now):
        return Busy(current)
    if current.attempts >= max_attempts:
        return Exhausted(current)
    taken = replace(fresh, attempts=current.attempts + 1, progress=dict(current.progress))
    try:
        return Claim(
            store, key, taken, store.put_bytes(key, taken.to_bytes(), if_match=etag), clock
        )
    except ConflictError:
        return Busy(current)
