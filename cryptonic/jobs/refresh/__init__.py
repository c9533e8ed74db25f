"""The daily refresh: request, one ticker, the invocation, the queue consumer. No training:
published ``.tflite`` models run with LiteRT (import-linter)."""
