"""The HTTP API (FastAPI): the champion's forecast, on-demand forecasts, prices, status, the page.

Importing this package never imports TensorFlow, Keras or pandas: it serves from the registry's
artifacts with LiteRT, and the Lambda image does not even install the training stack. Nor does it
import FastAPI: its names load on first use (PEP 562), so that the cold start can set the default
ticker's champion loading (:mod:`cryptonic.api.state`) before FastAPI is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptonic.api.app import create_app, serving_state, warm

__all__ = ["create_app", "serving_state", "warm"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from cryptonic.api import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
