"""The daily refresh: request, one ticker, outcomes, the invocation, the queue consumer; beside
them the steps of one ticker (prices, scoring). No training: published ``.tflite`` models run
with LiteRT (import-linter)."""
