"""The API's routers, one module per resource; each exposes ``router(...) -> APIRouter``.

``create_app`` (:mod:`cryptonic.api.app`) includes them. Parameters several routes share (the
ticker, the paging ``limit`` and ``cursor``) live in :mod:`cryptonic.api.params`, the documented
error answers in :mod:`cryptonic.api.error_docs`; the bodies are built by
:mod:`cryptonic.api.responses`, from what :mod:`cryptonic.api.state` holds.
"""
