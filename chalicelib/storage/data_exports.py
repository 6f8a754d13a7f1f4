"""Patients' data exports: the patient's guard (one archive building at a time, so many a clinic day) and each
export's record. The guard changes only if nobody changed it since it was read (its `revision`)."""

from __future__ import annotations

import datetime as dt

from chalicelib.storage.access import get_or_none, update_if
from chalicelib.storage.errors import store_errors
from chalicelib.storage.tables.exports import GUARD_KEY, DataExport
from chalicelib.storage.transactions import Transaction, TransactionRefused


def guard_of(patient_id: str) -> DataExport | None:
    return get_or_none(DataExport, patient_id, GUARD_KEY)


def get_export(patient_id: str, export_id: str) -> DataExport | None:
    """The patient's export (the key holds the patient: nobody else's is found)."""
    if export_id == GUARD_KEY:
        return None
    return get_or_none(DataExport, patient_id, export_id)


def recent(patient_id: str, limit: int) -> list[DataExport]:
    """The patient's latest exports, newest first."""
    with store_errors():
        found = DataExport.query(
            patient_id, DataExport.export_id < GUARD_KEY, scan_index_forward=False, limit=limit, consistent_read=True
        )
        return list(found)


def start(
    patient_id: str,
    export_id: str,
    read: DataExport | None,
    *,
    day: str,
    requests_today: int,
    at: dt.datetime,
    keep_until: dt.datetime,
) -> DataExport | None:
    """Record the export as building and the guard as holding it (`requests_today` asked for on `day`), in one
    transaction, if the guard is still as `read` (None: there was none): the export. None: someone changed it first."""
    revision = int(read.revision or 0) if read is not None else 0
    guard = DataExport(
        patient_id,
        GUARD_KEY,
        building=export_id,
        building_since=at.isoformat(),
        day=day,
        requests_today=requests_today,
        revision=revision + 1,
        ttl=keep_until,
    )
    export = DataExport(patient_id, export_id, status="building", requested_at=at.isoformat(), ttl=keep_until)
    tx = Transaction()
    tx.put(
        "guard",
        guard,
        condition=DataExport.revision == revision if read is not None else DataExport.patient_id.does_not_exist(),
    )
    tx.put("export", export, condition=DataExport.patient_id.does_not_exist())
    try:
        tx.commit()
    except TransactionRefused:
        return None
    return export


def finish(
    export: DataExport,
    status: str,
    at: dt.datetime,
    *,
    s3_key: str | None = None,
    size: int | None = None,
    reason: str | None = None,
    give_back: bool = False,
) -> bool:
    """Mark a building export ready or failed (once: False if it was finished already), then free the guard
    if it still holds this export (`give_back`: and do not count the request: it never started)."""
    actions = [DataExport.status.set(status), DataExport.ready_at.set(at.isoformat())]
    if s3_key is not None:
        actions.append(DataExport.s3_key.set(s3_key))
    if size is not None:
        actions.append(DataExport.size.set(size))
    if reason is not None:
        actions.append(DataExport.reason.set(reason))
    done = update_if(export, actions, DataExport.status == "building")
    release(export.patient_id, export.export_id, give_back=give_back)
    return done


def release(patient_id: str, export_id: str, *, give_back: bool) -> bool:
    """Free the guard if it holds `export_id`; `give_back`: the request does not count (it never started)."""
    actions = [DataExport.building.remove(), DataExport.building_since.remove(), DataExport.revision.add(1)]
    if give_back:
        actions.append(DataExport.requests_today.add(-1))
    guard = DataExport(patient_id, GUARD_KEY)
    return update_if(guard, actions, DataExport.building == export_id)
