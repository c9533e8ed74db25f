"""The serving Lambda: API Gateway (HTTP API v2 and REST v1) events through Mangum."""
