"""The HTTP API (FastAPI): the champion's forecast, on-demand forecasts, prices, status, the page.

Importing this package never imports TensorFlow, Keras or pandas: it serves from the registry's
artifacts with LiteRT, and the Lambda image does not even install the training stack.
"""

from __future__ import annotations

from cryptonic.api.app import create_app, serving_state, warm

__all__ = ["create_app", "serving_state", "warm"]
