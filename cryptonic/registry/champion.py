"""A ticker's champion pointer: ``<ticker>/champion.json``, the only mutable object of a ticker.

One type for the stored document and for the pointer as the registry hands it out: what was read
(or written) travels with the ETag it was read with, because every move of the pointer is a
compare-and-swap against exactly that ETag (cryptonic.registry.registry). The ETag is never
stored. Unknown keys are kept (a newer release's pointer round-trips unchanged), and a pointer
written by release 0.1 loads (tests/fixtures/manifests/champion-0.1.json).
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from pydantic import Field

from cryptonic.registry.documents import Document
from cryptonic.registry.keys import VERSION_PATTERN

__all__ = ["HISTORY_LIMIT", "ChampionPointer", "Promotion"]

HISTORY_LIMIT: Final = 100
"""Previous champions kept in ``champion.json`` (newest first); older ones are dropped."""


class Promotion(Document):
    """One former champion in the pointer's history."""

    version: str = Field(pattern=VERSION_PATTERN.pattern)
    promoted_at: str


class ChampionPointer(Document):
    """The champion of ``ticker``: its version, when it was promoted, the champions before it
    (newest first) and the ETag the pointer was read or written with (empty: not from a store)."""

    kind: ClassVar[str] = "champion pointer"

    ticker: str | None = None
    version: str = Field(pattern=VERSION_PATTERN.pattern)
    promoted_at: str
    history: tuple[Promotion, ...] = ()
    rolled_back_from: str | None = None
    etag: str = Field(default="", exclude=True)

    @property
    def previous(self) -> str | None:
        """The champion before this one, if any."""
        return self.history[0].version if self.history else None

    @classmethod
    def read(cls, data: Any, where: str, *, ticker: str, etag: str) -> ChampionPointer:
        """The pointer in ``data`` read from ``where`` for ``ticker`` (the key's, which wins over
        the document's) with the ETag it was read with; :class:`IntegrityError` if unusable."""
        return cls.parse(data, where).model_copy(update={"ticker": ticker, "etag": etag})

    def with_etag(self, etag: str) -> ChampionPointer:
        """This pointer as stored under ``etag`` (after a conditional write)."""
        return self.model_copy(update={"etag": etag})

    def to_json(self) -> dict[str, Any]:
        """The stored form (no ETag; no ``rolled_back_from`` unless it was a rollback)."""
        body = self.model_dump(mode="json")
        if body.get("rolled_back_from") is None:
            body.pop("rolled_back_from", None)
        return body
