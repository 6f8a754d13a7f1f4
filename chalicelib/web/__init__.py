"""The HTTP edge: routing with declared access, input schemas, error mapping, OpenAPI."""
