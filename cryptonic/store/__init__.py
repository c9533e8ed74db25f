"""Artifact stores: one contract (contract.py), the URI that opens one (uri.py), and the clients
that keep it on a local folder (local.py) and on S3 (s3.py through botocore; s3_reader.py, the
serving cold start's stdlib reader).

Knows nothing of models, the registry or the API (import-linter).
"""
