"""The response models: only the documented keys (``additionalProperties: false``)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cryptonic.api.schemas import HealthResponse


def test_response_models_refuse_undocumented_keys():
    with pytest.raises(ValidationError, match="extra"):
        HealthResponse.model_validate(
            {"app_version": "1", "store": "file", "tickers": [], "champions": {}, "debug": 1}
        )
