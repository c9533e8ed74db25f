"""Published models and what they forecast, over a store: the key layout, the manifest and the
champion pointer, the registry of versions, the forecast log and the live track record.

Serving-safe: pydantic and the standard library only (import-linter).
"""
