"""Stored documents parse one way: unknown keys kept or refused by kind, and a clear error."""

from __future__ import annotations

from typing import ClassVar

import pytest

from cryptonic.errors import IntegrityError
from cryptonic.registry.documents import ClosedDocument, Document


class _Note(Document):
    kind: ClassVar[str] = "note"

    text: str
    count: int = 0


class _Summary(ClosedDocument):
    kind: ClassVar[str] = "summary"

    total: int


def test_a_document_keeps_what_it_does_not_know() -> None:
    note = _Note.parse({"text": "hi", "from_a_newer_release": [1]}, "x")
    assert note.model_extra == {"from_a_newer_release": [1]}


def test_a_closed_document_refuses_it() -> None:
    with pytest.raises(IntegrityError, match=r"^s3://b/s is not a valid summary: stray: "):
        _Summary.parse({"total": 1, "stray": True}, "s3://b/s")


def test_the_error_names_where_and_the_first_problems_without_the_values() -> None:
    with pytest.raises(IntegrityError) as caught:
        _Note.parse({"count": "secret-value", "text": None}, "file://n.json")
    message = str(caught.value)
    assert message.startswith("file://n.json is not a valid note: ")
    assert "text: " in message
    assert "count: " in message
    assert "secret-value" not in message
