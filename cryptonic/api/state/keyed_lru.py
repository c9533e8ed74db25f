"""Values by key, the least recently used out beyond a bound, and one lock per key for loading.

Every cache of a serving instance has this shape: a champion per ticker, a loaded version per
(ticker, version), a manifest per (ticker, version), a version listing or a track record per
ticker. Reads must cost no lock (the warm ``GET /predict`` reads a champion on every request), and
a miss must be loaded once, not by every thread that asks at the same moment, without one slow
ticker making the others wait. So:

* :meth:`KeyedLru.get` is one dict read and, for a use, one O(1) move to the recent end: no lock.
  A move racing an eviction finds the key gone and does nothing.
* Inserts and evictions take one short guard (never held while loading).
* Loading takes the key's own lock (:meth:`KeyedLru.locked`): a second thread asking for the same
  key waits and then finds the value; other keys load meanwhile. A key's lock exists only while
  someone holds or waits for it, so locks never outnumber the loads in flight.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class _KeyLock:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0
    """Threads holding or waiting for ``lock``; the lock is dropped when it falls to 0."""


class KeyedLru(Generic[K, V]):
    """At most ``capacity`` values (None: no bound), least recently used first out; thread-safe.
    A value is never None: :meth:`get` answers None for a key not held.

    ``on_evict(key, value)`` runs for each value evicted to respect the bound, with the guard
    held (so it sees no insert half done); it must not call back into this cache.
    """

    def __init__(
        self,
        capacity: int | None = None,
        *,
        on_evict: Callable[[K, V], None] | None = None,
    ) -> None:
        if capacity is not None and capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._on_evict = on_evict
        self._values: OrderedDict[K, V] = OrderedDict()  # least recently used first
        self._guard = threading.Lock()  # inserts, evictions and the per-key locks
        self._locks: dict[K, _KeyLock] = {}

    # -- reads (no lock)

    def get(self, key: K, touch: bool = True) -> V | None:
        """The value of ``key`` or None; ``touch``: count this as a use (the default).

        A bare try, not contextlib.suppress: this runs on every warm request.
        """
        value = self._values.get(key)
        if value is not None and touch:
            try:  # noqa: SIM105
                self._values.move_to_end(key)
            except KeyError:  # evicted meanwhile: nothing to move
                pass
        return value

    def keys(self) -> list[K]:
        """The keys held, least recently used first (a copy: other threads may insert)."""
        return list(self._values)

    def items(self) -> list[tuple[K, V]]:
        """The (key, value) pairs held, least recently used first (a copy)."""
        return list(self._values.items())

    def __len__(self) -> int:
        return len(self._values)

    # -- writes

    def put(self, key: K, value: V) -> None:
        """Hold ``value`` as the most recently used; evict beyond ``capacity``."""
        with self._guard:
            self._values[key] = value
            self._values.move_to_end(key)
            while self.capacity is not None and len(self._values) > self.capacity:
                evicted, old = self._values.popitem(last=False)
                if self._on_evict is not None:
                    self._on_evict(evicted, old)

    def discard_where(self, doomed: Callable[[K], bool]) -> None:
        """Drop every value whose key ``doomed`` says (no ``on_evict``: the caller chose)."""
        with self._guard:
            for key in [k for k in self._values if doomed(k)]:
                del self._values[key]

    # -- loading

    @contextmanager
    def locked(self, key: K) -> Iterator[None]:
        """Hold the lock of ``key``: one loader per key at a time, other keys unhindered."""
        with self._guard:
            entry = self._locks.get(key)
            if entry is None:
                entry = self._locks[key] = _KeyLock()
            entry.users += 1
        try:
            with entry.lock:
                yield
        finally:
            with self._guard:
                entry.users -= 1
                if entry.users == 0:
                    del self._locks[key]

    def get_or_load(
        self,
        key: K,
        load: Callable[[V | None], V],
        *,
        fresh: Callable[[V], bool] | None = None,
    ) -> V:
        """The value of ``key`` if held (and ``fresh`` says it still is), else ``load(held)``.

        ``load`` gets the value held (stale) or None and runs under the key's lock, so threads
        asking for the same key at once load it once. A failed load raises and holds nothing
        new: the next call loads again.
        """
        found = self.get(key)
        if found is not None and (fresh is None or fresh(found)):
            return found
        with self.locked(key):
            found = self.get(key)  # another thread may have loaded it meanwhile
            if found is not None and (fresh is None or fresh(found)):
                return found
            value = load(found)
            self.put(key, value)
            return value
