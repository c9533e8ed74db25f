"""The HTTP API's contract does not move when the code behind it does.

``tests/fixtures/golden/openapi.json`` is the OpenAPI document of the API as released; a change
to it is a change to the API, made on purpose: regenerate the file in the same commit and say
why (``python -m tests.fixtures.golden`` writes it).
"""

from __future__ import annotations

from tests.fixtures.golden import current_openapi, golden


def test_the_openapi_document_is_the_released_one() -> None:
    assert current_openapi() == golden("openapi.json")
