"""A file the browser saves: the body and the headers that name it (UTF-8 file names, RFC 6266)."""

from __future__ import annotations

from urllib.parse import quote

from chalice import Response


def pdf_download(filename: str, data: bytes) -> Response:
    return Response(
        body=data,
        status_code=200,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        },
    )
