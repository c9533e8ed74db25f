"""What every body shares: its serialization, and stored numbers read defensively."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel


def encode(body: BaseModel) -> bytes:
    """Compact UTF-8 JSON, as served (non-finite floats become ``null``: JSON has no NaN)."""
    return body.model_dump_json().encode()


def finite_or_none(value: Any) -> float | None:
    """A stored number as a float, or None when it is missing, not a number or not finite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
