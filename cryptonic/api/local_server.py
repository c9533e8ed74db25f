"""Run the HTTP API locally with uvicorn (``cryptonic serve`` / ``make run``)."""

from __future__ import annotations

from cryptonic.config import Settings


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API and the page on ``http://host:port`` until interrupted."""
    import uvicorn

    from cryptonic.api.app import create_app

    app = create_app(settings)
    config = uvicorn.Config(app, host=host, port=port, log_level="info", lifespan="off")
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    print(f"cryptonic serving on http://{shown}:{port}", flush=True)
    server.run()
