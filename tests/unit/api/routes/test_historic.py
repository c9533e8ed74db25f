"""``GET /historic`` date parameters."""

from __future__ import annotations

import pytest

from tests.fixtures.api import assert_error


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2024-02-01", "end": "2024-01-01"}, "invalid_range"),
        ({"start": "1577836800"}, "validation_error"),
        ({"end": "2024-13-01"}, "validation_error"),
        ({"start": "2024-02-30"}, "validation_error"),
    ],
)
def test_historic_date_validation(client, params, code):
    assert_error(client.get("/historic", params=params), 422, code)
