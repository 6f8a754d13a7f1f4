"""The archive itself: data.json, about.txt and the files, zipped on local disk (a long history's PDFs do not
fit in memory twice) and stored under `exports/` in the documents bucket, encrypted like every document there.

Built by the `data_exports` queue's worker (app.py), once per export: a message handed out again finds the
export ready and does nothing.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws, resources
from chalicelib.clock import now
from chalicelib.config import settings
from chalicelib.errors import NotFound, Unavailable
from chalicelib.logs import log_event
from chalicelib.records_export.collect import FORMAT, File, counts, everything
from chalicelib.storage import data_exports as store
from chalicelib.timefmt import format_datetime

ABOUT = Path(__file__).resolve().parent.parent / "templates" / "export"
KINDS = ("consents", "bookings", "payments", "documents", "conclusions", "access_log")
IN_MEMORY = 16 * 1024 * 1024  # a larger archive spills to /tmp


def about(data: dict[str, Any], file_count: int) -> str:
    """The archive's README, in Russian: what is in it and how data.json is laid out."""
    # jinja2 costs a cold start 30-50 ms: only the worker that writes an archive loads it.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(ABOUT)), undefined=StrictUndefined, keep_trailing_newline=True)
    return env.get_template("about.txt").render(
        data=data,
        counts=counts(data, KINDS),
        files=file_count,
        format=FORMAT,
        generated=format_datetime(now()),
        site=settings().public_base_url,
    )


def _copy(s3: Any, file: File, target: IO[bytes]) -> None:
    if file.data is not None:
        target.write(file.data)
        return
    body = s3.get_object(Bucket=resources.documents_bucket(), Key=file.s3_key)["Body"]
    shutil.copyfileobj(body, target, 1024 * 1024)


def write(data: dict[str, Any], files: list[File], out: IO[bytes]) -> None:
    """The ZIP: about.txt, data.json, then every file under its path."""
    s3 = aws.s3()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("about.txt", about(data, len(files)))
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for file in files:
            with archive.open(file.path, "w", force_zip64=True) as target:
                _copy(s3, file, target)


def key_of(patient_id: str, export_id: str) -> str:
    return f"{resources.EXPORTS_PREFIX}{patient_id}/{export_id}.zip"


def build(body: str) -> bool:
    """Build the archive a queue message asks for; False when there is nothing to do (done already, unknown)."""
    message = json.loads(body)
    export = store.get_export(str(message["patient_id"]), str(message["export_id"]))
    if export is None or export.status != "building":
        return False
    try:
        data, files = everything(export.patient_id, now())
    except NotFound:  # the person is no longer on file: nothing to build, and no use trying again
        store.finish(export, "failed", now(), reason="patient_gone")
        return False
    key = key_of(export.patient_id, export.export_id)
    with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY) as out:
        try:
            write(data, files, out)
            size = out.tell()
            out.seek(0)
            aws.s3().upload_fileobj(
                out,
                resources.documents_bucket(),
                key,
                ExtraArgs={
                    "ContentType": "application/zip",
                    "ServerSideEncryption": "aws:kms",
                    "SSEKMSKeyId": resources.data_key_alias(),
                },
            )
        except (BotoCoreError, ClientError) as exc:
            raise Unavailable("s3") from exc  # the message comes back: tried again
    store.finish(export, "ready", now(), s3_key=key, size=size)
    log_event(
        "data_export_ready", user_id=export.patient_id, export_id=export.export_id, size=size, found=counts(data, KINDS)
    )
    return True
