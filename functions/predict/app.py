"""Serving Lambda handler: the cryptonic FastAPI app behind API Gateway, through Mangum.

Everything is built at import, once per container: logging, settings from the environment, the
store, the app, and the champion of each configured ticker (best effort: a failure is logged and
the request answers 503 until a model exists). No lifespan hook: Mangum would run it on every
invocation. Never imports TensorFlow, Keras or pandas (the image does not install them).
"""

from __future__ import annotations

from mangum import Mangum

from cryptonic.api import create_app, warm
from cryptonic.logs import configure_lambda_logging

configure_lambda_logging()
app = create_app()
warm(app)
handler = Mangum(app, lifespan="off")
