"""Health, and the API's own description."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, WithJsonSchema

from chalicelib.contract.fields import Absent, Response


class Health(Response):
    status: Literal["ok"]
    stage: str
    server_time: dt.datetime


class Clinic(Response):
    documents_address: str = Field(
        description="the clinic's general email for documents and questions (DOCUMENTS_ADDRESS; a paid booking "
        "has its own docs+… address on the same domain)"
    )


class ApiInfo(Response):
    title: str
    version: str


class Server(Response):
    url: str


# Open on purpose: these are described by the OpenAPI specification, not by this API.
PathItem = Annotated[
    dict[str, Any],
    WithJsonSchema(
        {
            "type": "object",
            "additionalProperties": True,
            "description": "OpenAPI Path Item (open: the OpenAPI spec's shape)",
        }
    ),
]


class OpenApiDocument(Response):
    openapi: str
    info: ApiInfo
    servers: list[Server] | Absent = None
    paths: dict[str, PathItem] = Field(description="OpenAPI Path Items, by path (open: the OpenAPI spec's shape)")
    components: dict[str, Any] = Field(description="OpenAPI Components (open: the OpenAPI spec's shape)")
