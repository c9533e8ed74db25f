"""The base of every JSON document the registry stores: immutable once read, parsed one way.

``Document`` keeps unknown keys (a document written by a newer release loads here and
round-trips unchanged); ``ClosedDocument`` refuses them, for the summaries only the refresh writes
and rewrites whole (a stray key there is a bug, not a newer release). Both parse with
:meth:`Document.parse`: a document that does not fit its type is an
:class:`~cryptonic.errors.IntegrityError` naming where it was read and its first few problems,
never a pydantic traceback.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from cryptonic.errors import IntegrityError

__all__ = ["ClosedDocument", "Document", "validation_problems"]


def validation_problems(exc: ValidationError, limit: int = 3) -> str:
    """``where: what`` of the first ``limit`` problems, without echoing the values."""
    shown = [
        f"{'.'.join(str(p) for p in err['loc']) or 'document'}: {err['msg']}"
        for err in exc.errors()[:limit]
    ]
    more = exc.error_count() - len(shown)
    return "; ".join(shown) + (f" (and {more} more)" if more > 0 else "")


class _Parsed(BaseModel):
    kind: ClassVar[str] = "document"
    """What the error message calls a document of this type."""

    @classmethod
    def parse(cls, data: Any, where: str) -> Self:
        """The document in ``data`` (decoded JSON) read from ``where``, or IntegrityError."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise IntegrityError(
                f"{where} is not a valid {cls.kind}: {validation_problems(exc)}"
            ) from exc


class Document(_Parsed):
    """A stored document that keeps what it does not know."""

    # Built on first use (here and below): a serving cold start reads few kinds of document.
    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)


class ClosedDocument(_Parsed):
    """A stored document that refuses what it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
