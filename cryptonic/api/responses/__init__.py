"""The success bodies of every endpoint, one module per resource, built as the response models of
:mod:`cryptonic.api.schemas`.

Building the documented model (and serializing it with pydantic, :mod:`.encoding`) is what keeps
``/openapi.json`` and the bytes sent from drifting apart: a key the schema does not name, or a
value of the wrong type, fails here. Manifests arrive parsed
(:class:`cryptonic.registry.manifest.Manifest`); an optional section they lack, or a non-finite
number, becomes ``null``, never a 500. forecast.json is read defensively, as an old or
hand-edited version must still be servable.

The bottom layer of the API: nothing here imports the state, the routes or the app.
"""
