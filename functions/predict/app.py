"""Serving Lambda handler: the cryptonic FastAPI app behind API Gateway, through Mangum.

Everything is built at import, once per container: logging, settings from the environment, the
store, the app, and the default ticker's champion, within ``WARM_DEADLINE_SECONDS`` (2 s of
Lambda's 10 s init limit). That last step never raises: a store that does not answer in time
leaves the requests that need it to answer 503 while ``/health`` and the page answer; an init
that failed would be retried by Lambda inside every request. Other tickers load on their first
request, each request within its own deadline. No lifespan hook: Mangum would run it on every
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
