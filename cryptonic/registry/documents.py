"""The base of every JSON document the registry stores: immutable once read.

``Document`` keeps unknown keys (a document written by a newer release loads here and
round-trips unchanged); ``ClosedDocument`` refuses them, for the summaries only the refresh writes
and rewrites whole (a stray key there is a bug, not a newer release).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ClosedDocument", "Document"]


class Document(BaseModel):
    """A stored document that keeps what it does not know."""

    model_config = ConfigDict(extra="allow", frozen=True)


class ClosedDocument(BaseModel):
    """A stored document that refuses what it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)
