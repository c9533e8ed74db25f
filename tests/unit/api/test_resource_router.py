"""Response models for the document only: the serving app builds none, its twin documents all."""

from __future__ import annotations

import typing
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import Response

from cryptonic.api.resource_router import ResourceRouter


class Body(BaseModel):
    value: int


def _route(documented: bool) -> APIRoute:
    router = ResourceRouter(documented=documented)

    @router.get("/thing", response_model=Body, responses={404: {"model": Body}})
    def thing() -> Response:
        return Response(b'{"value": 1}', media_type="application/json")

    (route,) = router.routes
    assert isinstance(route, APIRoute)
    return route


def test_an_undocumented_route_builds_no_response_model() -> None:
    route = _route(documented=False)
    assert route.response_model is None
    assert route.response_field is None
    assert route.response_fields == {}


def test_a_documented_route_declares_them_all() -> None:
    route = _route(documented=True)
    assert route.response_model is Body
    assert route.response_field is not None
    assert set(route.response_fields) == {404}


def _api_routes(app: Any) -> list[APIRoute]:
    """The app's routes as declared (FastAPI 0.165 includes a router as one lazy entry that
    keeps it as ``original_router``)."""
    found: list[APIRoute] = []
    for entry in app.routes:
        included = getattr(entry, "original_router", None)
        for route in included.routes if included is not None else [entry]:
            if isinstance(route, APIRoute):
                found.append(route)
    return found


def test_every_route_of_the_app_answers_a_ready_response(app) -> None:
    """So dropping the declared models changes nothing a client gets: FastAPI passes a returned
    Response through untouched, and serializes through ``response_model`` only otherwise."""
    routes = _api_routes(app)
    assert len(routes) >= 10
    for route in routes:
        returns = typing.get_type_hints(route.endpoint).get("return")
        assert returns is not None, route.path
        assert issubclass(returns, Response), route.path


def test_the_serving_app_declares_none_and_its_document_names_them(client, app) -> None:
    routes = _api_routes(app)
    assert len(routes) >= 10
    assert all(route.response_field is None and not route.response_fields for route in routes)
    operation = client.get("/openapi.json").json()["paths"]["/predict"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/PredictResponse"}
    errors = operation["responses"]["503"]["content"]["application/json"]["schema"]
    assert errors == {"$ref": "#/components/schemas/ErrorResponse"}
