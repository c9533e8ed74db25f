"""The API's routers, one module per resource; each exposes ``router(...) -> APIRouter``.

``create_app`` (:mod:`cryptonic.api.app`) includes them. Parameters several routes share live in
:mod:`cryptonic.api.params`.
"""
