"""The weekly retrain: request, one ticker, the invocation, the queue consumer (and its skip
check and promotion gate)."""
