"""The API's contract, defined once: every request and response shape as a pydantic model.

A module per area (`bookings`, `accounts`, `doctors`, …) holds its requests and responses; routes
name them (`body=Model("bookings.HoldRequest")`, `response=ListOf("bookings.Booking")`, chalicelib.web.routing)
and never import them: an area's module loads on the API's first request that needs it, so the functions that
only import app.py (WebSocket, SQS, schedules) never load pydantic. `chalicelib.web.openapi` builds the OpenAPI
document from them, and `frontend/src/api-types.ts` is generated from that document (`make api-types`).
Request fields come from `fields` (checks with the forms' messages); responses are `Response` models,
closed (`additionalProperties: false`). Domain functions still return dicts: the models describe them.
"""
