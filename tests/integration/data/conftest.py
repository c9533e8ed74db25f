"""What the data tests share: the waits a source's policy would have slept (recorded, never
slept), so that backoff is asserted without taking its time."""

from __future__ import annotations

import pytest


@pytest.fixture
def sleeps() -> list[float]:
    return []
