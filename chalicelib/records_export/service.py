"""Asking for an archive of one's data, seeing how it goes, and a link to download it that works for minutes.

One archive builds at a time per patient, and a patient may ask for `data_exports_per_day` in a clinic day: both
are kept by one conditional write of the patient's guard (chalicelib/storage/data_exports.py).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import audit, aws, resources
from chalicelib.accounts.sessions import Principal
from chalicelib.clock import now
from chalicelib.config import retention_schedule, settings
from chalicelib.errors import Conflict, NotFound, TooManyAttempts, Unavailable
from chalicelib.logs import log_event
from chalicelib.storage import data_exports as store
from chalicelib.storage.records import DataExport
from chalicelib.timefmt import clinic_zone

# A message is handed out again after the queue's visibility timeout, up to its receive count (then it moves to
# the dead-letter queue): past this, an export still "building" never will be, and the patient may ask anew.
STALE_AFTER = dt.timedelta(minutes=45)
RECENT = 5


# The records (and the guard) are kept a little longer than the archive: the status says "expired", not 404.
def _records_kept() -> dt.timedelta:
    return dt.timedelta(days=_archive_days() + 1)


def _archive_days() -> int:
    """The bucket's lifecycle keeps an archive this many days: the retention schedule's term (one value)."""
    return retention_schedule().data_exports.at_least_days


class ExportBuilding(Conflict):
    """The patient's previous archive is still being prepared."""

    code = "export_building"
    message_key = "errors.export_building"


class TooManyExports(TooManyAttempts):
    """The clinic day's archives are used up (`limit`); `retry_after`: until the next clinic day."""

    message_key = "errors.too_many_exports"


def _local(moment: str | dt.datetime | None) -> str | None:
    if moment is None:
        return None
    value = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(clinic_zone()).isoformat()


def _stale(since: str | None, at: dt.datetime) -> bool:
    return since is None or dt.datetime.fromisoformat(since) < at - STALE_AFTER


def _until_next_day(at: dt.datetime) -> int:
    local = at.astimezone(clinic_zone())
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=clinic_zone())
    return max(int((midnight - local).total_seconds()), 1)


def _kept_until(export: DataExport) -> dt.datetime | None:
    """When the bucket's lifecycle deletes the archive."""
    if not export.ready_at:
        return None
    return dt.datetime.fromisoformat(export.ready_at) + dt.timedelta(days=_archive_days())


def status_of(export: DataExport, at: dt.datetime) -> str:
    """building → ready | failed; a ready archive is "expired" once the bucket's lifecycle has removed it."""
    status = export.status or "failed"
    if status == "building" and _stale(export.requested_at, at):
        return "failed"
    kept_until = _kept_until(export)
    if status == "ready" and kept_until is not None and kept_until <= at:
        return "expired"
    return status


def view(export: DataExport, at: dt.datetime) -> dict[str, Any]:
    status = status_of(export, at)
    data: dict[str, Any] = {
        "id": export.export_id,
        "status": status,
        "requested_at": _local(export.requested_at),
        "ready_at": _local(export.ready_at) if status in ("ready", "expired") else None,
        "size": int(export.size) if export.size is not None and status == "ready" else None,
    }
    if status == "ready":
        data["archive_expires_at"] = _local(_kept_until(export))
    return data


def request(principal: Principal, ip: str, user_agent: str) -> dict[str, Any]:
    """Start building the patient's archive: refused while one is building, or when the day's are used up."""
    patient_id = principal.user_id
    s = settings()
    for _attempt in range(3):
        at = now()
        guard = store.guard_of(patient_id)
        if guard is not None and guard.building and not _stale(guard.building_since, at):
            raise ExportBuilding(guard.building)
        day = at.astimezone(clinic_zone()).date().isoformat()
        used = int(guard.requests_today or 0) if guard is not None and guard.day == day else 0
        if used >= s.data_exports_per_day:
            raise TooManyExports("exports", retry_after=_until_next_day(at), limit=s.data_exports_per_day)
        export_id = f"{at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:12]}"
        export = store.start(
            patient_id, export_id, guard, day=day, requests_today=used + 1, at=at, keep_until=at + _records_kept()
        )
        if export is not None:
            break
    else:
        raise Conflict("data export guard")  # changed under us three times: another tab keeps asking
    try:
        aws.client("sqs").send_message(
            QueueUrl=s.data_export_queue_url, MessageBody=json.dumps({"patient_id": patient_id, "export_id": export_id})
        )
    except (BotoCoreError, ClientError) as exc:
        # Never started: not building, and not counted against the day.
        store.finish(export, "failed", now(), reason="queue", give_back=True)
        raise Unavailable("sqs") from exc
    audit.record(principal, "export_own_data", "data_export", export_id, patient_id, ip, user_agent, own_too=True)
    log_event("data_export_requested", user_id=patient_id, export_id=export_id)
    return view(export, at)


def recent(principal: Principal) -> list[dict[str, Any]]:
    """The patient's latest archives (no links: a link is made when asked for one archive)."""
    at = now()
    return [view(export, at) for export in store.recent(principal.user_id, RECENT)]


def archive_name(export: DataExport) -> str:
    return f"moi-dannye-{(export.requested_at or '')[:10]}.zip"


def status(principal: Principal, export_id: str, ip: str, user_agent: str) -> dict[str, Any]:
    """One archive of the patient's own: its status and, when ready, a link that works for a few minutes."""
    export = store.get_export(principal.user_id, export_id)
    if export is None:
        raise NotFound("data export")
    at = now()
    data = view(export, at)
    if data["status"] != "ready" or not export.s3_key:
        return data
    seconds = settings().data_export_link_seconds
    try:
        url = aws.s3().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": resources.documents_bucket(),
                "Key": export.s3_key,
                "ResponseContentType": "application/zip",
                "ResponseContentDisposition": f'attachment; filename="{archive_name(export)}"',
            },
            ExpiresIn=seconds,
        )
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("s3") from exc
    # Who took the archive and when (the link itself is never written anywhere: it is the archive).
    audit.record(
        principal, "download_own_data", "data_export", export_id, principal.user_id, ip, user_agent, own_too=True
    )
    return {**data, "download_url": url, "link_expires_at": _local(at + dt.timedelta(seconds=seconds))}
