"""The router every resource declares its routes on: response models for the document only.

Every route answers with a ready :class:`~starlette.responses.Response` (bytes built by
:mod:`cryptonic.api.responses`), so FastAPI never serializes through a declared
``response_model`` or the models of ``responses=``: they exist for ``/openapi.json`` and
``/docs``. Declaring them still makes FastAPI build a serializer per model and route when the
route is added, and makes pydantic build every response model: most of what our cold start cost
above the FastAPI + Mangum floor (BENCHMARKS.md, "The cold start above the floor").

So the serving app adds its routes undocumented, and its ``/openapi.json`` comes from a twin
whose routes declare everything, built on the first ask (:func:`cryptonic.api.app.create_app`).
The routes keep their declarations in the usual FastAPI place: one source for both apps, and the
released document (``tests/unit/api/test_openapi_unchanged.py``) holds the twin to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter


class ResourceRouter(APIRouter):
    """An :class:`APIRouter` that drops ``response_model`` and ``responses`` unless
    ``documented``: the OpenAPI twin declares them, the serving app does not build them."""

    def __init__(self, *, documented: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.documented = documented

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not self.documented:
            kwargs["response_model"] = None
            kwargs["responses"] = None
        super().add_api_route(path, endpoint, **kwargs)
